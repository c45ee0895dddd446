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
struct algorithm_state {
    std::size_t next_start_node_index = 0;
    std::int32_t global_percentage_of_nodes_to_score = 0;  // 0: adaptive
    std::mt19937_64 rng{std::random_device{}()};
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

// FitError.Error(): "0/N nodes are available:" + " <prefilter msg>." or the sorted reason
// histogram + " <postfilter msg>." when there is one.
std::string fit_error_message(std::size_t num_all_nodes, const std::string& pre_filter_message,
                              std::span<const framework::node_status> statuses,
                              const std::string& post_filter_message);

inline constexpr std::string_view kNoNodesAvailable = "no nodes available to schedule pods";

}  // namespace multisched::scheduler
