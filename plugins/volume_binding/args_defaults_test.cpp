// SPDX-License-Identifier: Apache-2.0
// VolumeBindingArgs defaulting and encoding as upstream v1 defaults_test.go expects
// (SetDefaults_VolumeBindingArgs with the capacity-scoring gates off: no shape), and round trips.
#include <catch2/catch.hpp>

#include "plugins/helper/args_test_util.hpp"
#include "plugins/volume_binding/args.hpp"

namespace multisched::plugins::volume_binding {
namespace {

TEST_CASE("volume_binding.default_args") {
    const std::string head =
        "apiVersion: kubescheduler.config.k8s.io/v1, kind: VolumeBindingArgs, ";
    helper::check_default_args(
        default_args,
        {
            {"null args", "", "{" + head + "bindTimeoutSeconds: 600}"},
            {"empty map", "{}", "{" + head + "bindTimeoutSeconds: 600}"},
            {"null timeout", "{bindTimeoutSeconds: null}", "{" + head + "bindTimeoutSeconds: 600}"},
            {"explicit zero is kept", "{bindTimeoutSeconds: 0}",
             "{" + head + "bindTimeoutSeconds: 0}"},
            {"already typed", "{" + head + "bindTimeoutSeconds: 30}",
             "{" + head + "bindTimeoutSeconds: 30}"},
        });
    helper::check_default_args_differ(default_args, "", "{" + head + "bindTimeoutSeconds: 60}");
    helper::check_fails_like_parse_args(default_args, parse_args, "{bindTimeoutSeconds: -1}");
    helper::check_fails_like_parse_args(default_args, parse_args, "{shape: []}");
}

TEST_CASE("volume_binding.encode_args_round_trip") {
    std::vector<volume_binding_args> cases;
    for (const std::int64_t timeout : {std::int64_t{0}, std::int64_t{600}, INT64_MAX}) {
        volume_binding_args a;
        a.bind_timeout_seconds = timeout;
        cases.push_back(a);
    }
    helper::check_round_trip(cases, encode_args, parse_args);
}

}  // namespace
}  // namespace multisched::plugins::volume_binding
