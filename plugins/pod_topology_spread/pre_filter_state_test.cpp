// SPDX-License-Identifier: Apache-2.0
// Upstream filtering_test.go (v1.30 semantics, all feature gates on): TestPreFilterState,
// TestPreFilterStateAddPod, TestPreFilterStateRemovePod as tables over the PreFilter state
// (constraints, per-domain counts, critical paths).
#include <array>
#include <map>

#include <catch2/catch.hpp>

#include "plugins/pod_topology_spread/test_helpers.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): test vocabulary

using counts_t = std::vector<std::map<std::string, std::int64_t>>;
using path_t = std::pair<std::string, std::int64_t>;
using paths_t = std::vector<std::array<path_t, 2>>;
constexpr std::int64_t kUnset = critical_paths::kUnset;
constexpr auto kHonor = "Honor";
constexpr auto kIgnore = "Ignore";

api::pod fp(const std::string& name, const std::string& node, const std::string& ns = "") {
    return ep(name, node, {{"foo", ""}}, ns);
}

std::vector<api::node> nodes_abxy() {
    return {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj(), zn("node-x", "zone2").obj(),
            zn("node-y", "zone2").obj()};
}

// Paths with equal counts compare regardless of order (upstream criticalPaths.sort()).
std::array<path_t, 2> sorted(std::array<path_t, 2> p) {
    if (p[0].second == p[1].second && p[0].first > p[1].first) {
        std::swap(p[0].first, p[1].first);
    }
    return p;
}

// "key/maxSkew/minDomains/affinity/taints" for each constraint.
std::vector<std::string> signatures(const pre_filter_state& s) {
    std::vector<std::string> out;
    for (const auto& c : s.constraints) {
        out.push_back(c.topology_key + "/" + std::to_string(c.max_skew) + "/" +
                      std::to_string(c.min_domains) + "/" +
                      (c.honor_node_affinity ? kHonor : kIgnore) + "/" +
                      (c.honor_node_taints ? kHonor : kIgnore));
    }
    return out;
}

void check_state(const pre_filter_state& s, const counts_t& want_counts,
                 const paths_t& want_paths) {
    REQUIRE(s.counts.size() == want_counts.size());
    REQUIRE(s.paths.size() == want_paths.size());
    for (std::size_t i = 0; i < s.counts.size(); ++i) {
        CHECK(std::map<std::string, std::int64_t>(s.counts[i].begin(), s.counts[i].end()) ==
              want_counts[i]);
        const auto& p = s.paths[i].paths;
        CHECK(sorted({path_t{p[0].value, p[0].num}, path_t{p[1].value, p[1].num}}) ==
              sorted(want_paths[i]));
    }
}

