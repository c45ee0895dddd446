// SPDX-License-Identifier: Apache-2.0
// PreFilter: the group checks in order (upstream coscheduling_test.go TestPreFilter and
// core_test.go TestPreFilter as cases, plus the whole-group dry run), and two groups competing
// for room that fits either one but not both.
#include <catch2/catch.hpp>

#include "plugins/coscheduling/test_util.hpp"

namespace multisched::plugins::coscheduling::test {
namespace {

api::resource_list cpu(std::int64_t milli) {
    api::resource_list r;
    r.milli_cpu = milli;
    return r;
}

// 3 nodes with 3 cpu each; group train-a (minMember 4) with members p0..p3 of 2 cpu: one member
// fits per node.
void three_small_nodes(cluster& c) {
    for (const auto* n : {"n1", "n2", "n3"}) {
        c.add_node(n, "3");
    }
    c.add_group({"train-a", 4, std::nullopt, std::nullopt});
    for (const auto* p : {"p0", "p1", "p2", "p3"}) {
        c.add_member(p, "train-a", "2");
    }
}

// 2 nodes with 4 cpu; group train-a (minMember 3) with members p0..p2 of 1 cpu.
void roomy(cluster& c) {
    c.add_node("n1");
    c.add_node("n2");
    c.add_group({"train-a", 3, std::nullopt, std::nullopt});
    for (const auto* p : {"p0", "p1", "p2"}) {
        c.add_member(p, "train-a");
    }
}

TEST_CASE("coscheduling.pre_filter", "[coscheduling]") {
    struct test_case {
        std::string name;
        std::function<void(cluster&)> setup;
        std::string pod;  // "" = a pod without the label
        code want_code;
        std::string want_message;
        bool want_admitted = false;
        std::vector<std::vector<std::string>> want_activated = {};
    };
    const std::vector<test_case> cases = {
        {"no label: Skip", roomy, "", code::skip, ""},
        {"pod group missing",
         [](cluster& c) {
             c.add_node("n1");
             c.add_member("p0", "missing");
         },
         "p0", code::unschedulable_and_unresolvable, "pod group ns/missing not found"},
        {"fewer members than minMember",
         [](cluster& c) {
             three_small_nodes(c);
             c.remove("p3");
         },
         "p0", code::unschedulable_and_unresolvable,
         "group ns/train-a has 3 of the 4 members it needs (minMember)"},
        {"the group backs off after a member failed",
         [](cluster& c) {
             roomy(c);
             c.unreserve("p1", "n1");
             c.now += 2500ms;
         },
         "p0", code::unschedulable,
         "group ns/train-a backs off for 7.5s more after member ns/p1 failed on node n1"},
        {"the backoff is over",
         [](cluster& c) {
             roomy(c);
             c.unreserve("p1", "n1");
             c.now += 10s;
         },
         "p0",
         code::success,
         "",
         true,
         // the ended backoff activates the group, then the admission its siblings
         {{"p0", "p1", "p2"}, {"p1", "p2"}}},
        {"minResources beyond the free room",
         [](cluster& c) {
             roomy(c);
             c.add_group({"train-a", 3, std::nullopt, cpu(10000)});
         },
         "p0", code::unschedulable,
         "group ns/train-a needs cpu 10000m for minResources, the cluster has 8000m free"},
        {"minResources counts what placed members hold",
         [](cluster& c) {
             roomy(c);
             c.add_group({"train-a", 3, std::nullopt, cpu(8000)});
             c.assume("p1", "n1");
         },
         "p0",
         code::success,
         "",
         true,
         {{"p2"}}},
        {"minResources asks for minMember pods",
         [](cluster& c) {
             roomy(c);
             c.add_group({"train-a", 3, std::nullopt, cpu(1000)});
             auto n = testing::make_node().name("n1").alloc({{"cpu", "4"}, {"pods", "1"}}).obj();
             c.node("n1").set_node(std::make_shared<const api::node>(n));
             c.node("n2").set_node(std::make_shared<const api::node>(n));
         },
         "p0", code::unschedulable,
         "group ns/train-a needs pods 3 for minResources, the cluster has 2 free"},
        {"the dry run places 3 of 4", three_small_nodes, "p0", code::unschedulable,
         "3/4 members of group ns/train-a can be placed"},
        {"the dry run counts placed members",
         [](cluster& c) {
             three_small_nodes(c);
             c.add_node("n4", "3");
             c.bind("p1", "n1");
             c.assume("p2", "n2");
         },
         "p0",
         code::success,
         "",
         true,
         {{"p3"}}},
        {"members on full nodes are placed already, no room for the rest",
         [](cluster& c) {
             three_small_nodes(c);
             c.bind("p1", "n1");
             c.assume("p2", "n2");
             c.add_member("x", "other", "3");
             c.assume("x", "n3");
         },
         "p0", code::unschedulable, "2/4 members of group ns/train-a can be placed"},
        {"a gated member cannot be placed",
         [](cluster& c) {
             roomy(c);
             auto gated = std::make_shared<api::pod>(*c.member("p2"));
             gated->scheduling_gates = {"example.com/wait"};
             c.h->cluster_objects.pod_group_members.upsert(gated);
         },
         "p0", code::unschedulable, "2/3 members of group ns/train-a can be placed"},
        {"feasible: admitted, siblings activated",
         roomy,
         "p0",
         code::success,
         "",
         true,
         {{"p1", "p2"}}},
        {"admitted: later members pass without a dry run",
         [](cluster& c) {
             roomy(c);
             REQUIRE(c.pre_filter("p0").is_success());
             c.h->activated.clear();
         },
         "p1", code::success, "", true},
        {"satisfied: a late member schedules alone",
         [](cluster& c) {
             roomy(c);
             c.add_member("p3", "train-a");
             c.bind("p0", "n1");
             c.bind("p1", "n1");
             c.assume("p2", "n2");
         },
         "p3", code::success, ""},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        cluster c;
        tc.setup(c);
        const auto pod =
            tc.pod.empty() ? testing::make_pod().name("loner").uid("loner").info() : c.info(tc.pod);
        const status s = c.pre_filter(*pod);
        CHECK(s.code() == tc.want_code);
        CHECK(s.message() == tc.want_message);
        CHECK((c.plugin->book().admitted("ns/train-a") != nullptr) == tc.want_admitted);
        CHECK(c.h->activated == tc.want_activated);
    }
}

TEST_CASE("coscheduling.pre_filter_what_if", "[coscheduling]") {
    // An explanation's cycle gets the verdict a real one would, and nothing is done: no
    // admission, no activation, no PodGroup status write, and the next real cycle still decides.
    struct test_case {
        std::string name;
        std::function<void(cluster&)> setup;
        code want_code;
        std::string want_message;
    };
    const std::vector<test_case> cases = {
        {"feasible", roomy, code::success, ""},
        {"the dry run places 3 of 4", three_small_nodes, code::unschedulable,
         "3/4 members of group ns/train-a can be placed"},
        {"fewer members than minMember",
         [](cluster& c) {
             three_small_nodes(c);
             c.remove("p3");
         },
         code::unschedulable_and_unresolvable,
         "group ns/train-a has 3 of the 4 members it needs (minMember)"},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        cluster c;
        tc.setup(c);
        const status s = c.pre_filter(*c.info("p0"), true);
        CHECK(s.code() == tc.want_code);
        CHECK(s.message() == tc.want_message);
        CHECK(c.plugin->book().admitted("ns/train-a") == nullptr);
        CHECK(c.h->activated.empty());
        CHECK(c.h->writes.empty());
        // The real cycle afterwards: same verdict, now acted on.
        const status real = c.pre_filter(*c.info("p0"));
        CHECK(real.code() == tc.want_code);
        CHECK((c.plugin->book().admitted("ns/train-a") != nullptr) == s.is_success());
    }
}

TEST_CASE("coscheduling.pre_filter_dry_run", "[coscheduling]") {
    cluster c;
    roomy(c);
    // Through the framework: Coscheduling's PreFilter runs the dry run, which runs the framework's
    // PreFilter once per simulated member (Coscheduling skips inside), then FakeFit's own.
    framework::cycle_state outer;
    framework::pre_filter_result result;
    REQUIRE(c.fw->run_pre_filter(outer, *c.info("p0"), c.h->all_nodes(), result).is_success());
    CHECK(c.fit->pre_filters == 3 + 1);
    const admission* a = c.plugin->book().admitted("ns/train-a");
    REQUIRE(a != nullptr);
    // First fit from a rotating start: each member starts looking after the previous one.
    std::map<std::string, std::string> plan;
    for (const auto& [uid, p] : a->plan) {
        plan[uid] = p.node;
    }
    CHECK(plan == std::map<std::string, std::string>{{"p0", "n1"}, {"p1", "n2"}, {"p2", "n1"}});
    CHECK(a->deadline - a->admitted_at == 60s);
    // Reserve takes a member out of the plan.
    framework::cycle_state state;
    REQUIRE(c.plugin->reserve(state, *c.info("p1"), "n2").is_success());
    CHECK(c.plugin->book().admitted("ns/train-a")->plan.size() == 2);
}

TEST_CASE("coscheduling.pre_filter_reuses_a_failed_dry_run", "[coscheduling]") {
    cluster c;
    three_small_nodes(c);
    CHECK(c.pre_filter("p0").message() == "3/4 members of group ns/train-a can be placed");
    const int runs = c.fit->pre_filters;
    // A sibling right after: nothing moved, no new dry run.
    CHECK(c.pre_filter("p1").message() == "3/4 members of group ns/train-a can be placed");
    CHECK(c.fit->pre_filters == runs);
    // A node joins: the dry run runs again and the group is admitted.
    c.add_node("n4", "3");
    CHECK(c.pre_filter("p1").is_success());
    CHECK(c.fit->pre_filters > runs);
}

// Two nodes of 4 cpu; groups a and b of two 3-cpu members each: either group fits, not both.
TEST_CASE("coscheduling.two_groups", "[coscheduling]") {
    struct test_case {
        std::string name;
        std::function<void(cluster&)> then;  // after a was admitted
        code want_code;
        std::string want_message;
        std::vector<std::string> want_b_activated = {};  // b members activated before b runs
    };
    const auto complete_a = [](cluster& c) {
        auto w = c.wait_at_permit("a0", "n1");
        c.assume("a1", "n2");
        REQUIRE(c.permit("a1", "n2").is_success());
        CHECK(c.verdict(w).is_success());
    };
    const std::vector<test_case> cases = {
        {"a's plan is outstanding: b is rejected", [](cluster&) {}, code::unschedulable,
         "0/2 members of group ns/b can be placed"},
        {"a's plan is outstanding, one member placed: b is still rejected",
         [](cluster& c) { c.assume("a0", "n1"); }, code::unschedulable,
         "0/2 members of group ns/b can be placed"},
        {"a timed out: b is admitted",
         [](cluster& c) {
             REQUIRE(c.wakeups.size() == 1);  // at a's deadline
             c.now = c.wakeups.front();
             c.plugin->on_timer();
         },
         code::success,
         "",
         {"b0", "b1"}},
        {"a failed: b is admitted",
         [](cluster& c) { c.unreserve("a0", "n1"); },
         code::success,
         "",
         {"b0", "b1"}},
        {"a completed and runs: b is retried and does not fit",
         complete_a,
         code::unschedulable,
         "0/2 members of group ns/b can be placed",
         {"b0", "b1"}},
        {"a completed and finished: b is admitted",
         [&](cluster& c) {
             complete_a(c);
             c.remove("a0");
             c.remove("a1");
         },
         code::success,
         "",
         {"b0", "b1"}},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        cluster c;
        c.add_node("n1");
        c.add_node("n2");
        for (const auto* g : {"a", "b"}) {
            c.add_group({g, 2, std::nullopt, std::nullopt});
            c.add_member(std::string(g) + "0", g, "3");
            c.add_member(std::string(g) + "1", g, "3");
        }
        // Alone, each group fits; a goes first.
        REQUIRE(c.pre_filter("a0").is_success());
        const status first = c.pre_filter("b0");
        CHECK(first.message() == "0/2 members of group ns/b can be placed");
        c.h->activated.clear();
        tc.then(c);
        std::vector<std::string> b_activated;
        for (const auto& call : c.h->activated) {
            for (const auto& uid : call) {
                if (uid.starts_with("b")) {
                    b_activated.push_back(uid);
                }
            }
        }
        CHECK(b_activated == tc.want_b_activated);
        const status s = c.pre_filter("b0");
        CHECK(s.code() == tc.want_code);
        CHECK(s.message() == tc.want_message);
    }
}

}  // namespace
}  // namespace multisched::plugins::coscheduling::test
