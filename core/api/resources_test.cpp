// SPDX-License-Identifier: Apache-2.0
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "core/api/quantity.hpp"
#include "core/api/types.hpp"

namespace multisched::api {
namespace {

using request_spec = std::vector<std::pair<std::string, std::string>>;

// A container requesting `reqs` (quantity strings), converted as the decoder does.
container ctr(const request_spec& reqs, bool sidecar = false) {
    container c;
    c.restart_always = sidecar;
    for (const auto& [name, text] : reqs) {
        auto q = quantity::parse(text);
        REQUIRE(q.has_value());
        c.requests.add(name, name == kResourceCPU ? q->milli_value() : q->value());
        c.has_cpu_request = c.has_cpu_request || name == kResourceCPU;
        c.has_memory_request = c.has_memory_request || name == kResourceMemory;
    }
    return c;
}

resource_list list(const request_spec& reqs) {
    return ctr(reqs).requests;
}

TEST_CASE("resources.add_routes_names", "[resources]") {
    resource_list r;
    r.add("cpu", 250);
    r.add("memory", 1024);
    r.add("ephemeral-storage", 7);
    r.add("pods", 3);
    r.add("nvidia.com/gpu", 2);
    r.add("example.com/a", 1);
    r.add("hugepages-2Mi", 4);
    r.add("nvidia.com/gpu", 1);
    r.add("cpu", 50);

    CHECK(r.milli_cpu == 300);
    CHECK(r.memory == 1024);
    CHECK(r.ephemeral_storage == 7);
    CHECK(r.pods == 3);
    const std::vector<std::pair<std::string, std::int64_t>> want = {
        {"example.com/a", 1}, {"hugepages-2Mi", 4}, {"nvidia.com/gpu", 3}};
    CHECK(r.scalar == want);
    CHECK(r.scalar_value("nvidia.com/gpu") == 3);
    CHECK(r.scalar_value("hugepages-2Mi") == 4);
    CHECK(r.scalar_value("missing.io/x") == 0);
    CHECK(r.scalar_value("cpu") == 0);  // cpu is never a scalar
}

struct combine_case {
    std::string name;
    resource_list a;
    resource_list b;
    resource_list sum;
    resource_list max;
};

TEST_CASE("resources.add_and_set_max", "[resources]") {
    const std::vector<combine_case> cases = {
        {"empty", {}, {}, {}, {}},
        {"disjoint scalars", list({{"cpu", "1"}, {"a.io/x", "2"}}),
         list({{"memory", "5"}, {"b.io/y", "3"}}),
         list({{"cpu", "1"}, {"memory", "5"}, {"a.io/x", "2"}, {"b.io/y", "3"}}),
         list({{"cpu", "1"}, {"memory", "5"}, {"a.io/x", "2"}, {"b.io/y", "3"}})},
        {"overlapping", list({{"cpu", "500m"}, {"memory", "10"}, {"a.io/x", "2"}, {"pods", "1"}}),
         list({{"cpu", "2"}, {"memory", "3"}, {"a.io/x", "5"}, {"ephemeral-storage", "1Ki"}}),
         list({{"cpu", "2500m"},
               {"memory", "13"},
               {"a.io/x", "7"},
               {"pods", "1"},
               {"ephemeral-storage", "1Ki"}}),
         list({{"cpu", "2"},
               {"memory", "10"},
               {"a.io/x", "5"},
               {"pods", "1"},
               {"ephemeral-storage", "1Ki"}})},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            resource_list s = c.a;
            s.add(c.b);
            CHECK(s == c.sum);
            resource_list m = c.a;
            m.set_max(c.b);
            CHECK(m == c.max);
        }
    }
}

TEST_CASE("resources.label_map_set_and_find", "[resources]") {
    label_map m;
    CHECK(m.empty());
    m.set("zone", "a");
    m.set("app", "web");
    m.set("tier", "front");
    m.set("zone", "b");  // replaces
    REQUIRE(m.items.size() == 3);
    CHECK(m.items[0].first == "app");
    CHECK(m.items[1].first == "tier");
    CHECK(m.items[2].first == "zone");
    REQUIRE(m.find("zone") != nullptr);
    CHECK(*m.find("zone") == "b");
    CHECK(m.contains("app"));
    CHECK_FALSE(m.contains("ap"));
    CHECK_FALSE(m.contains("zzz"));
    CHECK(m.find("") == nullptr);
}

TEST_CASE("resources.label_map_from_pairs_is_set_one_by_one", "[resources]") {
    using pairs = std::vector<std::pair<std::string, std::string>>;
    const struct {
        std::string name;
        pairs in;
    } cases[] = {
        {"empty", {}},
        {"sorted", {{"a", "1"}, {"b", "2"}, {"c", "3"}}},
        {"reversed", {{"c", "3"}, {"b", "2"}, {"a", "1"}}},
        {"duplicates, the last wins", {{"b", "1"}, {"a", "x"}, {"b", "2"}, {"a", "y"}, {"b", "3"}}},
        {"prefixes and empty key", {{"ab", "1"}, {"", "e"}, {"a", "2"}, {"abc", "3"}, {"", "f"}}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            label_map one_by_one;
            for (const auto& [k, v] : c.in) {
                one_by_one.set(k, v);
            }
            CHECK(label_map::from_pairs(c.in) == one_by_one);
        }
    }
}

TEST_CASE("resources.label_map_find_small_and_large", "[resources]") {
    // Both ways of finding (the scan up to kLinearFindMax items, the binary search above), with
    // keys that share long prefixes and keys of equal length.
    for (const std::size_t extra :
         {std::size_t{0}, std::size_t{3}, label_map::kLinearFindMax + 5}) {
        INFO("extra keys: " << extra);
        label_map m;
        m.set("topology.kubernetes.io/zone", "z1");
        m.set("topology.kubernetes.io/region", "r1");
        m.set("kubernetes.io/hostname", "n1");
        m.set("kubernetes.io/os", "linux");
        for (std::size_t i = 0; i < extra; ++i) {
            m.set("extra.example/k" + std::to_string(i), std::to_string(i));
        }
        CHECK(m.items.size() == 4 + extra);
        REQUIRE(m.find("topology.kubernetes.io/zone") != nullptr);
        CHECK(*m.find("topology.kubernetes.io/zone") == "z1");
        CHECK(*m.find("topology.kubernetes.io/region") == "r1");
        CHECK(*m.find("kubernetes.io/os") == "linux");
        CHECK(m.find("topology.kubernetes.io/zonE") == nullptr);  // same length, other key
        CHECK(m.find("kubernetes.io/oz") == nullptr);
        CHECK(m.find("topology.kubernetes.io/") == nullptr);  // a prefix
        CHECK(m.find("") == nullptr);
        for (std::size_t i = 0; i < extra; ++i) {
            const std::string* v = m.find("extra.example/k" + std::to_string(i));
            REQUIRE(v != nullptr);
            CHECK(*v == std::to_string(i));
        }
    }
}

struct pod_case {
    std::string name;
    std::vector<container> init;
    std::vector<container> containers;
    resource_list overhead;
    resource_list want;
};

pod make_pod(const pod_case& c) {
    pod p;
    p.init_containers = c.init;
    p.containers = c.containers;
    p.overhead = c.overhead;
    return p;
}

TEST_CASE("resources.pod_requests_upstream", "[resources]") {
    // TestPodResourceRequests / TestPodRequestsAndLimits in
    // k8s.io/component-helpers/resource/helpers_test.go (cases without status resources).
    const std::vector<pod_case> cases = {
        {"nil options, larger init container",
         {ctr({{"cpu", "4"}})},
         {ctr({{"cpu", "1"}})},
         {},
         list({{"cpu", "4"}})},
        {"nil options, larger containers",
         {ctr({{"cpu", "2"}})},
         {ctr({{"cpu", "2"}}), ctr({{"cpu", "3"}})},
         {},
         list({{"cpu", "5"}})},
        {"pod overhead included",
         {ctr({{"cpu", "2"}})},
         {ctr({{"cpu", "2"}}), ctr({{"cpu", "3"}})},
         list({{"cpu", "1"}, {"memory", "1Gi"}}),
         list({{"cpu", "6"}, {"memory", "1Gi"}})},
        {"just-overhead",
         {},
         {},
         list({{"cpu", "5"}, {"memory", "5"}}),
         list({{"cpu", "5"}, {"memory", "5"}})},
        {"req-and-overhead",
         {},
         {ctr({{"cpu", "1"}, {"memory", "10"}})},
         list({{"cpu", "5"}, {"memory", "5"}}),
         list({{"cpu", "6"}, {"memory", "15"}})},
        {"two container with overhead, massive init (overhead on top of the largest init)",
         {ctr({{"cpu", "1"}, {"memory", "5"}}), ctr({{"cpu", "40"}, {"memory", "120"}})},
         {ctr({{"cpu", "1"}, {"memory", "5"}}), ctr({{"cpu", "4"}, {"memory", "12"}})},
         list({{"cpu", "3"}, {"memory", "8"}}),
         list({{"cpu", "43"}, {"memory", "128"}})},
        {"restartable init container",
         {ctr({{"cpu", "1"}}, true)},
         {ctr({{"cpu", "1"}})},
         {},
         list({{"cpu", "2"}})},
        {"multiple restartable init containers",
         {ctr({{"cpu", "5"}}), ctr({{"cpu", "1"}}, true), ctr({{"cpu", "2"}}, true),
          ctr({{"cpu", "3"}}, true)},
         {ctr({{"cpu", "1"}})},
         {},
         list({{"cpu", "7"}})},
        {"multiple restartable and regular init containers",
         {ctr({{"cpu", "5"}}), ctr({{"cpu", "1"}}, true), ctr({{"cpu", "2"}}, true),
          ctr({{"cpu", "5"}}), ctr({{"cpu", "3"}}, true)},
         {ctr({{"cpu", "1"}})},
         {},
         list({{"cpu", "8"}})},
        {"restartable-init, init and regular",
         {ctr({{"cpu", "10"}}, true), ctr({{"cpu", "200"}})},
         {ctr({{"cpu", "100"}})},
         {},
         list({{"cpu", "210"}})},
        // Beyond upstream's table: element-wise max, and a sidecar larger than everything.
        {"max is element-wise",
         {ctr({{"cpu", "4"}, {"memory", "1"}})},
         {ctr({{"cpu", "1"}, {"memory", "1Gi"}, {"example.com/gpu", "1"}})},
         {},
         list({{"cpu", "4"}, {"memory", "1Gi"}, {"example.com/gpu", "1"}})},
        {"extended resource only in an init container",
         {ctr({{"example.com/gpu", "2"}})},
         {ctr({{"cpu", "1"}})},
         {},
         list({{"cpu", "1"}, {"example.com/gpu", "2"}})},
        {"sidecar after a regular init container",
         {ctr({{"memory", "100"}}), ctr({{"memory", "300"}}, true)},
         {ctr({{"memory", "50"}})},
         {},
         list({{"memory", "350"}})},
        {"empty pod", {}, {}, {}, {}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            CHECK(pod_requests(make_pod(c)) == c.want);
        }
    }
}

struct non_zero_case {
    std::string name;
    std::vector<container> init;
    std::vector<container> containers;
    resource_list overhead;
    std::int64_t milli_cpu;
    std::int64_t memory;
};

TEST_CASE("resources.pod_non_zero_requests", "[resources]") {
    constexpr std::int64_t kMi = 1024 * 1024;
    const std::vector<non_zero_case> cases = {
        {"no requests get both defaults", {}, {ctr({})}, {}, 100, 200 * kMi},
        {"two empty containers", {}, {ctr({}), ctr({})}, {}, 200, 400 * kMi},
        {"explicit zero is kept", {}, {ctr({{"cpu", "0"}, {"memory", "0"}})}, {}, 0, 0},
        {"only cpu named", {}, {ctr({{"cpu", "300m"}})}, {}, 300, 200 * kMi},
        {"only memory named", {}, {ctr({{"memory", "1Gi"}})}, {}, 100, 1024 * kMi},
        {"init container defaults too",
         {ctr({})},
         {ctr({{"cpu", "50m"}, {"memory", "10Mi"}})},
         {},
         100,
         200 * kMi},
        {"sidecar defaults are added",
         {ctr({}, true)},
         {ctr({{"cpu", "50m"}, {"memory", "10Mi"}})},
         {},
         150,
         210 * kMi},
        {"overhead is added",
         {},
         {ctr({})},
         list({{"cpu", "10m"}, {"memory", "1Mi"}}),
         110,
         201 * kMi},
        {"no containers at all", {}, {}, {}, 0, 0},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            pod p;
            p.init_containers = c.init;
            p.containers = c.containers;
            p.overhead = c.overhead;
            const resource_list r = pod_non_zero_requests(p);
            CHECK(r.milli_cpu == c.milli_cpu);
            CHECK(r.memory == c.memory);
        }
    }
}

TEST_CASE("resources.pod_requests_ignores_non_zero_defaults", "[resources]") {
    pod p;
    p.containers = {ctr({}), ctr({{"memory", "1Ki"}})};
    const resource_list r = pod_requests(p);
    CHECK(r.milli_cpu == 0);
    CHECK(r.memory == 1024);
}

}  // namespace
}  // namespace multisched::api