TEST_CASE("pod_topology_spread.pre_filter_state") {
    struct test_case {
        std::string name;
        api::pod pod;
        std::vector<api::node> nodes;
        std::vector<api::pod> pods;
        std::vector<std::string> want_constraints;
        counts_t want_counts;
        paths_t want_paths;
        framework::code want_code = framework::code::success;
        std::vector<api::topology_spread_constraint> defaults = {};
        api::label_selector owner = {};  // what default_selector() returns
        std::vector<std::optional<api::label_selector>> want_selectors = {};  // empty: unchecked
    };
    const auto p = [] { return make_pod().name("p").label("foo", ""); };
    const std::vector<api::pod> pods_3_2 = {fp("p-a1", "node-a"), fp("p-a2", "node-a"),
                                            fp("p-b1", "node-b"), fp("p-y1", "node-y"),
                                            fp("p-y2", "node-y")};
    const std::vector<api::pod> pods_3_4 = {
        fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-b1", "node-b"), fp("p-y1", "node-y"),
        fp("p-y2", "node-y"), fp("p-y3", "node-y"), fp("p-y4", "node-y")};
    const auto zone_node =
        p().spread(tsc(1, "zone", kDNS, foo())).spread(tsc(1, "node", kDNS, foo()));
    // Nodes for the inclusion-policy cases: node-a, node-b labelled foo, node-c labelled bar.
    const std::vector<api::node> nodes_foo_bar = {
        make_node().name("node-a").label("node", "node-a").label("foo", "").obj(),
        make_node().name("node-b").label("node", "node-b").label("foo", "").obj(),
        make_node().name("node-c").label("node", "node-c").label("bar", "").obj()};
    const std::vector<api::node> nodes_taint = {
        make_node().name("node-a").label("node", "node-a").obj(),
        make_node().name("node-b").label("node", "node-b").obj(),
        make_node()
            .name("node-c")
            .label("node", "node-c")
            .label("bar", "")
            .taint(std::string(kUnschedulableTaint), "", "NoSchedule")
            .obj()};
    const std::vector<api::pod> bar_pods = {
        ep("p-a", "node-a", {{"bar", ""}}), ep("p-b", "node-b", {{"bar", ""}}),
        ep("p-c", "node-b", {{"bar", ""}}), ep("p-d", "node-c")};
    const std::string h1 = "/1/1/Honor/Ignore";
    const auto taint = [](api::node n) {
        n.taints.push_back({std::string(kUnschedulableTaint), "", "NoSchedule"});
        return n;
    };
    const auto with_foo = [](api::node n) {
        n.meta.labels.set("foo", "");
        return n;
    };

    const std::vector<test_case> cases = {
        {"clean cluster with one spreadConstraint",
         p().spread(tsc(5, "zone", kDNS, selector_labels({{"foo", "bar"}}))).obj(), nodes_abxy(),
         {}, {"zone/5/1/Honor/Ignore"}, {{{"zone1", 0}, {"zone2", 0}}},
         {{{{"zone1", 0}, {"zone2", 0}}}}},
        {"normal case with one spreadConstraint", p().spread(tsc(1, "zone", kDNS, foo())).obj(),
         nodes_abxy(), pods_3_2, {"zone" + h1}, {{{"zone1", 3}, {"zone2", 2}}},
         {{{{"zone2", 2}, {"zone1", 3}}}}},
        {"normal case with null label selector",
         p().spread(tsc(1, "zone", kDNS, std::nullopt)).obj(), nodes_abxy(), pods_3_2,
         {"zone" + h1}, {{{"zone1", 0}, {"zone2", 0}}}, {{{{"zone2", 0}, {"zone1", 0}}}}},
        {"normal case with one spreadConstraint, on a 3-zone cluster",
         p().spread(tsc(1, "zone", kDNS, foo())).obj(),
         [] {
             auto n = nodes_abxy();
             n.push_back(zn("node-o", "zone3").obj());
             n.push_back(zn("node-p", "zone3").obj());
             return n;
         }(),
         pods_3_2, {"zone" + h1}, {{{"zone1", 3}, {"zone2", 2}, {"zone3", 0}}},
         {{{{"zone3", 0}, {"zone2", 2}}}}},
        {"namespace mismatch doesn't count", p().spread(tsc(1, "zone", kDNS, foo())).obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), fp("p-a2", "node-a", "ns1"), fp("p-b1", "node-b"),
          fp("p-y1", "node-y", "ns2"), fp("p-y2", "node-y")},
         {"zone" + h1}, {{{"zone1", 2}, {"zone2", 1}}}, {{{{"zone2", 1}, {"zone1", 2}}}}},
        {"normal case with two spreadConstraints", zone_node.obj(), nodes_abxy(), pods_3_4,
         {"zone" + h1, "node" + h1},
         {{{"zone1", 3}, {"zone2", 4}},
          {{"node-a", 2}, {"node-b", 1}, {"node-x", 0}, {"node-y", 4}}},
         {{{{"zone1", 3}, {"zone2", 4}}}, {{{"node-x", 0}, {"node-b", 1}}}}},
        {"soft spreadConstraints should be bypassed",
         p().spread(tsc(1, "zone", kSA, foo()))
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kSA, foo()))
             .spread(tsc(1, "node", kDNS, foo()))
             .obj(),
         {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj(), zn("node-y", "zone2").obj()},
         pods_3_4, {"zone" + h1, "node" + h1},
         {{{"zone1", 3}, {"zone2", 4}}, {{"node-a", 2}, {"node-b", 1}, {"node-y", 4}}},
         {{{{"zone1", 3}, {"zone2", 4}}}, {{{"node-b", 1}, {"node-a", 2}}}}},
        {"different labelSelectors - simple version",
         p().label("bar", "")
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kDNS, bar()))
             .obj(),
         {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj(), zn("node-y", "zone2").obj()},
         {fp("p-a", "node-a"), ep("p-b", "node-b", {{"bar", ""}})}, {"zone" + h1, "node" + h1},
         {{{"zone1", 1}, {"zone2", 0}}, {{"node-a", 0}, {"node-b", 1}, {"node-y", 0}}},
         {{{{"zone2", 0}, {"zone1", 1}}}, {{{"node-a", 0}, {"node-y", 0}}}}},
        {"different labelSelectors - complex pods",
         p().label("bar", "")
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kDNS, bar()))
             .obj(),
         {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj(), zn("node-y", "zone2").obj()},
         {fp("p-a1", "node-a"), ep("p-a2", "node-a", {{"foo", ""}, {"bar", ""}}),
          fp("p-b1", "node-b"), fp("p-y1", "node-y"),
          ep("p-y2", "node-y", {{"foo", ""}, {"bar", ""}}), fp("p-y3", "node-y"),
          ep("p-y4", "node-y", {{"foo", ""}, {"bar", ""}})},
         {"zone" + h1, "node" + h1},
         {{{"zone1", 3}, {"zone2", 4}}, {{"node-a", 1}, {"node-b", 0}, {"node-y", 2}}},
         {{{{"zone1", 3}, {"zone2", 4}}}, {{{"node-b", 0}, {"node-a", 1}}}}},
        {"two spreadConstraints, and with podAffinity",
         p().node_affinity(affinity("node", "NotIn", {"node-x"}))
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kDNS, foo()))
             .obj(),
         nodes_abxy(), pods_3_4, {"zone" + h1, "node" + h1},
         {{{"zone1", 3}, {"zone2", 4}}, {{"node-a", 2}, {"node-b", 1}, {"node-y", 4}}},
         {{{{"zone1", 3}, {"zone2", 4}}}, {{{"node-b", 1}, {"node-a", 2}}}}},
        {"default constraints and a service",
         make_pod().name("p").label("foo", "bar").label("baz", "kar").obj(), {}, {},
         {"node/3/1/Honor/Ignore", "rack/5/1/Honor/Ignore"}, {{}, {}},
         {{{{"", kUnset}, {"", kUnset}}}, {{{"", kUnset}, {"", kUnset}}}},
         framework::code::success,
         {tsc(3, "node", kDNS, std::nullopt), tsc(2, "node", kSA, std::nullopt),
          tsc(5, "rack", kDNS, std::nullopt)},
         selector_labels({{"foo", "bar"}}),
         {selector_labels({{"foo", "bar"}}), selector_labels({{"foo", "bar"}})}},
        {"default constraints and a service that doesn't match",
         make_pod().name("p").label("foo", "bar").obj(), {}, {}, {}, {}, {},
         framework::code::skip, {tsc(3, "node", kDNS, std::nullopt)}},
        {"default constraints and a service, but pod has constraints",
         make_pod()
             .name("p")
             .label("foo", "bar")
             .label("baz", "tar")
             .spread(tsc(1, "zone", kDNS, selector_labels({{"baz", "tar"}})))
             .spread(tsc(2, "planet", kSA, selector_labels({{"fot", "rok"}})))
             .obj(),
         {}, {}, {"zone" + h1}, {{}}, {{{{"", kUnset}, {"", kUnset}}}},
         framework::code::success, {tsc(2, "node", kDNS, std::nullopt)},
         selector_labels({{"foo", "bar"}}), {selector_labels({{"baz", "tar"}})}},
        {"default soft constraints and a service", make_pod().name("p").label("foo", "bar").obj(),
         {}, {}, {}, {}, {}, framework::code::skip, {tsc(2, "node", kSA, std::nullopt)},
         selector_labels({{"foo", "bar"}})},
        {"NodeAffinityPolicy honored with labelSelectors",
         p().node_selector("foo", "").spread(tsc(1, "node", kDNS, bar())).obj(), nodes_foo_bar,
         bar_pods, {"node" + h1}, {{{"node-a", 1}, {"node-b", 2}}},
         {{{{"node-a", 1}, {"node-b", 2}}}}},
        {"NodeAffinityPolicy ignored with labelSelectors",
         p().node_selector("foo", "").spread(tsc(1, "node", kDNS, bar(), {}, kIgnore)).obj(),
         nodes_foo_bar, bar_pods, {"node/1/1/Ignore/Ignore"},
         {{{"node-a", 1}, {"node-b", 2}, {"node-c", 0}}}, {{{{"node-c", 0}, {"node-a", 1}}}}},
        {"NodeAffinityPolicy honored with nodeAffinity",
         p().node_affinity(affinity("foo", "In", {""})).spread(tsc(1, "node", kDNS, bar())).obj(),
         nodes_foo_bar, bar_pods, {"node" + h1}, {{{"node-a", 1}, {"node-b", 2}}},
         {{{{"node-a", 1}, {"node-b", 2}}}}},
        {"NodeAffinityPolicy ignored with nodeAffinity",
         p().node_affinity(affinity("foo", "In", {""}))
             .spread(tsc(1, "node", kDNS, bar(), {}, kIgnore))
             .obj(),
         nodes_foo_bar, bar_pods, {"node/1/1/Ignore/Ignore"},
         {{{"node-a", 1}, {"node-b", 2}, {"node-c", 0}}}, {{{{"node-c", 0}, {"node-a", 1}}}}},
        {"NodeTaintsPolicy ignored", p().spread(tsc(1, "node", kDNS, bar())).obj(), nodes_taint,
         bar_pods, {"node" + h1}, {{{"node-a", 1}, {"node-b", 2}, {"node-c", 0}}},
         {{{{"node-c", 0}, {"node-a", 1}}}}},
        {"NodeTaintsPolicy honored", p().spread(tsc(1, "node", kDNS, bar(), {}, {}, kHonor)).obj(),
         nodes_taint, bar_pods, {"node/1/1/Honor/Honor"}, {{{"node-a", 1}, {"node-b", 2}}},
         {{{{"node-a", 1}, {"node-b", 2}}}}},
        {"NodeTaintsPolicy honored with tolerated taints",
         p().toleration(std::string(kUnschedulableTaint))
             .spread(tsc(1, "node", kDNS, bar(), {}, {}, kHonor))
             .obj(),
         nodes_taint, bar_pods, {"node/1/1/Honor/Honor"},
         {{{"node-a", 1}, {"node-b", 2}, {"node-c", 0}}}, {{{{"node-c", 0}, {"node-a", 1}}}}},
        {"two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore",
         p().node_selector("foo", "")
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kDNS, foo(), {}, kIgnore))
             .obj(),
         {with_foo(zn("node-a", "zone1").obj()), zn("node-b", "zone1").obj(),
          with_foo(zn("node-x", "zone2").obj())},
         {fp("p-b1", "node-b"), fp("p-b2", "node-b"), fp("p-x1", "node-x")},
         {"zone" + h1, "node/1/1/Ignore/Ignore"},
         {{{"zone1", 0}, {"zone2", 1}}, {{"node-a", 0}, {"node-b", 2}, {"node-x", 1}}},
         {{{{"zone1", 0}, {"zone2", 1}}}, {{{"node-a", 0}, {"node-x", 1}}}}},
        {"two node inclusion Constraints, zone: honor/honor, node: honor/ignore",
         p().spread(tsc(1, "zone", kDNS, foo(), {}, {}, kHonor))
             .spread(tsc(1, "node", kDNS, foo()))
             .obj(),
         {with_foo(zn("node-a", "zone1").obj()), taint(zn("node-b", "zone1").obj()),
          with_foo(zn("node-x", "zone2").obj())},
         {fp("p-b1", "node-b"), fp("p-b2", "node-b"), fp("p-x1", "node-x")},
         {"zone/1/1/Honor/Honor", "node" + h1},
         {{{"zone1", 0}, {"zone2", 1}}, {{"node-a", 0}, {"node-b", 2}, {"node-x", 1}}},
         {{{{"zone1", 0}, {"zone2", 1}}}, {{{"node-a", 0}, {"node-x", 1}}}}},
        {"two node inclusion Constraints, zone: honor/ignore, node: honor/ignore",
         p().node_selector("foo", "")
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "node", kDNS, foo()))
             .obj(),
         {zn("node-a", "zone1").obj(), taint(with_foo(zn("node-b", "zone1").obj())),
          with_foo(zn("node-x", "zone2").obj()), zn("node-y", "zone2").obj()},
         {fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-x1", "node-x"), fp("p-y1", "node-y")},
         {"zone" + h1, "node" + h1}, {{{"zone1", 0}, {"zone2", 1}}, {{"node-b", 0}, {"node-x", 1}}},
         {{{{"zone1", 0}, {"zone2", 1}}}, {{{"node-b", 0}, {"node-x", 1}}}}},
        {"two node inclusion Constraints, zone: ignore/ignore, node: honor/honor",
         p().node_selector("foo", "")
             .spread(tsc(1, "zone", kDNS, foo(), {}, kIgnore))
             .spread(tsc(1, "node", kDNS, foo(), {}, {}, kHonor))
             .obj(),
         {zn("node-a", "zone1").obj(), taint(with_foo(zn("node-b", "zone1").obj())),
          with_foo(zn("node-x", "zone2").obj()), with_foo(zn("node-y", "zone2").obj())},
         {fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-x1", "node-x"), fp("p-x2", "node-x"),
          fp("p-y1", "node-y")},
         {"zone/1/1/Ignore/Ignore", "node/1/1/Honor/Honor"},
         {{{"zone1", 2}, {"zone2", 3}}, {{"node-x", 2}, {"node-y", 1}}},
         {{{{"zone1", 2}, {"zone2", 3}}}, {{{"node-y", 1}, {"node-x", 2}}}}},
        {"matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
         make_pod()
             .name("p")
             .label("foo", "")
             .label("bar", "a")
             .spread(tsc(1, "zone", kDNS, foo(), {}, {}, {}, {"bar"}))
             .obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), ep("p-a2", "node-a", {{"foo", ""}, {"bar", "a"}}),
          fp("p-b1", "node-b"), ep("p-y1", "node-y", {{"foo", ""}, {"bar", "a"}}),
          ep("p-y2", "node-y", {{"bar", ""}})},
         {"zone" + h1}, {{{"zone1", 1}, {"zone2", 1}}}, {{{{"zone2", 1}, {"zone1", 1}}}},
         framework::code::success, {}, {},
         {[] {
             auto s = foo();
             s.match_expressions.push_back({"bar", "In", {"a"}});
             return s;
         }()}},
        {"matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
         make_pod()
             .name("p")
             .label("foo", "a")
             .spread(tsc(1, "zone", kDNS, api::label_selector{}, {}, {}, {}, {"foo"}))
             .obj(),
         nodes_abxy(),
         {ep("p-a1", "node-a", {{"foo", "a"}}), ep("p-a2", "node-a", {{"foo", "a"}}),
          ep("p-b1", "node-b", {{"foo", "a"}}), ep("p-y1", "node-y", {{"foo", "a"}}),
          ep("p-y2", "node-y", {{"foo", "a"}})},
         {"zone" + h1}, {{{"zone1", 3}, {"zone2", 2}}}, {{{{"zone2", 2}, {"zone1", 3}}}}},
        {"key in matchLabelKeys is ignored when LabelSelector is nil",
         p().spread(tsc(1, "zone", kDNS, std::nullopt, {}, {}, {}, {"bar"})).obj(), nodes_abxy(),
         {ep("p-a1", "node-a", {{"foo", "a"}}), ep("p-y1", "node-y", {{"foo", "a"}})},
         {"zone" + h1}, {{{"zone1", 0}, {"zone2", 0}}}, {{{{"zone2", 0}, {"zone1", 0}}}},
         framework::code::success, {}, {}, {std::nullopt}},
        {"key in matchLabelKeys is ignored when it isn't exist in pod.labels",
         p().spread(tsc(1, "zone", kDNS, foo(), {}, {}, {}, {"bar"})).obj(), nodes_abxy(),
         pods_3_2, {"zone" + h1}, {{{"zone1", 3}, {"zone2", 2}}},
         {{{{"zone2", 2}, {"zone1", 3}}}}, framework::code::success, {}, {}, {foo()}},
        {"two spreadConstraints with the same topologyKey",
         p().label("bar", "")
             .spread(tsc(1, "zone", kDNS, foo()))
             .spread(tsc(1, "zone", kDNS, bar()))
             .obj(),
         nodes_abxy(),
         {ep("p-a1", "node-a", {{"foo", ""}, {"bar", ""}}), fp("p-b1", "node-b"),
          ep("p-x1", "node-x", {{"bar", ""}}), ep("p-y1", "node-y", {{"foo", ""}, {"bar", ""}}),
          ep("p-y2", "node-y", {{"bar", ""}})},
         {"zone" + h1, "zone" + h1}, {{{"zone1", 2}, {"zone2", 1}}, {{"zone1", 1}, {"zone2", 3}}},
         {{{{"zone2", 1}, {"zone1", 2}}}, {{{"zone1", 1}, {"zone2", 3}}}}},
        {"minDomains is kept", p().spread(tsc(1, "zone", kDNS, foo(), 3)).obj(), nodes_abxy(),
         pods_3_2, {"zone/1/3/Honor/Ignore"}, {{{"zone1", 3}, {"zone2", 2}}},
         {{{{"zone2", 2}, {"zone1", 3}}}}},
        {"terminating pods are not counted", p().spread(tsc(1, "zone", kDNS, foo())).obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), [] {
              auto d = fp("p-x1", "node-x");
              d.meta.deleting = true;
              return d;
          }()},
         {"zone" + h1}, {{{"zone1", 1}, {"zone2", 0}}}, {{{{"zone2", 0}, {"zone1", 1}}}}},
        {"an empty selector counts no pod",
         p().spread(tsc(1, "zone", kDNS, api::label_selector{})).obj(), nodes_abxy(), pods_3_2,
         {"zone" + h1}, {{{"zone1", 0}, {"zone2", 0}}}, {{{{"zone2", 0}, {"zone1", 0}}}}},
        {"skip if not specified", p().obj(), {zn("node-a", "zone1").obj()}, {}, {}, {}, {},
         framework::code::skip},
        {"an invalid labelSelector is an error",
         p().spread(tsc(1, "zone", kDNS, [] {
                  api::label_selector s;
                  s.match_expressions.push_back({"foo", "Gt", {"1"}});
                  return s;
              }()))
             .obj(),
         nodes_abxy(), {}, {}, {}, {}, framework::code::error},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            multisched::testing::fake_handle h;
            h.owner_selector = c.owner;
            auto plugin = list_plugin(h, c.defaults);
            const cluster cl(c.nodes, c.pods);
            framework::cycle_state state;
            framework::pre_filter_result result;
            const auto st = plugin.pre_filter(state, *info(c.pod), cl.all, result);
            REQUIRE(st.code() == c.want_code);
            CHECK_FALSE(result.node_names.has_value());
            if (c.want_code != framework::code::success) {
                CHECK(state.read<pre_filter_state>(kPreFilterStateKey) == nullptr);
                continue;
            }
            const auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
            REQUIRE(s != nullptr);
            CHECK(signatures(*s) == c.want_constraints);
            check_state(*s, c.want_counts, c.want_paths);
            for (std::size_t i = 0; i < c.want_selectors.size(); ++i) {
                CHECK(s->constraints.at(i).selector == c.want_selectors[i]);
            }
        }
    }
}

