// SPDX-License-Identifier: Apache-2.0
// The cycle state InterPodAffinity writes in PreFilter (read by Filter and the PreFilter
// extensions) and in PreScore (read by Score and NormalizeScore).
#pragma once

#include <string_view>

#include "core/api/types.hpp"
#include "core/framework/cycle_state.hpp"
#include "plugins/inter_pod_affinity/topology_counts.hpp"

namespace multisched::plugins::inter_pod_affinity {

inline constexpr std::string_view kPreFilterStateKey = "PreFilterInterPodAffinity";
inline constexpr std::string_view kPreScoreStateKey = "PreScoreInterPodAffinity";

// upstream preFilterState. The incoming pod's terms are not copied: every point receives the pod.
struct pre_filter_state final : framework::cycle_state::cloneable<pre_filter_state> {
    // Existing pods whose required anti-affinity terms match the incoming pod, per topology pair.
    topology_counts existing_anti_affinity;
    // Existing pods matching all the incoming pod's required affinity terms (one per term).
    topology_counts affinity;
    // Existing pods matching the incoming pod's required anti-affinity terms (one per term).
    topology_counts anti_affinity;
    // The incoming pod's namespace labels (empty when the namespace is unknown).
    api::label_map namespace_labels;
    // Whether the incoming pod matches all its own required affinity terms (the first pod of a
    // group with affinity to itself may go anywhere the topology keys exist).
    bool matches_own_affinity = false;
};

// upstream preScoreState: the score of each topology pair.
struct pre_score_state final : framework::cycle_state::cloneable<pre_score_state> {
    topology_counts scores;
};

}  // namespace multisched::plugins::inter_pod_affinity
