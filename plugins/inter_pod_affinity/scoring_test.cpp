// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/interpodaffinity/scoring_test.go (v1.30: TestPreferredAffinity,
// TestPreferredAffinityWithHardPodAffinitySymmetricWeight) as tables, plus NormalizeScore with
// negative scores and the error paths.
#include <catch2/catch.hpp>

#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"
#include "plugins/inter_pod_affinity/test_util.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): test helpers
using framework::code;
using testing::selector_exists;
using testing::selector_in;

constexpr std::int64_t kMax = framework::kMaxNodeScore;

// spec.affinity.podAffinity / podAntiAffinity of a test pod.
struct affinity {
    std::optional<api::pod_affinity> aff;
    std::optional<api::pod_affinity> anti;
};

api::pod with(api::pod p, const affinity& a) {
    p.affinity = a.aff;
    p.anti_affinity = a.anti;
    return p;
}

api::pod_affinity preferred(std::vector<api::weighted_pod_affinity_term> terms) {
    api::pod_affinity a;
    a.preferred = std::move(terms);
    return a;
}

api::weighted_pod_affinity_term weighted(std::int32_t w, api::label_selector sel, std::string key) {
    return {w, testing::make_term(std::move(sel), std::move(key))};
}

struct score_case {
    std::string name;
    api::pod pod;
    std::vector<api::pod> pods;
    std::vector<api::node> nodes;
    std::vector<std::int64_t> want;  // after NormalizeScore, per node
    code want_status = code::success;
    std::string status_contains = {};
    bool ignore_preferred = false;
    std::int32_t hard_weight = 1;
};

void run(const score_case& tc) {
    INFO(tc.name);
    testing::fake_handle h;
    add_team_namespaces(h);
    const cluster c(tc.nodes, tc.pods);
    h.cluster = c.all();
    inter_pod_affinity_args args;
    args.hard_pod_affinity_weight = tc.hard_weight;
    args.ignore_preferred_terms_of_existing_pods = tc.ignore_preferred;
    inter_pod_affinity pl(args, h);
    framework::cycle_state state;
    const auto p = info(tc.pod);
    const auto nodes = c.with_nodes();
    const auto st = pl.pre_score(state, *p, nodes);
    CHECK(st.code() == tc.want_status);
    CHECK_THAT(st.message(), Catch::Contains(tc.status_contains));
    if (!st.is_success()) {
        return;
    }
    std::vector<std::int64_t> got(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        REQUIRE(pl.score(state, *p, *nodes[i], got[i]).is_success());
    }
    REQUIRE(pl.normalize_score(state, *p, nodes, got).is_success());
    CHECK(got == tc.want);
}

const kv kRgChina = {{"region", "China"}};
const kv kRgIndia = {{"region", "India"}};
const kv kAzAz1 = {{"az", "az1"}};
const kv kAzAz2 = {{"az", "az2"}};
const kv kRgChinaAzAz1 = {{"region", "China"}, {"az", "az1"}};
const kv kS1 = {{"security", "S1"}};
const kv kS2 = {{"security", "S2"}};

