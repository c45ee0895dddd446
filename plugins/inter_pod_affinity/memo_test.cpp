// SPDX-License-Identifier: Apache-2.0
// The per-node memo of the incoming pod's term counts (pod_counter): one plugin runs PreFilter
// and PreScore through a sequence of cluster and namespace changes, and after each its states
// must equal those of a fresh plugin over freshly built node_infos (no memo). A count
// remembered across a change it depends on shows up as a difference.
#include <functional>

#include <catch2/catch.hpp>

#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"
#include "plugins/inter_pod_affinity/test_util.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): test helpers
using testing::make_term;
using testing::selector_in;

struct outcome {
    std::vector<topology_counts::entry> affinity;
    std::vector<topology_counts::entry> anti_affinity;
    std::vector<topology_counts::entry> existing_anti_affinity;
    std::vector<topology_counts::entry> scores;
    bool operator==(const outcome&) const = default;
};

outcome run(inter_pod_affinity& plugin, const api::pod& pod,
            const std::vector<const framework::node_info*>& nodes) {
    outcome out;
    framework::cycle_state state;
    framework::pre_filter_result result;
    const auto pi = info(pod);
    const auto st = plugin.pre_filter(state, *pi, nodes, result);
    REQUIRE((st.is_success() || st.code() == framework::code::skip));
    if (const auto* s = state.read<pre_filter_state>(kPreFilterStateKey)) {
        out.affinity = s->affinity.entries();
        out.anti_affinity = s->anti_affinity.entries();
        out.existing_anti_affinity = s->existing_anti_affinity.entries();
    }
    const auto ps = plugin.pre_score(state, *pi, nodes);
    REQUIRE((ps.is_success() || ps.code() == framework::code::skip));
    if (const auto* s = state.read<pre_score_state>(kPreScoreStateKey)) {
        out.scores = s->scores.entries();
    }
    return out;
}

std::vector<std::unique_ptr<framework::node_info>> rebuilt(
    const std::vector<std::unique_ptr<framework::node_info>>& infos) {
    std::vector<std::unique_ptr<framework::node_info>> out;
    for (const auto& ni : infos) {
        auto fresh = std::make_unique<framework::node_info>(ni->name());
        fresh->set_node(ni->node_ptr());
        for (const auto& p : ni->pods()) {
            fresh->add_pod(p);
        }
        out.push_back(std::move(fresh));
    }
    return out;
}

std::vector<const framework::node_info*> pointers(
    const std::vector<std::unique_ptr<framework::node_info>>& v) {
    std::vector<const framework::node_info*> out;
    for (const auto& ni : v) {
        out.push_back(ni.get());
    }
    return out;
}

std::shared_ptr<const framework::pod_info> existing(const std::string& uid, kv l,
                                                    const std::string& ns = "") {
    return info(pod(l, ns).name(uid).uid(uid).obj());
}

