// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_unschedulable/node_unschedulable.hpp"

#include "plugins/helper/taints.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::node_unschedulable {

std::string_view node_unschedulable::name() const {
    return names::kNodeUnschedulable;
}

framework::status node_unschedulable::filter(framework::cycle_state& /*state*/,
                                             const framework::pod_info& pod,
                                             const framework::node_info& node) {
    // Upstream v1.30 dereferences the node unconditionally; older versions (and we) answer a
    // missing node object with the unknown-conditions reason instead of crashing.
    if (node.node() == nullptr) {
        return {framework::code::unschedulable_and_unresolvable,
                framework::constant_reason{kErrReasonUnknownCondition}};
    }
    if (!node.node()->unschedulable) {
        return {};
    }
    // A pod that tolerates the unschedulable taint also tolerates spec.unschedulable.
    const api::taint unschedulable_taint{std::string(kTaintNodeUnschedulable), "", "NoSchedule"};
    if (helper::tolerations_tolerate_taint(pod.pod->tolerations, unschedulable_taint)) {
        return {};
    }
    return {framework::code::unschedulable_and_unresolvable,
            framework::constant_reason{kErrReasonUnschedulable}};
}

// Upstream without queueing hints (v1.30/v1.31 default): Node Add|UpdateNodeTaint|UpdateNodeLabel
// (UpdateNodeLabel only because Node/Add may be missed by the queue pre-check, #109437). With hints
// upstream adds Pod/UpdatePodTolerations; our queue re-evaluates a pod on its own update anyway.
std::vector<framework::cluster_event> node_unschedulable::events_to_register() const {
    return {{framework::event_resource::node, framework::action_add |
                                                  framework::action_update_node_taint |
                                                  framework::action_update_node_label}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& /*args*/,
                                                framework::handle& /*h*/) {
    return std::unique_ptr<framework::plugin>(std::make_unique<node_unschedulable>());
}

}  // namespace multisched::plugins::node_unschedulable
