// SPDX-License-Identifier: Apache-2.0
// The scheduling algorithm of one cycle (kube-scheduler's schedulePod): PreFilter, Filter over a
// rotating window of nodes sized by percentageOfNodesToScore, PostFilter when nothing fits, then
// PreScore/Score and a random choice among the best. Synchronous: reads the cache, awaits nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/framework/framework.hpp"

namespace multisched::scheduler {

// State kept across cycles by the scheduler (shared by all profiles, as upstream).
// The phases of schedule_pod, for the cycle that calls extenders between them (it awaits their
// answers, so the node pointers below are valid only until the next suspension).
struct filter_outcome {
    std::vector<const framework::node_info*> feasible;
    std::vector<framework::node_status> statuses;  // the nodes rejected, with why
    std::string pre_filter_message;                // a PreFilter rejection's message

    void clear() {
        feasible.clear();
        statuses.clear();
        pre_filter_message.clear();
    }
};

struct algorithm_state {
    std::size_t next_start_node_index = 0;
    std::int32_t global_percentage_of_nodes_to_score = 0;  // 0: adaptive
    std::mt19937_64 rng{std::random_device{}()};
    // schedule_pod's filter_outcome, kept between cycles so that its buffers (one status per
    // rejected node: thousands per cycle) are allocated once, not every cycle.
    filter_outcome scratch;
};

struct schedule_result {
    std::string node;  // chosen node; empty when the pod was not placed
    std::size_t evaluated_nodes = 0;
    std::size_t feasible_nodes = 0;
    // When `node` is empty: unschedulable (a fit error) or error.
    framework::status failure;
    // The FailedScheduling message ("0/3 nodes are available: 3 Insufficient cpu.").
    std::string message;
    // Plugins that rejected the pod on some node (for requeue on their events).
    std::vector<std::string> rejector_plugins;
    // When unschedulable: each rejected node with the verdict of the plugin that rejected it, in
    // the order they were checked; a PreFilter rejection is one entry with an empty node (it
    // applies to every node). For explanations (explanation.hpp).
    struct rejection {
        std::string node;
        framework::status verdict;
    };
    std::vector<rejection> rejections;
    // PostFilter's nomination when PostFilter ran: a node, or "" to clear an earlier nomination
    // (preemption found no candidate). nullopt: leave the pod's nomination as it is.
    std::optional<std::string> nominated_node_name;
};

// kube-scheduler's numFeasibleNodesToFind: all nodes below 100; else `percentage` (adaptive
// max(5, 50 - N/125) when 0) of N, at least 100.
std::size_t num_feasible_nodes_to_find(std::int32_t percentage, std::size_t num_all_nodes);

schedule_result schedule_pod(framework::framework& fw, framework::cycle_state& state,
                             const framework::pod_info& pod,
                             std::span<framework::node_info* const> nodes, algorithm_state& algo);

// PreFilter, then Filter over the rotating window. False when the attempt ends in an error
// (out.failure and out.message set); out.rejector_plugins and evaluated_nodes are filled.
// Without Score plugins one feasible node is enough, unless `with_extenders` (extenders filter
// or score the pod: upstream's hasExtenderFilters / hasScoring).
bool find_feasible_nodes(framework::framework& fw, framework::cycle_state& state,
                         const framework::pod_info& pod,
                         std::span<framework::node_info* const> nodes, algorithm_state& algo,
                         filter_outcome& f, schedule_result& out, bool with_extenders = false);
// Nothing is feasible: PostFilter (preemption) and the fit error into `out`.
void fail_unschedulable(framework::framework& fw, framework::cycle_state& state,
                        const framework::pod_info& pod, std::size_t num_all_nodes,
                        const filter_outcome& f, schedule_result& out);
// PreScore and Score of the feasible nodes: `totals` aligned with them. False on an error.
bool score_nodes(framework::framework& fw, framework::cycle_state& state,
                 const framework::pod_info& pod,
                 const std::vector<const framework::node_info*>& feasible,
                 std::vector<std::int64_t>& totals, schedule_result& out);
// Reservoir sampling over the nodes with the best total: each of the `count` best is chosen
// with probability 1/count (upstream selectHost). `totals` must not be empty.
std::size_t select_host(std::span<const std::int64_t> totals, std::mt19937_64& rng);

// FitError.Error(): "0/N nodes are available:" + " <prefilter msg>." or the sorted reason
// histogram + " <postfilter msg>." when there is one.
std::string fit_error_message(std::size_t num_all_nodes, const std::string& pre_filter_message,
                              std::span<const framework::node_status> statuses,
                              const std::string& post_filter_message);

inline constexpr std::string_view kNoNodesAvailable = "no nodes available to schedule pods";

}  // namespace multisched::scheduler