TEST_CASE("inter_pod_affinity.memoised_counts_follow_changes") {
    const auto web = selector_in("app", {"web"});
    const auto db = selector_in("app", {"db"});
    api::label_selector team1;
    team1.match_labels = labels({{"team", "team1"}});
    // Incoming pods: required terms in their own namespace; preferred terms naming a namespace;
    // a term over every namespace ({}), and one over the namespaces labelled team=team1 (its
    // matches change with namespace labels, not with the nodes: never remembered).
    const auto required = [&](const std::string& ns) {
        return pod({{"app", "web"}}, ns)
            .name("in")
            .pod_affinity("zone", web)
            .pod_anti_affinity("kubernetes.io/hostname", db)
            .obj();
    };
    const auto preferred = [&](const std::string& ns) {
        return pod({}, ns)
            .name("in")
            .affinity_term(false, make_term(web, "zone", {"other"}), 5)
            .affinity_term(true, make_term(db, "kubernetes.io/hostname"), 3)
            .obj();
    };
    const api::pod every_ns =
        pod({})
            .name("in")
            .affinity_term(true, make_term(db, "zone", {}, api::label_selector{}))
            .obj();
    const api::pod by_team =
        pod({}).name("in").affinity_term(false, make_term(web, "zone", {}, team1)).obj();
    const api::pod by_team_preferred =
        pod({}).name("in").affinity_term(true, make_term(db, "zone", {}, team1), 7).obj();

    using infos_t = std::vector<std::unique_ptr<framework::node_info>>;
    struct step {
        std::string name;
        std::function<void(infos_t&, testing::fake_handle&)> apply;
    };
    const auto at = [](infos_t& in, std::size_t i) -> framework::node_info& { return *in.at(i); };
    const std::vector<step> steps = {
        {"first cycle", [](auto&, auto&) {}},
        {"nothing changed", [](auto&, auto&) {}},
        {"a web pod assumed on node 1",
         [&](auto& in, auto&) {
             at(in, 1).add_pod(existing("w2", {{"app", "web"}}));
         }},
        {"a db pod removed from node 0",
         [&](auto& in, auto&) { REQUIRE(at(in, 0).remove_pod("d0")); }},
        {"a web pod relabelled db",
         [&](auto& in, auto&) {
             REQUIRE(at(in, 2).remove_pod("w0"));
             at(in, 2).add_pod(existing("w0", {{"app", "db"}}));
         }},
        {"a web pod in namespace other",
         [&](auto& in, auto&) {
             at(in, 3).add_pod(existing("o1", {{"app", "web"}}, "other"));
         }},
        {"namespace other joins team1",
         [](auto&, testing::fake_handle& h) {
             h.namespaces["other"] = labels({{"team", "team1"}});
         }},
        {"namespace other leaves team1",
         [](auto&, testing::fake_handle& h) { h.namespaces["other"] = labels({}); }},
        {"a node moved to another zone",
         [&](auto& in, auto&) {
             at(in, 1).set_node(std::make_shared<const api::node>(
                 node("n1", {{"zone", "z2"}, {"kubernetes.io/hostname", "n1"}})));
         }},
    };

    testing::fake_handle h;
    h.namespaces[""] = labels({{"team", "team1"}});
    h.namespaces["other"] = labels({});
    const cluster base({node("n0", {{"zone", "z1"}, {"kubernetes.io/hostname", "n0"}}),
                        node("n1", {{"zone", "z1"}, {"kubernetes.io/hostname", "n1"}}),
                        node("n2", {{"zone", "z2"}, {"kubernetes.io/hostname", "n2"}}),
                        node("n3", {{"zone", "z2"}, {"kubernetes.io/hostname", "n3"}})},
                       {pod({{"app", "db"}}, "", "n0").name("d0").uid("d0").obj(),
                        pod({{"app", "web"}}, "", "n1").name("w1").uid("w1").obj(),
                        pod({{"app", "web"}}, "", "n2").name("w0").uid("w0").obj(),
                        pod({{"app", "db"}}, "other", "n3").name("d9").uid("d9").obj(),
                        pod({{"app", "web"}}, "other", "n0").name("w9").uid("w9").obj()});
    infos_t infos = rebuilt([&] {
        infos_t copy;
        for (const auto* ni : base.all()) {
            copy.push_back(std::make_unique<framework::node_info>(*ni));
        }
        return copy;
    }());
    inter_pod_affinity memoised(inter_pod_affinity_args{}, h);
    for (const auto& s : steps) {
        s.apply(infos, h);
        const auto fresh_infos = rebuilt(infos);
        for (const api::pod& p : {required(""), required("other"), preferred(""),
                                  preferred("other"), every_ns, by_team, by_team_preferred}) {
            INFO(s.name << "; incoming pod in namespace \"" << p.meta.ns << "\"");
            inter_pod_affinity fresh(inter_pod_affinity_args{}, h);
            h.cluster = pointers(fresh_infos);
            const outcome want = run(fresh, p, pointers(fresh_infos));
            h.cluster = pointers(infos);
            const outcome got = run(memoised, p, pointers(infos));
            CHECK(got == want);
        }
    }
    // The counts are remembered: every node holds some (the by_team terms' never).
    for (const auto& ni : infos) {
        CHECK(ni->remembered() > 0);
    }
}

}  // namespace
}  // namespace multisched::plugins::inter_pod_affinity
