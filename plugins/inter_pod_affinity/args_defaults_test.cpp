// SPDX-License-Identifier: Apache-2.0
// InterPodAffinityArgs defaulting and encoding as upstream v1 defaults_test.go expects
// (SetDefaults_InterPodAffinityArgs, apiVersion/kind set; ignorePreferredTermsOfExistingPods is
// not omitempty), and parse/encode round trips.
#include <catch2/catch.hpp>

#include "plugins/helper/args_test_util.hpp"
#include "plugins/inter_pod_affinity/args.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

TEST_CASE("inter_pod_affinity.default_args") {
    const std::string head =
        "apiVersion: kubescheduler.config.k8s.io/v1, kind: InterPodAffinityArgs, ";
    helper::check_default_args(
        default_args,
        {
            {"null args", "",
             "{" + head + "hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false}"},
            {"empty map", "{}",
             "{" + head + "hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false}"},
            {"weight set", "{hardPodAffinityWeight: 5}",
             "{" + head + "hardPodAffinityWeight: 5, ignorePreferredTermsOfExistingPods: false}"},
            {"explicit zero weight is kept", "{hardPodAffinityWeight: 0}",
             "{" + head + "hardPodAffinityWeight: 0, ignorePreferredTermsOfExistingPods: false}"},
            {"ignore set", "{" + head + "ignorePreferredTermsOfExistingPods: true}",
             "{" + head + "hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: true}"},
        });
    helper::check_default_args_differ(default_args, "", "{" + head + "hardPodAffinityWeight: 1}");
    CHECK(helper::check_fails_like_parse_args(default_args, parse_args,
                                              "{hardPodAffinityWeight: 101}") ==
          "InterPodAffinity args: hardPodAffinityWeight: Invalid value: 101: not in valid range "
          "[0, 100]");
}

TEST_CASE("inter_pod_affinity.encode_args_round_trip") {
    std::vector<inter_pod_affinity_args> cases(3);
    cases[1].hard_pod_affinity_weight = 0;
    cases[2].hard_pod_affinity_weight = 100;
    cases[2].ignore_preferred_terms_of_existing_pods = true;
    helper::check_round_trip(cases, encode_args, parse_args);
    CHECK_FALSE(cases[0] == cases[2]);
}

}  // namespace
}  // namespace multisched::plugins::inter_pod_affinity
