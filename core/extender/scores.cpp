// SPDX-License-Identifier: Apache-2.0
#include "core/extender/scores.hpp"

namespace multisched::extender {

std::map<std::string, std::int64_t, std::less<>> combine_extender_scores(
    std::span<const prioritize_outcome> answers) {
    std::map<std::string, std::int64_t, std::less<>> totals;
    for (const auto& answer : answers) {
        for (const auto& hp : answer.scores) {
            totals[hp.host] += scaled_extender_score(hp.score, answer.weight);
        }
    }
    return totals;
}

}  // namespace multisched::extender
