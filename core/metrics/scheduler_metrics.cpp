// SPDX-License-Identifier: Apache-2.0
#include "core/metrics/scheduler_metrics.hpp"

#include <utility>
#include <vector>

namespace multisched::metrics {
namespace {

// The minor version whose deprecated metrics component-base hides in v1.30 but shows again
// under --show-hidden-metrics-for-version=1.29.
constexpr std::string_view kPreviousMinor = "1.29";

family<counter>& counter_vec(registry& reg, std::string name, std::string help, stability level,
                             std::vector<std::string> labels) {
    return reg.add_counter(make_desc(std::move(name), std::move(help), level, std::move(labels)));
}

family<gauge>& gauge_vec(registry& reg, std::string name, std::string help, stability level,
                         std::vector<std::string> labels) {
    return reg.add_gauge(make_desc(std::move(name), std::move(help), level, std::move(labels)));
}

family<histogram>& histogram_vec(registry& reg, std::string name, std::string help, stability level,
                                 std::vector<double> buckets, std::vector<std::string> labels) {
    return reg.add_histogram(make_desc(std::move(name), std::move(help), level, std::move(labels)),
                             std::move(buckets));
}

histogram& plain_histogram(registry& reg, std::string name, std::string help, stability level,
                           std::vector<double> buckets) {
    return histogram_vec(reg, std::move(name), std::move(help), level, std::move(buckets), {})
        .with({});
}

family<histogram>* pod_scheduling_duration(registry& reg, const scheduler_metrics_options& o) {
    if (o.show_hidden_metrics_for_version != kPreviousMinor) {
        return nullptr;
    }
    desc d =
        make_desc("scheduler_pod_scheduling_duration_seconds",
                  "E2e latency for a pod being scheduled which may include multiple scheduling "
                  "attempts.",
                  stability::stable, {"attempts"});
    d.deprecated_version = "1.29.0";
    return &reg.add_histogram(std::move(d), exponential_buckets(0.01, 2, 20));
}

family<histogram>* queueing_hint_duration(registry& reg, const scheduler_metrics_options& o) {
    if (!o.queueing_hints) {
        return nullptr;
    }
    return &histogram_vec(reg, "scheduler_queueing_hint_execution_duration_seconds",
                          "Duration for running a queueing hint function of a plugin.",
                          stability::alpha, exponential_buckets(0.00001, 1.5, 20),
                          {"plugin", "event", "hint"});
}

gauge& last_reload_successful(registry& reg) {
    desc d = make_desc("multisched_config_last_reload_successful",
                       "Whether the last configuration reload succeeded (1) or failed (0).",
                       stability::alpha);
    d.resettable = false;
    gauge& g = reg.add_gauge(std::move(d)).with({});
    g.set(1);  // the startup load succeeded, or the process would have exited
    return g;
}

family<gauge>& build_info(registry& reg, const std::string& version) {
    desc d =
        make_desc("multisched_build_info",
                  "A metric with a constant '1' value labeled by version from which multisched "
                  "was built.",
                  stability::alpha, {"version"});
    d.resettable = false;
    family<gauge>& f = reg.add_gauge(std::move(d));
    f.with({version}).set(1);
    return f;
}

}  // namespace

void record_request(scheduler_metrics& m, std::string_view method, unsigned status,
                    std::string_view host, double seconds) {
    const std::string code = status == 0 ? std::string("<error>") : std::to_string(status);
    m.rest_client_requests.with({code, method, host}).inc();
    m.rest_client_request_duration.with({method, host}).observe(seconds);
}

std::string attempts_label(int attempts) {
    return attempts >= 15 ? std::string("15+") : std::to_string(attempts);
}

scheduler_metrics::scheduler_metrics(registry& reg, const scheduler_metrics_options& opts)
    : schedule_attempts(counter_vec(
          reg, "scheduler_schedule_attempts_total",
          "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could "
          "not be scheduled, while 'error' means an internal scheduler problem.",
          stability::stable, {"result", "profile"})),
      attempt_duration(histogram_vec(
          reg, "scheduler_scheduling_attempt_duration_seconds",
          "Scheduling attempt latency in seconds (scheduling algorithm + binding)",
          stability::stable, exponential_buckets(0.001, 2, 15), {"result", "profile"})),
      algorithm_duration(plain_histogram(reg, "scheduler_scheduling_algorithm_duration_seconds",
                                         "Scheduling algorithm latency in seconds",
                                         stability::alpha, exponential_buckets(0.001, 2, 15))),
      event_handling_duration(histogram_vec(reg, "scheduler_event_handling_duration_seconds",
                                            "Event handling latency in seconds.", stability::alpha,
                                            exponential_buckets(0.0001, 2, 12), {"event"})),
      preemption_victims(plain_histogram(reg, "scheduler_preemption_victims",
                                         "Number of selected preemption victims", stability::stable,
                                         exponential_buckets(1, 2, 7))),
      preemption_attempts(counter_vec(reg, "scheduler_preemption_attempts_total",
                                      "Total preemption attempts in the cluster till now",
                                      stability::stable, {})
                              .with({})),
      pending_pods(gauge_vec(
          reg, "scheduler_pending_pods",
          "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; "
          "'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in "
          "unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is "
          "the number of unschedulable pods that the scheduler never attempted to schedule "
          "because they are gated.",
          stability::stable, {"queue"})),
      goroutines(
          gauge_vec(reg, "scheduler_goroutines",
                    "Number of running goroutines split by the work they do such as binding.",
                    stability::alpha, {"operation"})),
      pod_scheduling_duration(metrics::pod_scheduling_duration(reg, opts)),
      pod_scheduling_sli_duration(histogram_vec(
          reg, "scheduler_pod_scheduling_sli_duration_seconds",
          "E2e latency for a pod being scheduled, from the time the pod enters the scheduling "
          "queue and might involve multiple scheduling attempts.",
          stability::beta, exponential_buckets(0.01, 2, 20), {"attempts"})),
      pod_scheduling_attempts(plain_histogram(reg, "scheduler_pod_scheduling_attempts",
                                              "Number of attempts to successfully schedule a pod.",
                                              stability::stable, exponential_buckets(1, 2, 5))),
      extension_point_duration(histogram_vec(
          reg, "scheduler_framework_extension_point_duration_seconds",
          "Latency for running all plugins of a specific extension point.", stability::stable,
          exponential_buckets(0.0001, 2, 12), {"extension_point", "status", "profile"})),
      plugin_execution_duration(histogram_vec(
          reg, "scheduler_plugin_execution_duration_seconds",
          "Duration for running a plugin at a specific extension point.", stability::alpha,
          exponential_buckets(0.00001, 1.5, 20), {"plugin", "extension_point", "status"})),
      queueing_hint_execution_duration(queueing_hint_duration(reg, opts)),
      queue_incoming_pods(
          counter_vec(reg, "scheduler_queue_incoming_pods_total",
                      "Number of pods added to scheduling queues by event and queue type.",
                      stability::stable, {"queue", "event"})),
      permit_wait_duration(histogram_vec(reg, "scheduler_permit_wait_duration_seconds",
                                         "Duration of waiting on permit.", stability::alpha,
                                         exponential_buckets(0.001, 2, 15), {"result"})),
      cache_size(
          gauge_vec(reg, "scheduler_scheduler_cache_size",
                    "Number of nodes, pods, and assumed (bound) pods in the scheduler cache.",
                    stability::alpha, {"type"})),
      unschedulable_pods(gauge_vec(
          reg, "scheduler_unschedulable_pods",
          "The number of unschedulable pods broken down by plugin name. A pod will increment "
          "the gauge for all plugins that caused it to not schedule and so this metric have "
          "meaning only when broken down by plugin.",
          stability::alpha, {"plugin", "profile"})),
      plugin_evaluation_total(
          counter_vec(reg, "scheduler_plugin_evaluation_total",
                      "Number of attempts to schedule pods by each plugin and the extension point "
                      "(available only in PreFilter, Filter, PreScore, and Score).",
                      stability::alpha, {"plugin", "extension_point", "profile"})),
      volume_binder_cache_requests(counter_vec(reg, "scheduler_volume_binder_cache_requests_total",
                                               "Total number for request volume binding cache",
                                               stability::alpha, {"operation"})),
      volume_scheduling_stage_errors(
          counter_vec(reg, "scheduler_volume_scheduling_stage_error_total",
                      "Volume scheduling stage error count", stability::alpha, {"operation"})),
      leader_election_master_status(gauge_vec(
          reg, "leader_election_master_status",
          "Gauge of if the reporting system is master of the relevant lease, 0 indicates "
          "backup, 1 indicates master. 'name' is the string used to identify the lease. Please "
          "make sure to group by name.",
          stability::alpha, {"name"})),
      rest_client_requests(
          counter_vec(reg, "rest_client_requests_total",
                      "Number of HTTP requests, partitioned by status code, method, and host.",
                      stability::alpha, {"code", "method", "host"})),
      rest_client_request_duration(histogram_vec(
          reg, "rest_client_request_duration_seconds",
          "Request latency in seconds. Broken down by verb, and host.", stability::alpha,
          {0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0}, {"verb", "host"})),
      config_reloads(
          counter_vec(reg, "multisched_config_reloads_total",
                      "Number of configuration reloads, by result ('success' or 'failure').",
                      stability::alpha, {"result"})),
      extender_errors(counter_vec(
          reg, "multisched_extender_errors_total",
          "Failed calls to scheduler extenders, by extender (urlPrefix), verb and outcome "
          "('ignored': the attempt went on without the extender; 'failed': the attempt failed).",
          stability::alpha, {"extender", "verb", "outcome"})),
      config_last_reload_successful(last_reload_successful(reg)),
      build_info(metrics::build_info(reg, opts.version)) {}

}  // namespace multisched::metrics
