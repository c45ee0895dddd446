// SPDX-License-Identifier: Apache-2.0
// Decoding of pod affinity / anti-affinity, topology spread constraints and volumes.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/api/decode.hpp"
#include "core/json/json.hpp"

namespace multisched::api {
namespace {

result<pod> pod_with_spec(std::string_view spec) {
    const std::string text =
        R"({"metadata":{"name":"web","namespace":"default","uid":"u"},"spec":)" +
        std::string(spec) + "}";
    auto d = json::document::parse(text);
    INFO("text: " << text);
    REQUIRE(d.has_value());
    return decode_pod(d->root());
}

TEST_CASE("decode.pod_affinity_and_anti_affinity", "[decode]") {
    const auto r = pod_with_spec(R"({"affinity":{
        "podAffinity":{
          "requiredDuringSchedulingIgnoredDuringExecution":[
            {"labelSelector":{"matchLabels":{"app":"db"},
                              "matchExpressions":[{"key":"tier","operator":"NotIn","values":["x"]}]},
             "namespaces":["a","b"],"topologyKey":"topology.kubernetes.io/zone"}],
          "preferredDuringSchedulingIgnoredDuringExecution":[
            {"weight":30,"podAffinityTerm":{"labelSelector":{},"namespaceSelector":{},
                                            "topologyKey":"kubernetes.io/hostname",
                                            "matchLabelKeys":["rev"]}}]},
        "podAntiAffinity":{
          "requiredDuringSchedulingIgnoredDuringExecution":[
            {"topologyKey":"kubernetes.io/hostname","mismatchLabelKeys":["team"]}]}}})");
    REQUIRE(r.has_value());
    REQUIRE(r->affinity.has_value());
    REQUIRE(r->affinity->required.size() == 1);
    const auto& req = r->affinity->required[0];
    REQUIRE(req.selector.has_value());
    CHECK(req.selector->match_labels.items ==
          std::vector<std::pair<std::string, std::string>>{{"app", "db"}});
    CHECK(req.selector->match_expressions ==
          std::vector<node_selector_requirement>{{"tier", "NotIn", {"x"}}});
    CHECK(req.namespaces == std::vector<std::string>{"a", "b"});
    CHECK_FALSE(req.namespace_selector.has_value());
    CHECK(req.topology_key == "topology.kubernetes.io/zone");

    REQUIRE(r->affinity->preferred.size() == 1);
    const auto& pref = r->affinity->preferred[0];
    CHECK(pref.weight == 30);
    REQUIRE(pref.term.selector.has_value());
    CHECK(*pref.term.selector == label_selector{});
    REQUIRE(pref.term.namespace_selector.has_value());
    CHECK(pref.term.match_label_keys == std::vector<std::string>{"rev"});

    REQUIRE(r->anti_affinity.has_value());
    REQUIRE(r->anti_affinity->required.size() == 1);
    CHECK_FALSE(r->anti_affinity->required[0].selector.has_value());  // nil: matches nothing
    CHECK(r->anti_affinity->required[0].mismatch_label_keys == std::vector<std::string>{"team"});
    CHECK(r->anti_affinity->preferred.empty());
}

TEST_CASE("decode.topology_spread_constraints", "[decode]") {
    const auto r = pod_with_spec(R"({"topologySpreadConstraints":[
        {"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule",
         "labelSelector":{"matchLabels":{"app":"web"}},"minDomains":3,
         "nodeAffinityPolicy":"Ignore","nodeTaintsPolicy":"Honor","matchLabelKeys":["rev"]},
        {"maxSkew":2,"topologyKey":"host","whenUnsatisfiable":"ScheduleAnyway"}]})");
    REQUIRE(r.has_value());
    REQUIRE(r->topology_spread_constraints.size() == 2);
    const auto& c = r->topology_spread_constraints[0];
    CHECK(c.max_skew == 1);
    CHECK(c.topology_key == "zone");
    CHECK(c.when_unsatisfiable == "DoNotSchedule");
    REQUIRE(c.selector.has_value());
    CHECK(c.min_domains == std::optional<std::int32_t>(3));
    CHECK(c.node_affinity_policy == "Ignore");
    CHECK(c.node_taints_policy == "Honor");
    CHECK(c.match_label_keys == std::vector<std::string>{"rev"});
    const auto& d = r->topology_spread_constraints[1];
    CHECK_FALSE(d.selector.has_value());
    CHECK_FALSE(d.min_domains.has_value());
    CHECK(d.node_affinity_policy.empty());
}

TEST_CASE("decode.volumes", "[decode]") {
    const auto r = pod_with_spec(R"({"volumes":[
        {"name":"data","persistentVolumeClaim":{"claimName":"pvc-1","readOnly":true}},
        {"name":"scratch","ephemeral":{"volumeClaimTemplate":{}}},
        {"name":"gce","gcePersistentDisk":{"pdName":"disk-1"}},
        {"name":"ebs","awsElasticBlockStore":{"volumeID":"vol-1","readOnly":true}},
        {"name":"ceph","rbd":{"monitors":["m1","m2"],"image":"img"}},
        {"name":"iscsi","iscsi":{"targetPortal":"10.0.0.1:3260","iqn":"iqn.x","lun":2}},
        {"name":"tmp","emptyDir":{}}]})");
    REQUIRE(r.has_value());
    REQUIRE(r->volumes.size() == 7);
    CHECK(r->volumes[0].pvc_claim_name == "pvc-1");
    CHECK(r->volumes[0].read_only);
    CHECK(r->volumes[1].ephemeral);
    CHECK(r->volumes[2].gce_pd_name == "disk-1");
    CHECK_FALSE(r->volumes[2].read_only);
    CHECK(r->volumes[3].aws_ebs_volume_id == "vol-1");
    CHECK(r->volumes[3].read_only);
    CHECK(r->volumes[4].rbd_monitors == std::vector<std::string>{"m1", "m2"});
    CHECK(r->volumes[4].rbd_pool == "rbd");
    CHECK(r->volumes[4].rbd_image == "img");
    CHECK(r->volumes[5].iscsi_iqn == "iqn.x");
    CHECK(r->volumes[5].iscsi_lun == 2);
    volume tmp;
    tmp.name = "tmp";
    CHECK(r->volumes[6] == tmp);
}

TEST_CASE("decode.pod_constraint_errors_name_the_field", "[decode]") {
    struct test_case {
        std::string spec;
        std::string want;
    };
    const std::vector<test_case> cases = {
        {R"({"affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{}}}})",
         "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution: expected an "
         "array, got object"},
        {R"({"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
             {"weight":"1"}]}}})",
         "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight:"
         " expected an integer, got string"},
        {R"({"topologySpreadConstraints":[{"labelSelector":{"matchLabels":{"a":1}}}]})",
         "spec.topologySpreadConstraints[0].labelSelector.matchLabels.a: expected a string, got "
         "number"},
        {R"({"volumes":[{"persistentVolumeClaim":"x"}]})",
         "spec.volumes[0].persistentVolumeClaim: expected an object, got string"},
    };
    for (const auto& tc : cases) {
        INFO(tc.spec);
        const auto r = pod_with_spec(tc.spec);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "pod default/web: " + tc.want);
    }
}

}  // namespace
}  // namespace multisched::api
