// SPDX-License-Identifier: Apache-2.0
// A small map whose entries expire, for the token and SubjectAccessReview caches. Bounded: past
// `capacity` entries, expired ones are dropped first, then the one that expires soonest. Keys
// are opaque strings (callers hash credentials first). Single-threaded, like the server.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace multisched::server {

template <class V>
class expiring_cache {
  public:
    using clock = std::chrono::steady_clock;

    explicit expiring_cache(std::size_t capacity) : capacity_(capacity) {}

    // The live value for `key` at `now`, or null.
    const V* get(const std::string& key, clock::time_point now) {
        const auto it = entries_.find(key);
        if (it == entries_.end()) {
            return nullptr;
        }
        if (now >= it->second.expires) {
            entries_.erase(it);
            return nullptr;
        }
        return &it->second.value;
    }

    // Stores `value` until `now + ttl`; a non-positive ttl stores nothing.
    void put(const std::string& key, V value, clock::duration ttl, clock::time_point now) {
        if (ttl <= clock::duration::zero() || capacity_ == 0) {
            return;
        }
        if (entries_.size() >= capacity_ && !entries_.contains(key)) {
            make_room(now);
        }
        entries_.insert_or_assign(key, entry{std::move(value), now + ttl});
    }

    std::size_t size() const { return entries_.size(); }

  private:
    struct entry {
        V value;
        clock::time_point expires;
    };

    void make_room(clock::time_point now) {
        std::erase_if(entries_, [now](const auto& e) { return now >= e.second.expires; });
        if (entries_.size() < capacity_) {
            return;
        }
        auto soonest = entries_.begin();
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->second.expires < soonest->second.expires) {
                soonest = it;
            }
        }
        entries_.erase(soonest);
    }

    std::size_t capacity_;
    std::unordered_map<std::string, entry> entries_;
};

}  // namespace multisched::server
