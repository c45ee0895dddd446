// SPDX-License-Identifier: Apache-2.0
// upstream default_preemption_test.go TestPostFilter and TestPodEligibleToPreemptOthers (v1.30)
// as tables, over a real framework with a resource-fit filter and a failing PreFilter extension.
#include <catch2/catch.hpp>

#include "core/framework/nominator.hpp"
#include "plugins/default_preemption/test_util.hpp"

namespace multisched::plugins::default_preemption {
namespace {

using framework::code;
using namespace test;

const res kNodeRes{"200m", "400"};  // upstream nodeRes

TEST_CASE("default_preemption.post_filter") {
    struct test_case {
        std::string name;
        api::pod pod;
        std::vector<api::pod> pods;
        std::vector<api::node> nodes;
        std::vector<api::pod_disruption_budget> pdbs;
        std::map<std::string, code> statuses;
        code want_code;
        std::string want_message;
        std::string want_nominated;
    };
    const auto one_pod = [](const std::string& n) { return make_test_node(n, kNone, "1"); };
    const auto pdb = [](std::string name, std::string value, std::int32_t allowed) {
        api::pod_disruption_budget b;
        b.meta.name = std::move(name);
        b.meta.ns = "default";
        b.selector = testing::selector_labels({{"violating", std::move(value)}});
        b.disruptions_allowed = allowed;
        return b;
    };
    const std::vector<test_case> cases = {
        {"pod with higher priority can be made schedulable",
         make_test_pod("p", "", kHigh).obj(),
         {make_test_pod("p1", "node1", kLow).obj()},
         {one_pod("node1")},
         {},
         {{"node1", code::unschedulable}},
         code::success,
         "",
         "node1"},
        {"pod with tied priority is still unschedulable",
         make_test_pod("p", "", kLow).obj(),
         {make_test_pod("p1", "node1", kLow).obj()},
         {one_pod("node1")},
         {},
         {{"node1", code::unschedulable}},
         code::unschedulable,
         "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
         ""},
        {"preemption should respect filteredNodesStatuses",
         make_test_pod("p", "", kHigh).obj(),
         {make_test_pod("p1", "node1", kLow).obj()},
         {one_pod("node1")},
         {},
         {{"node1", code::unschedulable_and_unresolvable}},
         code::unschedulable,
         "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
         ""},
        {"pod can be made schedulable on one node",
         make_test_pod("p", "", kMid).obj(),
         {make_test_pod("p1", "node1", kHigh).obj(), make_test_pod("p2", "node2", kLow).obj()},
         {one_pod("node1"), one_pod("node2")},
         {},
         {{"node1", code::unschedulable}, {"node2", code::unschedulable}},
         code::success,
         "",
         "node2"},
        {"pod can be made schedulable on minHighestPriority node",
         make_test_pod("p", "", kVeryHigh).obj(),
         {make_test_pod("p1", "node1", kHigh).label("violating", "no").obj(),
          make_test_pod("p2", "node1", kLow).label("violating", "yes").obj(),
          make_test_pod("p3", "node2", kMid).label("violating", "yes").obj()},
         {one_pod("node1"), one_pod("node2")},
         {pdb("violating-pdb", "yes", 0), pdb("non-violating-pdb", "no", 2147483647)},
         {{"node1", code::unschedulable}, {"node2", code::unschedulable}},
         code::success,
         "",
         "node2"},
        {"no candidate nodes found, no enough resource after removing low priority pods",
         make_test_pod("p", "", kHigh, kLarge).obj(),
         {make_test_pod("p1", "node1", kLow).obj(), make_test_pod("p2", "node2", kLow).obj()},
         {make_test_node("node1", kNodeRes), make_test_node("node2", kNodeRes)},
         {},
         {{"node1", code::unschedulable}, {"node2", code::unschedulable}},
         code::unschedulable,
         "preemption: 0/2 nodes are available: 2 Insufficient cpu.",
         ""},
        {"no candidate nodes found with mixed reasons, no lower priority pod and no enough CPU",
         make_test_pod("p", "", kHigh, kLarge).obj(),
         {make_test_pod("p1", "node1", kHigh).obj(), make_test_pod("p2", "node2", kLow).obj(),
          make_test_pod("p3", "node3", kHigh).obj()},
         {one_pod("node1"), make_test_node("node2", kNodeRes), one_pod("node3")},
         {},
         {{"node1", code::unschedulable},
          {"node2", code::unschedulable},
          {"node3", code::unschedulable}},
         code::unschedulable,
         "preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found "
         "for incoming pod.",
         ""},
        // v1.30: nodes without a Filter verdict are potential nodes too.
        {"no candidate nodes found with mixed reason, 2 UnschedulableAndUnresolvable nodes",
         make_test_pod("p", "", kHigh, kLarge).obj(),
         {make_test_pod("p1", "node1", kLow).obj(), make_test_pod("p2", "node2", kLow).obj()},
         {make_test_node("node1", kNodeRes), make_test_node("node2", kNodeRes),
          make_test_node("node3", kNodeRes), make_test_node("node4", kNodeRes)},
         {},
         {{"node3", code::unschedulable_and_unresolvable},
          {"node4", code::unschedulable_and_unresolvable}},
         code::unschedulable,
         "preemption: 0/4 nodes are available: 2 Insufficient cpu, 2 Preemption is not helpful "
         "for scheduling.",
         ""},
        {"only one node but failed with TestPlugin",
         make_test_pod("p", "", kHigh, kLarge).obj(),
         {make_test_pod("p1", "node1", kLow).obj()},
         {testing::make_node()
              .name("node1")
              .alloc({{"cpu", "300m"}, {"memory", "300"}, {"pods", "32"}})
              .label("error", "true")
              .obj()},
         {},
         {{"node1", code::unschedulable}},
         code::error,
         "preemption: running RemovePod plugin \"test-plugin\": failed to remove pod: p",
         ""},
        {"one failed with TestPlugin and the other pass",
         make_test_pod("p", "", kHigh, kLarge).obj(),
         {make_test_pod("p1", "node1", kLow).obj(),
          make_test_pod("p2", "node2", kLow, kMedium).obj()},
         {testing::make_node()
              .name("node1")
              .alloc({{"cpu", "300m"}, {"memory", "300"}, {"pods", "32"}})
              .label("error", "true")
              .obj(),
          make_test_node("node2", kLarge)},
         {},
         {{"node1", code::unschedulable}, {"node2", code::unschedulable}},
         code::success,
         "",
         "node2"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        fixture fx;
        for (const auto& n : c.nodes) {
            fx.add_node(n);
        }
        for (const auto& p : c.pods) {
            fx.add_pod(p);
        }
        for (const auto& b : c.pdbs) {
            fx.handle->cluster_objects.pdbs.upsert(
                b.meta.ns + "/" + b.meta.name,
                std::make_shared<const api::pod_disruption_budget>(b));
        }
        std::vector<std::unique_ptr<framework::plugin>> plugins;
        plugins.push_back(std::make_unique<fit_filter>());
        plugins.push_back(std::make_unique<failing_extension>());
        fx.build(std::move(plugins));
        default_preemption pl({}, *fx.handle, 1);
        const auto pod = framework::make_pod_info(std::make_shared<const api::pod>(c.pod));
        auto state = fx.pre_filter(*pod);
        const auto statuses = fx.statuses(c.statuses);
        framework::post_filter_result result;
        result.nominated_node_name = "untouched";
        const auto s = pl.post_filter(state, *pod, statuses, result);
        CHECK(s.code() == c.want_code);
        CHECK(s.message() == c.want_message);
        CHECK(result.nominated_node_name == c.want_nominated);
        CHECK(fx.handle->writes.size() == (c.want_code == code::success ? 1u : 0u));
    }
}

TEST_CASE("default_preemption.pod_eligible_to_preempt_others") {
    struct test_case {
        std::string name;
        api::pod pod;
        std::vector<api::pod> pods;
        std::vector<std::string> nodes;
        std::optional<code> nominated_status;  // the verdict on the nominated node, if any
        bool want;
    };
    const auto terminating_victim = [] {
        api::pod p = make_test_pod("p1", "node1", kLow).deleting().obj();
        p.conditions.push_back({"DisruptionTarget", "True", "PreemptionByScheduler", "m"});
        return p;
    };
    const std::vector<test_case> cases = {
        {"pod with nominated node whose verdict is unresolvable",
         make_test_pod("p", "", kHigh).nominated("node1").obj(),
         {terminating_victim()},
         {"node1"},
         code::unschedulable_and_unresolvable,
         true},
        {"pod without nominated node", make_test_pod("p", "", kHigh).obj(), {}, {}, {}, true},
        {"preemption victim pod terminating, as indicated by the DisruptionTarget condition",
         make_test_pod("p", "", kHigh).nominated("node1").obj(),
         {terminating_victim()},
         {"node1"},
         {},
         false},
        {"the same with an Unschedulable verdict on the nominated node",
         make_test_pod("p", "", kHigh).nominated("node1").obj(),
         {terminating_victim()},
         {"node1"},
         code::unschedulable,
         false},
        {"non-victim pods terminating",
         make_test_pod("p", "", kHigh).nominated("node1").obj(),
         {make_test_pod("p1", "node1", kLow).deleting().obj()},
         {"node1"},
         {},
         true},
        {"terminating victim of equal priority",
         make_test_pod("p", "", kLow).nominated("node1").obj(),
         {terminating_victim()},
         {"node1"},
         {},
         true},
        {"nominated node unknown",
         make_test_pod("p", "", kHigh).nominated("gone").obj(),
         {terminating_victim()},
         {"node1"},
         {},
         true},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        fixture fx;
        for (const auto& n : c.nodes) {
            fx.add_node(make_test_node(n, kNone));
        }
        for (const auto& p : c.pods) {
            fx.add_pod(p);
        }
        fx.build({});
        default_preemption pl({}, *fx.handle, 1);
        std::optional<framework::status> verdict;
        if (c.nominated_status) {
            verdict.emplace(*c.nominated_status, "some reason");
        }
        const std::string why =
            pl.not_eligible_reason(c.pod, c.pod.nominated_node_name, verdict ? &*verdict : nullptr);
        CHECK(why.empty() == c.want);
    }
}

TEST_CASE("default_preemption.post_filter_not_eligible_keeps_nomination") {
    fixture fx;
    fx.add_node(make_test_node("node1", kNone, "1"));
    api::pod victim = make_test_pod("v", "node1", kLow).deleting().obj();
    victim.conditions.push_back({"DisruptionTarget", "True", "PreemptionByScheduler", "m"});
    fx.add_pod(victim);
    fx.build({});
    default_preemption pl({}, *fx.handle, 1);

    // Nominated in status, or only in memory (the status patch has not come back yet).
    for (const bool in_status : {true, false}) {
        INFO(in_status);
        auto b = make_test_pod("p", "", kHigh);
        if (in_status) {
            b.nominated("node1");
        }
        const auto pod = b.info();
        fx.handle->nominations.add(pod, "node1");
        framework::cycle_state state;
        const auto statuses = fx.statuses({{"node1", code::unschedulable}});
        framework::post_filter_result result;
        const auto s = pl.post_filter(state, *pod, statuses, result);
        CHECK(s.code() == code::unschedulable);
        CHECK(s.message() ==
              "preemption: not eligible due to a terminating pod on the nominated node.");
        CHECK(result.nominated_node_name == "node1");
        CHECK(fx.handle->writes.empty());
    }
}

TEST_CASE("default_preemption.post_filter_without_nodes_is_an_error") {
    fixture fx;
    fx.build({});
    default_preemption pl({}, *fx.handle, 1);
    const auto pod = make_test_pod("p", "", kHigh).info();
    framework::cycle_state state;
    framework::post_filter_result result;
    const auto s = pl.post_filter(state, *pod, {}, result);
    CHECK(s.code() == code::error);
    CHECK(s.message() == "preemption: no nodes available");
}

}  // namespace
}  // namespace multisched::plugins::default_preemption
