// SPDX-License-Identifier: Apache-2.0
// Upstream scoring_test.go (v1.30 semantics, all feature gates on): TestPreScoreSkip,
// TestPreScoreStateEmptyNodes and TestPodTopologySpreadScore (default constraints and system
// defaulting included) as tables; scores are checked after NormalizeScore.
#include <cmath>
#include <map>

#include <catch2/catch.hpp>

#include "plugins/pod_topology_spread/test_helpers.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): test vocabulary

constexpr auto kHostname = "kubernetes.io/hostname";
constexpr auto kHonor = "Honor";
constexpr auto kIgnore = "Ignore";

api::pod fp(const std::string& name, const std::string& node, const std::string& ns = "") {
    return ep(name, node, {{"foo", ""}}, ns);
}

// A node labelled kubernetes.io/hostname=<name>, and zone=<zone> when given.
api::node hn(const std::string& name, const std::string& zone = "") {
    auto b = make_node().name(name).label(kHostname, name);
    if (!zone.empty()) {
        b.label("zone", zone);
    }
    return b.obj();
}

// A node labelled node=<name>, plus foo="" when asked.
api::node nn(const std::string& name, bool foo_label = false) {
    auto b = make_node().name(name).label("node", name);
    if (foo_label) {
        b.label("foo", "");
    }
    return b.obj();
}

api::node with_foo(api::node n) {
    n.meta.labels.set("foo", "");
    return n;
}

double weight(std::size_t size) {
    return std::log(static_cast<double>(size + 2));
}

pod_topology_spread_args args_of(std::string_view type,
                                 std::vector<api::topology_spread_constraint> defaults = {}) {
    pod_topology_spread_args a;
    a.defaulting_type = std::string(type);
    a.default_constraints = std::move(defaults);
    return a;
}