// One AddPod / RemovePod after PreFilter, as upstream updateWithPod.
struct extension_case {
    std::string name;
    api::pod preemptor;
    std::vector<api::node> nodes;
    std::vector<api::pod> pods;
    api::pod other;    // the pod added or removed
    std::string node;  // the node it is added to / removed from
    counts_t want_counts;
    paths_t want_paths;
};

void run_extension(const extension_case& c, bool add) {
    multisched::testing::fake_handle h;
    auto plugin = list_plugin(h);
    const cluster cl(c.nodes, c.pods);
    framework::cycle_state state;
    framework::pre_filter_result result;
    REQUIRE(plugin.pre_filter(state, *info(c.preemptor), cl.all, result).is_success());
    REQUIRE(plugin.extensions() == &plugin);
    // A clone is what preemption mutates: the original stays as PreFilter left it.
    framework::cycle_state copy = state.clone();
    const auto* before = state.read<pre_filter_state>(kPreFilterStateKey);
    const auto counts_before = before->counts;
    auto* ext = plugin.extensions();
    const auto st = add ? ext->add_pod(copy, *info(c.preemptor), *info(c.other), cl.get(c.node))
                        : ext->remove_pod(copy, *info(c.preemptor), *info(c.other), cl.get(c.node));
    REQUIRE(st.is_success());
    const auto* s = copy.read<pre_filter_state>(kPreFilterStateKey);
    REQUIRE(s != nullptr);
    check_state(*s, c.want_counts, c.want_paths);
    CHECK(state.read<pre_filter_state>(kPreFilterStateKey)->counts == counts_before);
}

