// SPDX-License-Identifier: Apache-2.0
// Filter and args tests: upstream noderesources/fit_test.go (TestEnoughRequests,
// TestNotEnoughRequests, TestStorageRequests, TestPreFilterDisabled) and the args validation of
// validation_pluginargs.go, as tables.
#include "plugins/node_resources_fit/node_resources_fit.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::plugins::node_resources_fit {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;
using multisched::testing::pod_builder;

constexpr auto kExtA = "example.com/aaa";
constexpr auto kExtB = "example.com/bbb";
constexpr auto kK8sIOA = "kubernetes.io/something";
constexpr auto kHugeA = "hugepages-2Mi";

std::unique_ptr<node_resources_fit> make_fit(const std::string& yaml) {
    auto args = parse_args(yaml.empty() ? YAML::Node() : YAML::Load(yaml));
    REQUIRE(args.has_value());
    return std::make_unique<node_resources_fit>(std::move(*args));
}

// Node of upstream makeAllocatableResources(10, 20, pods, 5, 20, 5).
api::node fit_node(const char* pods = "32") {
    return make_node()
        .name("n")
        .alloc({{"cpu", "10m"},
                {"memory", "20"},
                {"pods", pods},
                {kExtA, "5"},
                {"ephemeral-storage", "20"},
                {kHugeA, "5"}})
        .obj();
}

api::pod existing(std::initializer_list<std::pair<std::string_view, std::string_view>> req) {
    return make_pod().name("existing").uid("e").node("n").req(req).obj();
}

struct filter_case {
    std::string name;
    pod_builder pod;
    api::pod on_node;
    std::vector<std::string> want_reasons;  // empty: fits
    std::vector<insufficient_resource> want_insufficient;
    std::string args = "";
    const char* pods = "32";
};

void run(const std::vector<filter_case>& cases) {
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto fit = make_fit(c.args);
            const auto pod = pod_builder(c.pod).name("p").uid("p").info();
            const auto node = make_node_info(fit_node(c.pods), {c.on_node});
            framework::cycle_state state;
            framework::pre_filter_result pf;
            REQUIRE(fit->pre_filter(state, *pod, {}, pf).is_success());
            CHECK_FALSE(pf.node_names.has_value());
            const auto st = fit->filter(state, *pod, node);
            if (c.want_reasons.empty()) {
                CHECK(st.is_success());
            } else {
                CHECK(st.code() == framework::code::unschedulable);
                CHECK(st.reasons() == c.want_reasons);
            }
            if (!c.want_insufficient.empty() || c.want_reasons.empty()) {
                CHECK(fit->fits_request(pod->requests, node) == c.want_insufficient);
            }
        }
    }
}