TEST_CASE("pod_topology_spread.pre_score_state") {
    struct test_case {
        std::string name;
        api::pod pod;
        std::vector<api::node> nodes;
        pod_topology_spread_args args;
        api::label_selector owner;
        std::vector<std::string> want_keys;
        std::vector<std::map<std::string, std::int64_t>> want_counts;
        std::vector<double> want_weights;
        std::vector<std::string> want_ignored = {};
    };
    const auto p = [] { return make_pod().name("p").label("foo", ""); };
    const auto list = args_of(kListDefaulting);
    const std::vector<test_case> cases = {
        {"normal case",
         p().spread(tsc(1, "zone", kSA, foo())).spread(tsc(1, kHostname, kSA, foo())).obj(),
         {hn("node-a", "zone1"), hn("node-b", "zone1"), hn("node-x", "zone2")},
         list,
         {},
         {"zone", kHostname},
         {{{"zone1", 0}, {"zone2", 0}}, {}},
         {weight(2), weight(3)}},
        {"null selector",
         p().spread(tsc(1, "zone", kSA, std::nullopt)).obj(),
         {hn("node-a", "zone1"), hn("node-b", "zone1"), hn("node-x", "zone2")},
         list,
         {},
         {"zone"},
         {{{"zone1", 0}, {"zone2", 0}}},
         {weight(2)}},
        {"node-x doesn't have label zone",
         p().spread(tsc(1, "zone", kSA, foo())).spread(tsc(1, kHostname, kSA, bar())).obj(),
         {hn("node-a", "zone1"), hn("node-b", "zone1"), hn("node-x")},
         list,
         {},
         {"zone", kHostname},
         {{{"zone1", 0}}, {}},
         {weight(1), weight(2)},
         {"node-x"}},
        {"system default constraints and a replicaset",
         make_pod().name("p").ns("default").label("foo", "tar").label("baz", "sup").obj(),
         {make_node().name("node-a").hostname_label().zone("mars").obj(),
          make_node().name("node-b").hostname_label().zone("mars").obj(),
          // Nodes with no zone are not excluded: they are a separate zone.
          make_node().name("node-c").hostname_label().obj(),
          make_node().name("node-d").hostname_label().obj()},
         args_of(kSystemDefaulting),
         foo(),
         {kHostname, "topology.kubernetes.io/zone"},
         {{}, {{"mars", 0}, {"", 0}}},
         {weight(4), weight(2)}},
        {"default constraints and a replicaset",
         make_pod().name("p").ns("default").label("foo", "tar").label("baz", "sup").obj(),
         {make_node()
              .name("node-a")
              .label("rack", "rack1")
              .hostname_label()
              .label("planet", "mars")
              .obj()},
         args_of(kListDefaulting,
                 {tsc(1, kHostname, kSA, std::nullopt), tsc(2, "rack", kDNS, std::nullopt),
                  tsc(2, "planet", kSA, std::nullopt)}),
         foo(),
         {kHostname, "planet"},
         {{}, {{"mars", 0}}},
         {weight(1), weight(1)}},
        {"default constraints and a replicaset, but pod has constraints",
         make_pod()
             .name("p")
             .ns("default")
             .label("foo", "bar")
             .label("baz", "sup")
             .spread(tsc(1, "zone", kDNS, bar()))
             .spread(tsc(2, "planet", kSA, selector_labels({{"baz", "sup"}})))
             .obj(),
         {make_node().name("node-a").label("planet", "mars").label("galaxy", "andromeda").obj()},
         args_of(kListDefaulting, {tsc(2, "galaxy", kSA, std::nullopt)}),
         foo(),
         {"planet"},
         {{{"mars", 0}}},
         {weight(1)}},
        {"NodeAffinityPolicy honored with labelSelectors",
         p().node_selector("foo", "").spread(tsc(1, "zone", kSA, bar())).obj(),
         {with_foo(hn("node-a", "zone1")), with_foo(hn("node-b", "zone1")), hn("node-x", "zone2")},
         list,
         {},
         {"zone"},
         {{{"zone1", 0}, {"zone2", 0}}},
         {weight(2)}},
        {"NodeTaintsPolicy honored",
         p().spread(tsc(1, "zone", kSA, bar(), {}, {}, kHonor)).obj(),
         {hn("node-a", "zone1"), hn("node-b", "zone1"),
          [] {
              auto n = hn("node-x", "zone2");
              n.taints.push_back({std::string(kUnschedulableTaint), "", "NoSchedule"});
              return n;
          }()},
         list,
         {},
         {"zone"},
         {{{"zone1", 0}, {"zone2", 0}}},
         {weight(2)}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            multisched::testing::fake_handle h;
            h.owner_selector = c.owner;
            pod_topology_spread plugin(c.args, h);
            const cluster cl(c.nodes, {});
            h.cluster = cl.all;
            framework::cycle_state state;
            REQUIRE(plugin.pre_score(state, *info(c.pod), cl.all).is_success());
            const auto* s = state.read<pre_score_state>(kPreScoreStateKey);
            REQUIRE(s != nullptr);
            std::vector<std::string> keys;
            for (const auto& k : s->constraints) {
                keys.push_back(k.topology_key);
            }
            CHECK(keys == c.want_keys);
            REQUIRE(s->counts.size() == c.want_counts.size());
            for (std::size_t i = 0; i < s->counts.size(); ++i) {
                CHECK(std::map<std::string, std::int64_t>(s->counts[i].begin(),
                                                          s->counts[i].end()) == c.want_counts[i]);
            }
            REQUIRE(s->weights.size() == c.want_weights.size());
            for (std::size_t i = 0; i < s->weights.size(); ++i) {
                CHECK(s->weights[i] == Approx(c.want_weights[i]));
            }
            CHECK(std::vector<std::string>(s->ignored_nodes.begin(), s->ignored_nodes.end()) ==
                  c.want_ignored);
        }
    }
}

