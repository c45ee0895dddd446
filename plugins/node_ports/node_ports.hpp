// SPDX-License-Identifier: Apache-2.0
// NodePorts: rejects nodes where a host port the pod asks for (hostIP, protocol, hostPort) is
// already in use, 0.0.0.0 clashing with every IP (upstream plugins/nodeports).
// Extension points: PreFilter, Filter, EnqueueExtensions.
// Args: none (ignored).
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/api/types.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::node_ports {

inline constexpr std::string_view kPreFilterStateKey = "PreFilterNodePorts";
inline constexpr std::string_view kErrReason =
    "node(s) didn't have free ports for the requested pod ports";

// The ports of the pod's containers (init containers excluded) with a host port > 0, as upstream
// getContainerPorts.
std::vector<api::container_port> container_host_ports(const api::pod& pod);

// Whether none of `want` conflicts with the node's used ports (upstream fitsPorts).
bool fits_ports(std::span<const api::container_port> want, const framework::node_info& node);

class node_ports final : public framework::pre_filter_plugin,
                         public framework::filter_plugin,
                         public framework::enqueue_extensions {
  public:
    std::string_view name() const override;
    // Skip when the pod wants no host port; otherwise stores the wanted ports and succeeds.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;
    // Unschedulable kErrReason when a wanted port is in use on the node; Error when PreFilter did
    // not run (its state is missing).
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;
    std::vector<framework::cluster_event> events_to_register() const override;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::node_ports
