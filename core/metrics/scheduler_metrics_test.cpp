// SPDX-License-Identifier: Apache-2.0
#include "core/metrics/scheduler_metrics.hpp"

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace multisched::metrics {
namespace {

// The `le` values of the first child's bucket lines of `name` in an exposition.
std::vector<std::string> printed_bounds(const std::string& text, const std::string& name) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with(name + "_bucket{")) {
            continue;
        }
        const std::size_t at = line.rfind("le=\"") + 4;
        const std::string le = line.substr(at, line.find('"', at) - at);
        if (le == "+Inf") {
            break;
        }
        out.push_back(le);
    }
    return out;
}

// Every labelled family gets one child so that the whole set is exposed.
void touch_all(scheduler_metrics& m) {
    m.schedule_attempts.with({label::kScheduled, "default-scheduler"}).inc();
    m.attempt_duration.with({label::kScheduled, "default-scheduler"}).observe(0.003);
    m.event_handling_duration.with({"PodAdd"}).observe(0.0002);
    m.pending_pods.with({label::kActive}).set(2);
    m.goroutines.with({label::kBinding}).inc();
    m.pod_scheduling_sli_duration.with({attempts_label(1)}).observe(0.5);
    m.extension_point_duration.with({label::kFilter, "Success", "default-scheduler"})
        .observe(0.0001);
    m.plugin_execution_duration.with({"NodeResourcesFit", label::kFilter, "Success"})
        .observe(0.00002);
    m.queue_incoming_pods.with({label::kActive, "PodAdd"}).inc();
    m.permit_wait_duration.with({"Success"}).observe(0.01);
    m.cache_size.with({label::kNodes}).set(3);
    m.unschedulable_pods.with({"NodeAffinity", "default-scheduler"}).inc();
    m.plugin_evaluation_total.with({"NodeAffinity", label::kFilter, "default-scheduler"}).inc();
    m.volume_binder_cache_requests.with({"add"}).inc();
    m.volume_scheduling_stage_errors.with({"bind"}).inc();
    m.leader_election_master_status.with({"kube-scheduler"}).set(1);
    m.config_reloads.with({label::kSuccess}).inc();
    record_request(m, "POST", 201, "10.0.0.1:6443", 0.02);
}

TEST_CASE("metrics.scheduler_buckets_match_upstream") {
    registry reg;
    scheduler_metrics_options opts;
    opts.show_hidden_metrics_for_version = "1.29";
    opts.queueing_hints = true;
    scheduler_metrics m(reg, opts);
    touch_all(m);
    m.pod_scheduling_duration->with({"1"}).observe(1);
    m.queueing_hint_execution_duration->with({"NodeAffinity", "NodeAdd", "Queue"}).observe(1);
    const std::string text = reg.expose();

    // Go 1.19 on this machine: strconv.FormatFloat of client_golang's
    // ExponentialBuckets(start, factor, count) for the arguments in metrics.go (v1.30).
    const std::vector<std::string> b_001_2_15 = {"0.001", "0.002", "0.004", "0.008", "0.016",
                                                 "0.032", "0.064", "0.128", "0.256", "0.512",
                                                 "1.024", "2.048", "4.096", "8.192", "16.384"};
    const std::vector<std::string> b_0001_2_12 = {"0.0001", "0.0002", "0.0004", "0.0008",
                                                  "0.0016", "0.0032", "0.0064", "0.0128",
                                                  "0.0256", "0.0512", "0.1024", "0.2048"};
    const std::vector<std::string> b_01_2_20 = {
        "0.01",   "0.02",   "0.04",   "0.08",    "0.16",    "0.32",   "0.64",
        "1.28",   "2.56",   "5.12",   "10.24",   "20.48",   "40.96",  "81.92",
        "163.84", "327.68", "655.36", "1310.72", "2621.44", "5242.88"};
    const std::vector<std::string> b_00001_15_20 = {"1e-05",
                                                    "1.5000000000000002e-05",
                                                    "2.2500000000000005e-05",
                                                    "3.375000000000001e-05",
                                                    "5.062500000000001e-05",
                                                    "7.593750000000002e-05",
                                                    "0.00011390625000000003",
                                                    "0.00017085937500000006",
                                                    "0.0002562890625000001",
                                                    "0.00038443359375000017",
                                                    "0.0005766503906250003",
                                                    "0.0008649755859375004",
                                                    "0.0012974633789062506",
                                                    "0.0019461950683593758",
                                                    "0.0029192926025390638",
                                                    "0.004378938903808595",
                                                    "0.006568408355712893",
                                                    "0.009852612533569338",
                                                    "0.014778918800354007",
                                                    "0.02216837820053101"};
    const std::map<std::string, std::vector<std::string>> expected = {
        {"scheduler_scheduling_attempt_duration_seconds", b_001_2_15},
        {"scheduler_scheduling_algorithm_duration_seconds", b_001_2_15},
        {"scheduler_permit_wait_duration_seconds", b_001_2_15},
        {"scheduler_event_handling_duration_seconds", b_0001_2_12},
        {"scheduler_framework_extension_point_duration_seconds", b_0001_2_12},
        {"scheduler_preemption_victims", {"1", "2", "4", "8", "16", "32", "64"}},
        {"scheduler_pod_scheduling_attempts", {"1", "2", "4", "8", "16"}},
        {"scheduler_pod_scheduling_sli_duration_seconds", b_01_2_20},
        {"scheduler_pod_scheduling_duration_seconds", b_01_2_20},
        {"scheduler_plugin_execution_duration_seconds", b_00001_15_20},
        {"scheduler_queueing_hint_execution_duration_seconds", b_00001_15_20},
        {"rest_client_request_duration_seconds",
         {"0.005", "0.025", "0.1", "0.25", "0.5", "1", "2", "4", "8", "15", "30", "60"}},
    };
    int histograms = 0;
    for (const auto& [name, bounds] : expected) {
        INFO(name);
        CHECK(printed_bounds(text, name) == bounds);
        CHECK(text.find("# TYPE " + name + " histogram\n") != std::string::npos);
        ++histograms;
    }
    // Every histogram exposed is in the table above.
    std::size_t pos = 0;
    int seen = 0;
    while ((pos = text.find(" histogram\n", pos)) != std::string::npos) {
        ++seen;
        ++pos;
    }
    CHECK(seen == histograms);
}

