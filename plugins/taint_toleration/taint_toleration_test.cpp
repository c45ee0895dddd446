// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/tainttoleration/taint_toleration_test.go (v1.30: TestTaintTolerationFilter and
// TestTaintTolerationScore, without the later Gt/Lt comparison-operator cases), as tables, plus
// the edges of DefaultNormalizeScore and the error paths.
#include "plugins/taint_toleration/taint_toleration.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::taint_toleration {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;
using multisched::testing::node_builder;
using multisched::testing::pod_builder;

constexpr std::int64_t kMax = framework::kMaxNodeScore;

TEST_CASE("taint_toleration.filter") {
    struct test_case {
        std::string name;
        pod_builder pod;
        node_builder node;
        std::string want_reason;  // empty: success
    };
    const std::vector<test_case> cases = {
        {"A pod having no tolerations can't be scheduled onto a node with nonempty taints",
         make_pod(), make_node().taint("dedicated", "user1", "NoSchedule"),
         "node(s) had untolerated taint {dedicated: user1}"},
        {"A pod which can be scheduled on a dedicated node assigned to user1 with effect "
         "NoSchedule",
         make_pod().toleration("dedicated", "", "user1", "NoSchedule"),
         make_node().taint("dedicated", "user1", "NoSchedule"), ""},
        {"A pod which can't be scheduled on a dedicated node assigned to user2 with effect "
         "NoSchedule",
         make_pod().toleration("dedicated", "Equal", "user2", "NoSchedule"),
         make_node().taint("dedicated", "user1", "NoSchedule"),
         "node(s) had untolerated taint {dedicated: user1}"},
        {"A pod can be scheduled onto the node, with a toleration uses operator Exists that "
         "tolerates the taints on the node",
         make_pod().toleration("foo", "Exists", "", "NoSchedule"),
         make_node().taint("foo", "bar", "NoSchedule"), ""},
        {"A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, "
         "pod can be scheduled onto the node",
         make_pod()
             .toleration("dedicated", "Equal", "user2", "NoSchedule")
             .toleration("foo", "Exists", "", "NoSchedule"),
         make_node().taint("dedicated", "user2", "NoSchedule").taint("foo", "bar", "NoSchedule"),
         ""},
        {"A pod has a toleration that keys and values match the taint on the node, but (non-empty) "
         "effect doesn't match, can't be scheduled onto the node",
         make_pod().toleration("foo", "Equal", "bar", "PreferNoSchedule"),
         make_node().taint("foo", "bar", "NoSchedule"), "node(s) had untolerated taint {foo: bar}"},
        {"The pod has a toleration that keys and values match the taint on the node, the effect of "
         "toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto "
         "the node",
         make_pod().toleration("foo", "Equal", "bar"),
         make_node().taint("foo", "bar", "NoSchedule"), ""},
        {"The pod has a toleration that key and value don't match the taint on the node, but the "
         "effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
         make_pod().toleration("dedicated", "Equal", "user2", "NoSchedule"),
         make_node().taint("dedicated", "user1", "PreferNoSchedule"), ""},
        {"The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can "
         "be scheduled onto the node",
         make_pod(), make_node().taint("dedicated", "user1", "PreferNoSchedule"), ""},
        // Ours: the reason format and the taint that is reported.
        {"an empty taint value prints as {key: }", make_pod(),
         make_node().taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"),
         "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"},
        {"a NoExecute taint is checked too", make_pod().toleration("a", "Exists", "", "NoSchedule"),
         make_node().taint("a", "x", "NoExecute"), "node(s) had untolerated taint {a: x}"},
        {"the first untolerated taint in node order is reported", make_pod().toleration("a"),
         make_node()
             .taint("p", "1", "PreferNoSchedule")
             .taint("a", "1", "NoSchedule")
             .taint("b", "2", "NoExecute")
             .taint("c", "3", "NoSchedule"),
         "node(s) had untolerated taint {b: 2}"},
        {"an empty key with Exists tolerates every taint", make_pod().toleration(""),
         make_node().taint("a", "1", "NoSchedule").taint("b", "2", "NoExecute"), ""},
        {"a node without taints", make_pod(), make_node(), ""},
    };
    taint_toleration plugin;
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            framework::cycle_state state;
            const auto pod = pod_builder(c.pod).name("pod1").info();
            const auto ni = make_node_info(node_builder(c.node).name("nodeA").obj());
            const auto st = plugin.filter(state, *pod, ni);
            if (c.want_reason.empty()) {
                CHECK(st.is_success());
            } else {
                CHECK(st.code() == framework::code::unschedulable_and_unresolvable);
                CHECK(st.message() == c.want_reason);
            }
        }
    }
}

TEST_CASE("taint_toleration.filter_missing_node") {
    taint_toleration plugin;
    framework::cycle_state state;
    const framework::node_info ni("ghost");
    const auto st = plugin.filter(state, *make_pod().info(), ni);
    CHECK(st.code() == framework::code::error);
    CHECK(st.message() == "invalid nodeInfo");
}

