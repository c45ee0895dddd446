// SPDX-License-Identifier: Apache-2.0
// NodeResourcesBalancedAllocationArgs defaulting and encoding as upstream v1 defaults_test.go
// expects (default resources cpu:1 and memory:1, zero weights become 1), and round trips.
#include <catch2/catch.hpp>

#include "plugins/helper/args_test_util.hpp"
#include "plugins/node_resources_balanced_allocation/args.hpp"

namespace multisched::plugins::node_resources_balanced_allocation {
namespace {

// The args as compared by the round trip (balanced_allocation_args has no ==).
std::string resources_text(const balanced_allocation_args& a) {
    std::string out;
    for (const auto& r : a.resources) {
        out += r.name + ":" + std::to_string(r.weight) + " ";
    }
    return out;
}

TEST_CASE("node_resources_balanced_allocation.default_args") {
    const std::string head =
        "apiVersion: kubescheduler.config.k8s.io/v1, kind: NodeResourcesBalancedAllocationArgs, ";
    const std::string defaults =
        "{" + head + "resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]}";
    helper::check_default_args(
        default_args,
        {
            {"null args", "", defaults},
            {"empty map", "{}", defaults},
            {"empty resources", "{resources: []}", defaults},
            {"already typed", "{" + head + "}", defaults},
            {"weights default to 1",
             "{resources: [{name: cpu}, {name: example.com/gpu, weight: 0}]}",
             "{" + head +
                 "resources: [{name: cpu, weight: 1}, {name: example.com/gpu, weight: 1}]}"},
            {"one resource", "{resources: [{name: memory, weight: 1}]}",
             "{" + head + "resources: [{name: memory, weight: 1}]}"},
        });
    helper::check_default_args_differ(default_args, "",
                                      "{" + head + "resources: [{name: cpu, weight: 1}]}");
    CHECK(helper::check_fails_like_parse_args(default_args, parse_args,
                                              "{resources: [{name: cpu, weight: 2}]}") ==
          "NodeResourcesBalancedAllocation args: resources[0].weight: Invalid value: 2: must be 1");
}

TEST_CASE("node_resources_balanced_allocation.encode_args_round_trip") {
    std::vector<balanced_allocation_args> cases(3);
    cases[0].resources = {{"cpu", 1}, {"memory", 1}};
    cases[1].resources = {{"example.com/foo", 1}};
    cases[2].resources = {{"memory", 1}, {"cpu", 1}, {"ephemeral-storage", 1}};
    helper::check_round_trip(cases, encode_args, parse_args, resources_text);
}

}  // namespace
}  // namespace multisched::plugins::node_resources_balanced_allocation
