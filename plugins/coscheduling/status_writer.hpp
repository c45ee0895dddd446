// SPDX-License-Identifier: Apache-2.0
// PodGroup status writes: JSON merge patches of status.phase / status.scheduled (and
// scheduleStartTime when scheduling starts) on
// /apis/scheduling.x-k8s.io/v1alpha1/namespaces/<ns>/podgroups/<name>/status, sent through
// handle::spawn_write. Only a change of (phase, scheduled) is written, at most 10 per second with
// bursts of 100 (the event recorder's cap); a write over the cap is dropped and the next change
// writes the state then. 404 and 409 answers (group deleted, conflicting) are logged and dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/api/storage_types.hpp"
#include "core/cache/object_store.hpp"
#include "core/client/api_client.hpp"
#include "core/client/rate_limit.hpp"
#include "core/framework/handle.hpp"
#include "core/scheduler/event_recorder.hpp"
#include "core/util/task.hpp"

namespace multisched::plugins::coscheduling {

// PodGroupPhase values the plugin writes.
inline constexpr std::string_view kPhasePending = "Pending";
inline constexpr std::string_view kPhasePreScheduling = "PreScheduling";
inline constexpr std::string_view kPhaseScheduling = "Scheduling";
inline constexpr std::string_view kPhaseScheduled = "Scheduled";

inline constexpr std::string_view kMergePatch = "application/merge-patch+json";

// status.running / succeeded / failed: the members in each pod phase.
struct pod_counts {
    std::int32_t running = 0;
    std::int32_t succeeded = 0;
    std::int32_t failed = 0;
    bool operator==(const pod_counts&) const = default;
};

// The status subresource path of a PodGroup.
std::string pod_group_status_path(const api::pod_group& group);
// {"status":{"phase":P,"scheduled":N[,"scheduleStartTime":T][,"running":R,"succeeded":S,
// "failed":F]}}
std::string status_patch(std::string_view phase, std::int32_t scheduled,
                         std::optional<std::string_view> start_time,
                         const std::optional<pod_counts>& counts = std::nullopt);
// Sends one patch; logs the outcome. `client` must outlive the task.
task<void> send_status_patch(client::api_client& client, client::http_request req,
                             std::string group);

class status_writer {
  public:
    using steady_fn = std::function<std::chrono::steady_clock::time_point()>;
    using wall_fn = std::function<std::string()>;  // now as RFC 3339

    status_writer(steady_fn steady, wall_fn wall);

    // Writes (phase, scheduled) for `group` unless that is what was last written for it (or, when
    // nothing was, what its status already says). `start_time` adds scheduleStartTime = now.
    // The patch is sent through `h`'s client and spawn_write. `counts` (the lifecycle phases)
    // adds the members' pod phase counts; a change of counts alone is a change too.
    void write(framework::handle& h, const api::pod_group& group, std::string_view phase,
               std::int32_t scheduled, bool start_time = false,
               const std::optional<pod_counts>& counts = std::nullopt);
    // The phase last written for `key` ("ns/name") by this writer; empty when none.
    std::string_view written_phase(std::string_view key) const;
    // Forgets groups that no longer exist (or were recreated under a new uid).
    void prune(const cache::object_store<api::pod_group>& groups);

  private:
    struct written {
        std::string uid;
        std::string phase;
        std::int32_t scheduled = 0;
        std::optional<pod_counts> counts;
    };

    steady_fn steady_;
    wall_fn wall_;
    client::token_bucket bucket_;                       // writes beyond it are dropped
    std::map<std::string, written, std::less<>> last_;  // by "ns/name"
};

// Now in UTC as RFC 3339 ("2024-05-01T10:00:00Z").
std::string now_rfc3339();

}  // namespace multisched::plugins::coscheduling
