// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/schedule_pod.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "core/scheduler/test_fakes.hpp"
#include "test/util/builders.hpp"

namespace multisched::scheduler {
namespace {

using fakes::cluster;
using fakes::fake_filter;
using fakes::fake_score;
using fakes::make_fw;
using testing::make_pod;

}  // namespace

TEST_CASE("schedule_pod.num_feasible_nodes_to_find") {
    struct case_t {
        std::int32_t pct;
        std::size_t nodes;
        std::size_t want;
    };
    const std::vector<case_t> cases = {
        {0, 10, 10},     {0, 99, 99},    {0, 100, 100},     {0, 1000, 420},
        {0, 5000, 500},  {0, 5625, 281}, {0, 6000, 300},    {0, 15000, 750},
        {50, 1000, 500}, {1, 1000, 100}, {100, 5000, 5000}, {10, 150, 100},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION("pct " << c.pct << " nodes " << c.nodes) {
            CHECK(num_feasible_nodes_to_find(c.pct, c.nodes) == c.want);
        }
    }
}

TEST_CASE("schedule_pod.fit_error_message") {
    const framework::node_info n1("n1"), n2("n2"), n3("n3");
    // A constant reason counts with equal text from a string: n3's and n1's first reason.
    const framework::status cpu(framework::code::unschedulable,
                                framework::constant_reason{"Insufficient cpu"});
    const framework::status both(
        framework::code::unschedulable,
        std::vector<std::string>{"Insufficient cpu", "Insufficient memory"});
    const framework::status taint(framework::code::unschedulable_and_unresolvable,
                                  "node(s) had untolerated taint {k: v}");
    const std::vector<framework::node_status> statuses = {{&n1, both}, {&n2, taint}, {&n3, cpu}};
    CHECK(fit_error_message(3, "", statuses, "") ==
          "0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {k: v}, "
          "2 Insufficient cpu.");
    // PostFilter's message is a sentence of its own, appended as is.
    CHECK(fit_error_message(3, "", statuses,
                            "preemption: 0/3 nodes are available: 3 Preemption is not helpful "
                            "for scheduling.") ==
          "0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {k: v}, "
          "2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful "
          "for scheduling.");
    CHECK(fit_error_message(5, "pod has unbound immediate PersistentVolumeClaims", statuses, "") ==
          "0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims.");
    CHECK(fit_error_message(0, "", {}, "") == "0/0 nodes are available:");
}

TEST_CASE("schedule_pod.no_nodes_is_an_error") {
    auto fw = make_fw({});
    framework::cycle_state state;
    algorithm_state algo;
    auto pod = make_pod().name("p").uid("u").info();
    std::vector<framework::node_info*> none;
    auto r = schedule_pod(*fw, state, *pod, none, algo);
    CHECK(r.node.empty());
    CHECK(r.failure.code() == framework::code::error);
    CHECK(r.message == "no nodes available to schedule pods");
}

TEST_CASE("schedule_pod.all_rejected_gives_the_histogram") {
    cluster c(3);
    std::vector<std::unique_ptr<framework::plugin>> ps;
    ps.push_back(std::make_unique<fake_filter>(
        "Fit",
        std::map<std::string, std::string>{{"n0", "Insufficient cpu"}, {"n1", "Insufficient cpu"}},
        framework::code::unschedulable));
    ps.push_back(std::make_unique<fake_filter>(
        "Unsched", std::map<std::string, std::string>{{"n2", "node(s) were unschedulable"}},
        framework::code::unschedulable_and_unresolvable));
    auto fw = make_fw(std::move(ps));
    framework::cycle_state state;
    algorithm_state algo;
    auto r = schedule_pod(*fw, state, *make_pod().uid("u").info(), c.nodes, algo);
    CHECK(r.node.empty());
    CHECK(r.failure.is_rejected());
    CHECK(r.message ==
          "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.");
    CHECK(r.rejector_plugins == std::vector<std::string>{"Fit", "Unsched"});
}

TEST_CASE("schedule_pod.picks_the_best_score_and_rotates_the_start") {
    cluster c(4);
    std::vector<std::unique_ptr<framework::plugin>> ps;
    ps.push_back(std::make_unique<fake_filter>(
        "F", std::map<std::string, std::string>{{"n0", "no"}}, framework::code::unschedulable));
    ps.push_back(
        std::make_unique<fake_score>(std::map<std::string, std::int64_t>{{"n2", 90}, {"n3", 10}}));
    auto fw = make_fw(std::move(ps));
    algorithm_state algo;
    framework::cycle_state state;
    auto r = schedule_pod(*fw, state, *make_pod().uid("u").info(), c.nodes, algo);
    CHECK(r.node == "n2");
    CHECK(r.evaluated_nodes == 4);
    CHECK(r.feasible_nodes == 3);
    CHECK(algo.next_start_node_index == 0);  // (0 + 4) % 4
}

TEST_CASE("schedule_pod.without_score_plugins_the_first_feasible_wins") {
    cluster c(5);
    std::vector<std::unique_ptr<framework::plugin>> ps;
    auto filter = std::make_unique<fake_filter>(
        "F", std::map<std::string, std::string>{{"n1", "no"}}, framework::code::unschedulable);
    auto* raw = filter.get();
    ps.push_back(std::move(filter));
    auto fw = make_fw(std::move(ps));
    algorithm_state algo;
    algo.next_start_node_index = 1;
    framework::cycle_state state;
    auto r = schedule_pod(*fw, state, *make_pod().uid("u").info(), c.nodes, algo);
    CHECK(r.node == "n2");  // n1 rejected, n2 is the first feasible from index 1
    CHECK(raw->calls == 2);
    CHECK(algo.next_start_node_index == 3);
}

TEST_CASE("schedule_pod.ties_are_broken_at_random_among_the_best") {
    cluster c(3);
    std::map<std::string, int> chosen;
    for (int seed = 0; seed < 200; ++seed) {
        std::vector<std::unique_ptr<framework::plugin>> ps;
        ps.push_back(std::make_unique<fake_score>(
            std::map<std::string, std::int64_t>{{"n0", 50}, {"n1", 50}, {"n2", 10}}));
        auto fw = make_fw(std::move(ps));
        algorithm_state algo;
        algo.rng.seed(static_cast<std::uint64_t>(seed));
        framework::cycle_state state;
        chosen[schedule_pod(*fw, state, *make_pod().uid("u").info(), c.nodes, algo).node]++;
    }
    CHECK(chosen["n2"] == 0);
    CHECK(chosen["n0"] > 50);
    CHECK(chosen["n1"] > 50);
}

}  // namespace multisched::scheduler