TEST_CASE("pod_topology_spread.pre_score_skip_and_errors") {
    struct test_case {
        std::string name;
        api::pod pod;
        pod_topology_spread_args args;
        api::label_selector owner;
        bool empty_cluster;
        framework::code want;
        std::string want_message = {};
    };
    const std::vector<test_case> cases = {
        {"the pod doesn't have soft topology spread Constraints",
         make_pod().name("p").ns("default").obj(),
         args_of(kListDefaulting),
         {},
         false,
         framework::code::skip},
        {"default constraints and a replicaset that doesn't match",
         make_pod().name("p").ns("default").label("foo", "bar").obj(),
         args_of(kListDefaulting, {tsc(2, "planet", kSA, std::nullopt)}),
         {},
         false,
         framework::code::skip},
        {"only hard constraints",
         make_pod().name("p").label("foo", "").spread(tsc(1, "zone", kDNS, foo())).obj(),
         args_of(kSystemDefaulting), foo(), false, framework::code::skip},
        {"no node in the cluster",
         make_pod().name("p").label("foo", "").spread(tsc(1, "zone", kSA, foo())).obj(),
         args_of(kListDefaulting),
         {},
         true,
         framework::code::skip},
        {"an invalid labelSelector is an error",
         make_pod()
             .name("p")
             .spread(tsc(1, "zone", kSA,
                         [] {
                             api::label_selector s;
                             s.match_expressions.push_back({"foo", "In", {}});
                             return s;
                         }()))
             .obj(),
         args_of(kListDefaulting),
         {},
         false,
         framework::code::error,
         "calculating preScoreState: obtaining pod's soft topology spread constraints: "
         "labelSelector.matchExpressions[0].values: Required value: for 'in', 'notin' operators, "
         "values set can't be empty"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            multisched::testing::fake_handle h;
            h.owner_selector = c.owner;
            pod_topology_spread plugin(c.args, h);
            const cluster cl({make_node().name("node-a").label("planet", "mars").obj()}, {});
            if (!c.empty_cluster) {
                h.cluster = cl.all;
            }
            framework::cycle_state state;
            const auto st = plugin.pre_score(state, *info(c.pod), cl.all);
            CHECK(st.code() == c.want);
            CHECK(state.read<pre_score_state>(kPreScoreStateKey) == nullptr);
            if (!c.want_message.empty()) {
                CHECK(st.message() == c.want_message);
            }
        }
    }
}

TEST_CASE("pod_topology_spread.score_errors") {
    multisched::testing::fake_handle h;
    pod_topology_spread plugin(args_of(kSystemDefaulting), h);
    const auto pod = info(make_pod().name("p").obj());
    const cluster cl({hn("node-a")}, {});
    framework::cycle_state state;
    std::int64_t score = 7;
    auto st = plugin.score(state, *pod, cl.get("node-a"), score);
    CHECK(st.code() == framework::code::error);
    CHECK(st.message() == "reading \"PreScorePodTopologySpread\" from cycleState: not found");
    CHECK(score == 0);
    std::vector<std::int64_t> scores = {0};
    CHECK(plugin.normalize_score(state, *pod, cl.all, scores).code() == framework::code::error);
    const framework::node_info ghost("ghost");
    CHECK(plugin.score(state, *pod, ghost, score).code() == framework::code::error);
    CHECK(plugin.has_normalize());
}

