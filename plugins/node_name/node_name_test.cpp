// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/nodename/node_name_test.go, as a table.
#include "plugins/node_name/node_name.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::plugins::node_name {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;

TEST_CASE("node_name.filter") {
    struct test_case {
        std::string name;
        std::string pod_node;
        std::string node;
        bool want_success;
    };
    const std::vector<test_case> cases = {
        {"no host specified", "", "foo", true},
        {"host matches", "foo", "foo", true},
        {"host doesn't match", "bar", "foo", false},
    };
    node_name plugin;
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            framework::cycle_state state;
            const auto info = make_pod().name("p").node(c.pod_node).info();
            const auto ni = make_node_info(make_node().name(c.node).obj());
            const auto st = plugin.filter(state, *info, ni);
            if (c.want_success) {
                CHECK(st.is_success());
            } else {
                CHECK(st.code() == framework::code::unschedulable_and_unresolvable);
                CHECK(st.message() == "node(s) didn't match the requested node name");
            }
        }
    }
}

TEST_CASE("node_name.events") {
    const auto events = node_name{}.events_to_register();
    REQUIRE(events.size() == 1);
    CHECK(events[0].resource == framework::event_resource::node);
    CHECK((events[0].actions & framework::action_add) != 0);
    CHECK((events[0].actions & framework::action_update_node_allocatable) == 0);
}

}  // namespace
}  // namespace multisched::plugins::node_name
