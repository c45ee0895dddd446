// SPDX-License-Identifier: Apache-2.0
#include "core/api/decode.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/json/json.hpp"

namespace multisched::api {
namespace {

json::document must_parse_json(std::string_view text) {
    auto d = json::document::parse(text);
    INFO("text: " << std::string(text));
    REQUIRE(d.has_value());
    return std::move(*d);
}

result<pod> pod_from(std::string_view text) {
    return decode_pod(must_parse_json(text).root());
}

result<node> node_from(std::string_view text) {
    return decode_node(must_parse_json(text).root());
}

constexpr std::string_view kFullPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {
    "name": "web", "namespace": "default", "uid": "u-1", "resourceVersion": "77",
    "creationTimestamp": "2024-05-01T10:00:00Z",
    "labels": {"tier": "front", "app": "web"},
    "annotations": {"ignored": "yes"},
    "managedFields": [{"manager": "kubectl"}]
  },
  "spec": {
    "nodeName": "",
    "schedulerName": "my-scheduler",
    "priorityClassName": "high",
    "priority": 1000,
    "nodeSelector": {"disk": "ssd"},
    "containers": [
      {"name": "app", "image": "nginx:1",
       "resources": {"requests": {"cpu": "500m", "memory": "1Gi", "example.com/gpu": "2",
                                  "ephemeral-storage": "1.5k"},
                     "limits": {"cpu": "1"}},
       "ports": [{"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.1"},
                 {"containerPort": 53, "protocol": "UDP"}]},
      {"name": "side", "image": "envoy", "resources": {"requests": {"cpu": 2}},
       "restartPolicy": "Always"}
    ],
    "initContainers": [
      {"name": "setup", "image": "busybox", "resources": {"requests": {"memory": "64Mi"}}},
      {"name": "mesh", "image": "proxy", "restartPolicy": "Always",
       "resources": {"requests": {"cpu": "0.25"}}}
    ],
    "overhead": {"cpu": "10m", "memory": "1Mi"},
    "tolerations": [
      {"key": "k1", "operator": "Equal", "value": "v1", "effect": "NoSchedule"},
      {"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
    ],
    "schedulingGates": [{"name": "gate-a"}, {"name": "gate-b"}],
    "someFutureField": {"whatever": [1, 2, 3]}
  },
  "status": {
    "phase": "Pending",
    "nominatedNodeName": "n2",
    "conditions": [
      {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
       "message": "0/3 nodes are available", "lastTransitionTime": "2024-05-01T10:00:01Z"}
    ]
  }
})";

TEST_CASE("decode.pod_all_fields", "[decode]") {
    const auto r = pod_from(kFullPod);
    REQUIRE(r.has_value());
    const pod& p = *r;

    CHECK(p.meta.name == "web");
    CHECK(p.meta.ns == "default");
    CHECK(p.meta.uid == "u-1");
    CHECK(p.meta.resource_version == "77");
    CHECK(p.meta.creation_timestamp == "2024-05-01T10:00:00Z");
    CHECK_FALSE(p.meta.deleting);
    REQUIRE(p.meta.labels.items.size() == 2);
    CHECK(p.meta.labels.items[0].first == "app");  // sorted
    CHECK(*p.meta.labels.find("tier") == "front");
    CHECK(p.key() == "default/web");

    CHECK(p.node_name.empty());
    CHECK(p.scheduler_name == "my-scheduler");
    CHECK(p.priority_class_name == "high");
    CHECK(p.priority == 1000);
    CHECK(*p.node_selector.find("disk") == "ssd");

    REQUIRE(p.containers.size() == 2);
    const container& app = p.containers[0];
    CHECK(app.name == "app");
    CHECK(app.image == "nginx:1");
    CHECK(app.requests.milli_cpu == 500);
    CHECK(app.requests.memory == 1024LL * 1024 * 1024);
    CHECK(app.requests.ephemeral_storage == 1500);
    CHECK(app.requests.scalar_value("example.com/gpu") == 2);
    CHECK(app.has_cpu_request);
    CHECK(app.has_memory_request);
    CHECK_FALSE(app.restart_always);
    REQUIRE(app.ports.size() == 2);
    CHECK(app.ports[0].container_port == 80);
    CHECK(app.ports[0].host_port == 8080);
    CHECK(app.ports[0].protocol == "TCP");  // defaulted
    CHECK(app.ports[0].host_ip == "10.0.0.1");
    CHECK(app.ports[1].container_port == 53);
    CHECK(app.ports[1].host_port == 0);
    CHECK(app.ports[1].protocol == "UDP");

    const container& side = p.containers[1];
    CHECK(side.requests.milli_cpu == 2000);  // a bare JSON number is a quantity too
    CHECK_FALSE(side.has_memory_request);
    CHECK_FALSE(side.restart_always);  // only init containers are sidecars

    REQUIRE(p.init_containers.size() == 2);
    CHECK(p.init_containers[0].name == "setup");
    CHECK(p.init_containers[0].requests.memory == 64LL * 1024 * 1024);
    CHECK_FALSE(p.init_containers[0].restart_always);
    CHECK(p.init_containers[1].restart_always);
    CHECK(p.init_containers[1].requests.milli_cpu == 250);

    CHECK(p.overhead.milli_cpu == 10);
    CHECK(p.overhead.memory == 1024 * 1024);

    REQUIRE(p.tolerations.size() == 2);
    CHECK(p.tolerations[0].key == "k1");
    CHECK(p.tolerations[0].op == "Equal");
    CHECK(p.tolerations[0].value == "v1");
    CHECK(p.tolerations[0].effect == "NoSchedule");
    CHECK_FALSE(p.tolerations[0].toleration_seconds.has_value());
    CHECK(p.tolerations[1].op == "Exists");
    CHECK(p.tolerations[1].toleration_seconds == 300);

    CHECK(p.scheduling_gates == std::vector<std::string>{"gate-a", "gate-b"});
    CHECK(p.phase == "Pending");
    CHECK(p.nominated_node_name == "n2");
    REQUIRE(p.conditions.size() == 1);
    CHECK(p.conditions[0].type == "PodScheduled");
    CHECK(p.conditions[0].status == "False");
    CHECK(p.conditions[0].reason == "Unschedulable");
    CHECK(p.conditions[0].message == "0/3 nodes are available");
}

TEST_CASE("decode.pod_minimal_and_nulls", "[decode]") {
    const auto r = pod_from(R"({"metadata":{"name":"a","uid":"u","namespace":null,
        "labels":null,"deletionTimestamp":null},
        "spec":{"schedulerName":null,"priority":null,"containers":[{"name":"c",
        "resources":{"requests":{"cpu":null}}}],"initContainers":null,"tolerations":null},
        "status":null})");
    REQUIRE(r.has_value());
    CHECK(r->meta.ns.empty());
    CHECK(r->meta.labels.empty());
    CHECK_FALSE(r->meta.deleting);
    CHECK(r->scheduler_name.empty());  // empty stays empty; defaulting is the caller's
    CHECK_FALSE(r->priority.has_value());
    REQUIRE(r->containers.size() == 1);
    CHECK(r->containers[0].has_cpu_request);  // named (as null): an explicit zero
    CHECK(r->containers[0].requests.milli_cpu == 0);
    CHECK_FALSE(r->containers[0].has_memory_request);
    CHECK(r->init_containers.empty());
}

