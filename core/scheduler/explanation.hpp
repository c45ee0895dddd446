// SPDX-License-Identifier: Apache-2.0
// "Why is my pod not here?": the per-node story of one scheduling decision. Two sources:
//   - explain_pod reruns a profile's PreFilter, Filter (every node, not a window), PreScore and
//     Score for a pod in a what-if cycle (cycle_state::what_if: plugins decide but do not act)
//     and keeps every verdict and every plugin's score: `multisched simulate --explain` and
//     `multisched explain`;
//   - explain_attempt keeps what a real attempt already computed (schedule_result): the
//     daemon's /debug/explain, at no extra plugin call.
// Rendered as text for people (format_explanation) and JSON for tools (write_explanation).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/framework/framework.hpp"
#include "core/json/json.hpp"
#include "core/scheduler/schedule_pod.hpp"

namespace multisched::scheduler {

// A node Filter (or PreFilter's node list) rejected, with the plugin and its reasons.
struct node_verdict {
    std::string node;
    std::string plugin;
    std::string code;  // "Unschedulable" or "UnschedulableAndUnresolvable"
    std::vector<std::string> reasons;
};

// One Score plugin's part of a node's total: normalized * weight.
struct score_term {
    std::string plugin;
    std::int64_t weight = 0;
    std::int64_t raw = 0;
    std::int64_t normalized = 0;
    std::int64_t weighted() const { return normalized * weight; }
};

// A feasible node and its score (zero, with no terms, when the profile scores nothing).
struct node_ranking {
    std::string node;
    std::int64_t total = 0;
    std::vector<score_term> terms;  // in the profile's Score order
};

struct explanation {
    std::string pod;  // namespace/name
    std::string uid;
    std::string profile;
    std::size_t nodes = 0;  // nodes in the cluster when it was explained
    // Whether every node was filtered. False for a daemon attempt that found a node: it stopped
    // at the window percentageOfNodesToScore asks for, and its verdicts are not kept.
    bool every_node = true;
    // A PreFilter rejection applies to every node: its plugin and message, no per-node list.
    std::string pre_filter_plugin;
    std::string pre_filter_message;
    std::vector<node_verdict> rejected;  // by node name
    std::vector<node_ranking> feasible;  // best first, equal totals by node name
    std::size_t feasible_count = 0;      // feasible.size(), or the attempt's count
    std::string node;                    // where the attempt placed the pod, if it did
    std::string message;                 // the FailedScheduling message or the attempt's fate
    std::string error;                   // an error status that stopped the explanation
    std::string attempted_at;            // RFC 3339, for the daemon's explanations

    // Node verdicts kept (the store's memory bound counts them).
    std::size_t weight() const { return rejected.size() + feasible.size() + 1; }
};

// Reruns the algorithm's plugins for `pod` over every node in `nodes` (see the file comment).
// Changes nothing: the cycle is what-if and the nominated pods are only read.
explanation explain_pod(framework::framework& fw, const framework::pod_info& pod,
                        std::span<framework::node_info* const> nodes);

// The explanation a finished attempt of `pod` allows, from its schedule_result.
explanation explain_attempt(const std::string& profile, const framework::pod_info& pod,
                            std::size_t num_nodes, const schedule_result& result);

// For people: the outcome, the rejected nodes (NODE PLUGIN REASON) and the feasible ones best
// first with each Score plugin's raw, normalized, weight and weighted score.
std::string format_explanation(const explanation& e);

// For tools, one object:
// {"pod","uid","profile","nodes","everyNode","node","message","error","attemptedAt",
//  "preFilter":{"plugin","message"},"rejected":[{"node","plugin","code","reasons":[]}],
//  "feasibleCount","feasible":[{"node","total","scores":[{"plugin","weight","raw","normalized",
//  "weighted"}]}]} (empty strings and absent parts omitted).
void write_explanation(json::writer& w, const explanation& e);
std::string explanation_json(const explanation& e);

}  // namespace multisched::scheduler