TEST_CASE("pod_topology_spread.score") {
    struct test_case {
        std::string name;
        api::pod pod;
        std::vector<api::pod> pods;
        std::vector<api::node> nodes;   // feasible
        std::vector<api::node> failed;  // nodes + failed = the cluster
        std::vector<std::int64_t> want;
        api::label_selector owner = {};  // default_selector(): System defaults apply with it
    };
    const auto p = [] { return make_pod().name("p").label("foo", ""); };
    const auto host = [&](std::int32_t skew) {
        return p().spread(tsc(skew, kHostname, kSA, foo())).obj();
    };
    const auto fb = [](const std::string& n, const std::string& node) {
        return ep(n, node, {{"foo", ""}, {"bar", ""}});
    };
    const auto b = [](const std::string& n, const std::string& node) {
        return ep(n, node, {{"bar", ""}});
    };
    const std::vector<api::node> abcd = {hn("node-a"), hn("node-b"), hn("node-c"), hn("node-d")};
    const std::vector<api::node> abcd_zones = {hn("node-a", "zone1"), hn("node-b", "zone1"),
                                               hn("node-c", "zone2"), hn("node-d", "zone2")};
    const std::vector<api::node> abxy_zones = {hn("node-a", "zone1"), hn("node-b", "zone1"),
                                               hn("node-x", "zone2"), hn("node-y", "zone2")};
    const std::vector<api::pod> pods_2_1_0_3 = {fp("p-a1", "node-a"), fp("p-a2", "node-a"),
                                                fp("p-b1", "node-b"), fp("p-d1", "node-d"),
                                                fp("p-d2", "node-d"), fp("p-d3", "node-d")};
    const std::vector<api::pod> pods_4_3_2_1 = {
        fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-a3", "node-a"), fp("p-a4", "node-a"),
        fp("p-b1", "node-b"), fp("p-b2", "node-b"), fp("p-b3", "node-b"), fp("p-c1", "node-c"),
        fp("p-c2", "node-c"), fp("p-d1", "node-d")};
    const std::vector<api::pod> pods_4_2_1_3 = {
        fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-a3", "node-a"), fp("p-a4", "node-a"),
        fp("p-b1", "node-b"), fp("p-b2", "node-b"), fp("p-x1", "node-x"), fp("p-y1", "node-y"),
        fp("p-y2", "node-y"), fp("p-y3", "node-y")};
    const std::vector<api::pod> pods_2_1_1 = {fp("p-a1", "node-a"), fp("p-a2", "node-a"),
                                              fp("p-b1", "node-b"), fp("p-c1", "node-c")};
    const std::vector<api::pod> mixed = {fp("p-a1", "node-a"), fb("p-b1", "node-b"),
                                         fp("p-y1", "node-y"), b("p-y2", "node-y")};
    const auto zone_node_sel = p().label("bar", "")
                                   .spread(tsc(1, "zone", kSA, foo()))
                                   .spread(tsc(1, kHostname, kSA, bar()))
                                   .obj();
    const auto tainted_c = [] {
        auto n = nn("node-c");
        n.taints.push_back({std::string(kUnschedulableTaint), "", "NoSchedule"});
        return n;
    };
    const std::vector<api::node> foo_ab = {nn("node-a", true), nn("node-b", true), nn("node-c")};
    const std::vector<test_case> cases = {
        {"one constraint on node, no existing pods",
         host(1),
         {},
         {hn("node-a"), hn("node-b")},
         {},
         {100, 100}},
        {"one constraint on node, only one node is candidate",
         host(1),
         {fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-b1", "node-b")},
         {hn("node-a")},
         {hn("node-b")},
         {100}},
        {"one constraint on node, all nodes have the same number of matching pods",
         host(1),
         {fp("p-a1", "node-a"), fp("p-b1", "node-b")},
         {hn("node-a"), hn("node-b")},
         {},
         {100, 100}},
        {"one constraint on node, all 4 nodes are candidates",
         host(1),
         pods_2_1_0_3,
         abcd,
         {},
         {20, 60, 100, 0}},
        {"one constraint on node, null selector",
         p().spread(tsc(1, kHostname, kSA, std::nullopt)).obj(),
         pods_2_1_0_3,
         abcd,
         {},
         {100, 100, 100, 100}},
        {"one constraint on node, all 4 nodes are candidates, maxSkew=2",
         host(2),
         pods_2_1_0_3,
         abcd,
         {},
         {33, 66, 100, 16}},
        {"one constraint on node, all 4 nodes are candidates, maxSkew=3",
         host(3),
         pods_4_3_2_1,
         abcd,
         {},
         {44, 66, 77, 100}},
        {"system defaulting, nodes don't have zone, pods match service",
         p().obj(),
         pods_4_3_2_1,
         abcd,
         {},
         {44, 66, 77, 100},
         selector_labels({{"foo", ""}})},
        {"one constraint on node, 3 out of 4 nodes are candidates",
         host(1),
         pods_4_2_1_3,
         {hn("node-a"), hn("node-b"), hn("node-x")},
         {hn("node-y")},
         {33, 83, 100}},
        {"one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match "
         "topology key",
         host(1),
         pods_4_2_1_3,
         {hn("node-a"), make_node().name("node-b").label("n", "node-b").obj(), hn("node-x")},
         {hn("node-y")},
         {16, 0, 100}},
        {"one constraint on zone, 3 out of 4 nodes are candidates",
         p().spread(tsc(1, "zone", kSA, foo())).obj(),
         pods_4_2_1_3,
         {hn("node-a", "zone1"), hn("node-b", "zone1"), hn("node-x", "zone2")},
         {hn("node-y", "zone2")},
         {75, 75, 100}},
        {"two Constraints on zone and node, 2 out of 4 nodes are candidates",
         p().spread(tsc(1, "zone", kSA, foo())).spread(tsc(1, kHostname, kSA, foo())).obj(),
         {fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-b1", "node-b"), fp("p-x1", "node-x"),
          fp("p-x2", "node-x"), fp("p-y1", "node-y"), fp("p-y2", "node-y"), fp("p-y3", "node-y"),
          fp("p-y4", "node-y")},
         {hn("node-a", "zone1"), hn("node-x", "zone2")},
         {hn("node-b", "zone1"), hn("node-y", "zone2")},
         {100, 63}},
        {"two Constraints on zone, 2 out of 4 nodes are candidates",
         p().label("bar", "")
             .spread(tsc(1, "zone", kSA, foo()))
             .spread(tsc(1, "zone", kSA, bar()))
             .obj(),
         {fb("p-a1", "node-a"), fp("p-a2", "node-a"), fb("p-b1", "node-b"), fp("p-y1", "node-y"),
          fb("p-y2", "node-y"), fp("p-y3", "node-y")},
         {make_node().name("node-a").label("zone", "zone1").obj(),
          make_node().name("node-x").label("zone", "zone2").obj()},
         {make_node().name("node-b").label("zone", "zone1").obj(),
          make_node().name("node-y").label("zone", "zone2").obj()},
         {85, 100}},
        {"two Constraints on zone and node, with different labelSelectors",
         zone_node_sel,
         mixed,
         abxy_zones,
         {},
         {60, 20, 100, 60}},
        {"two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods",
         zone_node_sel,
         {b("p-b1", "node-b"), fp("p-x1", "node-x"), fb("p-y1", "node-y")},
         abxy_zones,
         {},
         {100, 60, 40, 0}},
        {"two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes are "
         "candidates",
         zone_node_sel,
         mixed,
         {hn("node-a", "zone1"), hn("node-b", "zone1"), hn("node-x", "zone2")},
         {hn("node-y", "zone2")},
         {50, 25, 100}},
        {"existing pods in a different namespace do not count",
         host(1),
         {fp("p-a1", "node-a", "ns1"), fp("p-a2", "node-a"), fp("p-b1", "node-b"),
          fp("p-b2", "node-b")},
         {hn("node-a"), hn("node-b")},
         {},
         {100, 33}},
        {"terminating Pods should be excluded",
         host(1),
         {[] {
              auto t = fp("p-a", "node-a");
              t.meta.deleting = true;
              return t;
          }(),
          fp("p-b", "node-b")},
         {hn("node-a"), hn("node-b")},
         {},
         {100, 0}},
        {"minDomains has no effect when ScheduleAnyway",
         p().spread(tsc(2, "node", kSA, foo(), 10)).obj(),
         {fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-b1", "node-b"), fp("p-b2", "node-b"),
          fp("p-c1", "node-c")},
         {nn("node-a"), nn("node-b"), nn("node-c")},
         {},
         {75, 75, 100}},
        {"NodeAffinityPolicy honored with labelSelectors",
         p().node_selector("foo", "").spread(tsc(1, "node", kSA, foo())).obj(),
         pods_2_1_1,
         foo_ab,
         {},
         {0, 33, 100}},
        {"NodeAffinityPolicy ignored with labelSelectors",
         p().node_selector("foo", "").spread(tsc(1, "node", kSA, foo(), {}, kIgnore)).obj(),
         pods_2_1_1,
         foo_ab,
         {},
         {66, 100, 100}},
        {"NodeAffinityPolicy honored with nodeAffinity",
         p().node_affinity(affinity("foo", "In", {""})).spread(tsc(1, "node", kSA, foo())).obj(),
         pods_2_1_1,
         foo_ab,
         {},
         {0, 33, 100}},
        {"NodeAffinityPolicy ignored with nodeAffinity",
         p().node_affinity(affinity("foo", "In", {""}))
             .spread(tsc(1, "node", kSA, foo(), {}, kIgnore))
             .obj(),
         pods_2_1_1,
         foo_ab,
         {},
         {66, 100, 100}},
        {"NodeTaintsPolicy honored",
         p().spread(tsc(1, "node", kSA, foo(), {}, {}, kHonor)).obj(),
         pods_2_1_1,
         {nn("node-a"), nn("node-b"), tainted_c()},
         {},
         {0, 33, 100}},
        {"NodeTaintsPolicy ignored",
         p().spread(tsc(1, "node", kSA, foo())).obj(),
         pods_2_1_1,
         {nn("node-a"), nn("node-b"), tainted_c()},
         {},
         {66, 100, 100}},
        {"matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
         p().label("bar", "")
             .spread(tsc(1, "zone", kSA, api::label_selector{}, {}, {}, {}, {"foo"}))
             .spread(tsc(1, kHostname, kSA, api::label_selector{}, {}, {}, {}, {"bar"}))
             .obj(),
         {fp("p-a1", "node-a"), fb("p-b1", "node-b"), fp("p-y1", "node-c"), b("p-y2", "node-c")},
         abcd_zones,
         {},
         {60, 20, 60, 100}},
        {"matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
         p().label("bar", "")
             .label("baz", "")
             .spread(tsc(1, "zone", kSA, foo()))
             .spread(tsc(1, kHostname, kSA, bar(), {}, {}, {}, {"baz"}))
             .obj(),
         {fp("p-a1", "node-a"), ep("p-b1", "node-b", {{"foo", ""}, {"bar", ""}, {"baz", ""}}),
          fp("p-c1", "node-c"), b("p-c2", "node-c"),
          ep("p-d3", "node-c", {{"bar", ""}, {"baz", ""}})},
         abcd_zones,
         {},
         {60, 20, 60, 100}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            multisched::testing::fake_handle h;
            h.owner_selector = c.owner;
            pod_topology_spread plugin(args_of(kSystemDefaulting), h);
            auto all = c.nodes;
            all.insert(all.end(), c.failed.begin(), c.failed.end());
            const cluster cl(all, c.pods);
            h.cluster = cl.all;
            const std::vector<const framework::node_info*> feasible(
                cl.all.begin(), cl.all.begin() + static_cast<std::ptrdiff_t>(c.nodes.size()));
            const auto pod = info(c.pod);
            framework::cycle_state state;
            REQUIRE(plugin.pre_score(state, *pod, feasible).is_success());
            std::vector<std::int64_t> scores;
            for (const auto* ni : feasible) {
                std::int64_t s = -7;
                REQUIRE(plugin.score(state, *pod, *ni, s).is_success());
                scores.push_back(s);
            }
            REQUIRE(plugin.normalize_score(state, *pod, feasible, scores).is_success());
            CHECK(scores == c.want);
        }
    }
}

}  // namespace
}  // namespace multisched::plugins::pod_topology_spread