TEST_CASE("node_resources_fit.filter") {
    const std::vector<filter_case> cases = {
        {"no resources requested always fits",
         make_pod(),
         existing({{"cpu", "10m"}, {"memory", "20"}}),
         {},
         {}},
        {"too many resources fails",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}}),
         existing({{"cpu", "10m"}, {"memory", "20"}}),
         {"Insufficient cpu", "Insufficient memory"},
         {{"cpu", "Insufficient cpu", 1, 10, 10}, {"memory", "Insufficient memory", 1, 20, 20}}},
        {"too many resources fails due to init container cpu",
         make_pod()
             .req({{"cpu", "1m"}, {"memory", "1"}})
             .init_req({{"cpu", "3m"}, {"memory", "1"}}),
         existing({{"cpu", "8m"}, {"memory", "19"}}),
         {"Insufficient cpu"},
         {{"cpu", "Insufficient cpu", 3, 8, 10}}},
        {"too many resources fails due to highest init container cpu",
         make_pod()
             .req({{"cpu", "1m"}, {"memory", "1"}})
             .init_req({{"cpu", "3m"}, {"memory", "1"}})
             .init_req({{"cpu", "2m"}, {"memory", "1"}}),
         existing({{"cpu", "8m"}, {"memory", "19"}}),
         {"Insufficient cpu"},
         {{"cpu", "Insufficient cpu", 3, 8, 10}}},
        {"too many resources fails due to init container memory",
         make_pod()
             .req({{"cpu", "1m"}, {"memory", "1"}})
             .init_req({{"cpu", "1m"}, {"memory", "3"}}),
         existing({{"cpu", "9m"}, {"memory", "19"}}),
         {"Insufficient memory"},
         {{"memory", "Insufficient memory", 3, 19, 20}}},
        {"init container fits because it's the max, not sum, of containers and init containers",
         make_pod()
             .req({{"cpu", "1m"}, {"memory", "1"}})
             .init_req({{"cpu", "1m"}, {"memory", "1"}}),
         existing({{"cpu", "9m"}, {"memory", "19"}}),
         {},
         {}},
        {"both resources fit",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}}),
         existing({{"cpu", "5m"}, {"memory", "5"}}),
         {},
         {}},
        {"one resource memory fits",
         make_pod().req({{"cpu", "2m"}, {"memory", "1"}}),
         existing({{"cpu", "9m"}, {"memory", "5"}}),
         {"Insufficient cpu"},
         {{"cpu", "Insufficient cpu", 2, 9, 10}}},
        {"one resource cpu fits",
         make_pod().req({{"cpu", "1m"}, {"memory", "2"}}),
         existing({{"cpu", "5m"}, {"memory", "19"}}),
         {"Insufficient memory"},
         {{"memory", "Insufficient memory", 2, 19, 20}}},
        {"equal edge case",
         make_pod().req({{"cpu", "5m"}, {"memory", "1"}}),
         existing({{"cpu", "5m"}, {"memory", "19"}}),
         {},
         {}},
        {"equal edge case for init container",
         make_pod()
             .req({{"cpu", "4m"}, {"memory", "1"}})
             .init_req({{"cpu", "5m"}, {"memory", "1"}}),
         existing({{"cpu", "5m"}, {"memory", "19"}}),
         {},
         {}},
        {"extended resource fits", make_pod().req({{kExtA, "1"}}), existing({}), {}, {}},
        {"extended resource fits for init container",
         make_pod().init_req({{kExtA, "1"}}),
         existing({}),
         {},
         {}},
        {"extended resource capacity enforced",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "10"}}),
         existing({}),
         {"Insufficient example.com/aaa"},
         {{kExtA, "Insufficient example.com/aaa", 10, 0, 5}}},
        {"extended resource allocatable enforced",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "1"}}),
         existing({{kExtA, "5"}}),
         {"Insufficient example.com/aaa"},
         {{kExtA, "Insufficient example.com/aaa", 1, 5, 5}}},
        {"extended resource allocatable enforced for multiple containers",
         make_pod()
             .req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "3"}})
             .req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "3"}}),
         existing({{kExtA, "2"}}),
         {"Insufficient example.com/aaa"},
         {{kExtA, "Insufficient example.com/aaa", 6, 2, 5}}},
        {"extended resource allocatable admits multiple init containers",
         make_pod()
             .init_req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "3"}})
             .init_req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "3"}}),
         existing({{kExtA, "2"}}),
         {},
         {}},
        {"extended resource allocatable enforced for multiple init containers",
         make_pod()
             .init_req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "6"}})
             .init_req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "3"}}),
         existing({{kExtA, "2"}}),
         {"Insufficient example.com/aaa"},
         {{kExtA, "Insufficient example.com/aaa", 6, 2, 5}}},
        {"extended resource allocatable enforced for unknown resource",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kExtB, "1"}}),
         existing({}),
         {"Insufficient example.com/bbb"},
         {{kExtB, "Insufficient example.com/bbb", 1, 0, 0}}},
        {"kubernetes.io resource capacity enforced",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kK8sIOA, "10"}}),
         existing({}),
         {"Insufficient kubernetes.io/something"},
         {{kK8sIOA, "Insufficient kubernetes.io/something", 10, 0, 0}}},
        {"hugepages resource capacity enforced",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kHugeA, "10"}}),
         existing({}),
         {"Insufficient hugepages-2Mi"},
         {{kHugeA, "Insufficient hugepages-2Mi", 10, 0, 5}}},
        {"hugepages resource allocatable enforced for multiple containers",
         make_pod()
             .req({{"cpu", "1m"}, {"memory", "1"}, {kHugeA, "3"}})
             .req({{"cpu", "1m"}, {"memory", "1"}, {kHugeA, "3"}}),
         existing({{kHugeA, "2"}}),
         {"Insufficient hugepages-2Mi"},
         {{kHugeA, "Insufficient hugepages-2Mi", 6, 2, 5}}},
        {"skip checking ignored extended resource",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kExtB, "1"}}),
         existing({}),
         {},
         {},
         "ignoredResources: [example.com/bbb]"},
        {"skip checking ignored extended resource via resource groups",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kExtB, "1"}}),
         existing({}),
         {},
         {},
         "ignoredResourceGroups: [example.com]"},
        {"ignoredResources does not apply to kubernetes.io resources",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kK8sIOA, "1"}}),
         existing({}),
         {"Insufficient kubernetes.io/something"},
         {},
         "ignoredResources: [kubernetes.io/something]"},
        {"resources + pod overhead fits",
         make_pod()
             .req({{"cpu", "1m"}, {"memory", "1"}})
             .overhead({{"cpu", "3m"}, {"memory", "13"}}),
         existing({{"cpu", "5m"}, {"memory", "5"}}),
         {},
         {}},
        {"requests + overhead does not fit for memory",
         make_pod()
             .req({{"cpu", "1m"}, {"memory", "1"}})
             .overhead({{"cpu", "1m"}, {"memory", "15"}}),
         existing({{"cpu", "5m"}, {"memory", "5"}}),
         {"Insufficient memory"},
         {{"memory", "Insufficient memory", 16, 5, 20}}},
        {"skip checking resource request with quantity zero",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}, {kExtA, "0"}}),
         existing({{kExtA, "6"}}),
         {},
         {}},
        {"unrequested resource is not checked on an overcommitted node",
         make_pod().req({{"cpu", "1m"}}),
         existing({{"memory", "25"}}),
         {},
         {}},
        {"all insufficient resources are reported",
         make_pod().req(
             {{"cpu", "11m"}, {"memory", "21"}, {"ephemeral-storage", "21"}, {kExtA, "6"}}),
         existing({}),
         {"Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage",
          "Insufficient example.com/aaa"},
         {}},
    };
    run(cases);
}

