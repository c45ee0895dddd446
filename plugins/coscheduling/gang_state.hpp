// SPDX-License-Identifier: Apache-2.0
// Everything Coscheduling knows about pod groups beyond one plugin instance. Groups and the room
// they hold are cluster-wide, so there is one gang_state per process (handle::persistent_slot
// "Coscheduling"): shared by the plugin's instances in every profile, and handed to the instances
// a configuration reload builds, so admissions and their plans, backoffs, open PreBind barriers,
// the queue's group order and the status already written survive a reload. Single-threaded, like
// the scheduling cycle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/cache/pod_group_index.hpp"
#include "plugins/coscheduling/barrier.hpp"
#include "plugins/coscheduling/group_state.hpp"
#include "plugins/coscheduling/queue_sort.hpp"
#include "plugins/coscheduling/status_writer.hpp"

namespace multisched::plugins::coscheduling {

struct gang_state {
    struct failed_verdict {
        std::uint64_t digest = 0;
        std::string message;
    };

    gang_state(const cache::pod_group_index& index, status_writer::steady_fn steady,
               status_writer::wall_fn wall)
        : clock(index), writer(std::move(steady), std::move(wall)) {}

    group_clock clock;  // QueueSort's records
    group_book book;
    status_writer writer;
    std::map<std::string, failed_verdict, std::less<>> failed;  // last failed dry run per group
    std::map<std::string, std::shared_ptr<barrier>, std::less<>> barrier_of_member;
    std::map<std::string, std::shared_ptr<barrier>, std::less<>> barrier_of_group;
    // Members past the barrier (binding): a failure there is their own, not the group's.
    std::set<std::string, std::less<>> past_barrier;
    std::size_t next_start = 0;  // the dry run's rotating first-fit start
    // A Scheduled or Running group whose phase follows its members' pods (lifecycle.hpp).
    struct followed_group {
        std::size_t members = 0;  // in the member index at the last look
        pod_counts terminal;      // succeeded and failed members, from the last LIST
        bool listing = false;     // a LIST of its pods is under way
    };
    std::map<std::string, followed_group, std::less<>> followed;
    clock::time_point next_follow{};  // when the followed groups are looked at next
    std::uint64_t housekeeping_runs = 0;
};

}  // namespace multisched::plugins::coscheduling
