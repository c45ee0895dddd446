// SPDX-License-Identifier: Apache-2.0
// Score normalisation shared by Score plugins (upstream
// framework/plugins/helper/normalize_score.go).
#pragma once

#include <cstdint>
#include <span>

namespace multisched::plugins::helper {

// Upstream DefaultNormalizeScore: scales `scores` so the highest becomes `max_priority`
// (integer division), then with `reverse` maps s -> max_priority - s. All zero: unchanged, or
// every score max_priority when reversed.
void default_normalize_score(std::int64_t max_priority, bool reverse,
                             std::span<std::int64_t> scores);

}  // namespace multisched::plugins::helper
