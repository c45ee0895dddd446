// SPDX-License-Identifier: Apache-2.0
// Score tests: upstream noderesources/least_allocated_test.go, most_allocated_test.go and
// requested_to_capacity_ratio_test.go, as tables (node sizes in cores/bytes as upstream).
#include <catch2/catch.hpp>

#include "plugins/node_resources_fit/node_resources_fit.hpp"
#include "test/util/builders.hpp"

namespace multisched::plugins::node_resources_fit {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;
using multisched::testing::pod_builder;
using multisched::testing::quantity_list;

struct node_spec {
    api::node node;
    std::vector<api::pod> pods;
};

node_spec node(const char* name, const char* cpu, const char* mem, std::vector<api::pod> pods = {},
               const char* ext = nullptr) {
    auto b = make_node().name(name);
    if (cpu != nullptr) {
        b.alloc({{"cpu", cpu}, {"memory", mem}});
    }
    if (ext != nullptr) {
        b.alloc({{"intel.com/foo", ext}});
    }
    return {b.obj(), std::move(pods)};
}

api::pod on(const char* node, quantity_list req) {
    return make_pod().name("e").node(node).req(req).obj();
}

struct score_case {
    std::string name;
    pod_builder pod;
    std::vector<node_spec> nodes;
    std::vector<std::int64_t> want;
};

void run(const std::string& args_yaml, const std::vector<score_case>& cases) {
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto args = parse_args(YAML::Load(args_yaml));
            REQUIRE(args.has_value());
            node_resources_fit fit(std::move(*args));
            const auto pod = pod_builder(c.pod).name("p").info();
            std::vector<framework::node_info> infos;
            for (const auto& n : c.nodes) {
                infos.push_back(make_node_info(n.node, n.pods));
            }
            std::vector<const framework::node_info*> ptrs;
            for (const auto& ni : infos) {
                ptrs.push_back(&ni);
            }
            framework::cycle_state state;
            REQUIRE(fit.pre_score(state, *pod, ptrs).is_success());
            std::vector<std::int64_t> got;
            for (const auto& ni : infos) {
                std::int64_t s = -1;
                REQUIRE(fit.score(state, *pod, ni, s).is_success());
                got.push_back(s);
            }
            CHECK(got == c.want);
        }
    }
}

const quantity_list kReq1 = {{"cpu", "1000"}, {"memory", "2000"}};
const quantity_list kReq2 = {{"cpu", "2000"}, {"memory", "3000"}};

TEST_CASE("node_resources_fit.score_least_allocated") {
    const std::vector<score_case> cases = {
        {"nothing scheduled, nothing requested",
         make_pod(),
         {node("node1", "4000", "10000"), node("node2", "4000", "10000")},
         {100, 100}},
        {"nothing scheduled, resources requested, differently sized nodes",
         make_pod().req(kReq1).req(kReq2),
         {node("node1", "4000", "10000"), node("node2", "6000", "10000")},
         {37, 50}},
        {"no resources requested, pods scheduled",
         make_pod(),
         {node("node1", "4000", "10000", {make_pod().node("node1").obj()}),
          node("node2", "4000", "10000", {make_pod().node("node2").obj()})},
         {100, 100}},
        {"no resources requested, pods scheduled with resources",
         make_pod(),
         {node("node1", "10000", "20000",
               {on("node1", {{"cpu", "3000"}, {"memory", "0"}}),
                on("node1", {{"cpu", "3000"}, {"memory", "0"}})}),
          node("node2", "10000", "20000",
               {on("node2", {{"cpu", "3000"}, {"memory", "0"}}),
                on("node2", {{"cpu", "3000"}, {"memory", "5000"}})})},
         {70, 57}},
        {"resources requested, pods scheduled with resources",
         make_pod().req(kReq1).req(kReq2),
         {node("node1", "10000", "20000", {on("node1", {{"cpu", "3000"}, {"memory", "0"}})}),
          node("node2", "10000", "20000", {on("node2", {{"cpu", "3000"}, {"memory", "5000"}})})},
         {57, 45}},
        {"resources requested, pods scheduled with resources, differently sized nodes",
         make_pod().req(kReq1).req(kReq2),
         {node("node1", "10000", "20000", {on("node1", {{"cpu", "3000"}, {"memory", "0"}})}),
          node("node2", "10000", "50000", {on("node2", {{"cpu", "3000"}, {"memory", "5000"}})})},
         {57, 60}},
        {"requested resources exceed node capacity",
         make_pod().req({{"cpu", "3000"}, {"memory", "0"}}),
         {node("node1", "4000", "10000", {on("node1", {{"cpu", "3000"}, {"memory", "0"}})}),
          node("node2", "4000", "10000", {on("node2", {{"cpu", "3000"}, {"memory", "5000"}})})},
         {50, 25}},
        {"zero node resources, pods scheduled with resources",
         make_pod(),
         {node("node1", nullptr, nullptr, {on("node1", {{"cpu", "3000"}, {"memory", "0"}})}),
          node("node2", nullptr, nullptr, {on("node2", {{"cpu", "3000"}, {"memory", "5000"}})})},
         {0, 0}},
        {"containers without requests count with the non-zero defaults",
         make_pod().req({}),
         {node("node1", "1", "400Mi")},
         {70}},
    };
    run("", cases);
    run("scoringStrategy: {type: LeastAllocated, resources: [{name: memory, weight: 2}, {name: "
        "cpu, weight: 1}]}",
        {{"nothing scheduled, resources requested with different weight on CPU and memory, "
          "differently sized nodes",
          make_pod().req(kReq1).req(kReq2),
          {node("node1", "4000", "10000"), node("node2", "6000", "10000")},
          {41, 50}}});
    const std::string ext_args =
        "scoringStrategy: {type: LeastAllocated, resources: [{name: cpu, weight: 1}, "
        "{name: memory, weight: 1}, {name: intel.com/foo, weight: 1}]}";
    run(ext_args,
        {{"bypass extended resource if the pod does not request",
          make_pod().req(kReq1).req(kReq2),
          {node("node1", "6000", "10000"), node("node2", "6000", "10000", {}, "4")},
          {50, 50}},
         {"honor extended resource if the pod requests",
          make_pod().req({{"cpu", "3000"}, {"memory", "5000"}, {"intel.com/foo", "2"}}),
          {node("node1", "6000", "10000", {}, "4"), node("node2", "6000", "10000", {}, "10")},
          {50, 60}}});
}

