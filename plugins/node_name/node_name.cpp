// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_name/node_name.hpp"

#include "plugins/names.hpp"

namespace multisched::plugins::node_name {

std::string_view node_name::name() const {
    return names::kNodeName;
}

bool fits(const api::pod& pod, const framework::node_info& node) {
    return pod.node_name.empty() || pod.node_name == node.name();
}

framework::status node_name::filter(framework::cycle_state& /*state*/,
                                    const framework::pod_info& pod,
                                    const framework::node_info& node) {
    if (fits(*pod.pod, node)) {
        return {};
    }
    return {framework::code::unschedulable_and_unresolvable,
            framework::constant_reason{kErrReason}};
}

// Upstream (v1.30-v1.33 without queueing hints): Node Add, plus UpdateNodeTaint|UpdateNodeLabel
// because a Node/Add may be missed by the queue's pre-check (kubernetes/kubernetes#109437). We have
// no queueing hints, so we keep the hint-less list.
std::vector<framework::cluster_event> node_name::events_to_register() const {
    return {{framework::event_resource::node, framework::action_add |
                                                  framework::action_update_node_taint |
                                                  framework::action_update_node_label}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& /*args*/,
                                                framework::handle& /*h*/) {
    return std::unique_ptr<framework::plugin>(std::make_unique<node_name>());
}

}  // namespace multisched::plugins::node_name
