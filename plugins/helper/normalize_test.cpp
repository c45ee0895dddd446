// SPDX-License-Identifier: Apache-2.0
#include "plugins/helper/normalize.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace multisched::plugins::helper {
namespace {

constexpr std::int64_t kMax = 100;

}  // namespace

TEST_CASE("normalize.default_normalize_score") {
    struct test_case {
        std::string name;
        bool reverse;
        std::vector<std::int64_t> in;
        std::vector<std::int64_t> want;
    };
    const std::vector<test_case> cases = {
        {"all zero, reversed: every node gets the max", true, {0, 0, 0}, {kMax, kMax, kMax}},
        {"all zero, not reversed: unchanged", false, {0, 0}, {0, 0}},
        {"scaled to the max", false, {1, 2, 4}, {25, 50, 100}},
        {"scaled and reversed", true, {1, 2, 4}, {75, 50, 0}},
        {"integer division truncates", false, {1, 3}, {33, 100}},
        {"no nodes", true, {}, {}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto scores = c.in;
            default_normalize_score(kMax, c.reverse, scores);
            CHECK(scores == c.want);
        }
    }
}

}  // namespace multisched::plugins::helper
