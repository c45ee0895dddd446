// SPDX-License-Identifier: Apache-2.0
// PostFilter: upstream Evaluator.Preempt and the plugin's PostFilter, PodEligibleToPreemptOthers
// and GetOffsetAndNumCandidates. Victim selection is in select_victims.cpp, the choice among
// candidates in select_candidate.cpp, the API side effects in prepare_candidate.cpp.
#include "plugins/default_preemption/default_preemption.hpp"

#include <unordered_map>

#include "core/framework/framework.hpp"
#include "core/framework/nominator.hpp"
#include "core/metrics/scheduler_metrics.hpp"
#include "core/scheduler/schedule_pod.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::default_preemption {
namespace {

using framework::code;
using framework::status;

std::int32_t priority_of(const api::pod& p) {
    return p.priority.value_or(0);
}

// upstream podTerminatingByPreemption with PodDisruptionConditions on (the v1.30 default): the
// pod is being deleted and its first DisruptionTarget condition says preemption did it.
bool terminating_by_preemption(const api::pod& p) {
    if (!p.meta.deleting) {
        return false;
    }
    for (const auto& c : p.conditions) {
        if (c.type == kDisruptionTarget) {
            return c.status == "True" && c.reason == kReasonPreemptionByScheduler;
        }
    }
    return false;
}

const framework::node_info* find_node(std::span<const framework::node_info* const> nodes,
                                      std::string_view name) {
    for (const auto* n : nodes) {
        if (n->name() == name && n->node() != nullptr) {
            return n;
        }
    }
    return nullptr;
}

// The pod's nomination: status.nominatedNodeName, else the in-memory one an earlier PostFilter
// made and whose status patch has not come back yet.
std::string current_nomination(const framework::handle& h, const api::pod& pod) {
    if (!pod.nominated_node_name.empty()) {
        return pod.nominated_node_name;
    }
    return h.nominated().node_of(pod.meta.uid);
}

// "preemption: " before every message.
status with_prefix(status s) {
    const std::string msg = s.message();
    if (msg.empty()) {
        return s;
    }
    return status(s.code(), std::string(kMessagePrefix) + msg);
}

}  // namespace

default_preemption::default_preemption(const default_preemption_args& args, framework::handle& h,
                                       std::uint32_t seed)
    : args_(args), handle_(h), rng_(seed) {}

std::string_view default_preemption::name() const {
    return names::kDefaultPreemption;
}

status default_preemption::post_filter(framework::cycle_state& state,
                                       const framework::pod_info& pod,
                                       std::span<const framework::node_status> statuses,
                                       framework::post_filter_result& result) {
    std::vector<candidate> candidates;
    if (auto done = find_candidates(state, pod, statuses, result, candidates)) {
        return *done;
    }
    return choose_candidate(pod, candidates, result);
}

std::optional<status> default_preemption::find_candidates(
    framework::cycle_state& state, const framework::pod_info& pod,
    std::span<const framework::node_status> statuses, framework::post_filter_result& result,
    std::vector<candidate>& candidates) {
    if (auto* m = handle_.metrics()) {
        m->preemption_attempts.inc();  // every PostFilter call, as upstream's deferred Inc
    }
    auto done = find(state, pod, statuses, result, candidates);
    if (done) {
        done = with_prefix(std::move(*done));
    }
    return done;
}

status default_preemption::choose_candidate(const framework::pod_info& pod,
                                            std::span<const candidate> candidates,
                                            framework::post_filter_result& result) {
    const candidate* best = select_candidate(candidates);
    if (best == nullptr || best->node.empty()) {
        return with_prefix({code::unschedulable, std::string(kNoCandidate)});
    }
    prepare(pod, *best);
    result.nominated_node_name = best->node;
    return {};
}

