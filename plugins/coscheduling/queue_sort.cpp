// SPDX-License-Identifier: Apache-2.0
#include "plugins/coscheduling/queue_sort.hpp"

#include <algorithm>

namespace multisched::plugins::coscheduling {

group_clock::time_point group_clock::time_of(const std::string& key, time_point seen,
                                             const std::string& keep) {
    if (auto it = times_.find(key); it != times_.end()) {
        return it->second;
    }
    if (times_.size() >= sweep_at_) {
        sweep(key, keep);
    }
    times_.emplace(key, seen);
    return seen;
}

void group_clock::sweep(const std::string& a, const std::string& b) {
    // Outside the two groups being compared, a group without members has no pod in the queue:
    // the scheduler drops a pod from the member index and from the queue in one event handler,
    // and every queue operation of that handler compares the leaving pod itself.
    std::erase_if(times_, [&](const auto& entry) {
        return entry.first != a && entry.first != b && members_->find(entry.first) == nullptr;
    });
    sweep_at_ = std::max<std::size_t>(64, 2 * times_.size());
}

bool queue_less(group_clock& clock, const framework::queued_pod_info& a,
                const framework::queued_pod_info& b) {
    const std::int32_t pa = a.info->pod->priority.value_or(0);
    const std::int32_t pb = b.info->pod->priority.value_or(0);
    if (pa != pb) {
        return pa > pb;
    }
    const std::string ka = cache::pod_group_key(*a.info->pod);
    const std::string kb = cache::pod_group_key(*b.info->pod);
    const auto ta = ka.empty() ? a.timestamp : clock.time_of(ka, a.timestamp, kb);
    const auto tb = kb.empty() ? b.timestamp : clock.time_of(kb, b.timestamp, ka);
    if (ta != tb) {
        return ta < tb;
    }
    return ka < kb;
}

}  // namespace multisched::plugins::coscheduling
