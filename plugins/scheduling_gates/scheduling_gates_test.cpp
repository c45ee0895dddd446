// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/schedulinggates/scheduling_gates_test.go (TestPreEnqueue), as a table.
#include "plugins/scheduling_gates/scheduling_gates.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::plugins::scheduling_gates {
namespace {

using multisched::testing::make_pod;

TEST_CASE("scheduling_gates.pre_enqueue") {
    struct test_case {
        std::string name;
        std::vector<std::string> gates;
        framework::code want;
        std::string want_reason;
    };
    const std::vector<test_case> cases = {
        {"pod does not carry scheduling gates", {}, framework::code::success, ""},
        {"pod carries scheduling gates",
         {"foo", "bar"},
         framework::code::unschedulable_and_unresolvable,
         "waiting for scheduling gates: [foo bar]"},
    };
    scheduling_gates p;
    for (const auto& tc : cases) {
        INFO(tc.name);
        auto pod = make_pod().name("p").obj();
        pod.scheduling_gates = tc.gates;
        const auto s = p.pre_enqueue(pod);
        CHECK(s.code() == tc.want);
        CHECK(s.message() == tc.want_reason);
    }
    CHECK(p.events_to_register().size() == 1);
    CHECK(p.events_to_register()[0].matches(
        {framework::event_resource::pod, framework::action_update}));
}

}  // namespace
}  // namespace multisched::plugins::scheduling_gates
