// SPDX-License-Identifier: Apache-2.0
// Upstream validation_pluginargs_test.go (TestValidatePodTopologySpreadArgs, v1.30) as a table,
// plus strict decoding of PodTopologySpreadArgs and the factory.
#include "plugins/pod_topology_spread/args.hpp"

#include <catch2/catch.hpp>

#include "plugins/pod_topology_spread/pod_topology_spread.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

constexpr std::string_view kPrefix = "PodTopologySpread args: ";

TEST_CASE("pod_topology_spread.args") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::string want_error;  // empty: valid
    };
    const std::vector<test_case> cases = {
        {"null args: System defaulting", "", ""},
        {"list with constraints",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n"
         "- {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}\n",
         ""},
        {"optional fields of a constraint",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule, minDomains: 3,\n"
         "   nodeAffinityPolicy: Ignore, nodeTaintsPolicy: Honor, matchLabelKeys: [app]}\n",
         ""},
        {"kind and apiVersion accepted",
         "apiVersion: kubescheduler.config.k8s.io/v1\nkind: PodTopologySpreadArgs\n", ""},
        {"empty list with List", "defaultingType: List\ndefaultConstraints: []\n", ""},
        {"max skew less than zero",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: -1, topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n",
         "defaultConstraints[0].maxSkew: Invalid value: -1: not in valid range"},
        {"max skew unset",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n",
         "defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range"},
        {"empty topology key",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, whenUnsatisfiable: DoNotSchedule}\n",
         "defaultConstraints[0].topologyKey: Required value: can not be empty"},
        {"invalid topology key",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: 'a b', whenUnsatisfiable: DoNotSchedule}\n",
         "defaultConstraints[0].topologyKey: Invalid value: \"a b\": name part must consist of "
         "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
         "character"},
        {"WhenUnsatisfiable is empty",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node}\n",
         "defaultConstraints[0].whenUnsatisfiable: Required value: can not be empty"},
        {"WhenUnsatisfiable contains unsupported action",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node, whenUnsatisfiable: NoSuchAction}\n",
         "defaultConstraints[0].whenUnsatisfiable: Unsupported value: \"NoSuchAction\": supported "
         "values: \"DoNotSchedule\", \"ScheduleAnyway\""},
        {"duplicated constraints",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n"
         "- {maxSkew: 2, topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n",
         "defaultConstraints[1]: Duplicate value: \"{node, DoNotSchedule}\""},
        {"same key, different action is fine",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n"
         "- {maxSkew: 2, topologyKey: node, whenUnsatisfiable: ScheduleAnyway}\n",
         ""},
        {"label selector present",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- maxSkew: 1\n  topologyKey: key\n  whenUnsatisfiable: DoNotSchedule\n"
         "  labelSelector: {matchLabels: {foo: bar}}\n",
         "defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, "
         "as they deduced for each pod"},
        {"list default constraints, no constraints", "defaultingType: List\n", ""},
        {"system default constraints",
         "defaultingType: System\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n",
         "defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty"},
        {"constraints without defaultingType default to System and fail",
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n",
         "defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty"},
        {"wrong defaultingType", "defaultingType: Custom\n",
         "defaultingType: Unsupported value: \"Custom\": supported values: \"System\", \"List\""},
        {"several errors are aggregated",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 0, topologyKey: node}\n",
         "[defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range, "
         "defaultConstraints[0].whenUnsatisfiable: Required value: can not be empty]"},
        // Strict decoding.
        {"unknown top-level key", "defaultingType: List\nfoo: 1\n", "unknown field \"foo\""},
        {"unknown constraint key",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule, skew: 1}\n",
         "unknown field \"defaultConstraints[0].skew\""},
        {"unknown selector key",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: 1, topologyKey: n, whenUnsatisfiable: DoNotSchedule, labelSelector: {x: "
         "1}}\n",
         "unknown field \"defaultConstraints[0].labelSelector.x\""},
        {"maxSkew not an integer",
         "defaultingType: List\n"
         "defaultConstraints:\n"
         "- {maxSkew: many, topologyKey: node, whenUnsatisfiable: DoNotSchedule}\n",
         "defaultConstraints[0].maxSkew: invalid value \"many\""},
        {"defaultConstraints not a list", "defaultingType: List\ndefaultConstraints: {a: 1}\n",
         "defaultConstraints: expected a list"},
        {"wrong kind", "kind: NodeAffinityArgs\n", "kind: must be PodTopologySpreadArgs"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto parsed = parse_args(c.yaml.empty() ? YAML::Node() : YAML::Load(c.yaml));
        if (c.want_error.empty()) {
            CHECK(parsed.has_value());
        } else {
            REQUIRE_FALSE(parsed.has_value());
            CHECK(parsed.error().message == std::string(kPrefix) + c.want_error);
        }
    }
}