TEST_CASE("decode.pod_deleting", "[decode]") {
    const auto r = pod_from(
        R"({"metadata":{"name":"a","uid":"u","deletionTimestamp":"2024-01-01T00:00:00Z"}})");
    REQUIRE(r.has_value());
    CHECK(r->meta.deleting);
}

struct error_case {
    std::string name;
    std::string json;
    std::string message;  // the error message must contain this
};

TEST_CASE("decode.pod_errors_name_object_and_field", "[decode]") {
    const std::string meta = R"("metadata":{"name":"web","namespace":"default","uid":"u"})";
    const std::vector<error_case> cases = {
        {"not an object", R"([1,2])", "pod <unnamed>: expected an object, got array"},
        {"no metadata", R"({"spec":{}})", "pod <unnamed>: metadata: required"},
        {"no name", R"({"metadata":{"uid":"u"}})", "pod <unnamed>: metadata.name: required"},
        {"no uid", R"({"metadata":{"name":"a","namespace":"ns"}})",
         "pod ns/a: metadata.uid: required"},
        {"name of wrong type", R"({"metadata":{"name":5,"uid":"u"}})",
         "metadata.name: expected a string, got number"},
        {"label value of wrong type", R"({"metadata":{"name":"a","uid":"u","labels":{"x":1}}})",
         "pod /a: metadata.labels.x: expected a string, got number"},
        {"bad cpu quantity",
         "{" + meta +
             R"(,"spec":{"containers":[{"name":"a"},{"resources":{"requests":{"cpu":"1.1.1"}}}]}})",
         "pod default/web: spec.containers[1].resources.requests.cpu: quantities must match the "
         "regular expression"},
        {"bad suffix quoted", "{" + meta + R"(,"spec":{"overhead":{"memory":"12Kb"}}})",
         "spec.overhead.memory: quantities must match the regular expression"},
        {"quantity of wrong type",
         "{" + meta + R"(,"spec":{"initContainers":[{"resources":{"requests":{"cpu":true}}}]}})",
         "spec.initContainers[0].resources.requests.cpu: expected a quantity string, got bool"},
        {"containers not an array", "{" + meta + R"(,"spec":{"containers":{}}})",
         "pod default/web: spec.containers: expected an array, got object"},
        {"spec not an object", "{" + meta + R"(,"spec":"x"})",
         "spec: expected an object, got string"},
        {"priority out of int32", "{" + meta + R"(,"spec":{"priority":3000000000}})",
         "spec.priority: 3000000000 is out of range"},
        {"priority as string", "{" + meta + R"(,"spec":{"priority":"5"}})",
         "spec.priority: expected an integer, got string"},
        {"priority as float", "{" + meta + R"(,"spec":{"priority":1.5}})",
         "spec.priority: expected an integer, got number"},
        {"port of wrong type",
         "{" + meta + R"(,"spec":{"containers":[{"ports":[{"containerPort":"80"}]}]}})",
         "spec.containers[0].ports[0].containerPort: expected an integer, got string"},
        {"toleration seconds of wrong type",
         "{" + meta + R"(,"spec":{"tolerations":[{},{"tolerationSeconds":"1"}]}})",
         "spec.tolerations[1].tolerationSeconds: expected an integer, got string"},
        {"gate not an object", "{" + meta + R"(,"spec":{"schedulingGates":["g"]}})",
         "spec.schedulingGates[0]: expected an object, got string"},
        {"condition of wrong type", "{" + meta + R"(,"status":{"conditions":[{"type":1}]}})",
         "status.conditions[0].type: expected a string, got number"},
        {"first error wins", "{" + meta + R"(,"spec":{"nodeName":1,"schedulerName":2}})",
         "spec.nodeName: expected a string"},
        {"affinity not an object", "{" + meta + R"(,"spec":{"affinity":[]}})",
         "spec.affinity: expected an object, got array"},
        {"node affinity term value of wrong type",
         "{" + meta +
             R"(,"spec":{"affinity":{"nodeAffinity":{)"
             R"("requiredDuringSchedulingIgnoredDuringExecution":)"
             R"({"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"In",)"
             R"("values":["x",1]}]}]}}}}})",
         "pod default/web: "
         "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
         ".nodeSelectorTerms[0].matchExpressions[0].values[1]: expected a string, got number"},
        {"node selector terms not an array",
         "{" + meta +
             R"(,"spec":{"affinity":{"nodeAffinity":{)"
             R"("requiredDuringSchedulingIgnoredDuringExecution":)"
             R"({"nodeSelectorTerms":{}}}}}})",
         ".nodeSelectorTerms: expected an array, got object"},
        {"preferred weight of wrong type",
         "{" + meta +
             R"(,"spec":{"affinity":{"nodeAffinity":{)"
             R"("preferredDuringSchedulingIgnoredDuringExecution":)"
             R"([{"weight":"1","preference":{}}]}}}})",
         "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: "
         "expected an integer, got string"},
        {"preference of wrong type",
         "{" + meta +
             R"(,"spec":{"affinity":{"nodeAffinity":{)"
             R"("preferredDuringSchedulingIgnoredDuringExecution":)"
             R"([{"weight":1,"preference":{"matchFields":[{"operator":5}]}}]}}}})",
         "preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchFields[0].operator: "
         "expected a string, got number"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const auto r = pod_from(c.json);
            REQUIRE_FALSE(r.has_value());
            CHECK_THAT(r.error().message, Catch::Contains(c.message));
            CHECK(r.error().code);
        }
    }
}

