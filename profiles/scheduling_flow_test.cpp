// SPDX-License-Identifier: Apache-2.0
// The whole scheduling path in-process: the two sample profiles, the in-tree plugins, the
// shared cache and queue, and a fake apiserver (test/util/scheduling_harness.hpp).
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "core/metrics/scheduler_metrics.hpp"
#include "test/util/scheduling_harness.hpp"

namespace multisched::profiles {
namespace {

using testing::make_pod;
using harness = testing::scheduling_harness;

}  // namespace

TEST_CASE("scheduling_flow.docs_scenario_two_profiles_one_process") {
    harness h;
    h.node("n1", "4");
    h.pod("no-name", "", "100m");
    h.pod("default", "default-scheduler", "100m");
    h.pod("mine", "my-scheduler", "100m");
    h.pod("other", "other-scheduler", "100m");
    h.run();
    const auto bound = h.bound();
    CHECK(bound.size() == 3);
    CHECK(bound.count("no-name") == 1);
    CHECK(bound.count("default") == 1);
    CHECK(bound.count("mine") == 1);
    CHECK(bound.count("other") == 0);
    CHECK(h.api.matching("/pods/other").empty());  // never touched
    const auto notes = h.event_notes("Scheduled");
    CHECK(std::count(notes.begin(), notes.end(), "Successfully assigned default/mine to n1") == 1);
}

TEST_CASE("scheduling_flow.too_big_pod_gets_failed_scheduling") {
    harness h;
    h.node("n1", "2");
    h.node("n2", "2");
    h.pod("huge", "", "3");
    h.run();
    CHECK(h.bound().empty());
    const auto notes = h.event_notes("FailedScheduling");
    REQUIRE(notes.size() == 1);
    CHECK(notes[0] ==
          "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No "
          "preemption victims found for incoming pod.");
    const auto patches = h.api.matching("/pods/huge/status");
    REQUIRE(patches.size() == 1);
    CHECK(patches[0].body.find(R"("reason":"Unschedulable")") != std::string::npos);
    CHECK(h.queue->sizes().unschedulable == 1);

    // A bigger node arrives: the pod is moved and bound.
    h.node("n3", "8");
    h.queue->flush_backoff_completed(queue::clock::now() + std::chrono::seconds(20));
    h.run();
    CHECK(h.bound().at("huge") == "n3");
}

TEST_CASE("scheduling_flow.pods_bound_by_others_are_not_overcommitted") {
    harness h;
    h.node("full", "4");
    h.node("spare", "4");
    h.pod("theirs", "somebody-else", "3", "full");  // bound by another scheduler
    for (int i = 0; i < 3; ++i) {
        h.pod("p" + std::to_string(i), "my-scheduler", "1");  // MostAllocated prefers "full"
    }
    h.run();
    const auto bound = h.bound();
    REQUIRE(bound.size() == 3);
    int on_full = 0;
    for (const auto& [pod, node] : bound) {
        on_full += node == "full" ? 1 : 0;
    }
    CHECK(on_full == 1);  // only 1 cpu was left there
}

TEST_CASE("scheduling_flow.unschedulable_node_gets_nothing") {
    harness h;
    h.node("cordoned", "64", "64Gi", true);
    h.node("open", "4");
    for (int i = 0; i < 4; ++i) {
        h.pod("p" + std::to_string(i), "", "500m");
    }
    h.run();
    for (const auto& [pod, node] : h.bound()) {
        CHECK(node == "open");
    }
    CHECK(h.bound().size() == 4);
}

TEST_CASE("scheduling_flow.profiles_score_differently") {
    harness h;
    h.node("busy", "4");
    h.node("idle", "4");
    // Requests proportional to the nodes' shape keep BalancedAllocation equal on both nodes, so
    // NodeResourcesFit's strategy decides.
    h.pod("existing", "x", "2", "busy", "4Gi");
    h.pod("spread", "default-scheduler", "500m", "", "1Gi");  // LeastAllocated: idle
    h.pod("pack", "my-scheduler", "500m", "", "1Gi");         // MostAllocated: busy
    h.run();
    const auto bound = h.bound();
    CHECK(bound.at("spread") == "idle");
    CHECK(bound.at("pack") == "busy");
}

TEST_CASE("scheduling_flow.failed_bind_is_forgotten_and_retried") {
    harness h;
    h.api.rules.push_back({boost::beast::http::verb::post,
                           "/api/v1/namespaces/default/pods/p/binding", 500,
                           R"({"kind":"Status","message":"etcd timeout"})"});
    h.node("n1", "1");
    h.pod("p", "", "1");
    h.run();
    CHECK(h.cache.assumed_count() == 0);  // forgotten
    CHECK(h.cache.find_node("n1")->requested().milli_cpu == 0);
    CHECK(h.queue->contains("uid-p"));
    CHECK(h.queue->sizes().backoff == 1);
    h.api.rules.clear();
    h.queue->flush_backoff_completed(queue::clock::now() + std::chrono::seconds(20));
    h.run();
    CHECK(h.api.matching("/pods/p/binding").size() == 2);
}

TEST_CASE("scheduling_flow.status_only_updates_do_not_retry_an_unschedulable_pod") {
    harness h;
    h.node("n1", "1");
    h.pod("big", "", "2");
    h.run();
    REQUIRE(h.queue->sizes().unschedulable == 1);
    // Our own PodScheduled patch comes back through the watch: status changed, spec did not.
    auto old_pod = make_pod().name("big").ns("default").uid("uid-big").req(
        {{"cpu", "2"}, {"memory", "100Mi"}});
    auto with_condition = old_pod.obj();
    with_condition.meta.resource_version = "2";
    with_condition.conditions.push_back({"PodScheduled", "False", "Unschedulable", "0/1 nodes"});
    h.sched->on_pod_update(old_pod.ptr(), std::make_shared<const api::pod>(with_condition));
    CHECK(h.queue->sizes().unschedulable == 1);
    // A label change may matter (affinity, spread): the pod is retried.
    auto relabelled = with_condition;
    relabelled.meta.labels.set("team", "ml");
    h.sched->on_pod_update(std::make_shared<const api::pod>(with_condition),
                           std::make_shared<const api::pod>(relabelled));
    CHECK(h.queue->sizes().unschedulable == 0);
}

TEST_CASE("scheduling_flow.deleted_while_queued_is_never_bound") {
    harness h;
    h.pod("gone", "", "1");
    h.sched->on_pod_delete(make_pod().name("gone").ns("default").uid("uid-gone").ptr());
    h.node("n1", "4");
    h.run();
    CHECK(h.bound().empty());
    CHECK_FALSE(h.queue->contains("uid-gone"));
}

TEST_CASE("scheduling_flow.attempts_are_counted_per_profile_and_result") {
    harness h;
    metrics::registry reg;
    metrics::scheduler_metrics m(reg);
    h.sched->set_metrics(&m);
    h.queue->set_metrics(&m);
    h.api.rules.push_back({boost::beast::http::verb::post,
                           "/api/v1/namespaces/default/pods/broken/binding", 500,
                           R"({"kind":"Status","message":"etcd timeout"})"});
    h.node("n1", "2");
    h.pod("fits", "", "1");
    h.pod("packed", "my-scheduler", "500m");
    h.pod("huge", "", "4");
    h.pod("broken", "", "100m");
    h.run();
    const auto count = [&](std::string_view result, std::string_view profile) {
        return m.schedule_attempts.with({result, profile}).value();
    };
    CHECK(count("scheduled", "default-scheduler") == 1);
    CHECK(count("scheduled", "my-scheduler") == 1);
    CHECK(count("unschedulable", "default-scheduler") == 1);
    CHECK(count("error", "default-scheduler") == 1);  // the failed bind
    CHECK(count("unschedulable", "my-scheduler") == 0);
    // "huge" waits, counted under the plugin that rejected it.
    CHECK(m.unschedulable_pods.with({"NodeResourcesFit", "default-scheduler"}).value() == 1);
    const std::string text = reg.expose();
    CHECK_THAT(text, Catch::Contains("scheduler_scheduling_attempt_duration_seconds_count{"
                                     "profile=\"my-scheduler\",result=\"scheduled\"} 1"));
    CHECK_THAT(text, Catch::Contains("scheduler_scheduling_algorithm_duration_seconds_count 4"));
    CHECK_THAT(text, Catch::Contains("scheduler_pod_scheduling_attempts_count 2"));
}

// scheduler_event_handling_duration_seconds{event}: each informer event under upstream's label;
// events upstream's informer filters drop (a pod of another scheduler) are not observed.
TEST_CASE("scheduling_flow.event_handling_is_timed_per_event") {
    harness h;
    metrics::registry reg;
    metrics::scheduler_metrics m(reg);
    h.sched->set_metrics(&m);
    const auto old_node = testing::make_node().name("n1").ptr();
    h.sched->on_node_add(old_node);
    h.sched->on_node_update(old_node, testing::make_node().name("n1").label("a", "b").ptr());
    h.pod("mine", "", "1");
    h.pod("theirs", "other-scheduler", "1");
    h.pod("bound-elsewhere", "other-scheduler", "1", "n1");
    h.sched->on_pod_delete(testing::make_pod().name("mine").ns("default").uid("uid-mine").ptr());
    h.sched->on_object_event(
        {framework::event_resource::persistent_volume_claim, framework::action_add});
    const std::string text = reg.expose();
    for (const auto& [event, count] :
         std::vector<std::pair<std::string, int>>{{"NodeAdd", 1},
                                                  {"NodeLabelChange", 1},
                                                  {"UnscheduledPodAdd", 1},
                                                  {"AssignedPodAdd", 1},
                                                  {"UnscheduledPodDelete", 1},
                                                  {"PvcAdd", 1}}) {
        INFO(event);
        CHECK_THAT(text,
                   Catch::Contains("scheduler_event_handling_duration_seconds_count{event=\"" +
                                   event + "\"} " + std::to_string(count) + "\n"));
    }
    CHECK_THAT(text, !Catch::Contains("event=\"UnscheduledPodUpdate\""));
}

TEST_CASE("scheduling_flow.loop_pauses_while_max_bindings_are_in_flight") {
    // Bindings the apiserver has not answered yet: with a limit of 2 the loop pops two pods and
    // waits; each answered Binding lets exactly one more pod in. Without the limit the loop
    // would assume all five pods at once.
    struct row {
        std::size_t limit;
        std::size_t first_wave;
    };
    for (const row& r : {row{2, 2}, row{1, 1}, row{64, 5}}) {
        harness h;
        h.sched->set_max_bindings_in_flight(r.limit);
        h.api.hold_matching = "/binding";
        h.node("n1", "8");
        for (int i = 0; i < 5; ++i) {
            h.pod("p" + std::to_string(i), "", "100m");
        }
        task_group loop(h.ioc.get_executor(), "loop");
        loop.spawn(h.sched->run());
        h.drain();
        CHECK(h.api.held() == r.first_wave);
        CHECK(h.sched->bindings_in_flight() == r.first_wave);
        CHECK(h.queue->sizes().active == 5 - r.first_wave);
        std::size_t bound = 0;
        while (bound < 5) {
            h.api.release_held(1);
            ++bound;
            h.drain();
            CHECK(h.bound().size() == bound);
            CHECK(h.api.held() == std::min<std::size_t>(r.first_wave, 5 - bound));
        }
        CHECK(h.sched->bindings_in_flight() == 0);
        CHECK(h.queue->sizes().active == 0);
        loop.cancel();
        h.drain();
    }
}

}  // namespace multisched::profiles
