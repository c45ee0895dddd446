// SPDX-License-Identifier: Apache-2.0
// Upstream filtering_test.go (v1.30 semantics, all feature gates on): TestSingleConstraint (with
// the minDomains cases), TestMultipleConstraints and TestPreFilterDisabled as tables of Filter
// codes per node; reasons are checked for every rejection.
#include <algorithm>
#include <map>

#include <catch2/catch.hpp>

#include "plugins/pod_topology_spread/test_helpers.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): test vocabulary

constexpr auto kOK = framework::code::success;
constexpr auto kNo = framework::code::unschedulable;
constexpr auto kNoLabel = framework::code::unschedulable_and_unresolvable;
constexpr auto kHonor = "Honor";
constexpr auto kIgnore = "Ignore";

api::pod fp(const std::string& name, const std::string& node, const std::string& ns = "") {
    return ep(name, node, {{"foo", ""}}, ns);
}

std::vector<api::node> nodes_abxy() {
    return {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj(), zn("node-x", "zone2").obj(),
            zn("node-y", "zone2").obj()};
}

// Nodes with only the "node" label, and foo="" on those listed in `foo_nodes`.
std::vector<api::node> node_only(const std::vector<std::string>& names,
                                 const std::vector<std::string>& foo_nodes = {}) {
    std::vector<api::node> out;
    for (const auto& n : names) {
        auto b = make_node().name(n).label("node", n);
        if (std::find(foo_nodes.begin(), foo_nodes.end(), n) != foo_nodes.end()) {
            b.label("foo", "");
        }
        out.push_back(b.obj());
    }
    return out;
}

api::node tainted(api::node n) {
    n.taints.push_back({std::string(kUnschedulableTaint), "", "NoSchedule"});
    return n;
}

api::node with_foo(api::node n) {
    n.meta.labels.set("foo", "");
    return n;
}

struct test_case {
    std::string name;
    api::pod pod;
    std::vector<api::node> nodes;
    std::vector<api::pod> pods;
    std::map<std::string, framework::code> want;
};

void run(const test_case& c) {
    multisched::testing::fake_handle h;
    auto plugin = list_plugin(h);
    const cluster cl(c.nodes, c.pods);
    framework::cycle_state state;
    framework::pre_filter_result result;
    const auto pod = info(c.pod);
    REQUIRE(plugin.pre_filter(state, *pod, cl.all, result).is_success());
    for (const auto& ni : cl.infos) {
        INFO(ni.name());
        const auto st = plugin.filter(state, *pod, ni);
        CHECK(st.code() == c.want.at(ni.name()));
        if (st.code() == kNo) {
            CHECK(st.message() == kErrReasonConstraintsNotMatch);
        } else if (st.code() == kNoLabel) {
            CHECK(st.message() == kErrReasonNodeLabelNotMatch);
        }
    }
}

