// SPDX-License-Identifier: Apache-2.0
// The per-node memo of matching-pod counts (count_matching through node_info::remember): one
// plugin schedules through a sequence of cluster changes, and after each change its PreFilter
// and PreScore states must equal those of a fresh plugin over freshly built node_infos (no
// memo). A count remembered across a change it depends on shows up as a difference.
#include <functional>
#include <map>

#include <catch2/catch.hpp>

#include "plugins/pod_topology_spread/test_helpers.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): test vocabulary

using counts_t = std::vector<std::map<std::string, std::int64_t>>;

counts_t plain(const std::vector<domain_counts>& counts) {
    counts_t out;
    for (const auto& c : counts) {
        out.emplace_back(c.begin(), c.end());
    }
    return out;
}

// What one plugin derives for `pod` over `nodes`: the PreFilter counts, the PreScore counts and
// the raw Score of every node.
struct outcome {
    counts_t filter_counts;
    counts_t score_counts;
    std::vector<std::int64_t> scores;
    bool operator==(const outcome&) const = default;
};

outcome run(pod_topology_spread& plugin, const api::pod& pod,
            const std::vector<const framework::node_info*>& nodes) {
    outcome out;
    framework::cycle_state state;
    framework::pre_filter_result result;
    const auto pi = info(pod);
    const auto st = plugin.pre_filter(state, *pi, nodes, result);
    REQUIRE((st.is_success() || st.code() == framework::code::skip));
    if (const auto* s = state.read<pre_filter_state>(kPreFilterStateKey)) {
        out.filter_counts = plain(s->counts);
        for (const auto& c : s->constraints) {
            CHECK(c.memo_key != 0);
            CHECK(c.label_memo_key != 0);
        }
    }
    const auto ps = plugin.pre_score(state, *pi, nodes);
    REQUIRE((ps.is_success() || ps.code() == framework::code::skip));
    if (const auto* s = state.read<pre_score_state>(kPreScoreStateKey)) {
        out.score_counts = plain(s->counts);
        for (const auto* n : nodes) {
            std::int64_t score = 0;
            REQUIRE(plugin.score(state, *pi, *n, score).is_success());
            out.scores.push_back(score);
        }
    }
    return out;
}

// node_infos equal to `infos` but built afresh: no memo.
std::vector<framework::node_info> rebuilt(const std::vector<framework::node_info>& infos) {
    std::vector<framework::node_info> out;
    for (const auto& ni : infos) {
        framework::node_info fresh(ni.name());
        fresh.set_node(ni.node_ptr());
        for (const auto& p : ni.pods()) {
            fresh.add_pod(p);
        }
        out.push_back(std::move(fresh));
    }
    return out;
}

std::vector<const framework::node_info*> pointers(const std::vector<framework::node_info>& v) {
    std::vector<const framework::node_info*> out;
    for (const auto& ni : v) {
        out.push_back(&ni);
    }
    return out;
}

framework::node_info& named(std::vector<framework::node_info>& infos, const std::string& name) {
    for (auto& ni : infos) {
        if (ni.name() == name) {
            return ni;
        }
    }
    throw std::out_of_range(name);
}

std::shared_ptr<const framework::pod_info> pod_on(const std::string& name, const std::string& node,
                                                  const std::string& ns, bool foo,
                                                  bool deleting = false) {
    auto b = make_pod().name(name).uid(name).ns(ns).node(node).deleting(deleting);
    if (foo) {
        b.label("foo", "");
    }
    return info(b.obj());
}

