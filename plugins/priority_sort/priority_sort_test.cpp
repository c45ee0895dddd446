// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/queuesort/priority_sort_test.go, as a table.
#include "plugins/priority_sort/priority_sort.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::plugins::priority_sort {
namespace {

using multisched::testing::make_pod;
using clock = std::chrono::steady_clock;

struct test_case {
    std::string name;
    std::optional<std::int32_t> p1, p2;
    clock::duration t1_offset{}, t2_offset{};  // relative to a common base
    bool want;
};

framework::queued_pod_info queued(std::optional<std::int32_t> prio, clock::time_point ts) {
    auto b = make_pod().name("p");
    if (prio) {
        b.priority(*prio);
    }
    return {b.info(), ts, 0};
}

TEST_CASE("priority_sort.less") {
    const std::vector<test_case> cases = {
        {"p1.priority less than p2.priority", 1, 2, {}, {}, false},
        {"p1.priority greater than p2.priority", 2, 1, {}, {}, true},
        {"equal priority. p1 is added to schedulingQ earlier than p2", 2, 2,
         std::chrono::seconds(0), std::chrono::seconds(1), true},
        {"equal priority. p2 is added to schedulingQ earlier than p1", 2, 2,
         std::chrono::seconds(1), std::chrono::seconds(0), false},
        {"missing priority counts as 0", std::nullopt, 1, {}, {}, false},
        {"missing priority beats a negative one", std::nullopt, -5, {}, {}, true},
        {"same pod, same timestamp: not less", 3, 3, {}, {}, false},
    };
    priority_sort plugin;
    const auto base = clock::now();
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            CHECK(plugin.less(queued(c.p1, base + c.t1_offset), queued(c.p2, base + c.t2_offset)) ==
                  c.want);
        }
    }
}

TEST_CASE("priority_sort.name") {
    CHECK(priority_sort{}.name() == "PrioritySort");
}

}  // namespace
}  // namespace multisched::plugins::priority_sort