TEST_CASE("pod_topology_spread.filter_single_constraint") {
    const auto p = [] { return make_pod().name("p").label("foo", ""); };
    const auto zone = [&] { return p().spread(tsc(1, "zone", kDNS, foo())); };
    const std::vector<api::pod> pods_2_1_0_3 = {fp("p-a1", "node-a"), fp("p-a2", "node-a"),
                                                fp("p-b1", "node-b"), fp("p-y1", "node-y"),
                                                fp("p-y2", "node-y"), fp("p-y3", "node-y")};
    const std::vector<api::pod> pods_2_2_1 = {fp("p-a1", "node-a"), fp("p-a2", "node-a"),
                                              fp("p-b1", "node-b"), fp("p-b2", "node-b"),
                                              fp("p-c1", "node-c")};
    const std::vector<api::pod> pods_1_1_0_1 = {fp("p-b1", "node-a"), fp("p-b2", "node-b"),
                                                fp("p-y1", "node-y")};
    const auto all_ok = std::map<std::string, framework::code>{
        {"node-a", kOK}, {"node-b", kOK}, {"node-x", kOK}, {"node-y", kOK}};
    const std::vector<std::string> abxy = {"node-a", "node-b", "node-x", "node-y"};
    const std::
        vector<test_case>
            cases =
                {
                    {"no existing pods", zone().obj(), nodes_abxy(), {}, all_ok},
                    {"no existing pods, incoming pod doesn't match itself",
                     p().spread(tsc(1, "zone", kDNS, bar())).obj(),
                     nodes_abxy(),
                     {},
                     all_ok},
                    {"existing pods in a different namespace do not count",
                     zone().obj(),
                     nodes_abxy(),
                     {fp("p-a1", "node-a", "ns1"), fp("p-b1", "node-a", "ns2"),
                      fp("p-x1", "node-x"), fp("p-y1", "node-y")},
                     {{"node-a", kOK}, {"node-b", kOK}, {"node-x", kNo}, {"node-y", kNo}}},
                    {"existing pods do not match null selector",
                     p().spread(tsc(1, "zone", kDNS, std::nullopt)).obj(),
                     nodes_abxy(),
                     {fp("p-x1", "node-x"), fp("p-y1", "node-y")},
                     all_ok},
                    {"pods spread across zones as 3/3, all nodes fit", zone().obj(), nodes_abxy(),
                     pods_2_1_0_3, all_ok},
                    {"pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
                     zone().obj(),
                     {zn("node-a", "zone1").obj(),
                      make_node().name("node-b").label("zon", "zone1").obj(),
                      zn("node-x", "zone2").obj(), zn("node-y", "zone2").obj()},
                     {fp("p-a1", "node-a"), fp("p-b1", "node-b"), fp("p-x1", "node-x"),
                      fp("p-y1", "node-y")},
                     {{"node-a", kOK}, {"node-b", kNoLabel}, {"node-x", kNo}, {"node-y", kNo}}},
                    {"pod cannot be scheduled as all nodes don't have label 'rack'",
                     p().spread(tsc(1, "rack", kDNS, foo())).obj(),
                     {zn("node-a", "zone1").obj(), zn("node-x", "zone2").obj()},
                     {},
                     {{"node-a", kNoLabel}, {"node-x", kNoLabel}}},
                    {"pods spread across nodes as 2/1/0/3, only node-x fits",
                     p().spread(tsc(1, "node", kDNS, foo())).obj(),
                     nodes_abxy(),
                     pods_2_1_0_3,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kNo}}},
                    {"pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
                     p().spread(tsc(2, "node", kDNS, foo())).obj(),
                     nodes_abxy(),
                     pods_2_1_0_3,
                     {{"node-a", kNo}, {"node-b", kOK}, {"node-x", kOK}, {"node-y", kNo}}},
                    {"pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
                     make_pod()
                         .name("p")
                         .label("bar", "")
                         .spread(tsc(1, "node", kDNS, foo()))
                         .obj(),
                     nodes_abxy(),
                     pods_2_1_0_3,
                     {{"node-a", kNo}, {"node-b", kOK}, {"node-x", kOK}, {"node-y", kNo}}},
                    {"incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
                     p().node_affinity(affinity("node", "In", {"node-a", "node-y"}))
                         .spread(tsc(1, "node", kDNS, foo()))
                         .obj(),
                     nodes_abxy(),
                     pods_2_1_0_3,
                     {{"node-a", kOK}, {"node-b", kOK}, {"node-x", kOK}, {"node-y", kNo}}},
                    {"terminating Pods should be excluded",
                     p().spread(tsc(1, "node", kDNS, foo())).obj(),
                     node_only({"node-a", "node-b"}),
                     {[] {
                          auto t = fp("p-a", "node-a");
                          t.meta.deleting = true;
                          return t;
                      }(),
                      fp("p-b", "node-b")},
                     {{"node-a", kOK}, {"node-b", kNo}}},
                    {"incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits",
                     p().node_affinity(affinity("node", "NotIn", {"node-b"}))
                         .spread(tsc(1, "zone", kDNS, foo()))
                         .obj(),
                     nodes_abxy(),
                     {fp("p-b1", "node-b"), fp("p-b2", "node-b"), fp("p-y1", "node-y")},
                     {{"node-a", kOK}, {"node-b", kOK}, {"node-x", kNo}, {"node-y", kNo}}},
                    {"pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < "
                     "minDomains, then the third node fits",
                     p().spread(tsc(2, "node", kDNS, foo(), 4)).obj(),
                     node_only({"node-a", "node-b", "node-c"}),
                     pods_2_2_1,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-c", kOK}}},
                    {"pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > "
                     "minDomains, then the all nodes fit",
                     p().spread(tsc(2, "node", kDNS, foo(), 2)).obj(),
                     node_only({"node-a", "node-b", "node-c"}),
                     pods_2_2_1,
                     {{"node-a", kOK}, {"node-b", kOK}, {"node-c", kOK}}},
                    {"pods spread across zone as 2/1, maxSkew is 2 and the number of domains < "
                     "minDomains, "
                     "then the third and fourth nodes fit",
                     p().spread(tsc(2, "zone", kDNS, foo(), 3)).obj(),
                     nodes_abxy(),
                     pods_1_1_0_1,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kOK}}},
                    {"pods spread across zone as 2/1, maxSkew is 2 and the number of domains > "
                     "minDomains, "
                     "then the all nodes fit",
                     p().spread(tsc(2, "zone", kDNS, foo(), 1)).obj(), nodes_abxy(), pods_1_1_0_1,
                     all_ok},
                    {"NodeAffinityPolicy honored with labelSelectors",
                     p().node_selector("foo", "").spread(tsc(1, "node", kDNS, foo())).obj(),
                     node_only(abxy, {"node-a", "node-b", "node-x"}),
                     pods_1_1_0_1,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kOK}}},
                    {"NodeAffinityPolicy ignored with labelSelectors",
                     p().node_selector("foo", "")
                         .spread(tsc(1, "node", kDNS, foo(), {}, kIgnore))
                         .obj(),
                     node_only(abxy, {"node-a", "node-b", "node-x"}),
                     pods_1_1_0_1,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kNo}}},
                    {"NodeAffinityPolicy honored with nodeAffinity",
                     p().node_affinity(affinity("foo", "In", {""}))
                         .spread(tsc(1, "node", kDNS, foo()))
                         .obj(),
                     node_only(abxy, {"node-a", "node-b", "node-x"}),
                     pods_1_1_0_1,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kOK}}},
                    {"NodeAffinityPolicy ignored with nodeAffinity",
                     p().node_affinity(affinity("foo", "In", {""}))
                         .spread(tsc(1, "node", kDNS, foo(), {}, kIgnore))
                         .obj(),
                     node_only(abxy, {"node-a", "node-b", "node-x"}),
                     pods_1_1_0_1,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kNo}}},
                    {"NodeTaintsPolicy honored",
                     p().spread(tsc(1, "node", kDNS, foo(), {}, {}, kHonor)).obj(),
                     [&] {
                         auto n = node_only(abxy, {"node-a", "node-b", "node-x"});
                         n[3] = tainted(n[3]);
                         return n;
                     }(),
                     pods_1_1_0_1,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kOK}}},
                    {"NodeTaintsPolicy ignored",
                     p().spread(tsc(1, "node", kDNS, foo())).obj(),
                     [&] {
                         auto n = node_only(abxy, {"node-a", "node-b", "node-x"});
                         n[3] = tainted(n[3]);
                         return n;
                     }(),
                     pods_1_1_0_1,
                     {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kNo}}},
                    {"a PreferNoSchedule taint does not exclude a node under NodeTaintsPolicy "
                     "Honor",
                     p().spread(tsc(1, "node", kDNS, foo(), {}, {}, kHonor)).obj(),
                     [&] {
                         auto n = node_only({"node-a", "node-y"});
                         n[1].taints.push_back({"soft", "", "PreferNoSchedule"});
                         return n;
                     }(),
                     {fp("p-y1", "node-y")},
                     {{"node-a", kOK}, {"node-y", kNo}}},
                };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            run(c);
        }
    }
}

