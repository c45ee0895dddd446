// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_ports/node_ports.hpp"

#include <string>
#include <utility>

#include "plugins/names.hpp"

namespace multisched::plugins::node_ports {
namespace {

struct pre_filter_state final : framework::cycle_state::cloneable<pre_filter_state> {
    explicit pre_filter_state(std::vector<api::container_port> p) : ports(std::move(p)) {}
    std::vector<api::container_port> ports;
};

}  // namespace

std::vector<api::container_port> container_host_ports(const api::pod& pod) {
    std::vector<api::container_port> out;
    for (const auto& c : pod.containers) {
        for (const auto& p : c.ports) {
            if (p.host_port > 0) {
                out.push_back(p);
            }
        }
    }
    return out;
}

bool fits_ports(std::span<const api::container_port> want, const framework::node_info& node) {
    const auto& used = node.used_ports();
    for (const auto& p : want) {
        if (used.conflicts(p.host_ip, p.protocol, p.host_port)) {
            return false;
        }
    }
    return true;
}

std::string_view node_ports::name() const {
    return names::kNodePorts;
}

framework::status node_ports::pre_filter(framework::cycle_state& state,
                                         const framework::pod_info& pod,
                                         std::span<const framework::node_info* const> /*nodes*/,
                                         framework::pre_filter_result& /*result*/) {
    auto ports = container_host_ports(*pod.pod);
    if (ports.empty()) {
        return {framework::code::skip, std::vector<std::string>{}};
    }
    state.write(kPreFilterStateKey, std::make_unique<pre_filter_state>(std::move(ports)));
    return {};
}

framework::status node_ports::filter(framework::cycle_state& state,
                                     const framework::pod_info& /*pod*/,
                                     const framework::node_info& node) {
    const auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    if (s == nullptr) {
        return framework::status::error("reading \"" + std::string(kPreFilterStateKey) +
                                        "\" from cycleState: not found");
    }
    if (!fits_ports(s->ports, node)) {
        return {framework::code::unschedulable, framework::constant_reason{kErrReason}};
    }
    return {};
}

// Upstream without queueing hints (v1.30/v1.31 default): assigned Pod Delete (container ports are
// immutable, so pod updates are ignored) and Node Add|UpdateNodeTaint|UpdateNodeLabel
// (UpdateNodeTaint/UpdateNodeLabel only because Node/Add may be missed by the queue pre-check,
// #109437). With hints upstream registers Node Add only and filters Pod Delete by shared ports.
std::vector<framework::cluster_event> node_ports::events_to_register() const {
    return {{framework::event_resource::assigned_pod, framework::action_delete},
            {framework::event_resource::node, framework::action_add |
                                                  framework::action_update_node_taint |
                                                  framework::action_update_node_label}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& /*args*/,
                                                framework::handle& /*h*/) {
    return std::unique_ptr<framework::plugin>(std::make_unique<node_ports>());
}

}  // namespace multisched::plugins::node_ports
