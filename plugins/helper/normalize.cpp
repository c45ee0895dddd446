// SPDX-License-Identifier: Apache-2.0
#include "plugins/helper/normalize.hpp"

#include <algorithm>

namespace multisched::plugins::helper {

void default_normalize_score(std::int64_t max_priority, bool reverse,
                             std::span<std::int64_t> scores) {
    std::int64_t max_count = 0;
    for (const auto s : scores) {
        max_count = std::max(max_count, s);
    }
    if (max_count == 0) {
        if (reverse) {
            std::fill(scores.begin(), scores.end(), max_priority);
        }
        return;
    }
    for (auto& s : scores) {
        s = max_priority * s / max_count;
        if (reverse) {
            s = max_priority - s;
        }
    }
}

}  // namespace multisched::plugins::helper