TEST_CASE("pod_topology_spread.filter_multiple_constraints") {
    const auto zone_node = [] {
        return make_pod()
            .name("p")
            .label("foo", "")
            .spread(tsc(1, "zone", kDNS, foo()))
            .spread(tsc(1, "node", kDNS, foo()));
    };
    const auto foo_bar = [] {
        return make_pod()
            .name("p")
            .label("foo", "")
            .label("bar", "")
            .spread(tsc(1, "zone", kDNS, foo()))
            .spread(tsc(1, "node", kDNS, bar()));
    };
    const auto fb = [](const std::string& n, const std::string& node) {
        return ep(n, node, {{"foo", ""}, {"bar", ""}});
    };
    const auto b = [](const std::string& n, const std::string& node) {
        return ep(n, node, {{"bar", ""}});
    };
    const auto inclusion_nodes = [](bool a_foo) {
        return std::vector<api::node>{
            with_foo(zn("node-a", "zone1").obj()),
            a_foo ? with_foo(zn("node-b", "zone1").obj()) : zn("node-b", "zone1").obj(),
            with_foo(zn("node-x", "zone2").obj()), zn("node-y", "zone2").obj()};
    };
    const std::vector<api::pod> pods_1_1_0_1 = {fp("p-a1", "node-a"), fp("p-b1", "node-b"),
                                                fp("p-y1", "node-y")};
    const auto none = std::map<std::string, framework::code>{
        {"node-a", kNo}, {"node-b", kNo}, {"node-x", kNo}, {"node-y", kNo}};
    const auto only_x = std::map<std::string, framework::code>{
        {"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kNo}};
    const std::vector<test_case> cases = {
        {"two Constraints on zone and node, spreads = [3/3, 2/1/0/3]",
         zone_node().obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-b1", "node-b"), fp("p-y1", "node-y"),
          fp("p-y2", "node-y"), fp("p-y3", "node-y")},
         only_x},
        {"two Constraints on zone and node, spreads = [3/4, 2/1/0/4]",
         zone_node().obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-b1", "node-b"), fp("p-y1", "node-y"),
          fp("p-y2", "node-y"), fp("p-y3", "node-y"), fp("p-y4", "node-y")},
         none},
        {"Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]",
         foo_bar().obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), b("p-y1", "node-y")},
         only_x},
        {"Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]",
         foo_bar().obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), b("p-x1", "node-x"), b("p-y1", "node-y")},
         none},
        {"Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]",
         foo_bar().obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), fb("p-a2", "node-a"), fp("p-y1", "node-y"), fb("p-y2", "node-y"),
          fp("p-y3", "node-y")},
         {{"node-a", kNo}, {"node-b", kOK}, {"node-x", kNo}, {"node-y", kNo}}},
        {"Constraints hold different labelSelectors but pod doesn't match itself on 'zone' "
         "constraint",
         make_pod()
             .name("p")
             .label("bar", "")
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kDNS, bar()))
             .obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), b("p-x1", "node-x"), b("p-y1", "node-y")},
         {{"node-a", kOK}, {"node-b", kOK}, {"node-x", kNo}, {"node-y", kNo}}},
        {"two Constraints on zone and node, absence of label 'node' on node-x, spreads = [1/1, "
         "1/0/0/1]",
         zone_node().obj(),
         {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj(),
          make_node().name("node-x").label("zone", "zone2").obj(), zn("node-y", "zone2").obj()},
         {fp("p-a1", "node-a"), fp("p-y3", "node-y")},
         {{"node-a", kNo}, {"node-b", kOK}, {"node-x", kNoLabel}, {"node-y", kNo}}},
        {"two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore",
         make_pod()
             .name("p")
             .label("foo", "")
             .node_selector("foo", "")
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kDNS, foo(), {}, kIgnore))
             .obj(),
         inclusion_nodes(true), pods_1_1_0_1, only_x},
        {"two node inclusion Constraints, zone: honor/honor, node: honor/ignore",
         make_pod()
             .name("p")
             .label("foo", "")
             .spread(tsc(1, "zone", kDNS, foo(), {}, {}, kHonor))
             .spread(tsc(1, "node", kDNS, foo()))
             .obj(),
         [&] {
             auto n = inclusion_nodes(true);
             n[3] = tainted(n[3]);
             return n;
         }(),
         pods_1_1_0_1, only_x},
        {"two node inclusion Constraints, zone: honor/ignore, node: honor/ignore",
         make_pod()
             .name("p")
             .label("foo", "")
             .node_selector("foo", "")
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kDNS, foo()))
             .obj(),
         [&] {
             auto n = inclusion_nodes(false);
             n[3] = tainted(with_foo(n[3]));
             return n;
         }(),
         pods_1_1_0_1,
         {{"node-a", kNo}, {"node-b", kOK}, {"node-x", kOK}, {"node-y", kNo}}},
        {"two node inclusion Constraints, zone: honor/honor, node: ignore/ignore",
         make_pod()
             .name("p")
             .label("foo", "")
             .node_selector("foo", "")
             .spread(tsc(1, "zone", kDNS, foo(), {}, {}, kHonor))
             .spread(tsc(1, "node", kDNS, foo(), {}, kIgnore))
             .obj(),
         [&] {
             auto n = inclusion_nodes(false);
             n[3] = tainted(with_foo(n[3]));
             return n;
         }(),
         pods_1_1_0_1, only_x},
        {"two Constraints on zone, spreads = [3/3, 2/1]",
         make_pod()
             .name("p")
             .label("foo", "")
             .label("bar", "")
             .spread(tsc(1, "zone", kDNS, bar()))
             .spread(tsc(1, "zone", kDNS, foo()))
             .obj(),
         nodes_abxy(),
         {fb("p-a1", "node-a"), fp("p-a2", "node-a"), fb("p-b1", "node-b"), fp("p-y1", "node-y"),
          fb("p-y2", "node-y"), fp("p-y3", "node-y")},
         {{"node-a", kNo}, {"node-b", kNo}, {"node-x", kOK}, {"node-y", kOK}}},
        {"two Constraints on zone, spreads = [3/4, 2/1]",
         make_pod()
             .name("p")
             .label("foo", "")
             .label("bar", "")
             .spread(tsc(1, "zone", kDNS, bar()))
             .spread(tsc(1, "zone", kDNS, foo()))
             .obj(),
         nodes_abxy(),
         {fb("p-a1", "node-a"), fp("p-a2", "node-a"), fb("p-b1", "node-b"), fp("p-y1", "node-y"),
          fb("p-y2", "node-y"), fp("p-y3", "node-y"), fp("p-y4", "node-y")},
         none},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            run(c);
        }
    }
}

