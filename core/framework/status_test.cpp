// SPDX-License-Identifier: Apache-2.0
#include "core/framework/status.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace multisched::framework {
namespace {

constexpr std::string_view kConstant = "node(s) were unschedulable";

TEST_CASE("status.reasons_whatever_they_were_built_from") {
    struct test_case {
        std::string name;
        status s;
        std::vector<std::string> want;
    };
    const std::vector<test_case> cases = {
        {"success", status(), {}},
        {"one string",
         status(code::unschedulable, std::string("Insufficient cpu")),
         {"Insufficient cpu"}},
        {"a constant",
         status(code::unschedulable, constant_reason{kConstant}),
         {std::string(kConstant)}},
        {"an empty constant", status(code::unschedulable, constant_reason{""}), {""}},
        {"several strings",
         status(code::unschedulable, std::vector<std::string>{"Insufficient cpu",
                                                              "Insufficient "
                                                              "memory"}),
         {"Insufficient cpu", "Insufficient memory"}},
        {"no reasons", status(code::skip, std::vector<std::string>{}), {}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(c.s.reason_count() == c.want.size());
        CHECK(c.s.reasons() == c.want);
        std::string joined;
        for (std::size_t i = 0; i < c.want.size(); ++i) {
            CHECK(c.s.reason(i) == c.want[i]);
            joined += (i == 0 ? "" : ", ") + c.want[i];
        }
        CHECK(c.s.message() == joined);
        // Copies and moves keep the reasons.
        const status copy = c.s;
        CHECK(copy.reasons() == c.want);
        status source = c.s;
        const status moved = std::move(source);
        CHECK(moved.reasons() == c.want);
    }
}

}  // namespace
}  // namespace multisched::framework