TEST_CASE("decode.pod_node_affinity", "[decode]") {
    const std::string meta = R"("metadata":{"name":"web","namespace":"default","uid":"u"})";
    SECTION("required and preferred terms") {
        const auto r = pod_from("{" + meta + R"(,"spec":{"affinity":{"nodeAffinity":{
            "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
              {"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]},
                                   {"key":"gpu","operator":"Exists"}]},
              {"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}],
               "unknown":1}]},
            "preferredDuringSchedulingIgnoredDuringExecution":[
              {"weight":5,"preference":{"matchExpressions":[
                {"key":"size","operator":"Gt","values":["3"]}]}},
              {"weight":2}]},
            "podAffinity":{"ignored":true}}}})");
        REQUIRE(r.has_value());
        REQUIRE(r->node_affinity.has_value());
        const auto& na = *r->node_affinity;
        REQUIRE(na.required.has_value());
        const std::vector<node_selector_term> want_required = {
            {{{"zone", "In", {"a", "b"}}, {"gpu", "Exists", {}}}, {}},
            {{}, {{"metadata.name", "In", {"n1"}}}},
        };
        CHECK(*na.required == want_required);
        const std::vector<preferred_scheduling_term> want_preferred = {
            {5, {{{"size", "Gt", {"3"}}}, {}}},
            {2, {}},
        };
        CHECK(na.preferred == want_preferred);
    }
    SECTION("no affinity") {
        const auto r = pod_from("{" + meta + R"(,"spec":{"affinity":null}})");
        REQUIRE(r.has_value());
        CHECK_FALSE(r->node_affinity.has_value());
    }
    SECTION("pod affinity only") {
        const auto r = pod_from("{" + meta + R"(,"spec":{"affinity":{"podAffinity":{}}}})");
        REQUIRE(r.has_value());
        CHECK_FALSE(r->node_affinity.has_value());
    }
    SECTION("empty node affinity: no required selector") {
        const auto r = pod_from("{" + meta + R"(,"spec":{"affinity":{"nodeAffinity":{}}}})");
        REQUIRE(r.has_value());
        REQUIRE(r->node_affinity.has_value());
        CHECK_FALSE(r->node_affinity->required.has_value());
        CHECK(r->node_affinity->preferred.empty());
    }
    SECTION("required selector without terms is present and empty") {
        const auto r = pod_from("{" + meta + R"(,"spec":{"affinity":{"nodeAffinity":{
            "requiredDuringSchedulingIgnoredDuringExecution":{}}}}})");
        REQUIRE(r.has_value());
        REQUIRE(r->node_affinity.has_value());
        REQUIRE(r->node_affinity->required.has_value());
        CHECK(r->node_affinity->required->empty());
    }
}

