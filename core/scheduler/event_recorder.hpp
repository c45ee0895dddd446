// SPDX-License-Identifier: Apache-2.0
// Writes what kube-scheduler writes about pods: events.k8s.io/v1 Events (reportingController =
// the profile's scheduler name) and the PodScheduled condition. Writes are fire-and-forget tasks
// in a task group, so the scheduling loop never waits on them; a token bucket caps their rate so
// a flood of failing pods cannot flood the apiserver (excess events are dropped and counted).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/api/types.hpp"
#include "core/client/api_client.hpp"
#include "core/util/task_group.hpp"

namespace multisched::scheduler {

// A token bucket: `qps` tokens per second, at most `burst` saved up.
class token_bucket {
  public:
    token_bucket(double qps, double burst) : qps_(qps), burst_(burst), tokens_(burst) {}
    // Takes a token if one is available at `now`.
    bool try_take(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  private:
    double qps_;
    double burst_;
    double tokens_;
    std::chrono::steady_clock::time_point last_{};
};

class event_recorder {
  public:
    event_recorder(client::api_client& client, task_group& writes, std::string hostname);

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
    // victim, related to the preemptor), rate-limited with the rest.
    void record(const api::pod& regarding, const api::pod* related,
                const std::string& scheduler_name, std::string_view type, std::string_view reason,
                std::string_view action, std::string note);

  private:
    void post_event(const api::pod& pod, const std::string& scheduler_name, std::string_view type,
                    std::string_view reason, std::string_view action, std::string note,
                    const api::pod* related = nullptr);
    task<void> send(client::http_request req, std::string what);

    client::api_client& client_;
    task_group& writes_;
    std::string hostname_;
    token_bucket events_bucket_{10.0, 100.0};
};

// Formats a time as RFC 3339 with microseconds ("2026-11-22T21:50:00.123456Z"), the MicroTime
// format of events.k8s.io/v1.
std::string micro_time(std::chrono::system_clock::time_point t);
// RFC 3339 with seconds, for condition transition times.
std::string rfc3339(std::chrono::system_clock::time_point t);

// The note limit of events.k8s.io/v1 (1024 bytes): longer notes end in " ..." as upstream.
std::string truncate_note(std::string note);

}  // namespace multisched::scheduler
