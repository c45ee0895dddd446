// SPDX-License-Identifier: Apache-2.0
// upstream default_preemption_test.go TestSelectBestCandidate (v1.30) as a table (dry run over
// nodes of veryLargeRes, then SelectCandidate), and pickOneNodeForPreemption's criteria on
// hand-made candidates.
#include <catch2/catch.hpp>

#include "plugins/default_preemption/test_util.hpp"

namespace multisched::plugins::default_preemption {
namespace {

using framework::code;
using namespace test;

std::string at(int second) {
    return "1970-01-01T00:00:0" + std::to_string(second) + "Z";
}

TEST_CASE("default_preemption.select_best_candidate") {
    struct test_case {
        std::string name;
        std::vector<std::string> nodes;
        api::pod pod;
        std::vector<api::pod> pods;
        std::vector<std::string> want;  // any of them
    };
    const auto v = [](std::string name, std::int32_t prio, res r, int second = 0) {
        const std::string node = "node" + name.substr(1, 1);
        return make_test_pod(name, node, prio, r).created(at(second)).obj();
    };
    const std::vector<std::string> three = {"node1", "node2", "node3"};
    const auto preemptor = [](std::int32_t prio, res r) {
        return make_test_pod("p", "", prio, r).obj();
    };
    const std::vector<test_case> cases = {
        {"a pod that fits on both nodes when lower priority pods are preempted",
         {"node1", "node2"},
         preemptor(kHigh, kLarge),
         {v("p1", kMid, kLarge), v("p2", kMid, kLarge)},
         {"node1", "node2"}},
        {"node with min highest priority pod is picked",
         three,
         preemptor(kHigh, kVeryLarge),
         {v("p1.1", kMid, kMedium), v("p1.2", kMid, kLarge), v("p2.1", kMid, kMedium),
          v("p2.2", kLow, kMedium), v("p3.1", kLow, kMedium), v("p3.2", kLow, kMedium)},
         {"node3"}},
        {"when highest priorities are the same, minimum sum of priorities is picked",
         three,
         preemptor(kHigh, kVeryLarge),
         {v("p1.1", kMid, kMedium), v("p1.2", kMid, kLarge), v("p2.1", kMid, kLarge),
          v("p2.2", kLow, kMedium), v("p3.1", kMid, kMedium), v("p3.2", kMid, kMedium)},
         {"node2"}},
        {"when highest priority and sum are the same, minimum number of pods is picked",
         three,
         preemptor(kHigh, kVeryLarge),
         {v("p1.1", kMid, kSmall), v("p1.2", kNeg, kSmall), v("p1.3", kMid, kSmall),
          v("p1.4", kNeg, kSmall), v("p2.1", kMid, kLarge), v("p2.2", kNeg, kMedium),
          v("p3.1", kMid, kMedium), v("p3.2", kNeg, kSmall), v("p3.3", kLow, kSmall)},
         {"node2"}},
        {"sum of adjusted priorities is considered",
         three,
         preemptor(kHigh, kVeryLarge),
         {v("p1.1", kMid, kSmall), v("p1.2", kNeg, kSmall), v("p1.3", kNeg, kSmall),
          v("p2.1", kMid, kLarge), v("p2.2", kNeg, kMedium), v("p3.1", kMid, kMedium),
          v("p3.2", kNeg, kSmall), v("p3.3", kLow, kSmall)},
         {"node2"}},
        {"non-overlapping lowest high priority, sum priorities, and number of pods",
         {"node1", "node2", "node3", "node4"},
         preemptor(kVeryHigh, kVeryLarge),
         {v("p1.1", kMid, kSmall), v("p1.2", kLow, kSmall), v("p1.3", kLow, kSmall),
          v("p2.1", kHigh, kLarge), v("p3.1", kMid, kMedium), v("p3.2", kLow, kSmall),
          v("p3.3", kLow, kSmall), v("p3.4", kLow, kMedium), v("p4.1", kMid, kMedium),
          v("p4.2", kMid, kSmall), v("p4.3", kMid, kSmall), v("p4.4", kNeg, kSmall)},
         {"node1"}},
        {"same priority, same number of victims, different start time for each node's pod",
         three,
         preemptor(kHigh, kVeryLarge),
         {v("p1.1", kMid, kMedium, 2), v("p1.2", kMid, kMedium, 2), v("p2.1", kMid, kMedium, 3),
          v("p2.2", kMid, kMedium, 3), v("p3.1", kMid, kMedium, 1), v("p3.2", kMid, kMedium, 1)},
         {"node2"}},
        {"same priority, same number of victims, different start time for all pods",
         three,
         preemptor(kHigh, kVeryLarge),
         {v("p1.1", kMid, kMedium, 4), v("p1.2", kMid, kMedium, 2), v("p2.1", kMid, kMedium, 5),
          v("p2.2", kMid, kMedium, 1), v("p3.1", kMid, kMedium, 3), v("p3.2", kMid, kMedium, 6)},
         {"node3"}},
        {"different priority, same number of victims, different start time for all pods",
         three,
         preemptor(kHigh, kVeryLarge),
         {v("p1.1", kLow, kMedium, 4), v("p1.2", kMid, kMedium, 2), v("p2.1", kMid, kMedium, 6),
          v("p2.2", kLow, kMedium, 1), v("p3.1", kLow, kMedium, 3), v("p3.2", kMid, kMedium, 5)},
         {"node2"}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        fixture fx;
        for (const auto& n : c.nodes) {
            fx.add_node(make_test_node(n, kVeryLarge));
        }
        for (const auto& p : c.pods) {
            fx.add_pod(p);
        }
        std::vector<std::unique_ptr<framework::plugin>> plugins;
        plugins.push_back(std::make_unique<fit_filter>());
        fx.build(std::move(plugins));
        default_preemption pl({}, *fx.handle, 4);
        const auto pod = framework::make_pod_info(std::make_shared<const api::pod>(c.pod));
        const auto state = fx.pre_filter(*pod);
        const auto nodes = fx.all();
        const auto [offset, n] =
            pl.offset_and_num_candidates(static_cast<std::int32_t>(nodes.size()));
        const auto dry = pl.dry_run_preemption(state, *pod, nodes, {}, offset, n);
        const candidate* best = select_candidate(dry.candidates);
        REQUIRE(best != nullptr);
        CHECK_THAT(c.want, Catch::VectorContains(best->node));
    }
}

TEST_CASE("default_preemption.select_candidate_criteria") {
    const auto victim = [](std::int32_t prio, std::string created = "") {
        return make_test_pod("v", "n", prio).created(std::move(created)).info();
    };
    const auto cand = [](std::string node, std::vector<pod_ptr> victims, std::int64_t pdb = 0) {
        candidate c;
        c.node = std::move(node);
        c.victims = std::move(victims);
        c.num_pdb_violations = pdb;
        return c;
    };
    struct test_case {
        std::string name;
        std::vector<candidate> candidates;
        std::string want;  // "" for none
    };
    const std::vector<test_case> cases = {
        {"no candidates", {}, ""},
        {"one candidate", {cand("a", {victim(kHigh)})}, "a"},
        {"fewest PDB violations wins over priorities",
         {cand("a", {victim(kLow)}, 2), cand("b", {victim(kHigh)}, 1)},
         "b"},
        {"lowest highest-priority victim",
         {cand("a", {victim(kMid)}), cand("b", {victim(kLow)})},
         "b"},
        {"negative priorities: fewer victims have the smaller shifted sum",
         {cand("a", {victim(kNeg), victim(kNeg)}), cand("b", {victim(kNeg)})},
         "b"},
        {"latest start of the highest-priority victims",
         {cand("a", {victim(kMid, at(3)), victim(kLow, at(9))}),
          cand("b", {victim(kMid, at(5)), victim(kLow, at(1))})},
         "b"},
        {"an unset start counts as now, the latest",
         {cand("a", {victim(kMid, at(5))}), cand("b", {victim(kMid)})},
         "b"},
        {"all tied: the first", {cand("a", {victim(kMid)}), cand("b", {victim(kMid)})}, "a"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const candidate* got = select_candidate(c.candidates);
        CHECK((got == nullptr ? std::string() : got->node) == c.want);
    }
}

}  // namespace
}  // namespace multisched::plugins::default_preemption