TEST_CASE("inter_pod_affinity.score_preferred") {
    const auto sec = [](std::string v) { return selector_in("security", {std::move(v)}); };
    const affinity stay_s1_region{preferred({weighted(5, sec("S1"), "region")}), {}};
    const affinity stay_s2_region{preferred({weighted(6, sec("S2"), "region")}), {}};
    const affinity affinity3{
        preferred(
            {weighted(8, exprs({{"security", "NotIn", {"S1"}}, {"security", "In", {"S2"}}}),
                      "region"),
             weighted(2, exprs({{"security", "Exists", {}}, {"wrongkey", "DoesNotExist", {}}}),
                      "region")}),
        {}};
    api::pod_affinity hard;
    hard.required = {
        testing::make_term(selector_in("security", {"S1", "value2"}), "region"),
        testing::make_term(exprs({{"security", "Exists", {}}, {"wrongkey", "DoesNotExist", {}}}),
                           "region")};
    const affinity hard_affinity{hard, {}};
    const affinity away_s1_az{{}, preferred({weighted(5, sec("S1"), "az")})};
    const affinity away_s2_az{{}, preferred({weighted(5, sec("S2"), "az")})};
    const affinity stay_s1_region_away_s2_az{preferred({weighted(8, sec("S1"), "region")}),
                                             preferred({weighted(5, sec("S2"), "az")})};
    const auto ns_term = [&] {
        return api::weighted_pod_affinity_term{
            5, testing::make_term(sec("S1"), "region", {"subteam2.team2"},
                                  selector_in("team", {"team1"}))};
    };
    const affinity affinity_ns_selector{preferred({ns_term()}), {}};
    const affinity anti_affinity_ns_selector{{}, preferred({ns_term()})};
    const affinity invalid_affinity{preferred({weighted(8, sec("{{.bad-value.}}"), "region")}), {}};
    const affinity invalid_anti_affinity{{},
                                         preferred({weighted(5, sec("{{.bad-value.}}"), "az")})};

    const auto on = [](kv l, std::string node, std::string ns = "") {
        return pod(l, std::move(ns), std::move(node)).obj();
    };
    const auto three = std::vector<api::node>{node("node1", kRgChina), node("node2", kRgIndia),
                                              node("node3", kAzAz1)};
    const auto ns_pods = [&](std::string third) {
        return std::vector<api::pod>{
            on(kS1, "node1", "subteam1.team1"), on(kS1, "node1", "subteam1.team1"),
            on(kS1, "node1", std::move(third)), on(kS1, "node2", "subteam2.team1")};
    };
    const auto two = std::vector<api::node>{node("node1", kRgChina), node("node2", kRgIndia)};
    const std::vector<score_case> cases = {
        {"all nodes are same priority as Affinity is nil",
         pod(kS1).obj(),
         {},
         three,
         {},
         code::skip},
        {"Affinity: pod that matches topology key & pods in nodes will get high score comparing "
         "to otherswhich doesn't match either pods in nodes or in topology key",
         with(pod(kS1).obj(), stay_s1_region),
         {on(kS1, "node1"), on(kS2, "node2"), on(kS1, "node3")},
         three,
         {kMax, 0, 0}},
        {"All the nodes that have the same topology key & label value with one of them has an "
         "existing pod that match the affinity rules, have the same score",
         with(pod({}).obj(), stay_s1_region),
         {on(kS1, "node1")},
         {node("node1", kRgChina), node("node2", kRgChinaAzAz1), node("node3", kRgIndia)},
         {kMax, kMax, 0}},
        {"Affinity: nodes in one region has more matching pods comparing to other region, so the "
         "region which has more matches will get high score",
         with(pod(kS1).obj(), stay_s2_region),
         {on(kS2, "node1"), on(kS2, "node1"), on(kS2, "node2"), on(kS2, "node3"), on(kS2, "node4"),
          on(kS2, "node5")},
         {node("node1", kRgChina), node("node2", kRgIndia), node("node3", kRgChina),
          node("node4", kRgChina), node("node5", kRgIndia)},
         {kMax, 0, kMax, kMax, 0}},
        {"Affinity: different Label operators and values for pod affinity scheduling preference, "
         "including some match failures ",
         with(pod(kS1).obj(), affinity3),
         {on(kS1, "node1"), on(kS2, "node2"), on(kS1, "node3")},
         three,
         {20, kMax, 0}},
        {"Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution "
         "in pod affinity symmetry",
         pod(kS2).obj(),
         {with(on(kS1, "node1"), stay_s1_region), with(on(kS2, "node2"), stay_s2_region)},
         three,
         {0, kMax, 0}},
        {"Affinity symmetry with namespace selector",
         pod(kS1, "subteam1.team1").obj(),
         {with(on(kS1, "node1"), affinity_ns_selector), with(on(kS2, "node2"), stay_s2_region)},
         three,
         {kMax, 0, 0}},
        {"AntiAffinity symmetry with namespace selector",
         pod(kS1, "subteam1.team1").obj(),
         {with(on(kS1, "node1"), anti_affinity_ns_selector),
          with(on(kS2, "node2"), stay_s2_region)},
         three,
         {0, kMax, kMax}},
        {"Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod "
         "affinity symmetry",
         pod(kS1).obj(),
         {with(on(kS1, "node1"), hard_affinity), with(on(kS2, "node2"), hard_affinity)},
         three,
         {kMax, kMax, 0}},
        {"Anti Affinity: pod that does not match existing pods in node will get high score ",
         with(pod(kS1).obj(), away_s1_az),
         {on(kS1, "node1"), on(kS2, "node2")},
         {node("node1", kAzAz1), node("node2", kRgChina)},
         {0, kMax}},
        {"Anti Affinity: pod that does not match topology key & match the pods in nodes will get "
         "higher score comparing to others ",
         with(pod(kS1).obj(), away_s1_az),
         {on(kS1, "node1"), on(kS1, "node2")},
         {node("node1", kAzAz1), node("node2", kRgChina)},
         {0, kMax}},
        {"Anti Affinity: one node has more matching pods comparing to other node, so the node "
         "which has more unmatches will get high score",
         with(pod(kS1).obj(), away_s1_az),
         {on(kS1, "node1"), on(kS1, "node1"), on(kS2, "node2")},
         {node("node1", kAzAz1), node("node2", kRgIndia)},
         {0, kMax}},
        {"Anti Affinity symmetry: the existing pods in node which has anti affinity match will get "
         "high score",
         pod(kS2).obj(),
         {with(on(kS1, "node1"), away_s2_az), with(on(kS2, "node2"), away_s1_az)},
         {node("node1", kAzAz1), node("node2", kAzAz2)},
         {0, kMax}},
        {"Affinity and Anti Affinity: considered only "
         "preferredDuringSchedulingIgnoredDuringExecution"
         " in both pod affinity & anti affinity",
         with(pod(kS1).obj(), stay_s1_region_away_s2_az),
         {on(kS1, "node1"), on(kS1, "node2")},
         {node("node1", kRgChina), node("node2", kAzAz1)},
         {kMax, 0}},
        {"Affinity and Anti Affinity: considering both affinity and anti-affinity, the pod to "
         "schedule and existing pods have the same labels",
         with(pod(kS1).obj(), stay_s1_region_away_s2_az),
         {on(kS1, "node1"), on(kS1, "node1"), on(kS1, "node2"), on(kS1, "node3"), on(kS1, "node3"),
          on(kS1, "node4"), on(kS1, "node5")},
         {node("node1", kRgChinaAzAz1), node("node2", kRgIndia), node("node3", kRgChina),
          node("node4", kRgChina), node("node5", kRgIndia)},
         {kMax, 0, kMax, kMax, 0}},
        {"Affinity and Anti Affinity and symmetry: considered only "
         "preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity & "
         "symmetry",
         with(pod(kS1).obj(), stay_s1_region_away_s2_az),
         {on(kS1, "node1"), on(kS2, "node2"), with(on({}, "node3"), stay_s1_region_away_s2_az),
          with(on({}, "node4"), away_s1_az)},
         {node("node1", kRgChina), node("node2", kAzAz1), node("node3", kRgIndia),
          node("node4", kAzAz2)},
         {kMax, 0, kMax, 0}},
        {"Avoid panic when partial nodes in a topology don't have pods with affinity",
         pod(kS1).obj(),
         {on(kS1, "node1"), with(on({}, "node2"), stay_s1_region_away_s2_az)},
         {node("node1", kRgChina), node("node2", kRgChina)},
         {0, 0}},
        {"invalid Affinity fails PreScore",
         with(pod({}).obj(), invalid_affinity),
         {},
         {node("node1", kRgChina), node("node2", kRgChina)},
         {},
         code::error,
         "Invalid value: \"{{.bad-value.}}\""},
        {"invalid AntiAffinity fails PreScore",
         with(pod({}).obj(), invalid_anti_affinity),
         {},
         {node("node1", kRgChina), node("node2", kRgChina)},
         {},
         code::error,
         "Invalid value: \"{{.bad-value.}}\""},
        {"Affinity with pods matching NamespaceSelector",
         with(pod(kS1, "subteam1.team1").obj(), affinity_ns_selector),
         ns_pods("subteam1.team2"),
         two,
         {kMax, 0}},
        {"Affinity with pods matching both NamespaceSelector and Namespaces fields",
         with(pod(kS1, "subteam1.team1").obj(), affinity_ns_selector),
         ns_pods("subteam2.team2"),
         two,
         {kMax, 0}},
        {"AntiAffinity with pods matching NamespaceSelector",
         with(pod(kS1, "subteam1.team1").obj(), anti_affinity_ns_selector),
         ns_pods("subteam1.team2"),
         two,
         {0, kMax}},
        {"AntiAffinity with pods matching both NamespaceSelector and Namespaces fields",
         with(pod(kS1, "subteam1.team1").obj(), anti_affinity_ns_selector),
         ns_pods("subteam2.team2"),
         two,
         {0, kMax}},
        {"Ignore preferred terms of existing pods",
         pod(kS2).obj(),
         {with(on(kS1, "node1"), stay_s1_region_away_s2_az),
          with(on(kS2, "node2"), stay_s2_region)},
         two,
         {},
         code::skip,
         "",
         true},
        {"Do not ignore preferred terms of existing pods",
         pod(kS2).obj(),
         {with(on(kS1, "node1"), stay_s1_region_away_s2_az),
          with(on(kS2, "node2"), stay_s2_region)},
         two,
         {0, kMax},
         code::success,
         "",
         false},
        {"No nodes to score", pod(kS2).obj(), {}, {}, {}, code::skip},
    };
    for (const auto& tc : cases) {
        run(tc);
    }
}

