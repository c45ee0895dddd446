// SPDX-License-Identifier: Apache-2.0
// Whole-group checks run at PreFilter before a group is admitted: its minResources against the
// cluster's free room, and a dry run placing its pending members one after another on copies of
// the nodes through the profile's own PreFilter, PreFilterExtensions.AddPod and Filter plugins
// (as DefaultPreemption's dry run does), with the plans of the other admitted groups on the
// nodes already.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/storage_types.hpp"
#include "core/cache/pod_group_index.hpp"
#include "core/framework/framework.hpp"
#include "plugins/coscheduling/group_state.hpp"

namespace multisched::plugins::coscheduling {

struct simulation_result {
    std::vector<placement> placed;  // in placing order; at most `needed`
    std::size_t next_start = 0;     // where the next simulation starts looking
};

// Places up to `needed` of `candidates` (tried in order; one that fits nowhere is skipped) on
// copies of `nodes` holding `reserved` too. Each candidate gets a fresh cycle state: PreFilter
// over `nodes`, AddPod for every reserved and earlier-placed pod (on its node as it is after the
// addition), then Filter over the copies, first fit from `start` (wrapping), restricted to the
// PreFilter's node names when it returned some. Nodes without a node object are not used.
simulation_result simulate_placement(
    framework::framework& fw, std::span<const framework::node_info* const> nodes,
    std::span<const placement> reserved,
    std::span<const std::shared_ptr<const framework::pod_info>> candidates, std::size_t needed,
    std::size_t start);

// A digest of what a simulation's verdict depends on: the nodes (names and generations), the
// group's members (uid, resourceVersion, placed or not) and `epoch` (the admissions). Equal
// digests give equal verdicts, so a failed verdict is reused until something moves.
std::uint64_t feasibility_digest(std::span<const framework::node_info* const> nodes,
                                 const cache::pod_group_index::members& members,
                                 const framework::handle& h, std::uint64_t epoch);

// "" when the free room of `nodes` (allocatable - requested per node, never below zero) plus what
// the group's placed members request covers group.min_resources and min_member pods (upstream
// CheckClusterResource); else why not, naming the first short resource: "group ns/g needs cpu
// 8000m for minResources, the cluster has 6000m free". "" when min_resources is unset.
std::string min_resources_shortfall(const api::pod_group& group, std::string_view key,
                                    std::span<const framework::node_info* const> nodes,
                                    const framework::handle& h,
                                    const cache::pod_group_index::members* members);

}  // namespace multisched::plugins::coscheduling
