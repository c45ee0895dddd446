// SPDX-License-Identifier: Apache-2.0
// NodeAffinityArgs encoding as upstream v1 defaults_test.go expects (no defaults: only apiVersion
// and kind unless addedAffinity is set), and parse/encode round trips.
#include <catch2/catch.hpp>

#include "plugins/helper/args_test_util.hpp"
#include "plugins/node_affinity/args.hpp"

namespace multisched::plugins::node_affinity {
namespace {

constexpr const char* kRequired = "requiredDuringSchedulingIgnoredDuringExecution";
constexpr const char* kPreferred = "preferredDuringSchedulingIgnoredDuringExecution";

TEST_CASE("node_affinity.default_args") {
    const std::string head = "apiVersion: kubescheduler.config.k8s.io/v1, kind: NodeAffinityArgs";
    const std::string required = std::string(kRequired);
    const std::string preferred = std::string(kPreferred);
    helper::check_default_args(
        default_args,
        {
            {"null args", "", "{" + head + "}"},
            {"empty map", "{}", "{" + head + "}"},
            {"null addedAffinity", "{addedAffinity: null}", "{" + head + "}"},
            {"empty addedAffinity", "{addedAffinity: {}}", "{" + head + ", addedAffinity: {}}"},
            {"required terms",
             "{addedAffinity: {" + required +
                 ": {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: "
                 "[a, b]}, {key: gpu, operator: Exists}]}]}}}",
             "{" + head + ", addedAffinity: {" + required +
                 ": {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: "
                 "[a, b]}, {key: gpu, operator: Exists}]}]}}}"},
            {"preferred terms",
             "{addedAffinity: {" + preferred +
                 ": [{weight: 5, preference: {matchFields: [{key: metadata.name, operator: In, "
                 "values: [n1]}]}}, {weight: 1, preference: {}}]}}",
             "{" + head + ", addedAffinity: {" + preferred +
                 ": [{weight: 5, preference: {matchFields: [{key: metadata.name, operator: In, "
                 "values: [n1]}]}}, {weight: 1, preference: {}}]}}"},
        });
    helper::check_default_args_differ(default_args, "", "{" + head + ", addedAffinity: {}}");
    helper::check_fails_like_parse_args(default_args, parse_args, "{addedAffinity: {foo: 1}}");
}

TEST_CASE("node_affinity.encode_args_round_trip") {
    std::vector<node_affinity_args> cases(4);
    cases[1].added_affinity = api::node_affinity{};
    api::node_affinity full;
    api::node_selector_term t1;
    t1.match_expressions = {{"zone", "In", {"a", "b"}}, {"gpu", "DoesNotExist", {}}};
    api::node_selector_term t2;
    t2.match_fields = {{"metadata.name", "NotIn", {"n1"}}};
    full.required = std::vector<api::node_selector_term>{t1, t2};
    full.preferred = {{10, t1}, {1, api::node_selector_term{}}};
    cases[2].added_affinity = full;
    api::node_affinity required_only;
    required_only.required = std::vector<api::node_selector_term>{t2};
    cases[3].added_affinity = required_only;
    helper::check_round_trip(cases, encode_args, parse_args);
    CHECK_FALSE(cases[0] == cases[1]);
}

}  // namespace
}  // namespace multisched::plugins::node_affinity