// PreScore, Score for each node, then NormalizeScore, as framework::run_score does.
std::vector<std::int64_t> run_score(const pod_builder& pod_b,
                                    const std::vector<node_builder>& nodes) {
    taint_toleration plugin;
    const auto pod = pod_builder(pod_b).name("pod1").info();
    std::vector<framework::node_info> infos;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        infos.push_back(make_node_info(node_builder(nodes[i]).name("n" + std::to_string(i)).obj()));
    }
    std::vector<const framework::node_info*> ptrs;
    for (const auto& ni : infos) {
        ptrs.push_back(&ni);
    }
    framework::cycle_state state;
    REQUIRE(plugin.pre_score(state, *pod, ptrs).is_success());
    std::vector<std::int64_t> scores(infos.size(), -1);
    for (std::size_t i = 0; i < infos.size(); ++i) {
        REQUIRE(plugin.score(state, *pod, infos[i], scores[i]).is_success());
    }
    REQUIRE(plugin.has_normalize());
    REQUIRE(plugin.normalize_score(state, *pod, ptrs, scores).is_success());
    return scores;
}

TEST_CASE("taint_toleration.score") {
    struct test_case {
        std::string name;
        pod_builder pod;
        std::vector<node_builder> nodes;
        std::vector<std::int64_t> want;
    };
    const auto pns = "PreferNoSchedule";
    const std::vector<test_case> cases = {
        {"node with taints tolerated by the pod, gets a higher score than those node with "
         "intolerable taints",
         make_pod().toleration("foo", "Equal", "bar", pns),
         {make_node().taint("foo", "bar", pns), make_node().taint("foo", "blah", pns)},
         {kMax, 0}},
        {"the nodes that all of their taints are tolerated by the pod, get the same score, no "
         "matter how many tolerable taints a node has",
         make_pod()
             .toleration("cpu-type", "Equal", "arm64", pns)
             .toleration("disk-type", "Equal", "ssd", pns),
         {make_node(), make_node().taint("cpu-type", "arm64", pns),
          make_node().taint("cpu-type", "arm64", pns).taint("disk-type", "ssd", pns)},
         {kMax, kMax, kMax}},
        {"the more intolerable taints a node has, the lower score it gets.",
         make_pod().toleration("foo", "Equal", "bar", pns),
         {make_node(), make_node().taint("cpu-type", "arm64", pns),
          make_node().taint("cpu-type", "arm64", pns).taint("disk-type", "ssd", pns)},
         {kMax, 50, 0}},
        {"only taints and tolerations that have effect PreferNoSchedule are checked by "
         "taints-tolerations priority function",
         make_pod()
             .toleration("cpu-type", "Equal", "arm64", "NoSchedule")
             .toleration("disk-type", "Equal", "ssd", "NoSchedule"),
         {make_node(), make_node().taint("cpu-type", "arm64", "NoSchedule"),
          make_node().taint("cpu-type", "arm64", pns).taint("disk-type", "ssd", pns)},
         {kMax, kMax, 0}},
        {"Default behaviour No taints and tolerations, lands on node with no taints",
         make_pod(),
         {make_node(), make_node().taint("cpu-type", "arm64", pns)},
         {kMax, 0}},
        // Ours: empty-effect tolerations count, and the integer division of the normalization.
        {"a toleration with an empty effect tolerates PreferNoSchedule taints",
         make_pod().toleration("foo"),
         {make_node().taint("foo", "x", pns), make_node().taint("bar", "x", pns)},
         {kMax, 0}},
        {"scaling truncates before reversing",
         make_pod(),
         {make_node().taint("a", "", pns),
          make_node().taint("a", "", pns).taint("b", "", pns).taint("c", "", pns), make_node()},
         {67, 0, kMax}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            CHECK(run_score(c.pod, c.nodes) == c.want);
        }
    }
}

TEST_CASE("taint_toleration.score_errors") {
    taint_toleration plugin;
    const auto pod = make_pod().info();
    framework::cycle_state state;
    std::int64_t score = -1;

    SECTION("PreScore did not run") {
        const auto ni = make_node_info(make_node().name("n").obj());
        const auto st = plugin.score(state, *pod, ni, score);
        CHECK(st.code() == framework::code::error);
        CHECK(st.message() ==
              "failed to read \"PreScoreTaintToleration\" from cycleState: not found");
    }
    SECTION("missing node object") {
        REQUIRE(plugin.pre_score(state, *pod, {}).is_success());
        const framework::node_info ni("ghost");
        const auto st = plugin.score(state, *pod, ni, score);
        CHECK(st.code() == framework::code::error);
        CHECK(st.message() ==
              "getting node \"ghost\" from Snapshot: nodeinfo not found for node name \"ghost\"");
    }
}

TEST_CASE("taint_toleration.events") {
    const auto events = taint_toleration{}.events_to_register();
    REQUIRE(events.size() == 1);
    CHECK(events[0].resource == framework::event_resource::node);
    CHECK(events[0].actions == (framework::action_add | framework::action_update_node_taint |
                                framework::action_update_node_label));
}

TEST_CASE("taint_toleration.make") {
    testing::fake_handle h;
    for (const auto* args : {"", "{}", "{anything: 1}"}) {
        DYNAMIC_SECTION("args: '" << args << "'") {
            auto p = make(YAML::Load(args), h);
            REQUIRE(p.has_value());
            CHECK((*p)->name() == "TaintToleration");
        }
    }
}

}  // namespace
}  // namespace multisched::plugins::taint_toleration
