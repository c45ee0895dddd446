// SPDX-License-Identifier: Apache-2.0
// A PodGroup's phase after it is Scheduled, following its members' pod phases as
// scheduler-plugins' PodGroup controller sets it (multisched runs no separate controller, so
// Coscheduling keeps the status itself): Running once running + succeeded members reach
// minMember; Failed once a member failed and failed + running + succeeded reach minMember;
// Finished once succeeded members reach minMember. Failed and Finished are final.
// The scheduler's pod informer, as upstream's, does not see pods that succeeded or failed (they
// leave it as deletions), so running members are counted from the member index and the
// terminal ones from a LIST of the group's pods, made whenever members left the index.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "core/api/storage_types.hpp"
#include "core/cache/pod_group_index.hpp"
#include "core/util/result.hpp"
#include "plugins/coscheduling/status_writer.hpp"

namespace multisched::plugins::coscheduling {

inline constexpr std::string_view kPhaseRunning = "Running";
inline constexpr std::string_view kPhaseFailed = "Failed";
inline constexpr std::string_view kPhaseFinished = "Finished";

// How often the phases of Scheduled and Running groups are brought up to date.
inline constexpr std::chrono::seconds kLifecyclePeriod{5};

// The members' pod phases (status.phase Running, Succeeded, Failed); null members: zeros.
pod_counts count_pod_phases(const cache::pod_group_index::members* members);

// GET target listing the pods of `group` (by the pod-group label, in the group's namespace).
std::string group_pods_target(const api::pod_group& group);
// The succeeded and failed pods of a PodList body (running stays 0); an error for a body that
// is not a PodList.
result<pod_counts> count_terminal_pods(std::string_view pod_list_body);

// The phase of a group that was `current` (Scheduled or later) with `counts` among its members.
std::string_view lifecycle_phase(std::string_view current, std::size_t min_member,
                                 const pod_counts& counts);

// Whether `phase` ends a group's life (nothing is written after it).
bool is_final_phase(std::string_view phase);

}  // namespace multisched::plugins::coscheduling
