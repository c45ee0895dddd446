// SPDX-License-Identifier: Apache-2.0
// NodeUnschedulable: rejects nodes with spec.unschedulable unless the pod tolerates the taint
// node.kubernetes.io/unschedulable:NoSchedule (upstream plugins/nodeunschedulable).
// Extension points: Filter, EnqueueExtensions.
// Args: none (ignored).
#pragma once

#include <memory>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::node_unschedulable {

inline constexpr std::string_view kErrReasonUnknownCondition = "node(s) had unknown conditions";
inline constexpr std::string_view kErrReasonUnschedulable = "node(s) were unschedulable";
inline constexpr std::string_view kTaintNodeUnschedulable = "node.kubernetes.io/unschedulable";

class node_unschedulable final : public framework::filter_plugin,
                                 public framework::enqueue_extensions {
  public:
    std::string_view name() const override;
    // UnschedulableAndUnresolvable kErrReasonUnschedulable for an unschedulable node the pod does
    // not tolerate; kErrReasonUnknownCondition when the node object is missing.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;
    std::vector<framework::cluster_event> events_to_register() const override;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::node_unschedulable
