// SPDX-License-Identifier: Apache-2.0
// The PreFilter counts of InterPodAffinity: upstream filtering_test.go
// TestPreFilterStateAddRemovePod, TestPreFilterStateClone and
// TestGetTPMapMatchingIncomingAffinityAntiAffinity (v1.30) as tables, plus topology_counts.
#include <catch2/catch.hpp>

#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"
#include "plugins/inter_pod_affinity/test_util.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): test helpers
using framework::code;
using testing::selector_exists;
using entries = std::vector<topology_counts::entry>;

// Runs PreFilter for `pending` over `nodes` + `pods`; the state stays in `state`.
pre_filter_state* run_pre_filter(inter_pod_affinity& pl, framework::cycle_state& state,
                                 const framework::pod_info& pending, const cluster& c) {
    framework::pre_filter_result result;
    REQUIRE(pl.pre_filter(state, pending, c.all(), result).is_success());
    auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    REQUIRE(s != nullptr);
    return s;
}

void check_same(const pre_filter_state& a, const pre_filter_state& b) {
    CHECK(a.existing_anti_affinity.entries() == b.existing_anti_affinity.entries());
    CHECK(a.affinity.entries() == b.affinity.entries());
    CHECK(a.anti_affinity.entries() == b.anti_affinity.entries());
    CHECK(a.namespace_labels == b.namespace_labels);
    CHECK(a.matches_own_affinity == b.matches_own_affinity);
}

TEST_CASE("inter_pod_affinity.pre_filter_add_remove_pod") {
    const std::vector<api::node> nodes = {node("nodeA", {{"region", "r1"}, {"zone", "z11"}}),
                                          node("nodeB", {{"region", "r1"}, {"zone", "z12"}}),
                                          node("nodeC", {{"region", "r2"}, {"zone", "z21"}})};
    const kv foo_bar = {{"foo", "bar"}};
    const auto anti_foo_bar = [](testing::pod_builder b) {
        return b.pod_anti_affinity("region", testing::selector_in("foo", {"bar"}));
    };
    // antiAffinityComplex / affinityComplex: the same two terms.
    const auto complex = [](testing::pod_builder b, bool anti) {
        auto t1 = testing::make_term(testing::selector_in("foo", {"bar", "buzz"}), "region");
        auto t2 = testing::make_term(
            testing::selector_not_in("service", {"bar", "security", "test"}), "zone");
        return b.affinity_term(anti, t1).affinity_term(anti, t2);
    };
    struct test_case {
        std::string name;
        api::pod pending;
        std::vector<api::pod> existing;
        api::pod added;
        entries want_anti;
        entries want_affinity;
    };
    const std::vector<test_case> cases = {
        {"preFilterState anti-affinity terms are updated correctly after adding and removing a pod",
         anti_foo_bar(pod(foo_bar).name("pending")).obj(),
         {pod(foo_bar, "", "nodeA").name("p1").obj(),
          anti_foo_bar(pod({}, "", "nodeC").name("p2")).obj()},
         anti_foo_bar(pod(foo_bar, "", "nodeB").name("addedPod")).obj(),
         {{"region", "r1", 2}},
         {}},
        {"preFilterState anti-affinity terms are updated correctly after adding and removing a pod "
         "(several terms)",
         complex(pod(foo_bar).name("pending"), true).obj(),
         {pod(foo_bar, "", "nodeA").name("p1").obj(),
          anti_foo_bar(pod({}, "", "nodeC").name("p2")).obj()},
         complex(pod(foo_bar, "", "nodeA").name("addedPod"), true).obj(),
         {{"region", "r1", 2}, {"zone", "z11", 2}, {"zone", "z21", 1}},
         {}},
        {"preFilterState matching pod affinity and anti-affinity are updated correctly after "
         "adding and removing a pod",
         complex(pod(foo_bar).name("pending"), false).obj(),
         {pod(foo_bar, "", "nodeA").name("p1").obj(),
          complex(anti_foo_bar(pod({}, "", "nodeC").name("p2")), false).obj()},
         complex(pod(foo_bar, "", "nodeA").name("addedPod"), true).obj(),
         {},
         {{"region", "r1", 2}, {"zone", "z11", 2}}},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        testing::fake_handle h;
        inter_pod_affinity pl({}, h);
        const auto pending = info(tc.pending);
        // The state PreFilter computes with the added pod already in the cluster.
        auto with_added = tc.existing;
        with_added.push_back(tc.added);
        const cluster all_pods(nodes, with_added);
        framework::cycle_state all_state;
        const auto* want = run_pre_filter(pl, all_state, *pending, all_pods);

        const cluster c(nodes, tc.existing);
        framework::cycle_state state;
        auto* s = run_pre_filter(pl, state, *pending, c);
        const auto original = s->clone();
        const auto added = info(tc.added);
        const auto& added_node = c.get(tc.added.node_name);

        REQUIRE(pl.add_pod(state, *pending, *added, added_node).is_success());
        CHECK(s->anti_affinity.entries() == tc.want_anti);
        CHECK(s->affinity.entries() == tc.want_affinity);
        check_same(*s, *want);

        REQUIRE(pl.remove_pod(state, *pending, *added, added_node).is_success());
        check_same(*s, dynamic_cast<const pre_filter_state&>(*original));
    }
}

