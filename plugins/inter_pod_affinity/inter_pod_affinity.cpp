// SPDX-License-Identifier: Apache-2.0
// InterPodAffinity: construction, name, events and the factory (upstream plugin.go).
#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"

#include "plugins/names.hpp"

namespace multisched::plugins::inter_pod_affinity {

inter_pod_affinity::inter_pod_affinity(const inter_pod_affinity_args& args, framework::handle& h)
    : args_(args), handle_(h) {}

std::string_view inter_pod_affinity::name() const {
    return names::kInterPodAffinity;
}

std::vector<framework::cluster_event> inter_pod_affinity::events_to_register() const {
    // An assigned pod added may satisfy affinity, one deleted may lift anti-affinity, one
    // updated may change labels either way; a new or relabelled node may bring a topology domain.
    return {{framework::event_resource::assigned_pod,
             framework::action_add | framework::action_update | framework::action_delete},
            {framework::event_resource::node,
             framework::action_add | framework::action_update_node_label}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h) {
    auto parsed = parse_args(args);
    if (!parsed) {
        return parsed.error();
    }
    return std::unique_ptr<framework::plugin>(std::make_unique<inter_pod_affinity>(*parsed, h));
}

}  // namespace multisched::plugins::inter_pod_affinity