TEST_CASE("decode.quantity_error_quotes_input", "[decode]") {
    const auto r =
        pod_from(R"({"metadata":{"name":"a","namespace":"n","uid":"u"},"spec":{"containers":[)"
                 R"({"resources":{"requests":{"memory":"12Qi"}}}]}})");
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().message, Catch::Contains("\"12Qi\""));
}

constexpr std::string_view kFullNode = R"({
  "apiVersion": "v1", "kind": "Node",
  "metadata": {"name": "n1", "uid": "nu-1", "resourceVersion": "9",
               "labels": {"kubernetes.io/hostname": "n1", "topology.kubernetes.io/zone": "z1"}},
  "spec": {"unschedulable": true, "podCIDR": "10.0.0.0/24",
           "taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule",
                       "timeAdded": null},
                      {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]},
  "status": {
    "capacity": {"cpu": "8"},
    "allocatable": {"cpu": "7910m", "memory": "32Gi", "pods": "110",
                    "ephemeral-storage": "100G", "hugepages-2Mi": "0",
                    "nvidia.com/gpu": "4", "example.com/tiny": "1e-3"},
    "images": [{"names": ["nginx@sha256:abc", "nginx:1"], "sizeBytes": 123456789},
               {"names": ["pause:3.9"]}],
    "conditions": [{"type": "Ready", "status": "True"}]
  }
})";

