// SPDX-License-Identifier: Apache-2.0
// PodTopologySpreadArgs defaulting and encoding as upstream v1 defaults_test.go expects
// (SetDefaults_PodTopologySpreadArgs: defaultingType System), and parse/encode round trips.
#include <catch2/catch.hpp>

#include "core/config/config.hpp"
#include "plugins/helper/args_test_util.hpp"
#include "plugins/pod_topology_spread/args.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

TEST_CASE("pod_topology_spread.default_args") {
    const std::string head =
        "apiVersion: kubescheduler.config.k8s.io/v1, kind: PodTopologySpreadArgs, ";
    helper::check_default_args(
        default_args,
        {
            {"null args", "", "{" + head + "defaultingType: System}"},
            {"empty map", "{}", "{" + head + "defaultingType: System}"},
            {"empty defaultingType", "{defaultingType: ''}",
             "{" + head + "defaultingType: System}"},
            {"empty constraints list is omitted",
             "{defaultConstraints: [], defaultingType: System}",
             "{" + head + "defaultingType: System}"},
            {"list defaulting",
             "{defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, "
             "whenUnsatisfiable: DoNotSchedule}]}",
             "{" + head +
                 "defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, "
                 "whenUnsatisfiable: DoNotSchedule}]}"},
            {"optional constraint fields",
             "{defaultingType: List, defaultConstraints: [{maxSkew: 2, topologyKey: "
             "kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, minDomains: 3, "
             "nodeAffinityPolicy: Ignore, nodeTaintsPolicy: Honor, matchLabelKeys: [app]}]}",
             "{" + head +
                 "defaultingType: List, defaultConstraints: [{maxSkew: 2, topologyKey: "
                 "kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, minDomains: 3, "
                 "nodeAffinityPolicy: Ignore, nodeTaintsPolicy: Honor, matchLabelKeys: [app]}]}"},
        });
    helper::check_default_args_differ(default_args, "", "{" + head + "defaultingType: List}");
    CHECK(helper::check_fails_like_parse_args(
              default_args, parse_args,
              "{defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
              "DoNotSchedule}]}") ==
          "PodTopologySpread args: defaultingType: Invalid value: \"System\": when "
          ".defaultConstraints are not empty");
}

TEST_CASE("pod_topology_spread.encode_args_round_trip") {
    std::vector<pod_topology_spread_args> cases(3);
    cases[1].defaulting_type = std::string(kListDefaulting);
    cases[2].defaulting_type = std::string(kListDefaulting);
    cases[2].default_constraints = system_default_constraints();
    cases[2].default_constraints[0].min_domains = 2;
    cases[2].default_constraints[0].node_affinity_policy = "Honor";
    cases[2].default_constraints[1].node_taints_policy = "Ignore";
    cases[2].default_constraints[1].match_label_keys = {"app", "tier"};
    helper::check_round_trip(cases, encode_args, parse_args);
    CHECK_FALSE(cases[0] == cases[1]);
}

TEST_CASE("pod_topology_spread.encode_args_label_selector") {
    // Valid args have no selector; the encoding still writes one so that nothing is lost.
    pod_topology_spread_args a;
    a.defaulting_type = std::string(kListDefaulting);
    a.default_constraints = system_default_constraints();
    api::label_selector s;
    s.match_labels.set("app", "web");
    s.match_expressions.push_back({"tier", "In", {"a", "b"}});
    a.default_constraints[0].selector = s;
    CHECK(config::yaml_equal(
        encode_args(a)["defaultConstraints"][0]["labelSelector"],
        YAML::Load("{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, "
                   "values: [a, b]}]}")));
    CHECK_FALSE(parse_args(encode_args(a)).has_value());
}

}  // namespace
}  // namespace multisched::plugins::pod_topology_spread
