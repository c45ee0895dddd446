// SPDX-License-Identifier: Apache-2.0
// Upstream noderesources/balanced_allocation_test.go (v1.30 table, node sizes in millicores and
// bytes as upstream's makeNode) and validation_pluginargs_test.go for the args.
#include "plugins/node_resources_balanced_allocation/node_resources_balanced_allocation.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::node_resources_balanced_allocation {
namespace {

using multisched::testing::make_node_info;
using multisched::testing::make_pod;
using multisched::testing::pod_builder;

// upstream makeNode(name, milliCPU, memory, extendedResource): allocatable only.
api::node node(const char* name, std::int64_t milli_cpu, std::int64_t memory,
               std::int64_t gpus = 0) {
    api::node n;
    n.meta.name = name;
    n.allocatable.milli_cpu = milli_cpu;
    n.allocatable.memory = memory;
    if (gpus != 0) {
        n.allocatable.add("nvidia.com/gpu", gpus);
    }
    return n;
}

pod_builder cpu_only(const char* on) {
    return make_pod()
        .node(on)
        .req({{"cpu", "1000m"}, {"memory", "0"}})
        .req({{"cpu", "2000m"}, {"memory", "0"}});
}
pod_builder cpu_and_memory(const char* on) {
    return make_pod()
        .node(on)
        .req({{"cpu", "1000m"}, {"memory", "2000"}})
        .req({{"cpu", "2000m"}, {"memory", "3000"}});
}
pod_builder cpu_memory_gpu(const char* on) {
    return make_pod()
        .node(on)
        .req({{"cpu", "1000m"}, {"memory", "2000"}})
        .req({{"cpu", "2000m"}, {"memory", "3000"}, {"nvidia.com/gpu", "3"}});
}

struct score_case {
    std::string name;
    pod_builder pod;
    std::vector<api::node> nodes;
    std::vector<pod_builder> pods;  // placed by spec.nodeName
    std::vector<std::int64_t> want;
    std::string args = "";
    bool run_pre_score = true;
};

TEST_CASE("node_resources_balanced_allocation.score") {
    constexpr std::int64_t kMi = 1024 * 1024;
    const std::string gpu3 = "resources: [{name: cpu}, {name: memory}, {name: nvidia.com/gpu}]";
    const std::vector<score_case> cases = {
        {"nothing scheduled, nothing requested",
         make_pod(),
         {node("node1", 4000, 10000), node("node2", 4000, 10000)},
         {},
         {100, 100}},
        {"nothing scheduled, resources requested, differently sized nodes",
         cpu_and_memory(""),
         {node("node1", 4000, 10000), node("node2", 6000, 10000)},
         {},
         {87, 100}},
        {"no resources requested, pods without container scheduled",
         make_pod(),
         {node("node1", 4000, 10000), node("node2", 4000, 10000)},
         {make_pod().node("node1"), make_pod().node("node1"), make_pod().node("node2"),
          make_pod().node("node2")},
         {100, 100}},
        // Containers without requests: the non-zero defaults (100m / 200Mi) are NOT counted for
        // BalancedAllocation (useRequested=true); with them node1 would score 80.
        {"no resources requested, pods with container scheduled",
         make_pod().req({}),
         {node("node1", 250, 1000 * kMi), node("node2", 250, 1000 * kMi)},
         {make_pod().node("node1").req({}), make_pod().node("node1").req({})},
         {100, 100}},
        {"no resources requested, pods scheduled with resources",
         make_pod(),
         {node("node1", 10000, 20000), node("node2", 10000, 20000)},
         {cpu_only("node1"), cpu_only("node1"), cpu_only("node2"), cpu_and_memory("node2")},
         {70, 82}},
        {"resources requested, pods scheduled with resources",
         cpu_and_memory(""),
         {node("node1", 10000, 20000), node("node2", 10000, 20000)},
         {cpu_only("node1"), cpu_and_memory("node2")},
         {82, 95}},
        {"resources requested, pods scheduled with resources, differently sized nodes",
         cpu_and_memory(""),
         {node("node1", 10000, 20000), node("node2", 10000, 50000)},
         {cpu_only("node1"), cpu_and_memory("node2")},
         {82, 80}},
        {"requested resources at node capacity",
         cpu_only(""),
         {node("node1", 6000, 10000), node("node2", 6000, 10000)},
         {cpu_only("node1"), cpu_and_memory("node2")},
         {50, 75}},
        {"zero node resources, pods scheduled with resources",
         make_pod(),
         {node("node1", 0, 0), node("node2", 0, 0)},
         {cpu_only("node1"), cpu_and_memory("node2")},
         {100, 100}},
        {"include scalar resource on a node for balanced resource allocation",
         make_pod().req({{"memory", "0"}, {"nvidia.com/gpu", "1"}}),
         {node("node1", 3500, 40000, 8), node("node2", 3500, 40000, 8)},
         {cpu_and_memory("node2"), cpu_memory_gpu("node1")},
         {70, 65},
         gpu3},
        {"node without the scalar resource results to a higher score",
         make_pod(),
         {node("node1", 3500, 40000, 8), node("node2", 3500, 40000)},
         {cpu_only("node1"), cpu_only("node2")},
         {100, 100},
         "resources: [{name: cpu}, {name: nvidia.com/gpu}]"},
        {"node without the scalar resource should skip the scalar resource",
         cpu_and_memory(""),
         {node("node1", 3500, 40000, 8), node("node2", 3500, 40000)},
         {},
         {63, 63},
         gpu3},
        {"resources requested, pods scheduled with resources if PreScore not called",
         cpu_and_memory(""),
         {node("node1", 10000, 20000), node("node2", 10000, 20000)},
         {cpu_only("node1"), cpu_and_memory("node2")},
         {82, 95},
         "",
         false},
        // Not upstream's table: the pod's requests are resourcehelper.PodRequests, so an init
        // container larger than the containers counts (3000m / 5000 of 4000m / 10000).
        {"init containers count as in PodRequests",
         make_pod()
             .req({{"cpu", "1000m"}, {"memory", "1000"}})
             .init_req({{"cpu", "3000m"}, {"memory", "5000"}}),
         {node("node1", 4000, 10000)},
         {},
         {87}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto args = parse_args(YAML::Load(c.args));
            REQUIRE(args.has_value());
            node_resources_balanced_allocation plugin(std::move(*args));
            const auto pod = pod_builder(c.pod).name("p").info();
            std::vector<framework::node_info> infos;
            for (const auto& n : c.nodes) {
                std::vector<api::pod> on_node;
                for (const auto& p : c.pods) {
                    if (p.obj().node_name == n.meta.name) {
                        on_node.push_back(p.obj());
                    }
                }
                infos.push_back(make_node_info(n, on_node));
            }
            std::vector<const framework::node_info*> ptrs;
            for (const auto& ni : infos) {
                ptrs.push_back(&ni);
            }
            framework::cycle_state state;
            if (c.run_pre_score) {
                REQUIRE(plugin.pre_score(state, *pod, ptrs).is_success());
            }
            std::vector<std::int64_t> got;
            for (const auto& ni : infos) {
                std::int64_t s = -1;
                REQUIRE(plugin.score(state, *pod, ni, s).is_success());
                got.push_back(s);
            }
            CHECK(got == c.want);
        }
    }
}

TEST_CASE("node_resources_balanced_allocation.balanced_score") {
    struct test_case {
        std::string name;
        std::vector<std::int64_t> requested;
        std::vector<std::int64_t> allocatable;
        std::int64_t want;
    };
    const std::vector<test_case> cases = {
        {"two resources: half the distance", {3, 5}, {4, 10}, 87},
        {"fractions are clamped to 1", {5, 0}, {4, 10}, 50},
        {"three resources: population standard deviation", {1, 2, 3}, {4, 4, 4}, 79},
        {"zero allocatable is left out", {3, 5, 7}, {4, 10, 0}, 87},
        {"one resource: std 0", {3}, {4}, 100},
        {"nothing allocatable", {3, 5}, {0, 0}, 100},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            CHECK(balanced_score(c.requested, c.allocatable) == c.want);
        }
    }
}

