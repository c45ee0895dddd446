// SPDX-License-Identifier: Apache-2.0
#include "plugins/taint_toleration/taint_toleration.hpp"

#include <algorithm>
#include <string>

#include "plugins/helper/normalize.hpp"
#include "plugins/helper/taints.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::taint_toleration {
namespace {

constexpr std::string_view kEffectNoSchedule = "NoSchedule";
constexpr std::string_view kEffectNoExecute = "NoExecute";
constexpr std::string_view kEffectPreferNoSchedule = "PreferNoSchedule";

// The pod's tolerations that may tolerate a PreferNoSchedule taint; an empty effect matches all.
struct pre_score_state final : framework::cycle_state::cloneable<pre_score_state> {
    std::vector<api::toleration> tolerations_prefer_no_schedule;
};

// Upstream helper.DoNotScheduleTaintsFilterFunc: Filter only looks at these effects.
bool is_do_not_schedule(const api::taint& t) {
    return t.effect == kEffectNoSchedule || t.effect == kEffectNoExecute;
}

}  // namespace

std::string_view taint_toleration::name() const {
    return names::kTaintToleration;
}

framework::status taint_toleration::filter(framework::cycle_state& /*state*/,
                                           const framework::pod_info& pod,
                                           const framework::node_info& node) {
    // Older upstream answers a missing node with this error; later versions dereference it.
    if (node.node() == nullptr) {
        return framework::status::error("invalid nodeInfo");
    }
    // Upstream FindMatchingUntoleratedTaint: the first offending taint, in node order.
    for (const auto& t : node.node()->taints) {
        if (is_do_not_schedule(t) && !helper::tolerations_tolerate_taint(pod.pod->tolerations, t)) {
            // "%s: %s" as upstream: an empty value prints as "{key: }".
            return {framework::code::unschedulable_and_unresolvable,
                    "node(s) had untolerated taint {" + t.key + ": " + t.value + "}"};
        }
    }
    return {};
}

framework::status taint_toleration::pre_score(
    framework::cycle_state& state, const framework::pod_info& pod,
    std::span<const framework::node_info* const> /*nodes*/) {
    auto s = std::make_unique<pre_score_state>();
    for (const auto& t : pod.pod->tolerations) {
        if (t.effect.empty() || t.effect == kEffectPreferNoSchedule) {
            s->tolerations_prefer_no_schedule.push_back(t);
        }
    }
    state.write(kPreScoreStateKey, std::move(s));
    return {};
}

framework::status taint_toleration::score(framework::cycle_state& state,
                                          const framework::pod_info& /*pod*/,
                                          const framework::node_info& node, std::int64_t& score) {
    score = 0;
    if (node.node() == nullptr) {
        return framework::status::error("getting node \"" + node.name() +
                                        "\" from Snapshot: nodeinfo not found for node name \"" +
                                        node.name() + "\"");
    }
    const auto* s = state.read<pre_score_state>(kPreScoreStateKey);
    if (s == nullptr) {
        return framework::status::error("failed to read \"" + std::string(kPreScoreStateKey) +
                                        "\" from cycleState: not found");
    }
    for (const auto& t : node.node()->taints) {
        if (t.effect == kEffectPreferNoSchedule &&
            !helper::tolerations_tolerate_taint(s->tolerations_prefer_no_schedule, t)) {
            ++score;
        }
    }
    return {};
}

framework::status taint_toleration::normalize_score(
    framework::cycle_state& /*state*/, const framework::pod_info& /*pod*/,
    std::span<const framework::node_info* const> /*nodes*/, std::span<std::int64_t> scores) {
    helper::default_normalize_score(framework::kMaxNodeScore, true, scores);
    return {};
}

// Upstream without queueing hints (v1.30/v1.31 default): Node Add|UpdateNodeTaint|UpdateNodeLabel
// (UpdateNodeLabel only because Node/Add may be missed by the queue pre-check, #109437). With hints
// upstream adds Pod/UpdatePodToleration; our queue re-evaluates a pod on its own update anyway.
std::vector<framework::cluster_event> taint_toleration::events_to_register() const {
    return {{framework::event_resource::node, framework::action_add |
                                                  framework::action_update_node_taint |
                                                  framework::action_update_node_label}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& /*args*/,
                                                framework::handle& /*h*/) {
    return std::unique_ptr<framework::plugin>(std::make_unique<taint_toleration>());
}

}  // namespace multisched::plugins::taint_toleration