TEST_CASE("inter_pod_affinity.score_hard_pod_affinity_weight") {
    const kv service_s1 = {{"service", "S1"}};
    api::pod_affinity hard;
    hard.required = {testing::make_term(selector_in("service", {"S1"}), "region",
                                        {"", "subteam2.team2"}, selector_in("team", {"team1"}))};
    const affinity hard_affinity{hard, {}};
    const std::vector<api::pod> pods = {with(pod({}, "", "node1").obj(), hard_affinity),
                                        with(pod({}, "", "node2").obj(), hard_affinity)};
    const std::vector<api::node> nodes = {node("node1", kRgChina), node("node2", kRgIndia),
                                          node("node3", kAzAz1)};
    const auto case_for = [&](std::string name, std::string ns, std::int32_t weight,
                              std::vector<std::int64_t> want) {
        score_case tc{std::move(name), pod(service_s1, std::move(ns)).obj(), pods, nodes,
                      std::move(want)};
        tc.hard_weight = weight;
        tc.want_status = tc.want.empty() ? code::skip : code::success;
        return tc;
    };
    const std::vector<score_case> cases = {
        case_for("with default weight", "", 1, {kMax, kMax, 0}),
        case_for("with zero weight", "", 0, {}),
        case_for("with no matching namespace", "subteam1.team2", 1, {}),
        case_for("with matching NamespaceSelector", "subteam1.team1", 1, {kMax, kMax, 0}),
        case_for("with matching Namespaces", "subteam2.team2", 1, {kMax, kMax, 0}),
        case_for("with an unknown namespace", "unknown", 1, {}),
    };
    for (const auto& tc : cases) {
        run(tc);
    }
}

