// SPDX-License-Identifier: Apache-2.0
// DefaultPreemptionArgs defaulting and encoding as upstream v1 defaults_test.go expects
// (SetDefaults_DefaultPreemptionArgs, apiVersion/kind set), and parse/encode round trips.
#include <catch2/catch.hpp>

#include "plugins/default_preemption/args.hpp"
#include "plugins/helper/args_test_util.hpp"

namespace multisched::plugins::default_preemption {
namespace {

TEST_CASE("default_preemption.default_args") {
    const std::string head =
        "apiVersion: kubescheduler.config.k8s.io/v1, kind: DefaultPreemptionArgs, ";
    helper::check_default_args(
        default_args,
        {
            {"null args", "",
             "{" + head + "minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100}"},
            {"empty map", "{}",
             "{" + head + "minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100}"},
            {"one field set", "{minCandidateNodesAbsolute: 20}",
             "{" + head + "minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 20}"},
            {"explicit zero is kept", "{minCandidateNodesPercentage: 0}",
             "{" + head + "minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 100}"},
            {"already typed", "{" + head + "minCandidateNodesPercentage: 50}",
             "{" + head + "minCandidateNodesPercentage: 50, minCandidateNodesAbsolute: 100}"},
        });
    // The comparison sees a wrong value.
    helper::check_default_args_differ(
        default_args, "",
        "{" + head + "minCandidateNodesPercentage: 11, minCandidateNodesAbsolute: 100}");
    // Invalid args fail with parse_args's message.
    helper::check_fails_like_parse_args(default_args, parse_args,
                                        "{minCandidateNodesPercentage: 101}");
    helper::check_fails_like_parse_args(default_args, parse_args, "{kind: VolumeBindingArgs}");
}

TEST_CASE("default_preemption.encode_args_round_trip") {
    std::vector<default_preemption_args> cases(4);
    cases[1].min_candidate_nodes_percentage = 0;
    cases[1].min_candidate_nodes_absolute = 5;
    cases[2].min_candidate_nodes_percentage = 100;
    cases[2].min_candidate_nodes_absolute = 0;
    cases[3].min_candidate_nodes_percentage = 37;
    cases[3].min_candidate_nodes_absolute = 2147483647;
    helper::check_round_trip(cases, encode_args, parse_args);
    CHECK_FALSE(cases[0] == cases[1]);
}

}  // namespace
}  // namespace multisched::plugins::default_preemption
