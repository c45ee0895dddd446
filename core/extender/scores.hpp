// SPDX-License-Identifier: Apache-2.0
// How kube-scheduler folds extender priorities into node scores (upstream prioritizeNodes):
// each host's extender score (0..kMaxExtenderPriority) times the extender's weight, scaled to the
// plugins' range by MaxNodeScore / MaxExtenderPriority (100 / 10), summed over extenders and
// added to the node's plugin total. Scores are not clamped, as upstream.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "core/extender/protocol.hpp"
#include "core/framework/plugin.hpp"

namespace multisched::extender {

inline constexpr std::int64_t kMinExtenderPriority = 0;
inline constexpr std::int64_t kMaxExtenderPriority = 10;

// One extender's prioritize answer and its weight (0 when it has no prioritize verb).
struct prioritize_outcome {
    host_priority_list scores;
    std::int64_t weight = 0;
};

// score * weight * (MaxNodeScore / MaxExtenderPriority).
constexpr std::int64_t scaled_extender_score(std::int64_t score, std::int64_t weight) {
    return score * weight * (framework::kMaxNodeScore / kMaxExtenderPriority);
}

// Host -> sum of the scaled scores of every answer. A host listed twice counts twice; hosts the
// caller did not ask about are kept (the caller adds only the nodes it scored).
std::map<std::string, std::int64_t, std::less<>> combine_extender_scores(
    std::span<const prioritize_outcome> answers);

}  // namespace multisched::extender