TEST_CASE("node_resources_fit.filter_pods") {
    const std::vector<filter_case> cases = {
        {"even without specified resources predicate fails when there's no space for additional "
         "pod",
         make_pod(),
         existing({{"cpu", "10m"}, {"memory", "20"}}),
         {"Too many pods"},
         {{"pods", "Too many pods", 1, 1, 1}},
         "",
         "1"},
        {"even if both resources fit predicate fails when there's no space for additional pod",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}}),
         existing({{"cpu", "5m"}, {"memory", "5"}}),
         {"Too many pods"},
         {},
         "",
         "1"},
        {"even for equal edge case predicate fails when there's no space for additional pod",
         make_pod().req({{"cpu", "5m"}, {"memory", "1"}}),
         existing({{"cpu", "5m"}, {"memory", "19"}}),
         {"Too many pods"},
         {},
         "",
         "1"},
        {"even for equal edge case predicate fails when there's no space for additional pod due to "
         "init container",
         make_pod()
             .req({{"cpu", "5m"}, {"memory", "1"}})
             .init_req({{"cpu", "5m"}, {"memory", "1"}}),
         existing({{"cpu", "5m"}, {"memory", "19"}}),
         {"Too many pods"},
         {},
         "",
         "1"},
        {"too many pods and insufficient cpu together",
         make_pod().req({{"cpu", "6m"}, {"memory", "1"}}),
         existing({{"cpu", "5m"}, {"memory", "5"}}),
         {"Too many pods", "Insufficient cpu"},
         {},
         "",
         "1"},
    };
    run(cases);
}

TEST_CASE("node_resources_fit.filter_storage") {
    const std::vector<filter_case> cases = {
        {"due to container scratch disk",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}}),
         existing({{"cpu", "10m"}, {"memory", "10"}}),
         {"Insufficient cpu"},
         {}},
        {"pod fit",
         make_pod().req({{"cpu", "1m"}, {"memory", "1"}}),
         existing({{"cpu", "2m"}, {"memory", "10"}}),
         {},
         {}},
        {"storage ephemeral local storage request exceeds allocatable",
         make_pod().req({{"ephemeral-storage", "25"}}),
         existing({{"cpu", "2m"}, {"memory", "2"}}),
         {"Insufficient ephemeral-storage"},
         {}},
        {"pod fits",
         make_pod().req({{"ephemeral-storage", "10"}}),
         existing({{"cpu", "2m"}, {"memory", "2"}}),
         {},
         {}},
    };
    run(cases);
}

TEST_CASE("node_resources_fit.prefilter_disabled") {
    auto fit = make_fit("");
    framework::cycle_state state;
    const auto st = fit->filter(state, *make_pod().info(), make_node_info(fit_node()));
    CHECK(st.code() == framework::code::error);
    CHECK(st.message() == "error reading \"PreFilterNodeResourcesFit\" from cycleState: not found");
}