TEST_CASE("metrics.scheduler_families") {
    registry reg;
    scheduler_metrics_options opts;
    opts.version = "v1.30.0-ms1";
    scheduler_metrics m(reg, opts);
    touch_all(m);
    const std::string text = reg.expose();

    // name → "TYPE [STABILITY]" as upstream declares them (metrics.go @1b6390, volumebinding
    // metrics, component-base leaderelection); families come out sorted by name.
    const std::vector<std::string> families = {
        "leader_election_master_status gauge [ALPHA]",
        "multisched_build_info gauge [ALPHA]",
        "multisched_config_last_reload_successful gauge [ALPHA]",
        "multisched_config_reloads_total counter [ALPHA]",
        "rest_client_request_duration_seconds histogram [ALPHA]",
        "rest_client_requests_total counter [ALPHA]",
        "scheduler_event_handling_duration_seconds histogram [ALPHA]",
        "scheduler_framework_extension_point_duration_seconds histogram [STABLE]",
        "scheduler_goroutines gauge [ALPHA]",
        "scheduler_pending_pods gauge [STABLE]",
        "scheduler_permit_wait_duration_seconds histogram [ALPHA]",
        "scheduler_plugin_evaluation_total counter [ALPHA]",
        "scheduler_plugin_execution_duration_seconds histogram [ALPHA]",
        "scheduler_pod_scheduling_attempts histogram [STABLE]",
        "scheduler_pod_scheduling_sli_duration_seconds histogram [BETA]",
        "scheduler_preemption_attempts_total counter [STABLE]",
        "scheduler_preemption_victims histogram [STABLE]",
        "scheduler_queue_incoming_pods_total counter [STABLE]",
        "scheduler_schedule_attempts_total counter [STABLE]",
        "scheduler_scheduler_cache_size gauge [ALPHA]",
        "scheduler_scheduling_algorithm_duration_seconds histogram [ALPHA]",
        "scheduler_scheduling_attempt_duration_seconds histogram [STABLE]",
        "scheduler_unschedulable_pods gauge [ALPHA]",
        "scheduler_volume_binder_cache_requests_total counter [ALPHA]",
        "scheduler_volume_scheduling_stage_error_total counter [ALPHA]",
    };
    std::vector<std::string> got;
    std::istringstream in(text);
    std::string line;
    std::string level;
    while (std::getline(in, line)) {
        if (line.starts_with("# HELP ")) {
            const std::size_t open = line.find('[');
            level = line.substr(open, line.find(']') - open + 1);
        } else if (line.starts_with("# TYPE ")) {
            got.push_back(line.substr(7) + " " + level);
        }
    }
    CHECK(got == families);
    CHECK(m.pod_scheduling_duration == nullptr);  // hidden in 1.30 unless asked for
    CHECK(m.queueing_hint_execution_duration == nullptr);

    // Label order by name, upstream help text, build info and reload gauge defaults.
    CHECK(text.find("scheduler_schedule_attempts_total{profile=\"default-scheduler\","
                    "result=\"scheduled\"} 1\n") != std::string::npos);
    CHECK(text.find("# HELP scheduler_schedule_attempts_total [STABLE] Number of attempts to "
                    "schedule pods, by the result. 'unschedulable' means a pod could not be "
                    "scheduled, while 'error' means an internal scheduler problem.\n") !=
          std::string::npos);
    CHECK(text.find("scheduler_framework_extension_point_duration_seconds_bucket{extension_"
                    "point=\"Filter\",profile=\"default-scheduler\",status=\"Success\","
                    "le=\"0.0001\"} 1\n") != std::string::npos);
    CHECK(text.find("multisched_build_info{version=\"v1.30.0-ms1\"} 1\n") != std::string::npos);
    CHECK(text.find("multisched_config_last_reload_successful 1\n") != std::string::npos);
    CHECK(text.find("scheduler_preemption_attempts_total 0\n") != std::string::npos);
}