TEST_CASE("inter_pod_affinity.pre_filter_state_clone") {
    framework::cycle_state state;
    auto src = std::make_unique<pre_filter_state>();
    src->existing_anti_affinity.add("name", "node1", 1);
    src->existing_anti_affinity.add("name", "node2", 1);
    src->affinity.add("name", "nodeA", 1);
    src->affinity.add("name", "nodeC", 2);
    src->anti_affinity.add("name", "nodeN", 3);
    src->anti_affinity.add("name", "nodeM", 1);
    state.write(kPreFilterStateKey, std::move(src));
    auto copy = state.clone();
    auto* a = state.read<pre_filter_state>(kPreFilterStateKey);
    auto* b = copy.read<pre_filter_state>(kPreFilterStateKey);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(a != b);
    check_same(*a, *b);
    a->affinity.add("name", "nodeA", -1);
    CHECK(a->affinity.entries() == entries{{"name", "nodeC", 2}});
    CHECK(b->affinity.entries() == entries{{"name", "nodeA", 1}, {"name", "nodeC", 2}});
}

TEST_CASE("inter_pod_affinity.pre_filter_incoming_counts") {
    const auto normal = [](kv l) { return pod(l, "", "nodeA").name("normal").obj(); };
    const auto pod_a = normal({{"aaa", ""}});
    const auto pod_b = normal({{"bbb", ""}});
    const auto pod_ab = normal({{"aaa", ""}, {"bbb", ""}});
    const std::vector<api::node> nodes = {node("nodeA", {{"hostname", "nodeA"}})};
    const auto aff = [](testing::pod_builder b, std::string key) {
        return b.pod_affinity("hostname", selector_exists(std::move(key)));
    };
    const auto anti = [](testing::pod_builder b, std::string key) {
        return b.pod_anti_affinity("hostname", selector_exists(std::move(key)));
    };
    const entries one = {{"hostname", "nodeA", 1}};
    struct test_case {
        std::string name;
        std::vector<api::pod> existing;
        api::pod pod;
        entries want_affinity;
        entries want_anti;
        code want_pre_filter = code::success;
    };
    const std::vector<test_case> cases = {
        {"nil test", {}, pod({}).name("aaa-normal").obj(), {}, {}, code::skip},
        {"incoming pod without affinity/anti-affinity causes a no-op",
         {pod_a},
         pod({}).name("aaa-normal").obj(),
         {},
         {},
         code::skip},
        {"no pod has label that violates incoming pod's affinity and anti-affinity",
         {pod_b},
         anti(aff(pod({}).name("aaa-anti"), "aaa"), "aaa").obj(),
         {},
         {}},
        {"existing pod matches incoming pod's affinity and anti-affinity - single term case",
         {pod_a},
         anti(aff(pod({}), "aaa"), "aaa").obj(),
         one,
         one},
        {"existing pod matches incoming pod's affinity and anti-affinity - multiple terms case",
         {pod_ab},
         anti(aff(aff(pod({}), "aaa"), "bbb"), "aaa").obj(),
         {{"hostname", "nodeA", 2}},  // one for each term
         one},
        {"existing pod not match incoming pod's affinity but matches anti-affinity",
         {pod_a},
         anti(anti(aff(aff(pod({}), "aaa"), "bbb"), "aaa"), "bbb").obj(),
         {},
         one},
        {"incoming pod's anti-affinity has more than one term - existing pod violates partial "
         "term - case 1",
         {pod_ab},
         anti(anti(aff(aff(pod({}), "aaa"), "ccc"), "aaa"), "ccc").obj(),
         {},
         one},
        {"incoming pod's anti-affinity has more than one term - existing pod violates partial "
         "term - case 2",
         {pod_b},
         anti(anti(aff(aff(pod({}), "aaa"), "bbb"), "aaa"), "bbb").obj(),
         {},
         one},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        testing::fake_handle h;
        inter_pod_affinity pl({}, h);
        const cluster c(nodes, tc.existing);
        framework::cycle_state state;
        framework::pre_filter_result result;
        const auto p = info(tc.pod);
        const auto st = pl.pre_filter(state, *p, c.all(), result);
        CHECK(st.code() == tc.want_pre_filter);
        const auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
        CHECK((s == nullptr) == (tc.want_pre_filter == code::skip));
        if (s != nullptr) {
            CHECK(s->affinity.entries() == tc.want_affinity);
            CHECK(s->anti_affinity.entries() == tc.want_anti);
        }
    }
}

TEST_CASE("inter_pod_affinity.topology_counts") {
    topology_counts m;
    CHECK(m.empty());
    m.add("zone", "a", 2);
    m.add("zone", "b", 1);
    m.add("host", "n1", 1);
    CHECK(m.size() == 3);
    CHECK(m.count("zone", "a") == 2);
    CHECK(m.count("zone", "c") == 0);
    CHECK(m.count("rack", "a") == 0);
    // Counts reaching zero disappear (upstream deletes the entry).
    m.add("zone", "b", -1);
    CHECK(m.size() == 2);
    CHECK(m.entries() == entries{{"host", "n1", 1}, {"zone", "a", 2}});
    const auto on_a = labels({{"zone", "a"}, {"host", "n2"}});
    const auto on_c = labels({{"zone", "c"}, {"host", "n2"}});
    CHECK(m.any_positive_on(on_a));
    CHECK_FALSE(m.any_positive_on(on_c));
    CHECK(m.sum_on(labels({{"zone", "a"}, {"host", "n1"}})) == 3);
    // add_on ignores nodes without the key; accumulate keeps zero entries (scores).
    m.add_on("rack", on_a, 1);
    CHECK(m.size() == 2);
    topology_counts scores;
    scores.accumulate("zone", on_a, 5);
    scores.accumulate("zone", on_a, -5);
    scores.accumulate("rack", on_a, 5);
    CHECK(scores.entries() == entries{{"zone", "a", 0}});
    CHECK_FALSE(scores.empty());
    CHECK(scores.sum_on(on_a) == 0);
    m.add("zone", "a", -3);
    CHECK(m.count("zone", "a") == -1);
    CHECK_FALSE(m.any_positive_on(on_a));
}

}  // namespace
}  // namespace multisched::plugins::inter_pod_affinity
