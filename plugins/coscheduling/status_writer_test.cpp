// SPDX-License-Identifier: Apache-2.0
// PodGroup status writes: the merge patches, the phases through a group's life, no duplicate
// writes, 404/409 dropped, and the write rate cap.
#include <catch2/catch.hpp>

#include "plugins/coscheduling/lifecycle.hpp"
#include "plugins/coscheduling/test_util.hpp"

namespace multisched::plugins::coscheduling::test {
namespace {

using boost::beast::http::verb;

TEST_CASE("coscheduling.status_patch", "[coscheduling]") {
    struct test_case {
        std::string name;
        std::string_view phase;
        std::int32_t scheduled;
        std::optional<std::string_view> start;
        std::string want;
    };
    const std::vector<test_case> cases = {
        {"scheduled", kPhaseScheduled, 4, std::nullopt,
         R"({"status":{"phase":"Scheduled","scheduled":4}})"},
        {"scheduling with its start time", kPhaseScheduling, 1, kStartTime,
         R"({"status":{"phase":"Scheduling","scheduled":1,)"
         R"("scheduleStartTime":"2024-05-01T10:00:00Z"}})"},
        {"pending", kPhasePending, 0, std::nullopt,
         R"({"status":{"phase":"Pending","scheduled":0}})"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(status_patch(c.phase, c.scheduled, c.start) == c.want);
    }
    api::pod_group g;
    g.meta.ns = "ml";
    g.meta.name = "train-a";
    CHECK(pod_group_status_path(g) ==
          "/apis/scheduling.x-k8s.io/v1alpha1/namespaces/ml/podgroups/train-a/status");
}

const std::string kScheduling =
    R"({"status":{"phase":"Scheduling","scheduled":0,"scheduleStartTime":"2024-05-01T10:00:00Z"}})";

// The bodies of the status patches sent so far (checking method, target and content type).
std::vector<std::string> sent(cluster& c) {
    c.run_writes();
    std::vector<std::string> out;
    for (const auto& r : c.client.requests) {
        CHECK(r.method == verb::patch);
        CHECK(r.target ==
              "/apis/scheduling.x-k8s.io/v1alpha1/namespaces/ns/podgroups/train-a/status");
        CHECK(r.content_type == "application/merge-patch+json");
        out.push_back(r.body);
    }
    c.client.requests.clear();
    return out;
}

TEST_CASE("coscheduling.status_phases", "[coscheduling]") {
    cluster c;
    c.add_node("n1");
    c.add_node("n2");
    c.add_group({"train-a", 3, std::nullopt, std::nullopt});
    c.add_member("p0", "train-a");
    c.add_member("p1", "train-a");
    // Members exist, fewer than minMember; asking again writes nothing new.
    CHECK(c.pre_filter("p0").code() == code::unschedulable_and_unresolvable);
    CHECK(c.pre_filter("p1").code() == code::unschedulable_and_unresolvable);
    CHECK(sent(c) ==
          std::vector<std::string>{R"({"status":{"phase":"PreScheduling","scheduled":0}})"});
    // Admitted: Scheduling, with the start time.
    c.add_member("p2", "train-a");
    REQUIRE(c.pre_filter("p0").is_success());
    CHECK(sent(c) == std::vector<std::string>{kScheduling});
    // Released and bound one by one: Scheduled once minMember are bound, once.
    c.wait_at_permit("p0", "n1");
    c.wait_at_permit("p1", "n1");
    c.assume("p2", "n2");
    REQUIRE(c.permit("p2", "n2").is_success());
    framework::cycle_state state;
    for (const auto* uid : {"p0", "p1"}) {
        c.plugin->post_bind(state, *c.info(uid), "n1");
    }
    CHECK(sent(c).empty());
    c.plugin->post_bind(state, *c.info("p2"), "n2");
    c.plugin->post_bind(state, *c.info("p2"), "n2");
    CHECK(sent(c) == std::vector<std::string>{R"({"status":{"phase":"Scheduled","scheduled":3}})"});
    // The informer confirms the binds: same state, nothing written.
    for (const auto* uid : {"p0", "p1"}) {
        c.bind(uid, "n1");
    }
    c.bind("p2", "n2");
    c.plugin->post_bind(state, *c.info("p2"), "n2");
    CHECK(sent(c).empty());

    // From Scheduled on, the phase follows the members' pods, looked at every 5s.
    REQUIRE(!c.wakeups.empty());
    CHECK(c.wakeups.back() == c.now + 5s);
    c.set_phase("p0", "Running");
    c.set_phase("p1", "Running");
    c.now += 5s;
    c.plugin->on_timer();
    CHECK(sent(c) ==
          std::vector<std::string>{R"({"status":{"phase":"Scheduled","scheduled":3,"running":2,)"
                                   R"("succeeded":0,"failed":0}})"});
    c.set_phase("p2", "Running");
    c.now += 4s;
    c.plugin->on_timer();
    CHECK(sent(c).empty());  // not yet due
    c.now += 1s;
    c.plugin->on_timer();
    CHECK(sent(c) ==
          std::vector<std::string>{R"({"status":{"phase":"Running","scheduled":3,"running":3,)"
                                   R"("succeeded":0,"failed":0}})"});
    // A member fails: it leaves the informer's view, as terminal pods do, so the group's pods
    // are listed for the terminal ones.
    c.client.rules.push_back(
        {verb::get,
         "/api/v1/namespaces/ns/pods?labelSelector=scheduling.x-k8s.io%2Fpod-group%3Dtrain-a", 200,
         R"({"kind":"PodList","items":[{"status":{"phase":"Running"}},)"
         R"({"status":{"phase":"Failed"}},{"status":{"phase":"Running"}}]})"});
    c.remove("p1");
    c.now += 5s;
    c.plugin->on_timer();
    c.run_writes();
    REQUIRE(c.client.requests.size() == 1);
    CHECK(c.client.requests[0].method == verb::get);
    c.client.requests.clear();
    CHECK(sent(c) ==
          std::vector<std::string>{R"({"status":{"phase":"Failed","scheduled":2,"running":2,)"
                                   R"("succeeded":0,"failed":1}})"});
    // Failed is final: nothing is written after it.
    c.set_phase("p0", "Succeeded");
    c.now += 5s;
    c.plugin->on_timer();
    CHECK(sent(c).empty());
}

TEST_CASE("coscheduling.lifecycle_phase", "[coscheduling]") {
    struct test_case {
        std::string name;
        std::string current;
        std::size_t min = 0;
        pod_counts counts;
        std::string want;
    };
    const auto counts = [](std::int32_t r, std::int32_t s, std::int32_t f) {
        pod_counts c;
        c.running = r;
        c.succeeded = s;
        c.failed = f;
        return c;
    };
    const std::vector<test_case> cases{
        {"scheduled, not running yet", "Scheduled", 3, counts(2, 0, 0), "Scheduled"},
        {"running once minMember run", "Scheduled", 3, counts(3, 0, 0), "Running"},
        {"succeeded count as running", "Scheduled", 3, counts(1, 2, 0), "Running"},
        {"running stays without a change", "Running", 3, counts(3, 0, 0), "Running"},
        {"a failure with minMember accounted for", "Running", 3, counts(2, 0, 1), "Failed"},
        {"a failure short of minMember", "Running", 3, counts(1, 0, 1), "Running"},
        {"finished once minMember succeeded", "Running", 3, counts(0, 3, 0), "Finished"},
        {"finished wins over failed", "Running", 2, counts(0, 2, 1), "Finished"},
        {"failed is final", "Failed", 2, counts(2, 0, 0), "Failed"},
        {"finished is final", "Finished", 2, counts(0, 0, 2), "Finished"},
        {"minMember 0 never finishes on nothing", "Scheduled", 0, counts(0, 0, 0), "Running"},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        CHECK(lifecycle_phase(tc.current, tc.min, tc.counts) == tc.want);
    }
}

TEST_CASE("coscheduling.status_after_failure", "[coscheduling]") {
    cluster c;
    c.add_node("n1");
    c.add_group({"train-a", 2, std::nullopt, std::nullopt});
    c.add_member("p0", "train-a");
    c.add_member("p1", "train-a");
    REQUIRE(c.pre_filter("p0").is_success());
    c.wait_at_permit("p0", "n1");
    c.unreserve("p0", "n1");
    c.unreserve("p0", "n1");
    CHECK(sent(c) ==
          std::vector<std::string>{kScheduling, R"({"status":{"phase":"Pending","scheduled":0}})"});
}

TEST_CASE("coscheduling.status_writer", "[coscheduling]") {
    struct test_case {
        std::string name;
        std::string object_phase;  // status as the informer shows it
        std::int32_t object_scheduled;
        unsigned answer;  // the apiserver's status code for every write
        std::vector<std::pair<std::string_view, std::int32_t>> writes;
        std::size_t want_sent;
    };
    const std::vector<test_case> cases = {
        {"a change is written", "", 0, 200, {{kPhaseScheduling, 0}}, 1},
        {"what the object says already is not written",
         "Scheduling",
         0,
         200,
         {{kPhaseScheduling, 0}},
         0},
        {"repeats are not written", "", 0, 200, {{kPhaseScheduled, 3}, {kPhaseScheduled, 3}}, 1},
        {"a new scheduled count is a change",
         "",
         0,
         200,
         {{kPhaseScheduled, 3}, {kPhaseScheduled, 4}},
         2},
        {"404 is dropped", "", 0, 404, {{kPhaseScheduled, 3}, {kPhaseScheduled, 3}}, 1},
        {"409 is dropped", "", 0, 409, {{kPhasePending, 0}}, 1},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        cluster c;
        c.client.rules.push_back({verb::patch, "/apis/", tc.answer, "{}"});
        api::pod_group g;
        g.meta.ns = "ns";
        g.meta.name = "train-a";
        g.meta.uid = "u";
        g.phase = tc.object_phase;
        g.scheduled = tc.object_scheduled;
        status_writer w([&] { return c.now; }, [] { return std::string(kStartTime); });
        for (const auto& [phase, scheduled] : tc.writes) {
            w.write(*c.h, g, phase, scheduled);
        }
        CHECK(sent(c).size() == tc.want_sent);
    }
}

TEST_CASE("coscheduling.status_write_rate", "[coscheduling]") {
    // Over the cap a change is dropped; the next change is written once there is room again.
    cluster c;
    status_writer w([&] { return c.now; }, [] { return std::string(kStartTime); });
    api::pod_group g;
    g.meta.ns = "ns";
    g.meta.name = "train-a";
    for (std::int32_t i = 1; i <= 101; ++i) {
        w.write(*c.h, g, kPhaseScheduled, i);
    }
    CHECK(sent(c).size() == 100);
    c.now += 100ms;
    w.write(*c.h, g, kPhaseScheduled, 101);
    CHECK(sent(c) ==
          std::vector<std::string>{R"({"status":{"phase":"Scheduled","scheduled":101}})"});
}

}  // namespace
}  // namespace multisched::plugins::coscheduling::test