TEST_CASE("pod_topology_spread.args_decoded") {
    auto parsed = parse_args(YAML::Load(
        "defaultingType: List\n"
        "defaultConstraints:\n"
        "- {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 3,\n"
        "   nodeAffinityPolicy: Ignore, nodeTaintsPolicy: Honor, matchLabelKeys: [app, tier]}\n"));
    REQUIRE(parsed.has_value());
    CHECK(parsed->defaulting_type == "List");
    REQUIRE(parsed->default_constraints.size() == 1);
    const auto& c = parsed->default_constraints[0];
    CHECK(c.max_skew == 2);
    CHECK(c.topology_key == "zone");
    CHECK(c.when_unsatisfiable == "ScheduleAnyway");
    CHECK(c.min_domains == std::optional<std::int32_t>(3));
    CHECK(c.node_affinity_policy == "Ignore");
    CHECK(c.node_taints_policy == "Honor");
    CHECK(c.match_label_keys == std::vector<std::string>{"app", "tier"});
    CHECK_FALSE(c.selector.has_value());

    auto defaults = parse_args(YAML::Node());
    REQUIRE(defaults.has_value());
    CHECK(defaults->defaulting_type == "System");
    CHECK(defaults->default_constraints.empty());

    const auto sys = system_default_constraints();
    REQUIRE(sys.size() == 2);
    CHECK(sys[0].topology_key == "kubernetes.io/hostname");
    CHECK(sys[0].max_skew == 3);
    CHECK(sys[0].when_unsatisfiable == "ScheduleAnyway");
    CHECK(sys[1].topology_key == "topology.kubernetes.io/zone");
    CHECK(sys[1].max_skew == 5);
    CHECK(sys[1].when_unsatisfiable == "ScheduleAnyway");
}

TEST_CASE("pod_topology_spread.make") {
    multisched::testing::fake_handle h;
    auto ok = make(YAML::Node(), h);
    REQUIRE(ok.has_value());
    CHECK((*ok)->name() == "PodTopologySpread");
    auto* ext = dynamic_cast<framework::enqueue_extensions*>(ok->get());
    REQUIRE(ext != nullptr);
    const auto events = ext->events_to_register();
    REQUIRE(events.size() == 2);
    CHECK(events[0].matches({framework::event_resource::assigned_pod, framework::action_add}));
    CHECK(events[0].matches({framework::event_resource::assigned_pod, framework::action_delete}));
    CHECK(events[0].matches({framework::event_resource::assigned_pod, framework::action_update}));
    CHECK_FALSE(events[0].matches({framework::event_resource::pod, framework::action_add}));
    CHECK(events[1].matches({framework::event_resource::node, framework::action_add}));
    CHECK(events[1].matches({framework::event_resource::node, framework::action_delete}));
    CHECK(
        events[1].matches({framework::event_resource::node, framework::action_update_node_label}));
    CHECK(
        events[1].matches({framework::event_resource::node, framework::action_update_node_taint}));
    CHECK_FALSE(events[1].matches(
        {framework::event_resource::node, framework::action_update_node_allocatable}));

    auto bad = make(YAML::Load("defaultingType: Bad\n"), h);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.rfind(std::string(kPrefix), 0) == 0);
}

}  // namespace
}  // namespace multisched::plugins::pod_topology_spread
