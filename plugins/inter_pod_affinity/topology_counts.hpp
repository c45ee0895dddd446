// SPDX-License-Identifier: Apache-2.0
// topology_counts: an int64 per topology pair (topology key, node label value), the shape of
// upstream's topologyToMatchedTermCount and scoreMap. Few distinct keys (hostname, zone...) hold
// a hash map of values each; lookups take string_views and never allocate, so Filter and Score
// stay allocation-free. Copyable (cycle state clones).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "core/api/types.hpp"

namespace multisched::plugins::inter_pod_affinity {

// A transparent string hash: look-ups by string_view into maps keyed by std::string.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

class topology_counts {
  public:
    using entry = std::tuple<std::string, std::string, std::int64_t>;  // key, value, count

    // Adds `delta` to (key, value); a pair whose count reaches 0 is removed (upstream update()).
    void add(std::string_view key, std::string_view value, std::int64_t delta);
    // Adds `delta` to (key, labels[key]) when `labels` has `key`; zero counts are kept
    // (upstream scoreMap.processTerm).
    void accumulate(std::string_view key, const api::label_map& labels, std::int64_t delta);
    // add(key, labels[key], delta) when `labels` has `key`.
    void add_on(std::string_view key, const api::label_map& labels, std::int64_t delta);

    // The count of (key, value); 0 when absent.
    std::int64_t count(std::string_view key, std::string_view value) const;
    // Whether some (k, labels[k]) has a positive count.
    bool any_positive_on(const api::label_map& labels) const;
    // The sum over keys k of count(k, labels[k]) (upstream Score).
    std::int64_t sum_on(const api::label_map& labels) const;

    // The number of pairs held.
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    // Every pair, sorted (tests and debugging).
    std::vector<entry> entries() const;

  private:
    using value_map =
        boost::unordered_flat_map<std::string, std::int64_t, string_hash, std::equal_to<>>;
    struct slot {
        std::string key;
        value_map values;
    };

    slot* find_slot(std::string_view key);
    const slot* find_slot(std::string_view key) const;
    slot& slot_for(std::string_view key);

    std::vector<slot> slots_;
    std::size_t size_ = 0;
};

}  // namespace multisched::plugins::inter_pod_affinity