TEST_CASE("pod_topology_spread.memoised_counts_follow_changes") {
    // The incoming pods: hard zone + node spreading over foo, soft zone + hostname over foo, the
    // same in namespace "other", and hard zone spreading over bar.
    const auto hard = [](const std::string& ns) {
        return make_pod()
            .name("in")
            .ns(ns)
            .label("foo", "")
            .spread(tsc(1, "zone", kDNS, foo()))
            .spread(tsc(1, "node", kDNS, foo()))
            .obj();
    };
    const auto soft = [](const std::string& ns) {
        return make_pod()
            .name("in")
            .ns(ns)
            .label("foo", "")
            .spread(tsc(1, "zone", kSA, foo()))
            .spread(tsc(1, "kubernetes.io/hostname", kSA, foo()))
            .obj();
    };
    const api::pod hard_bar = make_pod().name("in").spread(tsc(1, "zone", kDNS, bar())).obj();
    using change = std::function<void(std::vector<framework::node_info>&)>;
    struct step {
        std::string name;
        change apply;
    };
    const std::vector<step> steps = {
        {"first cycle: every count computed", [](auto&) {}},
        {"nothing changed: every count recalled", [](auto&) {}},
        {"a matching pod assumed on node-a",
         [](auto& in) { named(in, "node-a").add_pod(pod_on("a2", "node-a", "", true)); }},
        {"a matching pod removed from node-x",
         [](auto& in) { REQUIRE(named(in, "node-x").remove_pod("x1")); }},
        {"a pod relabelled so that it stops matching",
         [](auto& in) {
             REQUIRE(named(in, "node-b").remove_pod("b1"));
             named(in, "node-b").add_pod(pod_on("b1", "node-b", "", false));
         }},
        {"a pod starts terminating",
         [](auto& in) {
             REQUIRE(named(in, "node-a").remove_pod("a1"));
             named(in, "node-a").add_pod(pod_on("a1", "node-a", "", true, true));
         }},
        {"a matching pod in another namespace",
         [](auto& in) { named(in, "node-y").add_pod(pod_on("y2", "node-y", "other", true)); }},
        {"a node moved to another zone",
         [](auto& in) {
             named(in, "node-b")
                 .set_node(std::make_shared<const api::node>(
                     zn("node-b", "zone2").label("kubernetes.io/hostname", "node-b").obj()));
         }},
        {"a node gains a label sorted before its topology keys (their positions shift)",
         [](auto& in) {
             named(in, "node-x")
                 .set_node(std::make_shared<const api::node>(
                     zn("node-x", "zone2")
                         .label("a-first", "1")
                         .label("kubernetes.io/hostname", "node-x")
                         .obj()));
         }},
        {"a node loses its zone label",
         [](auto& in) {
             named(in, "node-y")
                 .set_node(std::make_shared<const api::node>(
                     make_node().name("node-y").label("kubernetes.io/hostname", "node-y").obj()));
         }},
        {"a pod with bar assumed on node-x",
         [](auto& in) {
             named(in, "node-x")
                 .add_pod(
                     info(make_pod().name("x3").uid("x3").node("node-x").label("bar", "").obj()));
         }},
    };

    std::vector<framework::node_info> infos;
    for (const auto& [name, zone] : std::vector<std::pair<std::string, std::string>>{
             {"node-a", "zone1"}, {"node-b", "zone1"}, {"node-x", "zone2"}, {"node-y", "zone2"}}) {
        const std::string suffix = name.substr(5);
        infos.push_back(multisched::testing::make_node_info(
            zn(name, zone).label("kubernetes.io/hostname", name).obj(),
            {ep(suffix + "1", name, {{"foo", ""}}), ep(suffix + "9", name, {{"bar", ""}}),
             ep(suffix + "8", name, {{"foo", ""}}, "other")}));
    }
    multisched::testing::fake_handle h;
    auto memoised = list_plugin(h);
    for (const auto& s : steps) {
        s.apply(infos);
        const auto fresh_infos = rebuilt(infos);
        for (const api::pod& pod : {hard(""), hard("other"), soft(""), soft("other"), hard_bar}) {
            INFO(s.name << ", pod in namespace \"" << pod.meta.ns << "\"");
            auto fresh = list_plugin(h);
            const outcome want = run(fresh, pod, pointers(fresh_infos));
            CHECK(run(memoised, pod, pointers(infos)) == want);
        }
        // The counts are remembered: every node with all topology keys (the others are not
        // counted) holds the hard pod's count per constraint, the count of its matching pods.
        framework::cycle_state state;
        framework::pre_filter_result result;
        REQUIRE(memoised.pre_filter(state, *info(hard("")), pointers(infos), result).is_success());
        const auto* pf = state.read<pre_filter_state>(kPreFilterStateKey);
        REQUIRE(pf != nullptr);
        for (const auto& ni : infos) {
            if (!has_all_keys(ni.node()->meta.labels, pf->constraints)) {
                continue;
            }
            for (const auto& c : pf->constraints) {
                const std::int64_t* known = ni.recall(c.memo_key);
                REQUIRE(known != nullptr);
                CHECK(ni.remembered() >= pf->constraints.size());
                CHECK(*known == count_matching(ni.pods(), c, ""));
            }
        }
    }
}

}  // namespace
}  // namespace multisched::plugins::pod_topology_spread