TEST_CASE("node_resources_balanced_allocation.args") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::vector<std::string> want_names;  // when valid
        std::string want_error;               // substring; empty = valid
    };
    const std::vector<test_case> cases = {
        {"null args default to cpu and memory", "", {"cpu", "memory"}, ""},
        {"empty list defaults to cpu and memory", "resources: []", {"cpu", "memory"}, ""},
        {"kind and apiVersion are accepted",
         "apiVersion: kubescheduler.config.k8s.io/v1\nkind: NodeResourcesBalancedAllocationArgs",
         {"cpu", "memory"},
         ""},
        {"valid config, unset weight defaults to 1",
         "resources: [{name: cpu, weight: 1}, {name: memory}, {name: nvidia.com/gpu, weight: 0}]",
         {"cpu", "memory", "nvidia.com/gpu"},
         ""},
        {"invalid weight",
         "resources: [{name: cpu, weight: 2}]",
         {},
         "resources[0].weight: Invalid value: 2: must be 1"},
        {"negative weight",
         "resources: [{name: memory, weight: -1}]",
         {},
         "resources[0].weight: Invalid value: -1: must be 1"},
        {"repeated resources",
         "resources: [{name: cpu}, {name: memory}, {name: cpu}]",
         {},
         "resources[2].name: Duplicate value: \"cpu\""},
        {"unknown top-level field", "resource: []", {}, "unknown field \"resource\""},
        {"unknown resource field",
         "resources: [{name: cpu, wieght: 1}]",
         {},
         "unknown field \"resources[0].wieght\""},
        {"resources not a list", "resources: cpu", {}, "resources: expected a list"},
        {"weight not a number",
         "resources: [{name: cpu, weight: one}]",
         {},
         "resources[0].weight: invalid value \"one\""},
        {"wrong kind", "kind: NodeResourcesFitArgs", {}, "kind: must be"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto r = parse_args(YAML::Load(c.yaml));
            if (c.want_error.empty()) {
                REQUIRE(r.has_value());
                std::vector<std::string> names;
                for (const auto& res : r->resources) {
                    CHECK(res.weight == 1);
                    names.push_back(res.name);
                }
                CHECK(names == c.want_names);
            } else {
                REQUIRE_FALSE(r.has_value());
                CHECK_THAT(r.error().message, Catch::Contains(c.want_error));
                CHECK_THAT(r.error().message,
                           Catch::StartsWith("NodeResourcesBalancedAllocation args: "));
            }
        }
    }
}

TEST_CASE("node_resources_balanced_allocation.make") {
    multisched::testing::fake_handle h;
    auto ok = make(YAML::Load("resources: [{name: cpu}, {name: memory}]"), h);
    REQUIRE(ok.has_value());
    CHECK((*ok)->name() == "NodeResourcesBalancedAllocation");
    auto bad = make(YAML::Load("resources: [{name: cpu, weight: 3}]"), h);
    CHECK_FALSE(bad.has_value());
}

}  // namespace
}  // namespace multisched::plugins::node_resources_balanced_allocation