TEST_CASE("pod_topology_spread.filter_errors") {
    multisched::testing::fake_handle h;
    auto plugin = list_plugin(h);
    const auto pod = info(make_pod().name("p").obj());
    const cluster cl({zn("node-a", "zone1").obj()}, {});
    framework::cycle_state state;
    // TestPreFilterDisabled: Filter without PreFilter state is an error.
    const auto st = plugin.filter(state, *pod, cl.get("node-a"));
    CHECK(st.code() == framework::code::error);
    CHECK(st.message() == "reading \"PreFilterPodTopologySpread\" from cycleState: not found");
    // A node_info whose node object is gone.
    const framework::node_info ghost("ghost");
    CHECK(plugin.filter(state, *pod, ghost).code() == framework::code::error);
    // PreFilter skips nodes without a node object.
    const auto spread =
        info(make_pod().name("p").label("foo", "").spread(tsc(1, "zone", kDNS, foo())).obj());
    std::vector<const framework::node_info*> nodes = {&ghost, cl.all[0]};
    framework::pre_filter_result result;
    REQUIRE(plugin.pre_filter(state, *spread, nodes, result).is_success());
    CHECK(plugin.filter(state, *spread, cl.get("node-a")).is_success());
}

}  // namespace
}  // namespace multisched::plugins::pod_topology_spread
