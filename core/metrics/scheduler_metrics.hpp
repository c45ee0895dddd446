// SPDX-License-Identifier: Apache-2.0
// kube-scheduler v1.30's metrics (pkg/scheduler/metrics/metrics.go, the volumebinding plugin's
// metrics, client-go's leader_election_master_status) with upstream names, help text,
// stability, labels and buckets, plus multisched's own reload and build-info metrics.
// Construct one scheduler_metrics over the process registry at startup; callers cache children:
//   auto& ok = m.schedule_attempts.with({label::kScheduled, profile}); ok.inc();
// Single-threaded like the registry: touch only from the io_context thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/metrics/registry.hpp"

namespace multisched::metrics {

// Label values that upstream code passes (pkg/scheduler/metrics, schedule_one.go, queue).
namespace label {
// result (schedule_attempts, attempt_duration); profile_metrics.go.
inline constexpr std::string_view kScheduled = "scheduled";
inline constexpr std::string_view kUnschedulable = "unschedulable";
inline constexpr std::string_view kError = "error";
// queue (pending_pods, queue_incoming_pods).
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kBackoff = "backoff";
inline constexpr std::string_view kUnschedulableQueue = "unschedulable";
inline constexpr std::string_view kGated = "gated";
// operation (goroutines); parallel Filter/Score work uses the extension point name.
inline constexpr std::string_view kBinding = "binding";
inline constexpr std::string_view kPrioritizingExtender = "prioritizing_extender";
// type (scheduler_cache_size).
inline constexpr std::string_view kNodes = "nodes";
inline constexpr std::string_view kPods = "pods";
inline constexpr std::string_view kAssumedPods = "assumed_pods";
// extension_point.
inline constexpr std::string_view kPreFilter = "PreFilter";
inline constexpr std::string_view kFilter = "Filter";
inline constexpr std::string_view kPreFilterExtensionAddPod = "PreFilterExtensionAddPod";
inline constexpr std::string_view kPreFilterExtensionRemovePod = "PreFilterExtensionRemovePod";
inline constexpr std::string_view kPostFilter = "PostFilter";
inline constexpr std::string_view kPreScore = "PreScore";
inline constexpr std::string_view kScore = "Score";
inline constexpr std::string_view kScoreExtensionNormalize = "ScoreExtensionNormalize";
inline constexpr std::string_view kPreBind = "PreBind";
inline constexpr std::string_view kBind = "Bind";
inline constexpr std::string_view kPostBind = "PostBind";
inline constexpr std::string_view kReserve = "Reserve";
inline constexpr std::string_view kUnreserve = "Unreserve";
inline constexpr std::string_view kPermit = "Permit";
// result (multisched_config_reloads_total).
inline constexpr std::string_view kSuccess = "success";
inline constexpr std::string_view kFailure = "failure";
}  // namespace label

// The `status` label of extension point / plugin / permit metrics is upstream's Code.String():
// "Success", "Error", "Unschedulable", "UnschedulableAndUnresolvable", "Wait", "Skip", "Pending".

// Upstream records plugin_execution_duration_seconds in 10 % of scheduling cycles only.
inline constexpr int kPluginMetricsSamplePercent = 10;

// The `attempts` label of pod_scheduling_sli_duration_seconds: "1".."14", then "15+".
std::string attempts_label(int attempts);

struct scheduler_metrics;
// One HTTP exchange with the apiserver, as client-go records it: rest_client_requests_total with
// code = the status ("<error>" when `status` is 0: no response), method = "GET", "POST", ...;
// rest_client_request_duration_seconds with verb = the method; host = the server URL's host
// (client::url_host).
void record_request(scheduler_metrics& m, std::string_view method, unsigned status,
                    std::string_view host, double seconds);

// metrics.SinceInSeconds.
inline double seconds_since(
    std::chrono::steady_clock::time_point start,
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
    return std::chrono::duration<double>(now - start).count();
}

struct scheduler_metrics_options {
    // multisched_build_info{version}.
    std::string version;
    // kube-scheduler's --show-hidden-metrics-for-version; "1.29" brings back metrics deprecated
    // in 1.29 (scheduler_pod_scheduling_duration_seconds), as component-base does for 1.30.
    std::string show_hidden_metrics_for_version;
    // SchedulerQueueingHints feature gate: registers queueing_hint_execution_duration_seconds.
    bool queueing_hints = false;
};

struct scheduler_metrics {
    // Registers everything in `reg` (which must outlive this object); aborts on a name clash.
    explicit scheduler_metrics(registry& reg, const scheduler_metrics_options& opts = {});
    scheduler_metrics(const scheduler_metrics&) = delete;
    scheduler_metrics& operator=(const scheduler_metrics&) = delete;

    // --- pkg/scheduler/metrics (subsystem scheduler_) ---
    family<counter>& schedule_attempts;   // schedule_attempts_total{result,profile}
    family<histogram>& attempt_duration;  // scheduling_attempt_duration_seconds{result,profile}
    histogram& algorithm_duration;        // scheduling_algorithm_duration_seconds
    family<histogram>& event_handling_duration;  // event_handling_duration_seconds{event}
    histogram& preemption_victims;               // preemption_victims
    counter& preemption_attempts;                // preemption_attempts_total
    family<gauge>& pending_pods;                 // pending_pods{queue}
    family<gauge>& goroutines;                   // goroutines{operation}
    // pod_scheduling_duration_seconds{attempts}: deprecated 1.29, hidden unless shown (else null).
    family<histogram>* pod_scheduling_duration;
    family<histogram>&
        pod_scheduling_sli_duration;     // pod_scheduling_sli_duration_seconds{attempts}
    histogram& pod_scheduling_attempts;  // pod_scheduling_attempts
    // framework_extension_point_duration_seconds{extension_point,status,profile}
    family<histogram>& extension_point_duration;
    // plugin_execution_duration_seconds{plugin,extension_point,status}
    family<histogram>& plugin_execution_duration;
    // queueing_hint_execution_duration_seconds{plugin,event,hint}: null unless queueing_hints.
    family<histogram>* queueing_hint_execution_duration;
    family<counter>& queue_incoming_pods;     // queue_incoming_pods_total{queue,event}
    family<histogram>& permit_wait_duration;  // permit_wait_duration_seconds{result}
    family<gauge>& cache_size;                // scheduler_cache_size{type}
    family<gauge>& unschedulable_pods;        // unschedulable_pods{plugin,profile}
    family<counter>&
        plugin_evaluation_total;  // plugin_evaluation_total{plugin,extension_point,profile}

    // --- volumebinding plugin (subsystem scheduler_volume_) ---
    family<counter>& volume_binder_cache_requests;    // binder_cache_requests_total{operation}
    family<counter>& volume_scheduling_stage_errors;  // scheduling_stage_error_total{operation}

    // --- client-go leader election ---
    family<gauge>& leader_election_master_status;  // leader_election_master_status{name}

    // --- client-go request metrics (record_request) ---
    family<counter>& rest_client_requests;  // rest_client_requests_total{code,method,host}
    family<histogram>& rest_client_request_duration;  // request_duration_seconds{verb,host}

    // --- multisched ---
    family<counter>& config_reloads;  // multisched_config_reloads_total{result}
    // multisched_extender_errors_total{extender,verb,outcome}: failed extender calls; outcome
    // "ignored" (ignorable extender, or a prioritize call) or "failed" (the attempt failed).
    family<counter>& extender_errors;
    gauge& config_last_reload_successful;  // multisched_config_last_reload_successful (starts 1)
    family<gauge>& build_info;             // multisched_build_info{version} = 1
};

}  // namespace multisched::metrics
