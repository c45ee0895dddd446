// SPDX-License-Identifier: Apache-2.0
// CoschedulingArgs decoding, upstream validation_pluginargs_test.go (TestValidateCoschedulingArgs)
// as a table, defaulting and encoding, the factory and the registered events.
#include <algorithm>

#include <catch2/catch.hpp>

#include "plugins/coscheduling/coscheduling.hpp"
#include "plugins/helper/args_test_util.hpp"
#include "plugins/helper/events_test_util.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::coscheduling {
namespace {

TEST_CASE("coscheduling.args", "[coscheduling]") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::string want_error;  // empty: valid
        std::int64_t want_permit = kDefaultPermitWaitingTimeSeconds;
        std::int64_t want_backoff = kDefaultPodGroupBackoffSeconds;
        std::int32_t want_percentage = kDefaultPodGroupRejectPercentage;
    };
    const std::vector<test_case> cases = {
        {"defaults for no args", "", ""},
        {"defaults for an empty map", "{}", ""},
        {"typed", "{apiVersion: kubescheduler.config.k8s.io/v1, kind: CoschedulingArgs}", ""},
        {"values", "{permitWaitingTimeSeconds: 30, podGroupBackoffSeconds: 5}", "", 30, 5},
        {"zero is valid", "{permitWaitingTimeSeconds: 0, podGroupBackoffSeconds: 0}", "", 0, 0},
        {"null keeps the default", "{permitWaitingTimeSeconds: null}", ""},
        {"reject percentage bounds", "{podGroupRejectPercentage: 100}", "", 60, 10, 100},
        {"negative permitWaitingTimeSeconds", "{permitWaitingTimeSeconds: -1}",
         "Coscheduling args: permitWaitingTimeSeconds: Invalid value: -1: must be greater than "
         "or equal to 0"},
        {"negative podGroupBackoffSeconds", "{podGroupBackoffSeconds: -10}",
         "Coscheduling args: podGroupBackoffSeconds: Invalid value: -10: must be greater than or "
         "equal to 0"},
        {"percentage above 100", "{podGroupRejectPercentage: 101}",
         "Coscheduling args: podGroupRejectPercentage: Invalid value: 101: must be between 0 and "
         "100"},
        {"negative percentage", "{podGroupRejectPercentage: -1}",
         "podGroupRejectPercentage: Invalid value: -1"},
        {"unknown key (older releases' deniedPGExpirationTimeSeconds)",
         "{deniedPGExpirationTimeSeconds: 20}",
         "Coscheduling args: unknown field \"deniedPGExpirationTimeSeconds\""},
        {"not an integer", "{permitWaitingTimeSeconds: soon}",
         "Coscheduling args: permitWaitingTimeSeconds: invalid value \"soon\""},
        {"not a scalar", "{podGroupBackoffSeconds: [1]}",
         "podGroupBackoffSeconds: expected a scalar"},
        {"wrong kind", "{kind: NodeAffinityArgs}", "kind: must be CoschedulingArgs"},
        {"not a map", "[1]", "args: expected a mapping"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto r = parse_args(helper::load_args(c.yaml));
        if (c.want_error.empty()) {
            REQUIRE(r.has_value());
            CHECK(r->permit_waiting_time_seconds == c.want_permit);
            CHECK(r->pod_group_backoff_seconds == c.want_backoff);
            CHECK(r->pod_group_reject_percentage == c.want_percentage);
        } else {
            REQUIRE_FALSE(r.has_value());
            CHECK_THAT(r.error().message, Catch::Contains(c.want_error));
        }
    }
}

