// SPDX-License-Identifier: Apache-2.0
#include "plugins/inter_pod_affinity/topology_counts.hpp"

#include <algorithm>

namespace multisched::plugins::inter_pod_affinity {

topology_counts::slot* topology_counts::find_slot(std::string_view key) {
    for (auto& s : slots_) {
        if (s.key == key) {
            return &s;
        }
    }
    return nullptr;
}

const topology_counts::slot* topology_counts::find_slot(std::string_view key) const {
    for (const auto& s : slots_) {
        if (s.key == key) {
            return &s;
        }
    }
    return nullptr;
}

topology_counts::slot& topology_counts::slot_for(std::string_view key) {
    if (slot* s = find_slot(key)) {
        return *s;
    }
    slots_.push_back(slot{std::string(key), {}});
    return slots_.back();
}

void topology_counts::add(std::string_view key, std::string_view value, std::int64_t delta) {
    if (delta == 0) {
        return;
    }
    slot& s = slot_for(key);
    auto it = s.values.find(value);
    if (it == s.values.end()) {
        s.values.emplace(std::string(value), delta);
        ++size_;
        return;
    }
    it->second += delta;
    if (it->second == 0) {
        s.values.erase(it);
        --size_;
    }
}

void topology_counts::accumulate(std::string_view key, const api::label_map& labels,
                                 std::int64_t delta) {
    const std::string* value = labels.find(key);
    if (value == nullptr) {
        return;
    }
    slot& s = slot_for(key);
    auto it = s.values.find(std::string_view(*value));
    if (it == s.values.end()) {
        s.values.emplace(*value, delta);
        ++size_;
        return;
    }
    it->second += delta;
}

void topology_counts::add_on(std::string_view key, const api::label_map& labels,
                             std::int64_t delta) {
    if (const std::string* value = labels.find(key)) {
        add(key, *value, delta);
    }
}

std::int64_t topology_counts::count(std::string_view key, std::string_view value) const {
    const slot* s = find_slot(key);
    if (s == nullptr) {
        return 0;
    }
    auto it = s->values.find(value);
    return it == s->values.end() ? 0 : it->second;
}

bool topology_counts::any_positive_on(const api::label_map& labels) const {
    // A node has one value per key, so only the keys held here need a look-up.
    for (const auto& s : slots_) {
        if (s.values.empty()) {
            continue;
        }
        const std::string* value = labels.find(s.key);
        if (value == nullptr) {
            continue;
        }
        auto it = s.values.find(std::string_view(*value));
        if (it != s.values.end() && it->second > 0) {
            return true;
        }
    }
    return false;
}

std::int64_t topology_counts::sum_on(const api::label_map& labels) const {
    std::int64_t sum = 0;
    for (const auto& s : slots_) {
        const std::string* value = labels.find(s.key);
        if (value == nullptr) {
            continue;
        }
        auto it = s.values.find(std::string_view(*value));
        if (it != s.values.end()) {
            sum += it->second;
        }
    }
    return sum;
}

std::vector<topology_counts::entry> topology_counts::entries() const {
    std::vector<entry> out;
    out.reserve(size_);
    for (const auto& s : slots_) {
        for (const auto& [value, n] : s.values) {
            out.emplace_back(s.key, value, n);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace multisched::plugins::inter_pod_affinity
