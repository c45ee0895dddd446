// SPDX-License-Identifier: Apache-2.0
// Permit (upstream coscheduling_test.go TestPermit as cases), Unreserve's group-level rejection
// and backoff, and the PreBind barrier that lets a released batch bind all or none.
#include <catch2/catch.hpp>

#include "plugins/coscheduling/test_util.hpp"

namespace multisched::plugins::coscheduling::test {
namespace {

// Nodes n1, n2; group train-a (minMember 3, optional timeout) with members p0..p2; group other
// (minMember 2) with members o0, o1.
void setup(cluster& c, std::optional<std::int32_t> timeout = std::nullopt) {
    c.add_node("n1");
    c.add_node("n2");
    c.add_group({"train-a", 3, timeout, std::nullopt});
    c.add_group({"other", 2, std::nullopt, std::nullopt});
    for (const auto* p : {"p0", "p1", "p2"}) {
        c.add_member(p, "train-a");
    }
    c.add_member("o0", "other");
    c.add_member("o1", "other");
}

TEST_CASE("coscheduling.permit", "[coscheduling]") {
    struct test_case {
        std::string name;
        coscheduling_args args;
        std::optional<std::int32_t> timeout;  // the group's scheduleTimeoutSeconds
        std::vector<std::string> bound;       // before p2's Permit
        std::vector<std::string> waiting;     // at Permit before p2's
        std::string pod;
        code want_code;
        std::chrono::milliseconds want_timeout;
        std::string want_message = "";
    };
    coscheduling_args five_seconds;
    five_seconds.permit_waiting_time_seconds = 5;
    const std::vector<test_case> cases = {
        {"no group: success", {}, std::nullopt, {}, {}, "", code::success, 0ms},
        {"group missing",
         {},
         std::nullopt,
         {},
         {},
         "orphan",
         code::unschedulable_and_unresolvable,
         0ms,
         "pod group ns/missing not found"},
        {"first of three waits permitWaitingTimeSeconds",
         {},
         std::nullopt,
         {},
         {},
         "p2",
         code::wait,
         60s},
        {"scheduleTimeoutSeconds wins", five_seconds, 30, {}, {"p0"}, "p2", code::wait, 30s},
        {"permitWaitingTimeSeconds from the args",
         five_seconds,
         std::nullopt,
         {},
         {},
         "p2",
         code::wait,
         5s},
        {"a zero scheduleTimeoutSeconds means the default", {}, 0, {}, {}, "p2", code::wait, 60s},
        {"the completing member", {}, std::nullopt, {}, {"p0", "p1"}, "p2", code::success, 0ms},
        {"bound members count", {}, std::nullopt, {"p0"}, {"p1"}, "p2", code::success, 0ms},
        {"another group's members do not count",
         {},
         std::nullopt,
         {},
         {"p0", "o0"},
         "p2",
         code::wait,
         60s},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        cluster c(tc.args);
        setup(c, tc.timeout);
        c.add_member("orphan", "missing");
        for (const auto& uid : tc.bound) {
            c.bind(uid, "n1");
        }
        std::vector<std::shared_ptr<framework::waiting_pod>> waiting;
        for (const auto& uid : tc.waiting) {
            waiting.push_back(c.wait_at_permit(uid, "n1", 20ms));
        }
        std::chrono::milliseconds timeout{0};
        status s;
        if (tc.pod.empty()) {
            framework::cycle_state state;
            s = c.plugin->permit(state, *testing::make_pod().name("x").uid("x").info(), "n1",
                                 timeout);
        } else {
            c.assume(tc.pod, "n2");
            s = c.permit(tc.pod, "n2", &timeout);
        }
        CHECK(s.code() == tc.want_code);
        CHECK(s.message() == tc.want_message);
        if (s.is_wait()) {
            CHECK(timeout == tc.want_timeout);
        }
        // Completing: every waiting member of the group is allowed; others time out (20ms).
        for (const auto& wp : waiting) {
            const bool same_group = wp->pod().pod->meta.uid.starts_with("p");
            INFO(wp->pod().pod->meta.uid);
            CHECK(c.verdict(wp).is_success() == (s.is_success() && same_group));
        }
    }
}

TEST_CASE("coscheduling.unreserve", "[coscheduling]") {
    cluster c;
    setup(c);
    REQUIRE(c.pre_filter("p0").is_success());
    REQUIRE(c.plugin->book().admitted("ns/train-a") != nullptr);
    auto p0 = c.wait_at_permit("p0", "n1");
    auto p1 = c.wait_at_permit("p1", "n2");
    auto o0 = c.wait_at_permit("o0", "n1", 20ms);
    // p1 timed out at Permit: its binding cycle unreserves it.
    c.unreserve("p1", "n2");
    const std::string want = "group ns/train-a: member ns/p1 failed on node n2";
    const status v0 = c.verdict(p0);
    CHECK(v0.code() == code::unschedulable);
    CHECK(v0.message() == want);
    CHECK(v0.plugin() == "Coscheduling");
    CHECK(c.verdict(p1).message() == want);
    // Another group's waiting pod is left alone (it times out on its own).
    CHECK_THAT(c.verdict(o0).message(), Catch::StartsWith("rejected due to timeout"));
    // The admission ended, the group backs off for podGroupBackoffSeconds.
    CHECK(c.plugin->book().admitted("ns/train-a") == nullptr);
    REQUIRE(c.plugin->book().backing_off("ns/train-a", c.now) != nullptr);
    CHECK(c.plugin->book().backing_off("ns/train-a", c.now)->until == c.now + 10s);
    CHECK(c.wakeups.back() == c.now + 10s);
    // Idempotent: p0's own unreserve later does not extend the backoff or change its reason.
    c.now += 3s;
    c.unreserve("p0", "n1");
    CHECK(c.pre_filter("p2").message() ==
          "group ns/train-a backs off for 7s more after member ns/p1 failed on node n2");
    // Without a backoff the group may retry at once.
    cluster quick([] {
        coscheduling_args a;
        a.pod_group_backoff_seconds = 0;
        return a;
    }());
    setup(quick);
    quick.unreserve("p1", "n2");
    CHECK(quick.plugin->book().backing_off("ns/train-a", quick.now) == nullptr);
    CHECK(quick.pre_filter("p2").is_success());
}

TEST_CASE("coscheduling.admission_timeout", "[coscheduling]") {
    cluster c;
    setup(c, 30);
    REQUIRE(c.pre_filter("p0").is_success());
    auto p0 = c.wait_at_permit("p0", "n1");
    REQUIRE(c.wakeups.size() == 1);
    CHECK(c.wakeups.front() == c.now + 30s);
    // Before the deadline nothing happens.
    c.now += 29s;
    c.plugin->on_timer();
    CHECK(c.plugin->book().admitted("ns/train-a") != nullptr);
    // At the deadline the group fails as a whole: waiting members rejected, backoff.
    c.now += 1s;
    c.plugin->on_timer();
    CHECK(c.plugin->book().admitted("ns/train-a") == nullptr);
    CHECK(c.verdict(p0).message() == "group ns/train-a: it timed out after 30s");
    CHECK(c.plugin->book().backing_off("ns/train-a", c.now) != nullptr);
    // When the backoff ends the timer activates the group's pending members.
    c.h->activated.clear();
    c.now = c.wakeups.back();
    c.plugin->on_timer();
    CHECK(c.h->activated == std::vector<std::vector<std::string>>{{"p1", "p2"}});
}

TEST_CASE("coscheduling.pre_bind_barrier", "[coscheduling]") {
    struct test_case {
        std::string name;
        std::vector<std::string> waiting;   // released by p2's Permit
        std::vector<std::string> arriving;  // reach PreBind (p2 last)
        std::string fails_first;            // unreserved before anyone arrives ("": none)
        std::string fails_later;            // unreserved while the others wait
        code want;
        std::string want_message;
    };
    const std::string failed = "group ns/train-a: member ns/p0 failed on node n1";
    const std::vector<test_case> cases = {
        {"all arrive: all pass", {"p0", "p1"}, {"p0", "p1", "p2"}, "", "", code::success, ""},
        {"a member failed an earlier PreBind first: nobody binds",
         {"p0", "p1"},
         {"p1", "p2"},
         "p0",
         "",
         code::unschedulable,
         failed},
        {"a member fails while the others wait: nobody binds",
         {"p0", "p1"},
         {"p1", "p2"},
         "",
         "p0",
         code::unschedulable,
         failed},
        {"a batch of one (a late member) passes at once", {}, {"p2"}, "", "", code::success, ""},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        cluster c;
        setup(c);
        for (const auto& uid : tc.waiting) {
            c.wait_at_permit(uid, "n1");
        }
        if (tc.waiting.empty()) {  // the group is satisfied already
            c.bind("p0", "n1");
            c.bind("p1", "n1");
        }
        c.assume("p2", "n2");
        REQUIRE(c.permit("p2", "n2").is_success());
        if (!tc.fails_first.empty()) {
            c.unreserve(tc.fails_first, "n1");
        }
        std::vector<task<status>> arrivals;
        for (const auto& uid : tc.arriving) {
            arrivals.push_back(c.plugin->pre_bind(nullptr, c.info(uid), "n1"));
        }
        if (!tc.fails_later.empty()) {
            // Start the waiters, then fail a member.
            std::vector<std::future<status>> started;
            for (auto& t : arrivals) {
                started.push_back(asio::co_spawn(c.ioc, std::move(t), asio::use_future));
            }
            c.ioc.poll();
            c.unreserve(tc.fails_later, "n1");
            for (auto& f : started) {
                while (f.wait_for(0s) != std::future_status::ready) {
                    c.ioc.run_one_for(50ms);
                }
                const status s = f.get();
                CHECK(s.code() == tc.want);
                CHECK(s.message() == tc.want_message);
            }
            continue;
        }
        for (const status& s : run_all(c.ioc, std::move(arrivals))) {
            CHECK(s.code() == tc.want);
            CHECK(s.message() == tc.want_message);
        }
    }
}

TEST_CASE("coscheduling.barrier_deadline", "[coscheduling]") {
    asio::io_context ioc;
    barrier b("ns/g", {"a", "b"}, 30ms);
    const status s = testing::run(ioc, b.arrive("a"));
    CHECK(s.code() == code::unschedulable);
    CHECK(s.message() == "group ns/g: 1 of 2 members did not reach PreBind within 30ms");
    CHECK_FALSE(b.open());
    // A late arrival fails too; an unknown pod passes.
    CHECK(testing::run(ioc, b.arrive("b")).code() == code::unschedulable);
    CHECK(testing::run(ioc, b.arrive("c")).is_success());
}

TEST_CASE("coscheduling.reload_keeps_group_state", "[coscheduling]") {
    cluster c;
    setup(c, 30);
    c.add_node("n3");
    REQUIRE(c.pre_filter("p0").is_success());
    auto p0 = c.wait_at_permit("p0", "n1");
    const auto* before = c.plugin->book().admitted("ns/train-a");
    REQUIRE(before != nullptr);
    const std::size_t planned = before->plan.size();
    REQUIRE(c.wakeups.size() == 1);

    // The new instance finds the admission with its plan, and re-arms its deadline.
    c.reload();
    const auto* after = c.plugin->book().admitted("ns/train-a");
    REQUIRE(after != nullptr);
    CHECK(after->plan.size() == planned);
    REQUIRE(c.wakeups.size() == 2);
    CHECK(c.wakeups.back() == c.now + 30s);
    // A planned member passes PreFilter on the strength of the admission.
    CHECK(c.pre_filter("p1").is_success());

    // Members held at Permit before the reload are released by the new instance.
    c.wait_at_permit("p1", "n2");
    std::chrono::milliseconds timeout{0};
    CHECK(c.permit("p2", "n3", &timeout).is_success());
    CHECK(c.verdict(p0).is_success());

    // A backoff started before a reload still holds after it.
    cluster d;
    setup(d);
    REQUIRE(d.pre_filter("p0").is_success());
    d.unreserve("p0", "n1");
    REQUIRE(d.plugin->book().backing_off("ns/train-a", d.now) != nullptr);
    d.reload();
    CHECK(d.wakeups.back() == d.now + 10s);
    CHECK(d.pre_filter("p1").message() ==
          "group ns/train-a backs off for 10s more after member ns/p0 failed on node n1");
}

}  // namespace
}  // namespace multisched::plugins::coscheduling::test
