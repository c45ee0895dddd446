// SPDX-License-Identifier: Apache-2.0
// NodeResourcesFitArgs defaulting and encoding as upstream v1 defaults_test.go expects
// (SetDefaults_NodeResourcesFitArgs: LeastAllocated with cpu:1 and memory:1, empty resources
// take the defaults, zero weights become 1), and parse/encode round trips.
#include <catch2/catch.hpp>

#include "plugins/helper/args_test_util.hpp"
#include "plugins/node_resources_fit/args.hpp"

namespace multisched::plugins::node_resources_fit {
namespace {

TEST_CASE("node_resources_fit.default_args") {
    const std::string head =
        "apiVersion: kubescheduler.config.k8s.io/v1, kind: NodeResourcesFitArgs, ";
    const std::string cpu_memory = "resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]";
    const std::string defaults =
        "{" + head + "scoringStrategy: {type: LeastAllocated, " + cpu_memory + "}}";
    helper::check_default_args(
        default_args,
        {
            {"null args", "", defaults},
            {"empty map", "{}", defaults},
            {"already typed", "{" + head + "}", defaults},
            {"empty resources take the defaults",
             "{scoringStrategy: {type: MostAllocated, resources: []}}",
             "{" + head + "scoringStrategy: {type: MostAllocated, " + cpu_memory + "}}"},
            {"zero weight becomes 1",
             "{scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 0}, "
             "{name: example.com/gpu, weight: 3}]}}",
             "{" + head +
                 "scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 1}, "
                 "{name: example.com/gpu, weight: 3}]}}"},
            {"ignored resources are kept",
             "{ignoredResources: [example.com/foo], ignoredResourceGroups: [example.org]}",
             "{" + head +
                 "ignoredResources: [example.com/foo], ignoredResourceGroups: [example.org], "
                 "scoringStrategy: {type: LeastAllocated, " +
                 cpu_memory + "}}"},
            {"requested to capacity ratio",
             "{scoringStrategy: {type: RequestedToCapacityRatio, resources: [{name: cpu}], "
             "requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}, {utilization: 100, "
             "score: 10}]}}}",
             "{" + head +
                 "scoringStrategy: {type: RequestedToCapacityRatio, resources: [{name: cpu, "
                 "weight: 1}], requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}, "
                 "{utilization: 100, score: 10}]}}}"},
        });
    helper::check_default_args_differ(
        default_args, "",
        "{" + head + "scoringStrategy: {type: MostAllocated, " + cpu_memory + "}}");
    CHECK(helper::check_fails_like_parse_args(default_args, parse_args,
                                              "{scoringStrategy: {type: Fancy}}")
              .starts_with(
                  "NodeResourcesFit args: scoringStrategy.type: Unsupported value: \"Fancy\""));
}

TEST_CASE("node_resources_fit.encode_args_round_trip") {
    std::vector<fit_args> cases(4);
    cases[0].resources = {{"cpu", 1}, {"memory", 1}};
    cases[1].type = scoring_type::most_allocated;
    cases[1].resources = {{"cpu", 100}, {"example.com/gpu", 7}};
    cases[1].ignored_resources = {"example.com/foo"};
    cases[1].ignored_resource_groups = {"example.org", "example.net"};
    cases[2].type = scoring_type::requested_to_capacity_ratio;
    cases[2].resources = {{"memory", 2}};
    cases[2].shape = {{0, 10}, {50, 5}, {100, 0}};
    cases[3].resources = {{"cpu", 1}};
    cases[3].shape = {{10, 1}};  // given for another type: kept, as upstream
    helper::check_round_trip(cases, encode_args, parse_args);
    CHECK_FALSE(cases[0] == cases[3]);
}

}  // namespace
}  // namespace multisched::plugins::node_resources_fit
