// SPDX-License-Identifier: Apache-2.0
// NodeName: a pod whose spec.nodeName is set only fits that node (upstream
// plugins/nodename/node_name.go).
// Extension points: Filter, EnqueueExtensions.
// Args: none (ignored).
#pragma once

#include <memory>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::node_name {

inline constexpr std::string_view kErrReason = "node(s) didn't match the requested node name";

class node_name final : public framework::filter_plugin, public framework::enqueue_extensions {
  public:
    std::string_view name() const override;
    // UnschedulableAndUnresolvable kErrReason when spec.nodeName is set and names another node.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;
    std::vector<framework::cluster_event> events_to_register() const override;
};

// Whether the pod may run on `node` as far as spec.nodeName goes.
bool fits(const api::pod& pod, const framework::node_info& node);

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::node_name