TEST_CASE("node_resources_fit.score_most_allocated") {
    run("scoringStrategy: {type: MostAllocated}",
        {{"nothing scheduled, nothing requested",
          make_pod(),
          {node("node1", "4000", "10000"), node("node2", "4000", "10000")},
          {0, 0}},
         {"nothing scheduled, resources requested, differently sized nodes",
          make_pod().req(kReq1).req(kReq2),
          {node("node1", "4000", "10000"), node("node2", "6000", "10000")},
          {62, 50}},
         {"requested resources are clamped to capacity",
          make_pod().req({{"cpu", "5000"}, {"memory", "9000"}}),
          {node("node1", "4000", "10000")},
          {95}},
         {"resources requested, pods scheduled with resources",
          make_pod().req(kReq1).req(kReq2),
          {node("node1", "10000", "20000", {on("node1", {{"cpu", "3000"}, {"memory", "0"}})}),
           node("node2", "10000", "20000", {on("node2", {{"cpu", "3000"}, {"memory", "5000"}})})},
          {42, 55}}});
    run("scoringStrategy: {type: MostAllocated, resources: [{name: memory, weight: 2}, {name: cpu, "
        "weight: 1}]}",
        {{"different weights",
          make_pod().req(kReq1).req(kReq2),
          {node("node1", "4000", "10000")},
          {58}}});
}

TEST_CASE("node_resources_fit.score_requested_to_capacity_ratio") {
    const std::string spread =
        "scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: "
        "{shape: [{utilization: 0, score: 10}, {utilization: 100, score: 0}]}}";
    const std::string pack =
        "scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: "
        "{shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]}}";
    const std::string peak =
        "scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: "
        "{shape: [{utilization: 0, score: 0}, {utilization: 50, score: 10}, "
        "{utilization: 100, score: 0}]}}";
    const auto pod = make_pod().req({{"cpu", "3000"}, {"memory", "5000"}});
    run(spread, {{"spread: rounds half away from zero", pod, {node("n", "4000", "10000")}, {38}},
                 {"spread: nothing requested", make_pod(), {node("n", "4000", "10000")}, {100}}});
    run(pack, {{"pack", pod, {node("n", "4000", "10000")}, {63}},
               {"pack: zero-scoring resources are left out of the average",
                make_pod().req({{"cpu", "3000"}, {"memory", "0"}}),
                {node("n", "4000", "10000")},
                {75}},
               {"pack: nothing requested scores 0", make_pod(), {node("n", "4000", "10000")}, {0}},
               {"pack: over capacity scores as full",
                make_pod().req({{"cpu", "5000"}, {"memory", "10000"}}),
                {node("n", "4000", "10000")},
                {100}}});
    run(peak, {{"peak: interpolates between points", pod, {node("n", "4000", "10000")}, {75}}});
}

}  // namespace
}  // namespace multisched::plugins::node_resources_fit