TEST_CASE("pod_topology_spread.pre_filter_add_pod") {
    const auto node_c = [] {
        return make_pod().name("p").label("foo", "").spread(tsc(1, "node", kDNS, foo()));
    };
    const auto zone_node = [] {
        return make_pod()
            .name("p")
            .label("foo", "")
            .spread(tsc(1, "zone", kDNS, foo()))
            .spread(tsc(1, "node", kDNS, foo()));
    };
    const auto zone_foo_bar = [] {
        return make_pod()
            .name("p")
            .label("foo", "")
            .label("bar", "")
            .spread(tsc(1, "zone", kDNS, foo()))
            .spread(tsc(1, "node", kDNS, bar()));
    };
    const std::vector<api::node> ab = {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj()};
    const std::vector<api::node> ax = {zn("node-a", "zone1").obj(), zn("node-x", "zone2").obj()};
    const std::vector<api::node> abx = {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj(),
                                        zn("node-x", "zone2").obj()};
    // node-a is labelled foo=bar, so NotIn(foo, [bar]) excludes it.
    const std::vector<api::node> foo_nodes = {zn("node-a", "zone1").label("foo", "bar").obj(),
                                              zn("node-b", "zone2").label("foo", "").obj()};
    const auto zone_pod = [](const std::string& name, const std::string& node,
                             const std::string& zone, bool foo_label = true) {
        auto p = make_pod().name(name).uid(name).node(node).label("zone", zone);
        if (foo_label) {
            p.label("foo", "");
        }
        return p.obj();
    };
    const auto zone_only = [] {
        return make_pod().name("p").label("foo", "").spread(tsc(1, "zone", kDNS, foo()));
    };
    const std::vector<extension_case> cases = {
        {"node a and b both impact current min match",
         node_c().obj(),
         ab,
         {},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"node-a", 1}, {"node-b", 0}}},
         {{{{"node-b", 0}, {"node-a", 1}}}}},
        {"only node a impacts current min match",
         node_c().obj(),
         ab,
         {fp("p-b1", "node-b")},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"node-a", 1}, {"node-b", 1}}},
         {{{{"node-a", 1}, {"node-b", 1}}}}},
        {"add a pod in a different namespace doesn't change topologyKeyToMinPodsMap",
         node_c().obj(),
         ab,
         {fp("p-b1", "node-b")},
         fp("p-a1", "node-a", "ns1"),
         "node-a",
         {{{"node-a", 0}, {"node-b", 1}}},
         {{{{"node-a", 0}, {"node-b", 1}}}}},
        {"add pod on non-critical node won't trigger re-calculation",
         node_c().obj(),
         ab,
         {fp("p-b1", "node-b")},
         fp("p-b2", "node-b"),
         "node-b",
         {{{"node-a", 0}, {"node-b", 2}}},
         {{{{"node-a", 0}, {"node-b", 2}}}}},
        {"node a and x both impact topologyKeyToMinPodsMap on zone and node",
         zone_node().obj(),
         ax,
         {},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"zone1", 1}, {"zone2", 0}}, {{"node-a", 1}, {"node-x", 0}}},
         {{{{"zone2", 0}, {"zone1", 1}}}, {{{"node-x", 0}, {"node-a", 1}}}}},
        {"only node a impacts topologyKeyToMinPodsMap on zone and node",
         zone_node().obj(),
         ax,
         {fp("p-x1", "node-x")},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"zone1", 1}, {"zone2", 1}}, {{"node-a", 1}, {"node-x", 1}}},
         {{{{"zone1", 1}, {"zone2", 1}}}, {{{"node-a", 1}, {"node-x", 1}}}}},
        {"node a impacts topologyKeyToMinPodsMap on node, node x impacts topologyKeyToMinPodsMap "
         "on zone",
         zone_node().obj(),
         abx,
         {fp("p-b1", "node-b"), fp("p-b2", "node-b"), fp("p-x1", "node-x")},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"zone1", 3}, {"zone2", 1}}, {{"node-a", 1}, {"node-b", 2}, {"node-x", 1}}},
         {{{{"zone2", 1}, {"zone1", 3}}}, {{{"node-a", 1}, {"node-x", 1}}}}},
        {"Constraints hold different labelSelectors, node a impacts topologyKeyToMinPodsMap on "
         "zone",
         zone_foo_bar().obj(),
         abx,
         {ep("p-b1", "node-b", {{"foo", ""}, {"bar", ""}}),
          ep("p-x1", "node-x", {{"foo", ""}, {"bar", ""}}), ep("p-x2", "node-x", {{"bar", ""}})},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"zone1", 2}, {"zone2", 1}}, {{"node-a", 0}, {"node-b", 1}, {"node-x", 2}}},
         {{{{"zone2", 1}, {"zone1", 2}}}, {{{"node-a", 0}, {"node-b", 1}}}}},
        {"Constraints hold different labelSelectors, node a impacts topologyKeyToMinPodsMap on "
         "both zone and node",
         zone_foo_bar().obj(),
         abx,
         {ep("p-b1", "node-b", {{"bar", ""}}), ep("p-x1", "node-x", {{"foo", ""}, {"bar", ""}}),
          ep("p-x2", "node-x", {{"bar", ""}})},
         ep("p-a1", "node-a", {{"foo", ""}, {"bar", ""}}),
         "node-a",
         {{{"zone1", 1}, {"zone2", 1}}, {{"node-a", 1}, {"node-b", 1}, {"node-x", 2}}},
         {{{{"zone1", 1}, {"zone2", 1}}}, {{{"node-a", 1}, {"node-b", 1}}}}},
        {"add a pod when scheduling node affinity unmatched pod",
         zone_only().node_affinity(affinity("foo", "NotIn", {"bar"})).obj(),
         foo_nodes,
         {zone_pod("p-a2", "node-a", "zone1"), zone_pod("p-b1", "node-b", "zone2")},
         zone_pod("p-a1", "node-a", "zone1"),
         "node-a",
         {{{"zone2", 1}}},
         {{{{"zone2", 1}, {"", kUnset}}}}},
        {"add a pod when scheduling node affinity matched pod",
         zone_only().obj(),
         foo_nodes,
         {zone_pod("p-a1", "node-a", "zone1"), zone_pod("p-b2", "node-b", "zone2")},
         zone_pod("p-b1", "node-b", "zone2"),
         "node-b",
         {{{"zone1", 1}, {"zone2", 2}}},
         {{{{"zone1", 1}, {"zone2", 2}}}}},
        {"add a label selector not matched pod",
         zone_only().obj(),
         foo_nodes,
         {zone_pod("p-a1", "node-a", "zone1"), zone_pod("p-b2", "node-b", "zone2")},
         zone_pod("p-b1", "node-b", "zone2", false),
         "node-b",
         {{{"zone1", 1}, {"zone2", 1}}},
         {{{{"zone1", 1}, {"zone2", 1}}}}},
        {"add a pod when scheduling taint tolerated pod",
         zone_only().toleration(std::string(kUnschedulableTaint)).obj(),
         {zn("node-a", "zone1").taint(std::string(kUnschedulableTaint), "", "NoSchedule").obj(),
          zn("node-b", "zone2").obj()},
         {zone_pod("p-a1", "node-a", "zone1"), zone_pod("p-b2", "node-b", "zone2")},
         zone_pod("p-b1", "node-b", "zone2"),
         "node-b",
         {{{"zone1", 1}, {"zone2", 2}}},
         {{{{"zone1", 1}, {"zone2", 2}}}}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            run_extension(c, true);
        }
    }
}