std::optional<status> default_preemption::find(framework::cycle_state& state,
                                               const framework::pod_info& pod,
                                               std::span<const framework::node_status> statuses,
                                               framework::post_filter_result& result,
                                               std::vector<candidate>& candidates) {
    // Upstream returns a nil result (nomination unchanged) unless stated otherwise below; our
    // result always applies, so it carries the current nomination.
    const std::string nominated = current_nomination(handle_, *pod.pod);
    result.nominated_node_name = nominated;

    std::unordered_map<std::string_view, const status*> verdicts;
    for (const auto& s : statuses) {
        verdicts.emplace(s.node->name(), &s.verdict);
    }
    const auto verdict_of = [&](std::string_view node) -> const status* {
        auto it = verdicts.find(node);
        return it == verdicts.end() ? nullptr : it->second;
    };

    if (std::string why = not_eligible_reason(*pod.pod, nominated, verdict_of(nominated));
        !why.empty()) {
        return status(code::unschedulable, std::move(why));
    }
    if (handle_.profile_framework() == nullptr) {
        return status::error("the profile's framework is not built");
    }

    // v1.30 nodesWherePreemptionMightHelp: every node but those Filter found
    // UnschedulableAndUnresolvable (nodes without a verdict included).
    std::vector<const framework::node_info*> potential;
    std::vector<framework::node_status> not_helpful;
    bool any_node = false;
    for (const auto* n : handle_.all_nodes()) {
        if (n->node() == nullptr) {
            continue;  // not a node of the snapshot
        }
        any_node = true;
        const status* v = verdict_of(n->name());
        if (v != nullptr && v->code() == code::unschedulable_and_unresolvable) {
            not_helpful.push_back(
                {n, status(code::unschedulable_and_unresolvable, std::string(kNotHelpful))});
        } else {
            potential.push_back(n);
        }
    }
    if (!any_node) {
        return status::error(std::string(kNoNodes));
    }
    if (potential.empty()) {
        result.nominated_node_name.clear();
        return status(code::unschedulable,
                      scheduler::fit_error_message(not_helpful.size(), "", not_helpful, ""));
    }

    const auto pdbs = usable_pdbs(handle_.objects());
    const auto [offset, count] =
        offset_and_num_candidates(static_cast<std::int32_t>(potential.size()));
    dry_run_result dry = dry_run_preemption(state, pod, potential, pdbs, offset, count);
    if (dry.candidates.empty() && !dry.errors.empty()) {
        return status::error(aggregate_errors(dry.errors));
    }
    if (dry.candidates.empty()) {
        dry.statuses.insert(dry.statuses.end(), not_helpful.begin(), not_helpful.end());
        result.nominated_node_name.clear();
        return status(code::unschedulable,
                      scheduler::fit_error_message(dry.statuses.size(), "", dry.statuses, ""));
    }

    candidates = std::move(dry.candidates);
    return std::nullopt;
}

std::string default_preemption::not_eligible_reason(const api::pod& pod,
                                                    std::string_view nominated_node,
                                                    const status* nominated_status) {
    // spec.preemptionPolicy is not in the object model: every pod is PreemptLowerPriority.
    if (nominated_node.empty()) {
        return {};
    }
    // Filter rejects the nominated node for good: preempt again elsewhere.
    if (nominated_status != nullptr &&
        nominated_status->code() == code::unschedulable_and_unresolvable) {
        return {};
    }
    const framework::node_info* node = find_node(handle_.all_nodes(), nominated_node);
    if (node == nullptr) {
        return {};
    }
    const std::int32_t priority = priority_of(pod);
    for (const auto& p : node->pods()) {
        if (priority_of(*p->pod) < priority && terminating_by_preemption(*p->pod)) {
            return std::string(kTerminatingVictim);
        }
    }
    return {};
}

std::int32_t default_preemption::num_candidates(std::int32_t num_nodes) const {
    std::int32_t n = static_cast<std::int32_t>(static_cast<std::int64_t>(num_nodes) *
                                               args_.min_candidate_nodes_percentage / 100);
    n = std::max(n, args_.min_candidate_nodes_absolute);
    return std::min(n, num_nodes);
}

std::pair<std::int32_t, std::int32_t> default_preemption::offset_and_num_candidates(
    std::int32_t num_nodes) {
    std::uniform_int_distribution<std::int32_t> pick(0, std::max(num_nodes, 1) - 1);
    return {pick(rng_), num_candidates(num_nodes)};
}

void default_preemption::prepare(const framework::pod_info& pod, const candidate& best) {
    preparation p;
    p.profile = handle_.profile_name();
    p.preemptor = pod.pod;
    p.node = best.node;
    for (const auto& v : best.victims) {
        p.victims.push_back(v->pod);
    }
    if (auto* m = handle_.metrics()) {
        m->preemption_victims.observe(static_cast<double>(best.victims.size()));
    }
    // upstream getLowerPriorityNominatedPods + ClearNominatedNodeName (which skips pods whose
    // status carries no nomination).
    const std::int32_t priority = priority_of(*pod.pod);
    for (const auto& other : handle_.nominated().pods_on(best.node)) {
        if (priority_of(*other->pod) < priority && !other->pod->nominated_node_name.empty()) {
            p.clear_nominations.push_back(other->pod);
        }
    }
    handle_.spawn_write(prepare_candidate(handle_.client(), handle_, std::move(p)));
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h) {
    auto parsed = parse_args(args);
    if (!parsed) {
        return parsed.error();
    }
    const auto seed = static_cast<std::uint32_t>(h.random_seed().value_or(std::random_device{}()));
    return std::unique_ptr<framework::plugin>(
        std::make_unique<default_preemption>(*parsed, h, seed));
}

}  // namespace multisched::plugins::default_preemption
