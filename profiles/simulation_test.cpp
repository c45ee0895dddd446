// SPDX-License-Identifier: Apache-2.0
// The simulation engine on snapshots built in code: placements through both sample profiles,
// messages for pods that fit nowhere or that no profile serves, preemption over two rounds, a
// pod whose affinity is satisfied by a pod placed earlier in the same run, and reproducibility.
#include "profiles/simulation.hpp"

#include <set>

#include <catch2/catch.hpp>

#include "plugins/registry.hpp"
#include "test/util/builders.hpp"
#include "test/util/scheduling_harness.hpp"

namespace multisched::profiles {
namespace {

using testing::make_node;
using testing::make_pod;

config::scheduler_config two_profiles() {
    auto cfg =
        config::decode_config(testing::kTwoProfiles, "test.yaml", plugins::make_args_defaulter());
    REQUIRE(cfg.has_value());
    REQUIRE(config::validate_config(*cfg).has_value());
    return *cfg;
}

std::shared_ptr<const api::node> node(const std::string& name, const std::string& cpu) {
    return make_node()
        .name(name)
        .hostname_label()
        .alloc({{"cpu", cpu}, {"memory", "8Gi"}, {"pods", "110"}})
        .ptr();
}

testing::pod_builder pod(const std::string& name, const std::string& cpu) {
    return make_pod()
        .name(name)
        .ns("default")
        .uid("uid-" + name)
        .created("2024-05-01T10:00:0" + std::to_string(name.size() % 10) + "Z")
        .req({{"cpu", cpu}, {"memory", "100Mi"}});
}

const simulated_pod& row(const simulation_report& r, const std::string& name) {
    for (const auto& p : r.pods) {
        if (p.pod == "default/" + name) {
            return p;
        }
    }
    FAIL("no row for " << name);
    throw std::logic_error("unreachable");
}

TEST_CASE("simulation.placements_and_messages") {
    snapshot::cluster_snapshot c;
    c.nodes = {node("n1", "4"), node("n2", "4")};
    c.pods = {pod("bound", "3").node("n1").ptr(), pod("spread", "2").ptr(),
              pod("packed", "1").scheduler("my-scheduler").ptr(), pod("huge", "5").ptr(),
              pod("other", "1").scheduler("other-scheduler").ptr()};
    auto r = simulate(two_profiles(), c);
    REQUIRE(r.has_value());
    REQUIRE(r->pods.size() == 4);  // the pending ones, in snapshot order
    CHECK(r->pods[0].pod == "default/spread");
    // LeastAllocated spreads to the empty node; MostAllocated packs next to "bound".
    CHECK(row(*r, "spread").node == "n2");
    CHECK(row(*r, "spread").profile == "default-scheduler");
    CHECK(row(*r, "packed").node == "n1");
    CHECK(row(*r, "huge").node.empty());
    CHECK(row(*r, "huge").message ==
          "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No "
          "preemption victims found for incoming pod.");
    CHECK(row(*r, "other").message ==
          "no profile of this configuration serves scheduler name \"other-scheduler\": left alone");
    REQUIRE(r->nodes.size() == 2);
    CHECK(r->nodes[0].cpu_requested_milli == 4000);
    CHECK(r->nodes[1].cpu_requested_milli == 2000);
    CHECK(r->nodes[0].pods == 2);

    const std::string table = format_table(*r);
    CHECK(table.find("default/spread  default-scheduler  n2\n") != std::string::npos);
    CHECK(table.find("n1    4/4  200Mi/8Gi  2/110\n") != std::string::npos);
    const std::string json = format_json(*r);
    CHECK(json.find(R"({"pod":"default/packed","profile":"my-scheduler","node":"n1"})") !=
          std::string::npos);
}

TEST_CASE("simulation.preemption_over_two_rounds") {
    snapshot::cluster_snapshot c;
    c.nodes = {node("n1", "2")};
    c.pods = {pod("low", "2").node("n1").priority(0).ptr(), pod("high", "2").priority(100).ptr()};
    auto r = simulate(two_profiles(), c);
    REQUIRE(r.has_value());
    CHECK(r->evicted == std::vector<std::string>{"default/low"});
    CHECK(row(*r, "high").node == "n1");
    CHECK(r->nodes[0].cpu_requested_milli == 2000);
}

TEST_CASE("simulation.affinity_to_a_pod_placed_in_the_same_run") {
    snapshot::cluster_snapshot c;
    c.nodes = {node("n1", "4"), node("n2", "4")};
    // "follower" comes first (higher priority) but needs "leader" on its node.
    c.pods = {pod("follower", "1")
                  .priority(10)
                  .pod_affinity("kubernetes.io/hostname", testing::selector_labels({{"app", "x"}}))
                  .ptr(),
              pod("leader", "1").label("app", "x").ptr()};
    auto r = simulate(two_profiles(), c);
    REQUIRE(r.has_value());
    REQUIRE_FALSE(row(*r, "leader").node.empty());
    CHECK(row(*r, "follower").node == row(*r, "leader").node);
}

TEST_CASE("simulation.same_seed_same_placements") {
    snapshot::cluster_snapshot c;
    for (int i = 0; i < 6; ++i) {
        c.nodes.push_back(node("n" + std::to_string(i), "4"));
    }
    for (int i = 0; i < 12; ++i) {
        c.pods.push_back(pod("p" + std::to_string(i), "500m").ptr());
    }
    simulation_options o;
    o.seed = 7;
    auto a = simulate(two_profiles(), c, o);
    auto b = simulate(two_profiles(), c, o);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(format_json(*a) == format_json(*b));
}

// Six equal candidates for one preemption: the one chosen is the first in the dry run's order,
// which starts at a random offset. The seed fixes that offset too (unseeded, eight runs agree
// with probability 6^-7).
TEST_CASE("simulation.same_seed_same_victim") {
    snapshot::cluster_snapshot c;
    for (int i = 0; i < 6; ++i) {
        const std::string n = "n" + std::to_string(i);
        c.nodes.push_back(node(n, "2"));
        c.pods.push_back(pod("low" + std::to_string(i), "2").node(n).priority(0).ptr());
    }
    c.pods.push_back(pod("high", "2").priority(100).ptr());
    simulation_options o;
    o.seed = 7;
    std::set<std::string> victims;
    for (int run = 0; run < 8; ++run) {
        auto r = simulate(two_profiles(), c, o);
        REQUIRE(r.has_value());
        REQUIRE(r->evicted.size() == 1);
        victims.insert(r->evicted.front());
    }
    CHECK(victims.size() == 1);
}

}  // namespace
}  // namespace multisched::profiles

