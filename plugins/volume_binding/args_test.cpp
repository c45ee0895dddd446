// SPDX-License-Identifier: Apache-2.0
// VolumeBindingArgs decoding and upstream validation_pluginargs_test.go
// (TestValidateVolumeBindingArgs with the capacity-scoring gate off, v1.30) as a table; the
// factory and the registered events.
#include <catch2/catch.hpp>

#include "plugins/helper/events_test_util.hpp"
#include "plugins/volume_binding/volume_binding.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::volume_binding {
namespace {

TEST_CASE("volume_binding.args") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::string want_error;  // empty: valid
        std::int64_t want_timeout = kDefaultBindTimeoutSeconds;
    };
    const std::vector<test_case> cases = {
        {"empty", "", ""},
        {"empty map", "{}", ""},
        {"kind", "{kind: VolumeBindingArgs, apiVersion: kubescheduler.config.k8s.io/v1}", ""},
        {"zero is a valid config", "{bindTimeoutSeconds: 0}", "", 0},
        {"positive value is valid config", "{bindTimeoutSeconds: 10}", "", 10},
        {"null keeps the default", "{bindTimeoutSeconds: null}", "", 600},
        {"null shape is allowed", "{bindTimeoutSeconds: 10, shape: null}", "", 10},
        {"negative value is invalid config", "{bindTimeoutSeconds: -10}",
         "VolumeBinding args: bindTimeoutSeconds: Invalid value: -10: invalid "
         "BindTimeoutSeconds, should not be a negative value"},
        {"error if the shape is not nil when the feature is off",
         "{bindTimeoutSeconds: 10, shape: [{utilization: 1, score: 1}, {utilization: 3, "
         "score: 3}]}",
         "VolumeBinding args: shape: Invalid value: unexpected field `shape`, remove it or turn "
         "on the feature gate VolumeCapacityPriority"},
        {"an empty shape is not nil either", "{shape: []}", "shape: Invalid value"},
        {"not an integer", "{bindTimeoutSeconds: soon}",
         "VolumeBinding args: bindTimeoutSeconds: invalid value \"soon\""},
        {"not a scalar", "{bindTimeoutSeconds: [1]}", "bindTimeoutSeconds: expected a scalar"},
        {"unknown key", "{bindTimeout: 1}", "VolumeBinding args: unknown field \"bindTimeout\""},
        {"wrong kind", "{kind: NodeAffinityArgs}", "kind: must be VolumeBindingArgs"},
        {"not a map", "[1]", "args: expected a mapping"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto r = parse_args(c.yaml.empty() ? YAML::Node() : YAML::Load(c.yaml));
        if (c.want_error.empty()) {
            REQUIRE(r.has_value());
            CHECK(r->bind_timeout_seconds == c.want_timeout);
        } else {
            REQUIRE_FALSE(r.has_value());
            CHECK_THAT(r.error().message, Catch::Contains(c.want_error));
        }
    }
}

TEST_CASE("volume_binding.make") {
    multisched::testing::fake_handle h;
    auto made = make(YAML::Load("{bindTimeoutSeconds: 30}"), h);
    REQUIRE(made.has_value());
    auto* p = dynamic_cast<volume_binding*>(made->get());
    REQUIRE(p != nullptr);
    CHECK(p->name() == "VolumeBinding");
    CHECK(dynamic_cast<framework::pre_bind_plugin*>(p) != nullptr);
    CHECK(dynamic_cast<framework::reserve_plugin*>(p) != nullptr);
    // No Score point without StorageCapacityScoring.
    CHECK(dynamic_cast<framework::score_plugin*>(p) == nullptr);
    CHECK_FALSE(make(YAML::Load("{bindTimeoutSeconds: -1}"), h).has_value());
}

TEST_CASE("volume_binding.events") {
    using framework::event_resource;
    multisched::testing::fake_handle h;
    const volume_binding p(volume_binding_args{}, h);
    const std::vector<helper::event_case> cases = {
        {"storage class add", {event_resource::storage_class, framework::action_add}, true},
        {"storage class update", {event_resource::storage_class, framework::action_update}, true},
        {"storage class delete", {event_resource::storage_class, framework::action_delete}, false},
        {"pvc add", {event_resource::persistent_volume_claim, framework::action_add}, true},
        {"pvc update", {event_resource::persistent_volume_claim, framework::action_update}, true},
        {"pvc delete", {event_resource::persistent_volume_claim, framework::action_delete}, false},
        {"pv add", {event_resource::persistent_volume, framework::action_add}, true},
        {"pv update", {event_resource::persistent_volume, framework::action_update}, true},
        {"node add", {event_resource::node, framework::action_add}, true},
        {"node label", {event_resource::node, framework::action_update_node_label}, true},
        {"node taint", {event_resource::node, framework::action_update_node_taint}, true},
        {"node allocatable",
         {event_resource::node, framework::action_update_node_allocatable},
         false},
        {"csinode add", {event_resource::csi_node, framework::action_add}, true},
        {"csinode update", {event_resource::csi_node, framework::action_update}, true},
        {"assigned pod delete", {event_resource::assigned_pod, framework::action_delete}, false},
    };
    helper::check_registered_events(p, cases);
}

}  // namespace
}  // namespace multisched::plugins::volume_binding