TEST_CASE("pod_topology_spread.pre_filter_remove_pod") {
    const auto zone_only = [] {
        return make_pod().name("p").label("foo", "").spread(tsc(1, "zone", kDNS, foo()));
    };
    const std::vector<api::node> foo_nodes = {zn("node-a", "zone1").label("foo", "bar").obj(),
                                              zn("node-b", "zone2").label("foo", "").obj()};
    const std::vector<api::node> abx = {zn("node-a", "zone1").obj(), zn("node-b", "zone1").obj(),
                                        zn("node-x", "zone2").obj()};
    const std::vector<extension_case> cases = {
        {"one spreadConstraint on zone, topologyKeyToMinPodsMap unchanged",
         zone_only().obj(),
         abx,
         {fp("p-a1", "node-a"), fp("p-b1", "node-b"), fp("p-x1", "node-x")},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"zone1", 1}, {"zone2", 1}}},
         {{{{"zone1", 1}, {"zone2", 1}}}}},
        {"one spreadConstraint on node, topologyKeyToMinPodsMap changed",
         zone_only().obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), fp("p-b1", "node-b"), fp("p-x1", "node-x"), fp("p-y1", "node-y")},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"zone1", 1}, {"zone2", 2}}},
         {{{{"zone1", 1}, {"zone2", 2}}}}},
        {"delete an irrelevant pod won't help",
         zone_only().obj(),
         nodes_abxy(),
         {ep("p-a0", "node-a", {{"bar", ""}}), fp("p-a1", "node-a"), fp("p-b1", "node-b"),
          fp("p-x1", "node-x"), fp("p-y1", "node-y")},
         ep("p-a0", "node-a", {{"bar", ""}}),
         "node-a",
         {{{"zone1", 2}, {"zone2", 2}}},
         {{{{"zone1", 2}, {"zone2", 2}}}}},
        {"delete a non-existing pod won't help",
         zone_only().obj(),
         nodes_abxy(),
         {fp("p-a1", "node-a"), fp("p-b1", "node-b"), fp("p-x1", "node-x"), fp("p-y1", "node-y")},
         ep("p-a0", "node-a", {{"bar", ""}}),
         "node-a",
         {{{"zone1", 2}, {"zone2", 2}}},
         {{{{"zone1", 2}, {"zone2", 2}}}}},
        {"two spreadConstraints",
         zone_only().spread(tsc(1, "node", kDNS, foo())).obj(),
         abx,
         {fp("p-a1", "node-a"), fp("p-a2", "node-a"), fp("p-b1", "node-b"), fp("p-x1", "node-x"),
          fp("p-x2", "node-x")},
         fp("p-x1", "node-x"),
         "node-x",
         {{{"zone1", 3}, {"zone2", 1}}, {{"node-a", 2}, {"node-b", 1}, {"node-x", 1}}},
         {{{{"zone2", 1}, {"zone1", 3}}}, {{{"node-b", 1}, {"node-x", 1}}}}},
        {"remove a pod when scheduling node affinity unmatched pod",
         zone_only().node_affinity(affinity("foo", "NotIn", {"bar"})).obj(),
         foo_nodes,
         {ep("p-a2", "node-a", {{"foo", ""}}), ep("p-b1", "node-b", {{"foo", ""}})},
         fp("p-a1", "node-a"),
         "node-a",
         {{{"zone2", 1}}},
         {{{{"zone2", 1}, {"", kUnset}}}}},
        {"remove a pod when scheduling node affinity matched pod",
         zone_only().obj(),
         foo_nodes,
         {fp("p-a1", "node-a"), fp("p-b2", "node-b")},
         fp("p-b1", "node-b"),
         "node-b",
         {{{"zone1", 1}, {"zone2", 0}}},
         {{{{"zone2", 0}, {"zone1", 1}}}}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            run_extension(c, false);
        }
    }
}

TEST_CASE("pod_topology_spread.pre_filter_extensions_without_state") {
    multisched::testing::fake_handle h;
    auto plugin = list_plugin(h);
    const cluster cl({zn("node-a", "zone1").obj()}, {});
    framework::cycle_state state;
    const auto pod = info(make_pod().name("p").obj());
    const auto st = plugin.add_pod(state, *pod, *pod, cl.get("node-a"));
    CHECK(st.code() == framework::code::error);
    CHECK(st.message() == "reading \"PreFilterPodTopologySpread\" from cycleState: not found");
    CHECK(plugin.remove_pod(state, *pod, *pod, cl.get("node-a")).code() == framework::code::error);
}

}  // namespace
}  // namespace multisched::plugins::pod_topology_spread
