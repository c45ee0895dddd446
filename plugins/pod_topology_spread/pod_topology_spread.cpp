// SPDX-License-Identifier: Apache-2.0
#include "plugins/pod_topology_spread/pod_topology_spread.hpp"

#include <string>
#include <utility>

#include "plugins/names.hpp"

namespace multisched::plugins::pod_topology_spread {

pod_topology_spread::pod_topology_spread(const pod_topology_spread_args& args, framework::handle& h)
    : handle_(&h), default_constraints_(args.default_constraints) {
    if (args.defaulting_type == kSystemDefaulting) {
        default_constraints_ = system_default_constraints();
        system_defaulted_ = true;
    }
}

std::string_view pod_topology_spread::name() const {
    return names::kPodTopologySpread;
}

result<std::vector<spread_constraint>> pod_topology_spread::constraints_for(
    const api::pod& pod, std::string_view action) const {
    const std::string kind = action == kDoNotSchedule ? "hard" : "soft";
    if (!pod.topology_spread_constraints.empty()) {
        auto own = filter_constraints(pod.topology_spread_constraints, pod.meta.labels, action);
        if (!own) {
            return error{
                {},
                "obtaining pod's " + kind + " topology spread constraints: " + own.error().message};
        }
        return own;
    }
    auto defaults = filter_constraints(default_constraints_, pod.meta.labels, action);
    if (!defaults) {
        return error{{},
                     "setting default " + kind +
                         " topology spread constraints: " + defaults.error().message};
    }
    if (defaults->empty()) {
        return defaults;
    }
    const api::label_selector selector = handle_->default_selector(pod);
    if (selector.match_labels.empty() && selector.match_expressions.empty()) {
        return std::vector<spread_constraint>{};
    }
    for (auto& c : *defaults) {
        c.selector = selector;
    }
    return defaults;
}

void pod_topology_spread::assign_memo_keys(std::vector<spread_constraint>& constraints,
                                           std::string_view ns) {
    for (auto& c : constraints) {
        c.memo_key = memo_keys_.key(memo_text(c, ns));
        c.label_memo_key = memo_keys_.key(label_memo_text(c.topology_key));
    }
}

// Upstream v1.30 registers Pod/All (its queueing hint keeps assigned pods in the namespace) and
// Node Add|Delete|UpdateNodeLabel|UpdateNodeTaint (taints for nodeTaintsPolicy, and because a
// node's Add may be missed by the queue's pre-check).
std::vector<framework::cluster_event> pod_topology_spread::events_to_register() const {
    return {
        {framework::event_resource::assigned_pod,
         framework::action_add | framework::action_delete | framework::action_update_any},
        {framework::event_resource::node, framework::action_add | framework::action_delete |
                                              framework::action_update_node_label |
                                              framework::action_update_node_taint},
    };
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h) {
    auto parsed = parse_args(args);
    if (!parsed) {
        return parsed.error();
    }
    return std::unique_ptr<framework::plugin>(std::make_unique<pod_topology_spread>(*parsed, h));
}

}  // namespace multisched::plugins::pod_topology_spread