TEST_CASE("node_resources_fit.args") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::string want_error;  // substring; empty: must parse
    };
    const std::vector<test_case> cases = {
        {"null args", "", ""},
        {"kind and apiVersion accepted",
         "apiVersion: kubescheduler.config.k8s.io/v1\nkind: NodeResourcesFitArgs", ""},
        {"wrong kind", "kind: NodeAffinityArgs", "kind: must be NodeResourcesFitArgs"},
        {"unknown top-level field", "foo: 1", "unknown field \"foo\""},
        {"unknown nested field", "scoringStrategy: {type: MostAllocated, bar: 1}",
         "unknown field \"scoringStrategy.bar\""},
        {"unknown resource field",
         "scoringStrategy: {type: MostAllocated, resources: [{name: cpu, w: 1}]}",
         "unknown field \"scoringStrategy.resources[0].w\""},
        {"unsupported type", "scoringStrategy: {type: Foo}",
         "scoringStrategy.type: Unsupported value: \"Foo\""},
        {"missing type", "scoringStrategy: {resources: [{name: cpu, weight: 1}]}",
         "Unsupported value: \"\""},
        {"weight above 100",
         "scoringStrategy: {type: LeastAllocated, resources: [{name: memory, weight: 1}, {name: "
         "cpu, weight: 101}]}",
         "scoringStrategy.resources[1].weight: Invalid value: 101: resource weight of cpu not in "
         "valid range (0, 100]"},
        {"negative weight",
         "scoringStrategy: {type: LeastAllocated, resources: [{name: memory, weight: -1}]}",
         "scoringStrategy.resources[0].weight: Invalid value: -1"},
        {"weight not a number",
         "scoringStrategy: {type: LeastAllocated, resources: [{name: cpu, weight: x}]}",
         "scoringStrategy.resources[0].weight: invalid value"},
        {"RequestedToCapacityRatio without shape",
         "scoringStrategy: {type: RequestedToCapacityRatio}",
         "scoringStrategy.requestedToCapacityRatio: Required value"},
        {"empty shape",
         "scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: []}}",
         "scoringStrategy.shape: Required value: at least one point must be specified"},
        {"unsorted shape",
         "scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: "
         "[{utilization: 50, score: 1}, {utilization: 50, score: 2}]}}",
         "scoringStrategy.shape[1].utilization: Invalid value: 50: values must be sorted in "
         "increasing order"},
        {"utilization out of range",
         "scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: "
         "[{utilization: 101, score: 1}]}}",
         "scoringStrategy.shape[0].utilization: Invalid value: 101: not in valid range [0, 100]"},
        {"score out of range",
         "scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: "
         "[{utilization: 10, score: 11}]}}",
         "scoringStrategy.shape[0].score: Invalid value: 11: not in valid range [0, 10]"},
        {"resource group with slash", "ignoredResourceGroups: [example.com/aaa]",
         "ignoredResourceGroups[0]: Invalid value: example.com/aaa: resource group name can't "
         "contain '/'"},
        {"invalid ignored resource name", "ignoredResources: [-bad]", "ignoredResources[0]"},
        {"valid RequestedToCapacityRatio",
         "scoringStrategy: {type: RequestedToCapacityRatio, resources: [{name: cpu, weight: 2}], "
         "requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}, {utilization: 100, score: "
         "10}]}}",
         ""},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto r = parse_args(c.yaml.empty() ? YAML::Node() : YAML::Load(c.yaml));
            if (c.want_error.empty()) {
                CHECK(r.has_value());
            } else {
                REQUIRE_FALSE(r.has_value());
                CHECK_THAT(r.error().message, Catch::Contains(c.want_error));
                CHECK_THAT(r.error().message, Catch::StartsWith("NodeResourcesFit args: "));
            }
        }
    }
}

TEST_CASE("node_resources_fit.args_defaults") {
    auto r =
        parse_args(YAML::Load("scoringStrategy: {type: MostAllocated, resources: [{name: cpu}, "
                              "{name: memory, weight: 0}]}"));
    REQUIRE(r.has_value());
    CHECK(r->type == scoring_type::most_allocated);
    REQUIRE(r->resources.size() == 2);
    CHECK(r->resources[0].weight == 1);
    CHECK(r->resources[1].weight == 1);
    auto d = parse_args(YAML::Node());
    REQUIRE(d.has_value());
    CHECK(d->type == scoring_type::least_allocated);
    REQUIRE(d->resources.size() == 2);
    CHECK(d->resources[0].name == "cpu");
    CHECK(d->resources[1].name == "memory");
}

TEST_CASE("node_resources_fit.events") {
    const auto events = make_fit("")->events_to_register();
    REQUIRE(events.size() == 2);
    CHECK(events[0].resource == framework::event_resource::assigned_pod);
    CHECK(events[0].actions == framework::action_delete);
    CHECK(events[1].resource == framework::event_resource::node);
    CHECK((events[1].actions & framework::action_update_node_allocatable) != 0);
    CHECK((events[1].actions & framework::action_add) != 0);
}

}  // namespace
}  // namespace multisched::plugins::node_resources_fit
