// SPDX-License-Identifier: Apache-2.0
// Writes what kube-scheduler writes about pods: events.k8s.io/v1 Events (reportingController =
// the profile's scheduler name) and the PodScheduled condition, plus the core/v1 LeaderElection
// events about the lease. Pod events are aggregated into series as client-go's tools/events
// broadcaster does (see event_series.hpp): a repeat of the same event PATCHes series.count, later
// repeats only count in memory until run_series_maintenance() writes them. Writes are
// fire-and-forget tasks in a task group, so the scheduling loop never waits on them; transport
// errors, 429 and 5xx are retried inside the task (bounded tries, jittered delay). The pace is
// the events client's (clientConnection qps/burst, a client of its own as upstream's events
// clientset); at most max_pending_writes writes wait or run at once, further ones are dropped and
// counted, as client-go's broadcaster drops when its 1000-event queue is full (an in-memory
// series count costs nothing). The PodScheduled patch is not capped.
// Single-threaded: use from the executor of the task group only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "core/api/types.hpp"
#include "core/client/api_client.hpp"
#include "core/scheduler/event_series.hpp"
#include "core/util/task_group.hpp"

namespace multisched::scheduler {

// Tunables; the defaults are upstream's (tests shrink the delays to drive the io_context).
struct event_recorder_options {
    // Base delay between tries of a write; each wait is this plus up to 25% jitter (upstream
    // wait.Jitter(10s, 0.25)). A Retry-After from the server replaces it.
    std::chrono::milliseconds retry_delay{std::chrono::seconds(10)};
    int max_tries = 12;  // per write, including the first (upstream maxTriesPerEvent)
    // Event writes spawned and not finished (waiting for the client's rate limit, in flight, or
    // between retries); a write beyond it is dropped (upstream maxQueuedEvents).
    std::size_t max_pending_writes = 1000;
    // Period of run_series_maintenance(): finish every period, refresh every
    // kSeriesRefreshTime / kSeriesFinishTime periods.
    std::chrono::milliseconds maintenance_period{kSeriesFinishTime};
};

class event_recorder {
  public:
    using clock_fn = std::function<wall_time()>;

    event_recorder(client::api_client& client, task_group& writes, std::string hostname,
                   event_recorder_options options = {});

    // Normal "Scheduled" / action "Binding": "Successfully assigned ns/pod to node".
    void scheduled(const api::pod& pod, const std::string& scheduler_name, const std::string& node);
    // Warning "FailedScheduling" / action "Scheduling" with `message` (truncated to 1024 bytes
    // as the apiserver requires), and the PodScheduled=False condition with `reason`
    // ("Unschedulable" or "SchedulerError") and the full message, unless the pod already has it.
    // `nominated_node`: PostFilter's nomination to write to status.nominatedNodeName ("" clears
    // an existing one); nullopt leaves it alone.
    void failed_scheduling(const api::pod& pod, const std::string& scheduler_name,
                           const std::string& reason, const std::string& message,
                           std::optional<std::string> nominated_node = std::nullopt);

    // Any other event about a pod (e.g. preemption's Normal "Preempted" / "Preempting" on the
    // victim, related to the preemptor), aggregated and rate-limited with the rest.
    void record(const api::pod& regarding, const api::pod* related,
                const std::string& scheduler_name, std::string_view type, std::string_view reason,
                std::string_view action, std::string note);

    // A core/v1 Normal "LeaderElection" Event about the Lease (as client-go's LeaseLock
    // RecordEvent through the legacy recorder with source {component}): POST
    // /api/v1/namespaces/<ns>/events, count 1, first/lastTimestamp now. `message` is the whole
    // message, e.g. "<identity> became leader"; `component` is the first profile's scheduler
    // name. Not aggregated. `lease_resource_version` is the lease's after the write.
    void lease_event(const std::string& lease_namespace, const std::string& lease_name,
                     const std::string& lease_uid, const std::string& lease_resource_version,
                     const std::string& component, const std::string& message);

    // Upstream finishSeries at `now`: writes the final count of each series silent for more
    // than 6 min and drops it; drops singletons older than 6 min. A final write that the token
    // recorder drops (max_pending_writes) keeps its series for the next round.
    void finish_series(wall_time now);
    // Upstream refreshExistingEventSeries: writes the count of every cached series (one try).
    void refresh_series();
    // Runs until cancelled: finish_series every maintenance_period (6 min), refresh_series
    // every 5th (30 min). The daemon spawns it next to the recorder's users.
    task<void> run_series_maintenance();

    // The wall clock of event times (default system_clock::now); tests set a fake one.
    void set_clock(clock_fn now) { clock_ = std::move(now); }
    // Cached events (singletons and series) awaiting expiry.
    std::size_t cached_events() const { return series_.size(); }
    // Event writes dropped since start because max_pending_writes were pending.
    std::uint64_t dropped_events() const { return dropped_; }

  private:
    struct write_step {
        bool retry = false;
        std::optional<std::chrono::seconds> retry_after;
    };

    void post_event(const api::pod& pod, const std::string& scheduler_name, std::string_view type,
                    std::string_view reason, std::string_view action, std::string note,
                    const api::pod* related = nullptr);
    // Spawns `w` (with up to `tries` tries) unless max_pending_writes are pending; false when
    // dropped.
    bool spawn_write(event_write w, int tries);
    task<void> write_event(event_write w, int tries);
    task<write_step> try_write(event_write w);
    // What an answer means for a write; `retry_conflict`: a 409 is retried (a series create).
    static write_step judge(const result<client::http_response>& res, const std::string& what,
                            bool retry_conflict);
    // The next retry delay: retry_delay plus up to 25% jitter.
    std::chrono::milliseconds jittered_delay();
    task<void> send(client::http_request req, std::string what);

    client::api_client& client_;
    task_group& writes_;
    std::string hostname_;
    event_recorder_options options_;
    std::size_t pending_writes_ = 0;
    series_cache series_;
    clock_fn clock_;
    std::minstd_rand jitter_rng_;
    std::uint64_t dropped_ = 0;
};

// Formats a time as RFC 3339 with microseconds ("2026-11-22T21:50:00.123456Z"), the MicroTime
// format of events.k8s.io/v1.
std::string micro_time(std::chrono::system_clock::time_point t);
// RFC 3339 with seconds, for condition transition times.
std::string rfc3339(std::chrono::system_clock::time_point t);

// An Event's metadata.name as client-go makes it: "<object name>.<hex unix nanos of now>".
std::string object_event_name(const std::string& object_name, wall_time now);

// The note limit of events.k8s.io/v1 (1024 bytes): longer notes end in " ..." as upstream.
std::string truncate_note(std::string note);

}  // namespace multisched::scheduler