TEST_CASE("inter_pod_affinity.normalize_score") {
    // upstream NormalizeScore: min-max scaling over the given scores, negative ones included.
    struct test_case {
        std::string name;
        std::vector<std::int64_t> scores;
        std::vector<std::int64_t> want;
    };
    const std::vector<test_case> cases = {
        {"negative and positive", {-5, 0, 5}, {0, 50, 100}},
        {"all negative", {-10, -4, -1}, {0, 66, 100}},
        {"all equal", {7, 7}, {0, 0}},
        {"truncates", {0, 1, 3}, {0, 33, 100}},
        {"none", {}, {}},
    };
    testing::fake_handle h;
    inter_pod_affinity pl({}, h);
    framework::cycle_state state;
    auto s = std::make_unique<pre_score_state>();
    s->scores.add("zone", "a", 1);
    state.write(kPreScoreStateKey, std::move(s));
    const auto p = info(pod({}).obj());
    for (const auto& tc : cases) {
        INFO(tc.name);
        auto got = tc.scores;
        REQUIRE(pl.normalize_score(state, *p, {}, got).is_success());
        CHECK(got == tc.want);
    }
}

TEST_CASE("inter_pod_affinity.score_errors") {
    testing::fake_handle h;
    inter_pod_affinity pl({}, h);
    framework::cycle_state state;
    const auto p = info(pod({}).obj());
    const auto n = testing::make_node_info(node("node1", kRgChina));
    std::int64_t score = 0;
    const auto st = pl.score(state, *p, n, score);
    CHECK(st.code() == code::error);
    CHECK(st.message() == "failed to read \"PreScoreInterPodAffinity\" from cycleState: not found");
    std::vector<std::int64_t> scores = {1};
    CHECK(pl.normalize_score(state, *p, {}, scores).code() == code::error);
    state.write(kPreScoreStateKey, std::make_unique<pre_score_state>());
    framework::node_info no_object("gone");
    CHECK(pl.score(state, *p, no_object, score).message() == "node not found");
}

}  // namespace
}  // namespace multisched::plugins::inter_pod_affinity
