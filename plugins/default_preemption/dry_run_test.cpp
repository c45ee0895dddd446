// SPDX-License-Identifier: Apache-2.0
// upstream default_preemption_test.go TestDryRunPreemption (v1.30; the cases that need no real
// PodTopologySpread/InterPodAffinity, the latter replaced by a label-conflict fake), with the
// offsets Go's seeded rand gave upstream passed explicitly; filterPodsWithPDBViolation,
// MoreImportantPod and the PDB selectors preemption can use.
#include <algorithm>

#include <catch2/catch.hpp>

#include "plugins/default_preemption/test_util.hpp"

namespace multisched::plugins::default_preemption {
namespace {

using framework::code;
using namespace test;

enum class extra {
    none,
    fit,
    false_filter,
    label_conflict
};

struct want_candidate {
    std::string node;
    std::vector<std::string> victims;  // sorted by name
    std::int64_t violations = 0;
    bool operator==(const want_candidate&) const = default;
};

std::vector<want_candidate> sorted(const std::vector<candidate>& got) {
    std::vector<want_candidate> out;
    for (const auto& c : got) {
        auto names = names_of(c.victims);
        std::sort(names.begin(), names.end());
        out.push_back({c.node, std::move(names), c.num_pdb_violations});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.node < b.node; });
    return out;
}

std::ostream& operator<<(std::ostream& os, const want_candidate& c) {
    os << c.node << "{";
    for (const auto& v : c.victims) {
        os << v << " ";
    }
    return os << "} violations " << c.violations;
}

TEST_CASE("default_preemption.dry_run_preemption") {
    struct test_case {
        std::string name;
        std::vector<std::string> nodes;
        std::vector<api::pod> init_pods;
        std::vector<api::pod> test_pods;  // one scheduling cycle each
        extra plugin;
        code fake_code = code::success;
        std::vector<api::pod_disruption_budget> pdbs = {};
        default_preemption_args args = {};
        std::vector<std::int32_t> offsets = {0};
        std::vector<std::vector<want_candidate>> want = {};
        std::vector<int> want_filter_calls = {};
    };
    const std::vector<std::string> two = {"node1", "node2"};
    const std::vector<std::string> five = {"node1", "node2", "node3", "node4", "node5"};
    const auto on = [](std::string name, std::string node, std::int32_t prio, res r = kNone) {
        return make_test_pod(name, node, prio, r).obj();
    };
    const auto app = [](std::string name, std::string node, std::int32_t prio, res r) {
        return make_test_pod(name, node, prio, r).label("app", "foo").obj();
    };
    const auto high = [](res r) { return make_test_pod("p", "", kHigh, r).obj(); };
    const std::vector<api::pod> five_mid = {
        on("p1", "node1", kMid, kLarge), on("p2", "node2", kMid, kLarge),
        on("p3", "node3", kMid, kLarge), on("p4", "node4", kMid, kLarge),
        on("p5", "node5", kMid, kLarge)};
    const std::vector<api::pod> same_pdb = {app("p1.1", "node1", kMid, kMedium),
                                            app("p1.2", "node1", kMid, kMedium)};
    const std::vector<test_case> cases = {
        {"a pod that does not fit on any node",
         two,
         {on("p1", "node1", kMid), on("p2", "node2", kMid)},
         {high(kNone)},
         extra::false_filter,
         code::success,
         {},
         {},
         {0},
         {{}},
         {2}},
        {"a pod that fits with no preemption",
         two,
         {on("p1", "node1", kMid), on("p2", "node2", kMid)},
         {high(kNone)},
         extra::none,
         code::unschedulable,
         {},
         {},
         {0},
         {{}},
         {2}},
        {"a pod that fits on both nodes when lower priority pods are preempted",
         two,
         {on("p1", "node1", kMid, kLarge), on("p2", "node2", kMid, kLarge)},
         {high(kLarge)},
         extra::fit,
         code::success,
         {},
         {},
         {0},
         {{{"node1", {"p1"}, 0}, {"node2", {"p2"}, 0}}},
         {4}},
        {"a pod that would fit, but other pods running are higher priority",
         two,
         {on("p1", "node1", kMid, kLarge), on("p2", "node2", kMid, kLarge)},
         {make_test_pod("p", "", kLow, kLarge).obj()},
         extra::fit,
         code::success,
         {},
         {},
         {0},
         {{}},
         {0}},
        {"medium priority pod is preempted, but lower priority one stays as it is small",
         two,
         {on("p1.1", "node1", kLow, kSmall), on("p1.2", "node1", kMid, kLarge),
          on("p2", "node2", kMid, kLarge)},
         {high(kLarge)},
         extra::fit,
         code::success,
         {},
         {},
         {0},
         {{{"node1", {"p1.2"}, 0}, {"node2", {"p2"}, 0}}},
         {5}},
        {"mixed priority pods are preempted",
         two,
         {on("p1.1", "node1", kMid, kSmall), on("p1.2", "node1", kLow, kSmall),
          on("p1.3", "node1", kMid, kMedium), on("p1.4", "node1", kHigh, kSmall),
          on("p2", "node2", kHigh, kLarge)},
         {high(kLarge)},
         extra::fit,
         code::success,
         {},
         {},
         {0},
         {{{"node1", {"p1.2", "p1.3"}, 0}}},
         {4}},
        {"mixed priority pods are preempted, pick later StartTime one when priorities are equal",
         two,
         {make_test_pod("p1.1", "node1", kLow, kSmall).created("1970-01-01T00:00:05Z").obj(),
          make_test_pod("p1.2", "node1", kLow, kSmall).created("1970-01-01T00:00:04Z").obj(),
          make_test_pod("p1.3", "node1", kMid, kMedium).created("1970-01-01T00:00:03Z").obj(),
          make_test_pod("p1.4", "node1", kHigh, kSmall).created("1970-01-01T00:00:02Z").obj(),
          make_test_pod("p2", "node2", kHigh, kLarge).created("1970-01-01T00:00:01Z").obj()},
         {high(kLarge)},
         extra::fit,
         code::success,
         {},
         {},
         {0},
         {{{"node1", {"p1.1", "p1.3"}, 0}}},
         {4}},
        {"pod with a conflicting label is preempted (anti-affinity stand-in)",
         two,
         {make_test_pod("p1.1", "node1", kLow, kSmall).label("foo", "").obj(),
          on("p1.2", "node1", kMid, kSmall), on("p1.3", "node1", kHigh, kSmall),
          on("p2", "node2", kHigh, kSmall)},
         {make_test_pod("p", "", kHigh, kSmall).label("foo", "").obj()},
         extra::label_conflict,
         code::success,
         {},
         {},
         {0},
         {{{"node1", {"p1.1"}, 0}}},
         {3}},
        {"get Unschedulable in the preemption phase when the filter plugins filtering the nodes",
         two,
         {on("p1", "node1", kMid, kLarge), on("p2", "node2", kMid, kLarge)},
         {high(kLarge)},
         extra::fit,
         code::unschedulable,
         {},
         {},
         {0},
         {{}},
         {2}},
        {"preemption with violation of same pdb",
         {"node1"},
         same_pdb,
         {high(kVeryLarge)},
         extra::fit,
         code::success,
         {make_pdb(1)},
         {},
         {0},
         {{{"node1", {"p1.1", "p1.2"}, 1}}},
         {3}},
        {"pdb with a processed eviction of another pod",
         {"node1"},
         same_pdb,
         {high(kVeryLarge)},
         extra::fit,
         code::success,
         {make_pdb(1, {"p2"})},
         {},
         {0},
         {{{"node1", {"p1.1", "p1.2"}, 1}}},
         {3}},
        {"pdb with a processed eviction of a victim",
         {"node1"},
         same_pdb,
         {high(kVeryLarge)},
         extra::fit,
         code::success,
         {make_pdb(1, {"p1.2"})},
         {},
         {0},
         {{{"node1", {"p1.1", "p1.2"}, 0}}},
         {3}},
        {"the victim in DisruptedPods is treated as non-violating",
         {"node1"},
         {app("p1.1", "node1", kMid, kMedium), app("p1.2", "node1", kMid, kMedium),
          app("p1.3", "node1", kMid, kMedium)},
         {high(kVeryLarge)},
         extra::fit,
         code::success,
         {make_pdb(1, {"p1.3"})},
         {},
         {0},
         {{{"node1", {"p1.1", "p1.2", "p1.3"}, 1}}},
         {4}},
        {"all nodes are possible candidates, but DefaultPreemptionArgs limits to 2",
         five,
         five_mid,
         {high(kLarge)},
         extra::fit,
         code::success,
         {},
         {40, 1},
         {4},
         {{{"node1", {"p1"}, 0}, {"node5", {"p5"}, 0}}},
         {4}},
        {"some nodes are not possible candidates, DefaultPreemptionArgs limits to 2",
         five,
         {on("p1", "node1", kMid, kLarge), on("p2", "node2", kVeryHigh, kLarge),
          on("p3", "node3", kMid, kLarge), on("p4", "node4", kMid, kLarge),
          on("p5", "node5", kVeryHigh, kLarge)},
         {high(kLarge)},
         extra::fit,
         code::success,
         {},
         {40, 1},
         {4},
         {{{"node1", {"p1"}, 0}, {"node3", {"p3"}, 0}}},
         {4}},
        {"preemption offset across multiple scheduling cycles and wrap around",
         five,
         five_mid,
         {high(kLarge), high(kLarge), high(kLarge)},
         extra::fit,
         code::success,
         {},
         {40, 1},
         {4, 1, 3},
         {{{"node1", {"p1"}, 0}, {"node5", {"p5"}, 0}},
          {{"node2", {"p2"}, 0}, {"node3", {"p3"}, 0}},
          {{"node4", {"p4"}, 0}, {"node5", {"p5"}, 0}}},
         {4, 4, 4}},
        {"preemption looks past numCandidates until a non-PDB violating node is found",
         five,
         {app("p1", "node1", kMid, kLarge), app("p2", "node2", kMid, kLarge),
          on("p3", "node3", kMid, kLarge), on("p4", "node4", kMid, kLarge),
          app("p5", "node5", kMid, kLarge)},
         {high(kLarge)},
         extra::fit,
         code::success,
         {make_pdb(0)},
         {40, 2},
         {4},
         {{{"node1", {"p1"}, 1}, {"node3", {"p3"}, 0}, {"node5", {"p5"}, 1}}},
         {8}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        fixture fx;
        for (const auto& n : c.nodes) {
            fx.add_node(make_test_node(n, kVeryLarge));
        }
        for (const auto& p : c.init_pods) {
            fx.add_pod(p);
        }
        std::vector<std::unique_ptr<framework::plugin>> plugins;
        auto counted = std::make_unique<fixed_filter>(c.fake_code);
        const fixed_filter* counter = counted.get();
        plugins.push_back(std::move(counted));
        if (c.plugin == extra::fit) {
            plugins.push_back(std::make_unique<fit_filter>());
        } else if (c.plugin == extra::false_filter) {
            plugins.push_back(std::make_unique<fixed_filter>(code::unschedulable, "FalseFilter"));
        } else if (c.plugin == extra::label_conflict) {
            plugins.push_back(std::make_unique<label_conflict>());
        }
        fx.build(std::move(plugins));
        std::vector<pdb_ptr> pdbs;
        for (const auto& b : c.pdbs) {
            pdbs.push_back(std::make_shared<const api::pod_disruption_budget>(b));
        }
        default_preemption pl(c.args, *fx.handle, 1);
        const auto nodes = fx.all();
        int prev_calls = 0;
        for (std::size_t cycle = 0; cycle < c.test_pods.size(); ++cycle) {
            INFO("cycle " << cycle);
            const auto pod =
                framework::make_pod_info(std::make_shared<const api::pod>(c.test_pods[cycle]));
            const auto state = fx.pre_filter(*pod);
            const std::int32_t n = pl.num_candidates(static_cast<std::int32_t>(nodes.size()));
            const auto got = pl.dry_run_preemption(state, *pod, nodes, pdbs, c.offsets[cycle], n);
            CHECK(sorted(got.candidates) == c.want[cycle]);
            CHECK(counter->calls - prev_calls == c.want_filter_calls[cycle]);
            prev_calls = counter->calls;
        }
    }
}

// The dry run works on copies: the cycle state and the cluster's nodes are left as they were.
TEST_CASE("default_preemption.dry_run_leaves_state_and_nodes_alone") {
    fixture fx;
    fx.add_node(make_test_node("node1", kVeryLarge));
    fx.add_pod(make_test_pod("v", "node1", kLow, kSmall).label("foo", "").obj());
    std::vector<std::unique_ptr<framework::plugin>> plugins;
    plugins.push_back(std::make_unique<label_conflict>());
    fx.build(std::move(plugins));
    default_preemption pl({}, *fx.handle, 1);
    const auto pod = make_test_pod("p", "", kHigh).label("foo", "").info();
    const auto state = fx.pre_filter(*pod);
    const auto got = pl.dry_run_preemption(state, *pod, fx.all(), {}, 0, 1);
    REQUIRE(got.candidates.size() == 1);
    CHECK(names_of(got.candidates[0].victims) == std::vector<std::string>{"v"});
    CHECK(state.read<label_conflict::state>(label_conflict::kKey)->count.at("node1") == 1);
    CHECK(fx.node("node1")->pods().size() == 1);
}

// A node where the preemptor fits with every pod back is an error, not a candidate.
TEST_CASE("default_preemption.dry_run_without_victims_is_an_error") {
    fixture fx;
    fx.add_node(make_test_node("node1", kVeryLarge));
    fx.add_pod(make_test_pod("v", "node1", kLow).obj());
    fx.build({});
    default_preemption pl({}, *fx.handle, 1);
    const auto pod = make_test_pod("p", "", kHigh).info();
    const auto got = pl.dry_run_preemption(framework::cycle_state(), *pod, fx.all(), {}, 0, 1);
    CHECK(got.candidates.empty());
    REQUIRE(got.statuses.size() == 1);
    CHECK(got.statuses[0].verdict.code() == code::error);
    CHECK(got.errors ==
          std::vector<std::string>{"expected at least one victim pod on node \"node1\""});
}

// Victims come back most important first, also across the PDB groups (k/k #128307).
TEST_CASE("default_preemption.victims_most_important_first") {
    fixture fx;
    fx.add_node(make_test_node("node1", kNone, "1"));
    fx.add_pod(make_test_pod("high", "node1", kHigh).label("app", "bar").obj());
    fx.add_pod(make_test_pod("low", "node1", kLow).label("app", "foo").obj());
    std::vector<std::unique_ptr<framework::plugin>> plugins;
    plugins.push_back(std::make_unique<fit_filter>());
    fx.build(std::move(plugins));
    default_preemption pl({}, *fx.handle, 1);
    const auto pod = make_test_pod("p", "", kVeryHigh).info();
    framework::cycle_state state;
    framework::node_info copy = *fx.node("node1");
    const std::vector<pdb_ptr> pdbs = {
        std::make_shared<const api::pod_disruption_budget>(make_pdb(0))};
    const auto v = pl.select_victims_on_node(state, *pod, copy, pdbs);
    REQUIRE(v.status.is_success());
    CHECK(names_of(v.victims) == std::vector<std::string>{"high", "low"});
    CHECK(v.num_pdb_violations == 1);
}

TEST_CASE("default_preemption.split_by_pdb_violation") {
    struct test_case {
        std::string name;
        std::vector<api::pod> pods;
        std::vector<api::pod_disruption_budget> pdbs;
        std::vector<std::string> want_violating;
        std::vector<std::string> want_non_violating;
    };
    const auto app = [](std::string name, std::string ns = "default") {
        return make_test_pod(name, "", kLow).ns(ns).label("app", "foo").obj();
    };
    const auto other_ns = [] {
        auto b = make_pdb(0);
        b.meta.ns = "other";
        return b;
    };
    const std::vector<test_case> cases = {
        {"no budgets", {app("a"), app("b")}, {}, {}, {"a", "b"}},
        {"budget of one: the second pod violates",
         {app("a"), app("b")},
         {make_pdb(1)},
         {"b"},
         {"a"}},
        {"pods without labels match nothing",
         {make_test_pod("a", "", kLow).obj()},
         {make_pdb(0)},
         {},
         {"a"}},
        {"other namespace", {app("a")}, {other_ns()}, {}, {"a"}},
        {"disrupted pods do not use up the budget",
         {app("a"), app("b")},
         {make_pdb(1, {"a"})},
         {},
         {"a", "b"}},
        {"two budgets", {app("a")}, {make_pdb(5), make_pdb(0)}, {"a"}, {}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        std::vector<pod_ptr> pods;
        for (const auto& p : c.pods) {
            pods.push_back(framework::make_pod_info(std::make_shared<const api::pod>(p)));
        }
        std::vector<pdb_ptr> pdbs;
        for (const auto& b : c.pdbs) {
            pdbs.push_back(std::make_shared<const api::pod_disruption_budget>(b));
        }
        const auto [violating, non_violating] = split_by_pdb_violation(pods, pdbs);
        CHECK(names_of(violating) == c.want_violating);
        CHECK(names_of(non_violating) == c.want_non_violating);
    }
}

TEST_CASE("default_preemption.usable_pdbs") {
    cache::cluster_objects objects;
    const auto add = [&](std::string name, std::optional<api::label_selector> sel) {
        auto b = make_pdb(1);
        b.meta.name = name;
        b.selector = std::move(sel);
        objects.pdbs.upsert("default/" + name,
                            std::make_shared<const api::pod_disruption_budget>(b));
    };
    add("nil", std::nullopt);
    add("empty", api::label_selector{});
    add("invalid", testing::selector_in("app", {}));  // In needs values
    add("valid", testing::selector_labels({{"app", "foo"}}));
    add("expression", testing::selector_exists("app"));
    std::vector<std::string> names;
    for (const auto& p : usable_pdbs(objects)) {
        names.push_back(p->meta.name);
    }
    CHECK(names == std::vector<std::string>{"expression", "valid"});
}

TEST_CASE("default_preemption.more_important_pod") {
    struct test_case {
        std::string name;
        api::pod a, b;
        bool want;
    };
    const auto at = [](std::int32_t prio, std::string created) {
        return make_test_pod("x", "", prio).created(created).obj();
    };
    const std::vector<test_case> cases = {
        {"higher priority", at(kHigh, ""), at(kLow, "1970-01-01T00:00:00Z"), true},
        {"lower priority", at(kLow, "1970-01-01T00:00:00Z"), at(kHigh, ""), false},
        {"no priority is 0", make_test_pod("x", "", kLow).obj(),
         [] {
             auto p = make_test_pod("y", "", kLow).obj();
             p.priority.reset();
             return p;
         }(),
         false},
        {"earlier start", at(kMid, "2024-01-01T00:00:00Z"), at(kMid, "2024-01-02T00:00:00Z"), true},
        {"later start", at(kMid, "2024-01-02T00:00:00Z"), at(kMid, "2024-01-01T00:00:00Z"), false},
        {"unset start is now", at(kMid, ""), at(kMid, "2024-01-01T00:00:00Z"), false},
        {"started before now", at(kMid, "2024-01-01T00:00:00Z"), at(kMid, ""), true},
        {"equal", at(kMid, ""), at(kMid, ""), false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(more_important_pod(c.a, c.b) == c.want);
    }
}

}  // namespace
}  // namespace multisched::plugins::default_preemption
