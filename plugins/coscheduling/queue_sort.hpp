// SPDX-License-Identifier: Apache-2.0
// Coscheduling's QueueSort order: priority (higher first), then a time (a group's members share
// their group's time, a pod without a group has its own queue timestamp), then the group key, so
// that the members of a group leave the queue one after another (upstream Coscheduling.Less, with
// a group time that never moves instead of the PodGroup creation time read on every compare).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/cache/pod_group_index.hpp"
#include "core/framework/plugin.hpp"

namespace multisched::plugins::coscheduling {

// The time of every group QueueSort has seen: the queue timestamp of the first member it
// compared, which is the earliest one (members are compared as they enter the queue). The active
// queue is a std::set ordered by this time, so a group keeps its time as long as it has members;
// the record is dropped once the group has none left.
class group_clock {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit group_clock(const cache::pod_group_index& members) : members_(&members) {}

    // The time of group `key`; records `seen` when the group has none yet. Every so often drops
    // the records of groups without members, other than `key` and `keep` (the two groups being
    // compared: one of them may be leaving the queue right now).
    time_point time_of(const std::string& key, time_point seen, const std::string& keep);
    std::size_t size() const { return times_.size(); }

  private:
    void sweep(const std::string& a, const std::string& b);

    const cache::pod_group_index* members_;
    std::map<std::string, time_point, std::less<>> times_;
    std::size_t sweep_at_ = 64;  // sweep once this many records exist
};

// a before b: higher priority; equal priority: earlier time; equal times: the smaller group key
// ("" for pods without a group). Pods without a group compare exactly as PrioritySort's less.
bool queue_less(group_clock& clock, const framework::queued_pod_info& a,
                const framework::queued_pod_info& b);

}  // namespace multisched::plugins::coscheduling
