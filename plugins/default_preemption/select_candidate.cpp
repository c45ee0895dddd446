// SPDX-License-Identifier: Apache-2.0
// The choice among candidates: upstream SelectCandidate / pickOneNodeForPreemption (v1.30).
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "plugins/default_preemption/default_preemption.hpp"

namespace multisched::plugins::default_preemption {
namespace {

std::int32_t priority_of(const api::pod& p) {
    return p.priority.value_or(0);
}

// A start time as an ordered key, later is larger: (1, "") is "now" (no creationTimestamp, as
// upstream GetPodStartTime without status.startTime), after every (0, rfc3339).
using start_key = std::pair<int, std::string>;

start_key start_of(const api::pod& p) {
    const std::string& t = p.meta.creation_timestamp;
    return t.empty() ? start_key{1, ""} : start_key{0, t};
}

// upstream util.GetEarliestPodStartTime: the earliest start among the highest-priority victims.
start_key earliest_start_of_highest(const candidate& c) {
    std::int32_t max_priority = priority_of(*c.victims.front()->pod);
    start_key earliest = start_of(*c.victims.front()->pod);
    for (const auto& v : c.victims) {
        const std::int32_t p = priority_of(*v->pod);
        if (p == max_priority) {
            earliest = std::min(earliest, start_of(*v->pod));
        } else if (p > max_priority) {
            max_priority = p;
            earliest = start_of(*v->pod);
        }
    }
    return earliest;
}

// The candidates with the largest key(c), in their original order.
template <class Key>
std::vector<const candidate*> keep_best(const std::vector<const candidate*>& in, Key key) {
    std::vector<const candidate*> best;
    decltype(key(*in.front())) max{};
    for (const candidate* c : in) {
        auto k = key(*c);
        if (best.empty() || k > max) {
            max = std::move(k);
            best.assign(1, c);
        } else if (k == max) {
            best.push_back(c);
        }
    }
    return best;
}

}  // namespace

const candidate* select_candidate(std::span<const candidate> candidates) {
    if (candidates.empty()) {
        return nullptr;
    }
    std::vector<const candidate*> left;
    for (const auto& c : candidates) {
        if (!c.victims.empty()) {
            left.push_back(&c);
        }
    }
    if (left.empty()) {
        return &candidates.front();  // upstream: "should not reach here", first candidate
    }
    const auto narrow = [&](auto key) {
        if (left.size() > 1) {
            left = keep_best(left, key);
        }
    };
    // Fewest PDB violations.
    narrow([](const candidate& c) { return -c.num_pdb_violations; });
    // Lowest highest-priority victim (the first one).
    narrow([](const candidate& c) {
        return -static_cast<std::int64_t>(priority_of(*c.victims.front()->pod));
    });
    // Smallest sum of priorities, each shifted by 2^31 so that negative ones still add up.
    narrow([](const candidate& c) {
        std::int64_t sum = 0;
        for (const auto& v : c.victims) {
            sum += static_cast<std::int64_t>(priority_of(*v->pod)) +
                   static_cast<std::int64_t>(std::numeric_limits<std::int32_t>::max()) + 1;
        }
        return -sum;
    });
    // Fewest victims.
    narrow([](const candidate& c) { return -static_cast<std::int64_t>(c.victims.size()); });
    // Latest start of the highest-priority victims.
    narrow(earliest_start_of_highest);
    return left.front();
}

}  // namespace multisched::plugins::default_preemption
