// SPDX-License-Identifier: Apache-2.0
// upstream default_preemption_test.go TestPreempt (v1.30, without extenders and topology spread)
// and prepareCandidate's API calls: the write handed to handle::spawn_write is run with
// task_runner against a fake_api_client.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/framework/nominator.hpp"
#include "core/json/json.hpp"
#include "plugins/default_preemption/test_util.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::plugins::default_preemption {
namespace {

using boost::beast::http::verb;
using framework::code;
using namespace test;

std::string verb_name(verb v) {
    return std::string(boost::beast::http::to_string(v));
}

// "PATCH /api/v1/namespaces/default/pods/x/status" per request, in order.
std::vector<std::string> calls(const testing::fake_api_client& client) {
    std::vector<std::string> out;
    for (const auto& r : client.requests) {
        out.push_back(verb_name(r.method) + " " + r.target);
    }
    return out;
}

constexpr const char* kPods = "/api/v1/namespaces/default/pods/";

// upstream TestPreempt's "basic preemption logic" cluster: node1 holds two small low-priority
// pods, node2 a large high-priority one, node3 a medium mid-priority one.
void basic_cluster(fixture& fx, std::vector<api::pod> extra = {}) {
    for (const auto* n : {"node1", "node2", "node3"}) {
        fx.add_node(make_test_node(n, kVeryLarge));
    }
    fx.add_pod(make_test_pod("p1.1", "node1", kLow, kSmall).obj());
    fx.add_pod(make_test_pod("p1.2", "node1", kLow, kSmall).obj());
    fx.add_pod(make_test_pod("p2.1", "node2", kHigh, kLarge).obj());
    fx.add_pod(make_test_pod("p3.1", "node3", kMid, kMedium).obj());
    for (const auto& p : extra) {
        fx.add_pod(p);
    }
    std::vector<std::unique_ptr<framework::plugin>> plugins;
    plugins.push_back(std::make_unique<fit_filter>());
    fx.build(std::move(plugins));
}

// Runs PostFilter for the preemptor of TestPreempt and returns the chosen node.
std::string preempt(fixture& fx, default_preemption& pl) {
    const auto pod = make_test_pod("p", "", kHigh, kVeryLarge).info();
    auto state = fx.pre_filter(*pod);
    const auto statuses = fx.statuses({{"node1", code::unschedulable},
                                       {"node2", code::unschedulable},
                                       {"node3", code::unschedulable}});
    framework::post_filter_result result;
    const auto s = pl.post_filter(state, *pod, statuses, result);
    REQUIRE(s.is_success());
    return result.nominated_node_name;
}

void run_writes(fixture& fx) {
    asio::io_context ioc;
    for (auto& w : fx.handle->writes) {
        testing::run(ioc, std::move(w));
    }
    fx.handle->writes.clear();
}

TEST_CASE("default_preemption.preempt") {
    struct test_case {
        std::string name;
        std::vector<testing::fake_api_client::rule> rules;
        std::vector<std::string> want_calls;
        std::vector<std::string> want_events;  // regarding pods
    };
    const std::string p11 = std::string(kPods) + "p1.1";
    const std::string p12 = std::string(kPods) + "p1.2";
    const std::vector<test_case> cases = {
        {"basic preemption logic",
         {},
         {"PATCH " + p11 + "/status", "DELETE " + p11, "PATCH " + p12 + "/status", "DELETE " + p12},
         {"default/p1.1", "default/p1.2"}},
        {"a victim already gone when patched is skipped",
         {{verb::patch, p11 + "/status", 404, "{}"}},
         {"PATCH " + p11 + "/status", "PATCH " + p12 + "/status", "DELETE " + p12},
         {"default/p1.2"}},
        {"a victim already gone when deleted gets no event",
         {{verb::delete_, p11, 404, "{}"}},
         {"PATCH " + p11 + "/status", "DELETE " + p11, "PATCH " + p12 + "/status", "DELETE " + p12},
         {"default/p1.2"}},
        {"a failed deletion stops the preemption",
         {{verb::delete_, p11, 500, "{}"}},
         {"PATCH " + p11 + "/status", "DELETE " + p11},
         {}},
        {"a failed status patch stops the preemption",
         {{verb::patch, p11 + "/status", 409, "{}"}},
         {"PATCH " + p11 + "/status"},
         {}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        fixture fx;
        fx.client.rules = c.rules;
        basic_cluster(fx);
        default_preemption pl({}, *fx.handle, 1);
        CHECK(preempt(fx, pl) == "node1");
        REQUIRE(fx.handle->writes.size() == 1);
        CHECK(fx.client.requests.empty());  // nothing is sent before the write runs
        run_writes(fx);
        CHECK(calls(fx.client) == c.want_calls);
        std::vector<std::string> events;
        for (const auto& e : fx.handle->events) {
            events.push_back(e.regarding);
            CHECK(e.related == "default/p");
            CHECK(e.type == "Normal");
            CHECK(e.reason == "Preempted");
            CHECK(e.action == "Preempting");
            CHECK(e.note == "Preempted by pod p on node node1");
        }
        CHECK(events == c.want_events);
    }
}

TEST_CASE("default_preemption.preempt_request_bodies") {
    fixture fx;
    basic_cluster(fx);
    default_preemption pl({}, *fx.handle, 1);
    REQUIRE(preempt(fx, pl) == "node1");
    run_writes(fx);
    REQUIRE(fx.client.requests.size() == 4);
    const auto& patch = fx.client.requests[0];
    CHECK(patch.content_type == "application/strategic-merge-patch+json");
    auto doc = json::document::parse(patch.body);
    REQUIRE(doc.has_value());
    const auto cond = doc->root()["status"]["conditions"].at(0);
    CHECK(doc->root()["status"]["conditions"].size() == 1);
    CHECK(cond["type"].as_string() == "DisruptionTarget");
    CHECK(cond["status"].as_string() == "True");
    CHECK(cond["reason"].as_string() == "PreemptionByScheduler");
    CHECK(cond["message"].as_string() ==
          "default-scheduler: preempting to accommodate a higher priority pod");
    CHECK(cond["lastTransitionTime"].as_string().size() == 20);  // 2006-01-02T15:04:05Z
    CHECK(fx.client.requests[1].body.empty());
}

TEST_CASE("default_preemption.preempt_patch_bodies") {
    CHECK(disruption_target_patch("m", "2024-01-02T03:04:05Z") ==
          R"({"status":{"conditions":[{"type":"DisruptionTarget","status":"True",)"
          R"("lastProbeTime":null,"lastTransitionTime":"2024-01-02T03:04:05Z",)"
          R"("reason":"PreemptionByScheduler","message":"m"}]}})");
    CHECK(clear_nomination_patch() == R"({"status":{"nominatedNodeName":null}})");
}

// A victim that already carries the condition is not patched again.
TEST_CASE("default_preemption.preempt_condition_already_set") {
    fixture fx;
    for (const auto* n : {"node1"}) {
        fx.add_node(make_test_node(n, kNone, "1"));
    }
    api::pod victim = make_test_pod("v", "node1", kLow).obj();
    victim.conditions.push_back({"DisruptionTarget", "True", "PreemptionByScheduler",
                                 "default-scheduler: preempting to accommodate a higher "
                                 "priority pod"});
    fx.add_pod(victim);
    std::vector<std::unique_ptr<framework::plugin>> plugins;
    plugins.push_back(std::make_unique<fit_filter>());
    fx.build(std::move(plugins));
    default_preemption pl({}, *fx.handle, 1);
    const auto pod = make_test_pod("p", "", kHigh).info();
    auto state = fx.pre_filter(*pod);
    const auto statuses = fx.statuses({{"node1", code::unschedulable}});
    framework::post_filter_result result;
    REQUIRE(pl.post_filter(state, *pod, statuses, result).is_success());
    run_writes(fx);
    CHECK(calls(fx.client) == std::vector<std::string>{"DELETE " + std::string(kPods) + "v"});
    CHECK(fx.handle->events.size() == 1);
}

// Lower-priority pods nominated to the chosen node lose their nomination (those whose status
// carries one); equal or higher priority ones keep it.
TEST_CASE("default_preemption.preempt_clears_lower_priority_nominations") {
    struct test_case {
        std::string name;
        std::vector<testing::fake_api_client::rule> rules;
        bool want_cleared;
    };
    const std::vector<test_case> cases = {
        {"victims deleted: nominations cleared", {}, true},
        {"a victim failed: nothing more is done",
         {{verb::delete_, std::string(kPods) + "p1.2", 500, "{}"}},
         false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        fixture fx;
        fx.client.rules = c.rules;
        basic_cluster(fx);
        const auto low = make_test_pod("n-low", "", kLow).nominated("node1").info();
        const auto low_in_memory = make_test_pod("n-mem", "", kLow).info();
        const auto high = make_test_pod("n-high", "", kVeryHigh).nominated("node1").info();
        const auto elsewhere = make_test_pod("n-other", "", kLow).nominated("node2").info();
        fx.handle->nominations.add(low, "node1");
        fx.handle->nominations.add(low_in_memory, "node1");
        fx.handle->nominations.add(high, "node1");
        fx.handle->nominations.add(elsewhere, "node2");
        default_preemption pl({}, *fx.handle, 1);
        REQUIRE(preempt(fx, pl) == "node1");
        run_writes(fx);
        const auto cleared = fx.client.matching("/n-");
        if (!c.want_cleared) {
            CHECK(cleared.empty());
            continue;
        }
        REQUIRE(cleared.size() == 1);
        CHECK(cleared[0].method == verb::patch);
        CHECK(cleared[0].target == std::string(kPods) + "n-low/status");
        CHECK(cleared[0].body == R"({"status":{"nominatedNodeName":null}})");
        CHECK(cleared[0].content_type == "application/strategic-merge-patch+json");
    }
}

}  // namespace
}  // namespace multisched::plugins::default_preemption
