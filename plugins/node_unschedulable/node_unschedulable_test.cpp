// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/nodeunschedulable/node_unschedulable_test.go, as a table, plus the toleration
// matching rules of core/v1 Toleration.ToleratesTaint.
#include "plugins/node_unschedulable/node_unschedulable.hpp"

#include <catch2/catch.hpp>

#include "plugins/helper/taints.hpp"
#include "test/util/builders.hpp"

namespace multisched::plugins::node_unschedulable {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;
using multisched::testing::pod_builder;

constexpr auto kKey = "node.kubernetes.io/unschedulable";

TEST_CASE("node_unschedulable.filter") {
    struct test_case {
        std::string name;
        pod_builder pod;
        bool unschedulable;
        bool want_success;
    };
    const std::vector<test_case> cases = {
        {"Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)", make_pod(),
         true, false},
        {"Schedule pod to normal node", make_pod(), false, true},
        {"Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)",
         make_pod().toleration(kKey, "", "", "NoSchedule"), true, true},
        {"Exists toleration for the key", make_pod().toleration(kKey, "Exists"), true, true},
        {"empty key with Exists tolerates everything", make_pod().toleration("", "Exists"), true,
         true},
        {"toleration for another effect does not help",
         make_pod().toleration(kKey, "Exists", "", "NoExecute"), true, false},
        {"toleration for another key does not help", make_pod().toleration("other", "Exists"), true,
         false},
        {"Equal with a non-empty value does not match the empty taint value",
         make_pod().toleration(kKey, "Equal", "x", "NoSchedule"), true, false},
        {"unknown operator never matches", make_pod().toleration(kKey, "Lt"), true, false},
    };
    node_unschedulable plugin;
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            framework::cycle_state state;
            const auto info = pod_builder(c.pod).name("p").info();
            const auto ni =
                make_node_info(make_node().name("n").unschedulable(c.unschedulable).obj());
            const auto st = plugin.filter(state, *info, ni);
            if (c.want_success) {
                CHECK(st.is_success());
            } else {
                CHECK(st.code() == framework::code::unschedulable_and_unresolvable);
                CHECK(st.message() == "node(s) were unschedulable");
            }
        }
    }
}

TEST_CASE("node_unschedulable.missing_node") {
    node_unschedulable plugin;
    framework::cycle_state state;
    framework::node_info ni("ghost");
    const auto st = plugin.filter(state, *make_pod().info(), ni);
    CHECK(st.code() == framework::code::unschedulable_and_unresolvable);
    CHECK(st.message() == "node(s) had unknown conditions");
}

TEST_CASE("node_unschedulable.events") {
    const auto events = node_unschedulable{}.events_to_register();
    REQUIRE(events.size() == 1);
    CHECK(events[0].resource == framework::event_resource::node);
    CHECK(events[0].actions == (framework::action_add | framework::action_update_node_taint |
                                framework::action_update_node_label));
}

}  // namespace
}  // namespace multisched::plugins::node_unschedulable