TEST_CASE("decode.node_all_fields", "[decode]") {
    const auto r = node_from(kFullNode);
    REQUIRE(r.has_value());
    const node& n = *r;
    CHECK(n.meta.name == "n1");
    CHECK(n.meta.uid == "nu-1");
    CHECK(n.meta.resource_version == "9");
    CHECK(*n.meta.labels.find("topology.kubernetes.io/zone") == "z1");
    CHECK(n.unschedulable);
    REQUIRE(n.taints.size() == 2);
    CHECK(n.taints[0].key == "dedicated");
    CHECK(n.taints[0].value == "gpu");
    CHECK(n.taints[0].effect == "NoSchedule");
    CHECK(n.taints[1].value.empty());
    CHECK(n.taints[1].effect == "NoExecute");

    CHECK(n.allocatable.milli_cpu == 7910);
    CHECK(n.allocatable.memory == 32LL * 1024 * 1024 * 1024);
    CHECK(n.allocatable.pods == 110);
    CHECK(n.allocatable.ephemeral_storage == 100000000000LL);
    CHECK(n.allocatable.scalar_value("nvidia.com/gpu") == 4);
    CHECK(n.allocatable.scalar_value("example.com/tiny") == 1);  // rounded up
    const std::vector<std::pair<std::string, std::int64_t>> want_scalar = {
        {"example.com/tiny", 1}, {"hugepages-2Mi", 0}, {"nvidia.com/gpu", 4}};
    CHECK(n.allocatable.scalar == want_scalar);

    REQUIRE(n.images.size() == 2);
    CHECK(n.images[0].names == std::vector<std::string>{"nginx@sha256:abc", "nginx:1"});
    CHECK(n.images[0].size_bytes == 123456789);
    CHECK(n.images[1].size_bytes == 0);
}

TEST_CASE("decode.node_errors", "[decode]") {
    const std::string meta = R"("metadata":{"name":"n1","uid":"u"})";
    const std::vector<error_case> cases = {
        {"no uid", R"({"metadata":{"name":"n1"}})", "node n1: metadata.uid: required"},
        {"unschedulable as string", "{" + meta + R"(,"spec":{"unschedulable":"true"}})",
         "node n1: spec.unschedulable: expected a boolean, got string"},
        {"taints not an array", "{" + meta + R"(,"spec":{"taints":"x"}})",
         "spec.taints: expected an array, got string"},
        {"bad allocatable", "{" + meta + R"(,"status":{"allocatable":{"memory":"lots"}}})",
         "node n1: status.allocatable.memory: quantities must match"},
        {"image names of wrong type", "{" + meta + R"(,"status":{"images":[{"names":[1]}]}})",
         "status.images[0].names[0]: expected a string, got number"},
        {"image size of wrong type",
         "{" + meta + R"(,"status":{"images":[{"names":[],"sizeBytes":"1"}]}})",
         "status.images[0].sizeBytes: expected an integer, got string"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const auto r = node_from(c.json);
            REQUIRE_FALSE(r.has_value());
            CHECK_THAT(r.error().message, Catch::Contains(c.message));
        }
    }
}

TEST_CASE("decode.duplicate_resource_names_last_wins", "[decode]") {
    const auto r = node_from(
        R"({"metadata":{"name":"n","uid":"u"},"status":{"allocatable":{"cpu":"1","cpu":"2"}}})");
    REQUIRE(r.has_value());
    CHECK(r->allocatable.milli_cpu == 2000);
}

}  // namespace
}  // namespace multisched::api