namespace multisched::profiles {
namespace {

TEST_CASE("simulation.explain_the_last_attempt") {
    snapshot::cluster_snapshot c;
    c.nodes = {node("n1", "4"), node("n2", "4"), node("n3", "4")};
    c.pods = {pod("bound", "3").node("n1").ptr(), pod("first", "3").ptr(),
              pod("second", "2").ptr()};
    simulation_options so;
    so.explain = "default/second";
    auto r = simulate(two_profiles(), c, so);
    REQUIRE(r.has_value());
    REQUIRE(r->explanation);
    const scheduler::explanation& e = *r->explanation;
    // "first" took n2 or n3 before "second" was attempted: two nodes lack cpu for it now.
    CHECK(e.pod == "default/second");
    CHECK(e.profile == "default-scheduler");
    CHECK(e.nodes == 3);
    REQUIRE(e.rejected.size() == 2);
    CHECK(e.rejected[0].node == "n1");
    CHECK(e.rejected[0].plugin == "NodeResourcesFit");
    CHECK(e.rejected[0].reasons == std::vector<std::string>{"Insufficient cpu"});
    REQUIRE(e.feasible.size() == 1);
    CHECK(e.node == e.feasible[0].node);
    CHECK(e.node == row(*r, "second").node);
    CHECK_FALSE(e.feasible[0].terms.empty());
    CHECK(r->problems.empty());

    SECTION("only the explained pod is attempted") {
        so.only_explained = true;
        auto only = simulate(two_profiles(), c, so);
        REQUIRE(only.has_value());
        REQUIRE(only->pods.size() == 1);
        CHECK(only->pods[0].pod == "default/second");
        REQUIRE(only->explanation);
        CHECK(only->explanation->rejected.size() == 1);  // n1 only: "first" was not placed
        CHECK(only->explanation->feasible.size() == 2);
    }
    SECTION("a pod with nothing to explain is a problem line") {
        const std::vector<std::pair<std::string, std::string>> rows = {
            {"default/missing", "--explain default/missing: no such pod in the snapshot"},
            {"default/bound", "--explain default/bound: already bound to n1, nothing to explain"},
        };
        for (const auto& [key, problem] : rows) {
            so.explain = key;
            auto none = simulate(two_profiles(), c, so);
            REQUIRE(none.has_value());
            CHECK_FALSE(none->explanation);
            CHECK(none->problems == std::vector<std::string>{problem});
        }
    }
}

}  // namespace
}  // namespace multisched::profiles
