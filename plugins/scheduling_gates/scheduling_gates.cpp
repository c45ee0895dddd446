// SPDX-License-Identifier: Apache-2.0
#include "plugins/scheduling_gates/scheduling_gates.hpp"

#include "plugins/names.hpp"

namespace multisched::plugins::scheduling_gates {

std::string_view scheduling_gates::name() const {
    return names::kSchedulingGates;
}

framework::status scheduling_gates::pre_enqueue(const api::pod& pod) {
    if (pod.scheduling_gates.empty()) {
        return {};
    }
    std::string gates = "[";
    for (std::size_t i = 0; i < pod.scheduling_gates.size(); ++i) {
        gates += (i == 0 ? "" : " ") + pod.scheduling_gates[i];
    }
    gates += "]";
    return {framework::code::unschedulable_and_unresolvable,
            "waiting for scheduling gates: " + gates};
}

// Gates can only be removed, by updating the pod; the queue re-runs PreEnqueue on that update.
std::vector<framework::cluster_event> scheduling_gates::events_to_register() const {
    return {{framework::event_resource::pod, framework::action_update}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& /*args*/,
                                                framework::handle& /*h*/) {
    return std::unique_ptr<framework::plugin>(std::make_unique<scheduling_gates>());
}

}  // namespace multisched::plugins::scheduling_gates