// client-go's request metrics: the status as code, "<error>" without a response; the method as
// both method and verb.
TEST_CASE("metrics.record_request") {
    registry reg;
    scheduler_metrics m(reg);
    record_request(m, "POST", 201, "10.0.0.1:6443", 0.02);
    record_request(m, "POST", 201, "10.0.0.1:6443", 0.2);
    record_request(m, "GET", 0, "10.0.0.1:6443", 30);
    const std::string text = reg.expose();
    CHECK_THAT(text, Catch::Contains("rest_client_requests_total{code=\"201\",host=\"10.0.0.1:"
                                     "6443\",method=\"POST\"} 2\n"));
    CHECK_THAT(text, Catch::Contains("rest_client_requests_total{code=\"<error>\",host=\"10.0."
                                     "0.1:6443\",method=\"GET\"} 1\n"));
    CHECK_THAT(text, Catch::Contains("rest_client_request_duration_seconds_bucket{host=\"10.0.0."
                                     "1:6443\",verb=\"POST\",le=\"0.025\"} 1\n"));
    CHECK_THAT(text, Catch::Contains("rest_client_request_duration_seconds_count{host=\"10.0.0."
                                     "1:6443\",verb=\"GET\"} 1\n"));
}

TEST_CASE("metrics.scheduler_unlabelled_exposed_at_start") {
    registry reg;
    scheduler_metrics m(reg);
    const std::string text = reg.expose();
    // Vectors without children print nothing; plain metrics print zeros (as client_golang).
    CHECK(text.find("scheduler_schedule_attempts_total") == std::string::npos);
    CHECK(text.find("scheduler_preemption_victims_count 0\n") != std::string::npos);
    CHECK(text.find("scheduler_pod_scheduling_attempts_bucket{le=\"1\"} 0\n") != std::string::npos);
    CHECK(text.find("scheduler_scheduling_algorithm_duration_seconds_sum 0\n") !=
          std::string::npos);
    m.preemption_attempts.inc();
    m.preemption_victims.observe(3);
    m.config_last_reload_successful.set(0);
    reg.reset();  // reload status and build info survive a DELETE /metrics
    const std::string after = reg.expose();
    CHECK(after.find("scheduler_preemption_attempts_total 0\n") != std::string::npos);
    CHECK(after.find("multisched_config_last_reload_successful 0\n") != std::string::npos);
    CHECK(after.find("multisched_build_info{version=\"\"} 1\n") != std::string::npos);
}

TEST_CASE("metrics.scheduler_hidden_metric_help") {
    registry reg;
    scheduler_metrics_options opts;
    opts.show_hidden_metrics_for_version = "1.29";
    scheduler_metrics m(reg, opts);
    REQUIRE(m.pod_scheduling_duration != nullptr);
    m.pod_scheduling_duration->with({attempts_label(20)}).observe(0.05);
    const std::string text = reg.expose();
    CHECK(text.find("# HELP scheduler_pod_scheduling_duration_seconds [STABLE] (Deprecated "
                    "since 1.29.0) E2e latency for a pod being scheduled which may include "
                    "multiple scheduling attempts.\n") != std::string::npos);
    CHECK(text.find("scheduler_pod_scheduling_duration_seconds_count{attempts=\"15+\"} 1\n") !=
          std::string::npos);
}

TEST_CASE("metrics.attempts_label") {
    CHECK(attempts_label(1) == "1");
    CHECK(attempts_label(9) == "9");
    CHECK(attempts_label(14) == "14");
    CHECK(attempts_label(15) == "15+");
    CHECK(attempts_label(100) == "15+");
    using namespace std::chrono_literals;
    const auto t0 = std::chrono::steady_clock::time_point{};
    CHECK(seconds_since(t0, t0 + 1500ms) == 1.5);
}

}  // namespace
}  // namespace multisched::metrics