TEST_CASE("coscheduling.default_args", "[coscheduling]") {
    const std::string head = "apiVersion: kubescheduler.config.k8s.io/v1, kind: CoschedulingArgs, ";
    const std::string defaults =
        "{" + head +
        "permitWaitingTimeSeconds: 60, podGroupBackoffSeconds: 10, podGroupRejectPercentage: 10}";
    helper::check_default_args(
        default_args,
        {
            {"null args", "", defaults},
            {"empty map", "{}", defaults},
            {"explicit values are kept", "{permitWaitingTimeSeconds: 5, podGroupBackoffSeconds: 0}",
             "{" + head +
                 "permitWaitingTimeSeconds: 5, podGroupBackoffSeconds: 0, "
                 "podGroupRejectPercentage: 10}"},
        });
    helper::check_default_args_differ(default_args, "",
                                      "{" + head + "permitWaitingTimeSeconds: 60}");
    helper::check_fails_like_parse_args(default_args, parse_args, "{podGroupBackoffSeconds: -1}");
    helper::check_fails_like_parse_args(default_args, parse_args, "{bogus: 1}");
}

TEST_CASE("coscheduling.encode_args_round_trip", "[coscheduling]") {
    std::vector<coscheduling_args> cases;
    for (const std::int64_t v : {std::int64_t{0}, std::int64_t{60}, INT64_MAX}) {
        coscheduling_args a;
        a.permit_waiting_time_seconds = v;
        a.pod_group_backoff_seconds = v / 2;
        a.pod_group_reject_percentage = static_cast<std::int32_t>(v % 101);
        cases.push_back(a);
    }
    helper::check_round_trip(cases, encode_args, parse_args);
}

TEST_CASE("coscheduling.make", "[coscheduling]") {
    multisched::testing::fake_handle h;
    helper::check_factory(make, h, kName,
                          {
                              {"defaults", "", ""},
                              {"values", "{permitWaitingTimeSeconds: 30}", ""},
                              {"invalid", "{permitWaitingTimeSeconds: -1}",
                               "Coscheduling args: permitWaitingTimeSeconds: Invalid value: -1: "
                               "must be greater than or equal to 0"},
                          });
    auto made = make(YAML::Node(), h);
    REQUIRE(made.has_value());
    framework::plugin* p = made->get();
    CHECK(dynamic_cast<framework::queue_sort_plugin*>(p) != nullptr);
    CHECK(dynamic_cast<framework::pre_filter_plugin*>(p) != nullptr);
    CHECK(dynamic_cast<framework::reserve_plugin*>(p) != nullptr);
    CHECK(dynamic_cast<framework::permit_plugin*>(p) != nullptr);
    CHECK(dynamic_cast<framework::pre_bind_plugin*>(p) != nullptr);
    CHECK(dynamic_cast<framework::post_bind_plugin*>(p) != nullptr);
    CHECK(dynamic_cast<framework::enqueue_extensions*>(p) != nullptr);
    // No Filter or PostFilter: the group is judged as a whole at PreFilter.
    CHECK(dynamic_cast<framework::filter_plugin*>(p) == nullptr);
    CHECK(dynamic_cast<framework::post_filter_plugin*>(p) == nullptr);
}

TEST_CASE("coscheduling.events", "[coscheduling]") {
    using framework::event_resource;
    multisched::testing::fake_handle h;
    const coscheduling p(coscheduling_args{}, h);
    const std::vector<helper::event_case> cases = {
        {"a sibling joined", {event_resource::pod, framework::action_add}, true},
        {"pod group add", {event_resource::pod_group, framework::action_add}, true},
        {"pod group update", {event_resource::pod_group, framework::action_update}, true},
        {"pod group delete", {event_resource::pod_group, framework::action_delete}, false},
        {"assigned pod delete", {event_resource::assigned_pod, framework::action_delete}, true},
        {"assigned pod add", {event_resource::assigned_pod, framework::action_add}, false},
        {"node add", {event_resource::node, framework::action_add}, true},
        {"node allocatable",
         {event_resource::node, framework::action_update_node_allocatable},
         true},
        {"node taint", {event_resource::node, framework::action_update_node_taint}, true},
        {"node label", {event_resource::node, framework::action_update_node_label}, true},
        {"node condition", {event_resource::node, framework::action_update_node_condition}, false},
        {"pvc add", {event_resource::persistent_volume_claim, framework::action_add}, false},
    };
    helper::check_registered_events(p, cases);
}

}  // namespace
}  // namespace multisched::plugins::coscheduling
