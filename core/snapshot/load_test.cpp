// SPDX-License-Identifier: Apache-2.0
// load_snapshot: file shapes, every class of bad object with its exact problem line, metadata
// defaults, and the errors when nothing is usable.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/api/quantity.hpp"
#include "core/snapshot/snapshot.hpp"

namespace multisched::snapshot {
namespace {

// A YAML List of flow-style items, one per line.
std::string yaml_list(const std::vector<std::string>& items) {
    std::string out = "apiVersion: v1\nkind: List\nmetadata: {resourceVersion: \"\"}\nitems:\n";
    for (const auto& item : items) {
        out += "- " + item + "\n";
    }
    return out;
}

std::string node_item(std::string_view name) {
    return fmt::format(
        "{{apiVersion: v1, kind: Node, metadata: {{name: {0}, uid: u-{0}}}, "
        "status: {{allocatable: {{cpu: \"4\", memory: 8Gi, pods: \"110\"}}}}}}",
        name);
}

// A pod in namespace default; `node` "" for a pending one; `extra` more spec/status members.
std::string pod_item(std::string_view name, std::string_view node, std::string_view uid,
                     std::string_view extra = "") {
    return fmt::format(
        "{{apiVersion: v1, kind: Pod, metadata: {{name: {}, namespace: default, uid: {}}}, "
        "spec: {{nodeName: \"{}\", containers: [{{name: c, resources: {{requests: {{cpu: "
        "100m}}}}}}]}}{}}}",
        name, uid, node, extra);
}

load_result must_load(const std::string& text) {
    auto r = load_snapshot(text, "snap.yaml");
    INFO(text);
    if (!r) {
        INFO("error: " << r.error().message);
    }
    REQUIRE(r.has_value());
    return std::move(*r);
}

struct bad_case {
    std::string name;
    std::vector<std::string> items;
    std::vector<std::string> problems;
    std::size_t nodes = 0;
    std::size_t pods = 0;
};

std::vector<bad_case> bad_cases() {
    const std::string bad_cpu = api::quantity::parse("2 cores").has_value()
                                    ? ""
                                    : api::quantity::parse("2 cores").error().message;
    return {
        {"unknown namespaced kind",
         {node_item("n1"),
          "{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg, namespace: default}}"},
         {"items[1]: kind ConfigMap (default/cfg) is not simulated: skipped"},
         1,
         0},
        {"unknown cluster-scoped kind without a name",
         {"{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: admin}}",
          "{apiVersion: v1, kind: Event}", node_item("n1")},
         {"items[0]: kind ClusterRole (admin) is not simulated: skipped",
          "items[1]: kind Event is not simulated: skipped"},
         1,
         0},
        {"known kind in another group",
         {node_item("n1"),
          "{apiVersion: example.com/v1, kind: Pod, metadata: {name: x, namespace: default}}"},
         {"items[1]: kind Pod (default/x) of apiVersion example.com/v1 is not simulated: skipped"},
         1,
         0},
        {"no kind, not an object",
         {node_item("n1"), "{metadata: {name: x, namespace: team}}", "42"},
         {"items[1]: no kind (team/x): skipped", "items[2]: not an object: skipped"},
         1,
         0},
        {"invalid quantity",
         {node_item("n1"),
          "{apiVersion: v1, kind: Pod, metadata: {name: web-1, namespace: default, uid: u1}, "
          "spec: {containers: [{name: c, resources: {requests: {cpu: 2 cores}}}]}}",
          pod_item("web-2", "n1", "u2")},
         {fmt::format("items[1] (Pod default/web-1): spec.containers[0].resources.requests.cpu: "
                      "{}: skipped",
                      bad_cpu)},
         1,
         1},
        {"wrong field type and missing name",
         {"{apiVersion: v1, kind: Node, metadata: {name: n1, uid: u}, spec: {unschedulable: "
          "\"yes\"}}",
          "{apiVersion: v1, kind: Node, metadata: {uid: u}}", node_item("n2")},
         {"items[0] (Node n1): spec.unschedulable: expected a boolean, got string: skipped",
          "items[1] (Node <unnamed>): metadata.name: required: skipped"},
         1,
         0},
        {"duplicate names",
         {node_item("n1"), pod_item("a", "n1", "u1"), node_item("n1"), pod_item("a", "", "u2")},
         {"items[2] (Node n1): duplicate of items[0]: skipped",
          "items[3] (Pod default/a): duplicate of items[1]: skipped"},
         1,
         1},
        {"same name in another namespace or kind is no duplicate",
         {node_item("n1"), pod_item("a", "n1", "u1"),
          "{apiVersion: v1, kind: Pod, metadata: {name: a, namespace: other, uid: u2}}",
          "{apiVersion: v1, kind: Namespace, metadata: {name: n1, uid: ns1}}"},
         {},
         1,
         2},
        {"duplicate pod uid",
         {node_item("n1"), pod_item("a", "n1", "u1"), pod_item("b", "", "u1")},
         {"items[2] (Pod default/b): duplicate uid u1 of items[1] (Pod default/a): skipped"},
         1,
         1},
        {"pod bound to a node not in the snapshot; problems stay in file order",
         {pod_item("x", "n9", "u1"), node_item("n1"),
          "{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}}"},
         {"items[0] (Pod default/x): bound to node n9, which is not in the snapshot: skipped",
          "items[2]: kind Secret (default/s) is not simulated: skipped"},
         1,
         0},
        {"pod listed before its node", {pod_item("x", "n1", "u1"), node_item("n1")}, {}, 1, 1},
        {"terminated pods are dropped without a problem",
         {node_item("n1"), pod_item("done", "n1", "u1", ", status: {phase: Succeeded}"),
          pod_item("crashed", "n1", "u2", ", status: {phase: Failed}"),
          pod_item("run", "n1", "u3", ", status: {phase: Running}")},
         {},
         1,
         1},
        {"a map key that is not a scalar",
         {node_item("n1"), "{? [a, b] : c}"},
         {"items[1]: line 6, column 6: a mapping key must be a scalar: skipped"},
         1,
         0},
    };
}

TEST_CASE("snapshot.bad_objects_are_skipped_with_one_line_each") {
    for (const bad_case& c : bad_cases()) {
        SECTION(c.name) {
            const load_result r = must_load(yaml_list(c.items));
            CHECK(r.problems == c.problems);
            CHECK(r.snapshot.nodes.size() == c.nodes);
            CHECK(r.snapshot.pods.size() == c.pods);
        }
    }
}

TEST_CASE("snapshot.terminated_pods_are_counted") {
    const load_result r = must_load(
        yaml_list({node_item("n1"), pod_item("done", "n1", "u1", ", status: {phase: Succeeded}"),
                   pod_item("pending", "", "u2")}));
    CHECK(r.problems.empty());
    CHECK(r.terminated_pods == 1);
    REQUIRE(r.snapshot.pods.size() == 1);
    CHECK(r.snapshot.pods[0]->meta.name == "pending");
}

TEST_CASE("snapshot.missing_uid_and_namespace_get_defaults") {
    const load_result r = must_load(yaml_list({
        "{apiVersion: v1, kind: Node, metadata: {name: n1}}",
        "{apiVersion: v1, kind: Pod, metadata: {name: web, creationTimestamp: null}, "
        "spec: {nodeName: n1}}",
        "{apiVersion: v1, kind: Pod, metadata: {name: web, namespace: team, uid: \"\"}}",
        "{apiVersion: v1, kind: Pod, metadata: {name: keep, namespace: team, uid: given}}",
        "{apiVersion: scheduling.x-k8s.io/v1alpha1, kind: PodGroup, metadata: {name: g}, "
        "spec: {minMember: 2}}",
    }));
    CHECK(r.problems.empty());
    REQUIRE(r.snapshot.nodes.size() == 1);
    CHECK(r.snapshot.nodes[0]->meta.uid == "snapshot-uid-node-n1");
    CHECK(r.snapshot.nodes[0]->meta.ns.empty());
    REQUIRE(r.snapshot.pods.size() == 3);
    CHECK(r.snapshot.pods[0]->meta.uid == "snapshot-uid-pod-default/web");
    CHECK(r.snapshot.pods[0]->meta.ns == "default");
    CHECK(r.snapshot.pods[0]->meta.creation_timestamp.empty());
    CHECK(r.snapshot.pods[0]->node_name == "n1");
    CHECK(r.snapshot.pods[1]->meta.uid == "snapshot-uid-pod-team/web");
    CHECK(r.snapshot.pods[2]->meta.uid == "given");
    REQUIRE(r.snapshot.pod_groups.size() == 1);
    CHECK(r.snapshot.pod_groups[0]->meta.uid == "snapshot-uid-podgroup-default/g");
    CHECK(r.snapshot.pod_groups[0]->min_member == 2);
}

TEST_CASE("snapshot.a_wrongly_typed_uid_is_not_replaced") {
    const load_result r = must_load(yaml_list({node_item("n1"),
                                               "{apiVersion: v1, kind: Node, metadata: "
                                               "{name: n2, uid: 7, namespace: 3}}"}));
    CHECK(r.problems ==
          std::vector<std::string>{
              "items[1] (Node n2): metadata.namespace: expected a string, got number: skipped"});
}

TEST_CASE("snapshot.yaml_plain_scalars_are_typed_as_go_yaml_does") {
    const load_result r = must_load(yaml_list({
        "{apiVersion: v1, kind: Node, metadata: {name: n1, uid: u, labels: {zone: \"1\"}}, "
        "status: {allocatable: {cpu: 2, memory: 1Gi, pods: 110, example.com/foo: 0x10}}}",
        "{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: default, uid: u2}, "
        "spec: {priority: 1_000, containers: [{name: c, resources: {requests: {cpu: 0.5, "
        "memory: 1e3}}}]}}",
    }));
    CHECK(r.problems.empty());
    REQUIRE(r.snapshot.nodes.size() == 1);
    const api::node& n = *r.snapshot.nodes[0];
    CHECK(n.allocatable.milli_cpu == 2000);
    CHECK(n.allocatable.memory == 1024LL * 1024 * 1024);
    CHECK(n.allocatable.pods == 110);
    CHECK(n.allocatable.scalar_value("example.com/foo") == 16);
    CHECK(*n.meta.labels.find("zone") == "1");
    REQUIRE(r.snapshot.pods.size() == 1);
    const api::pod& p = *r.snapshot.pods[0];
    CHECK(p.priority == 1000);
    CHECK(p.containers[0].requests.milli_cpu == 500);
    CHECK(p.containers[0].requests.memory == 1000);
}

TEST_CASE("snapshot.a_plain_bool_label_is_a_decoder_problem") {
    const load_result r =
        must_load(yaml_list({node_item("n1"),
                             "{apiVersion: v1, kind: Node, metadata: {name: n2, uid: u, labels: "
                             "{gpu: true}}}"}));
    CHECK(r.problems == std::vector<std::string>{"items[1] (Node n2): metadata.labels.gpu: "
                                                 "expected a string, got bool: skipped"});
}

TEST_CASE("snapshot.shapes") {
    SECTION("a single object") {
        const load_result r = must_load(node_item("n1"));
        CHECK(r.snapshot.nodes.size() == 1);
        CHECK(r.snapshot.object_count() == 1);
    }
    SECTION("an empty List, items [] or null") {
        for (const char* text : {"apiVersion: v1\nkind: List\nitems: []\n",
                                 "apiVersion: v1\nkind: List\nitems:\n", "{\"kind\": \"List\"}"}) {
            const load_result r = must_load(text);
            CHECK(r.snapshot.object_count() == 0);
            CHECK(r.problems.empty());
        }
    }
    SECTION("a typed list whose items have no kind") {
        const load_result r = must_load(
            "apiVersion: v1\nkind: PodList\nitems:\n"
            "- metadata: {name: a, namespace: default, uid: u1}\n"
            "- {kind: Secret, metadata: {name: s, namespace: default}}\n");
        CHECK(r.snapshot.pods.size() == 1);
        CHECK(r.problems == std::vector<std::string>{
                                "items[1]: kind Secret (default/s) is not simulated: skipped"});
    }
    SECTION("several documents") {
        const load_result r = must_load("---\n" + node_item("n1") + "\n---\n" +
                                        yaml_list({pod_item("a", "n1", "u1"), "{kind: Event}"}) +
                                        "---\n---\n{kind: Lease, metadata: {name: l}}\n");
        CHECK(r.snapshot.nodes.size() == 1);
        CHECK(r.snapshot.pods.size() == 1);
        CHECK(r.problems == std::vector<std::string>{
                                "documents[1].items[1]: kind Event is not simulated: skipped",
                                "documents[3]: kind Lease (l) is not simulated: skipped"});
    }
    SECTION("a byte order mark") {
        const load_result r = must_load(
            "\xEF\xBB\xBF{\"apiVersion\": \"v1\", \"kind\": \"List\", "
            "\"items\": []}");
        CHECK(r.snapshot.object_count() == 0);
    }
}

TEST_CASE("snapshot.errors_when_nothing_is_usable") {
    struct error_case {
        std::string text;
        std::string message;
    };
    const std::vector<error_case> cases = {
        {"", "x: no List and no object to simulate"},
        {"# only a comment\n", "x: no List and no object to simulate"},
        {"kind: ConfigMap\nmetadata: {name: c, namespace: default}\n",
         "x: nothing to simulate: documents[0]: kind ConfigMap (default/c) is not simulated: "
         "skipped"},
        {"just text\n", "x: nothing to simulate: documents[0]: not an object: skipped"},
        {"- a\n- b\n", "x: nothing to simulate: documents[0]: not an object: skipped"},
        {"{kind: Event}\n---\n{kind: Lease}\n",
         "x: nothing to simulate: documents[0]: kind Event is not simulated: skipped (and 1 more)"},
        {"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: d, uid: u}\n"
         "status: {phase: Failed}\n",
         "x: nothing to simulate: only terminated pods"},
        {"a: [b\n", "x: not YAML: line 2, column 1: end of sequence flow not found"},
        {"{\"kind\": \"List\", ", "x: not JSON: invalid JSON at offset 17"},
    };
    for (const auto& c : cases) {
        auto r = load_snapshot(c.text, "x");
        INFO(c.text);
        REQUIRE_FALSE(r.has_value());
        CHECK_THAT(r.error().message, Catch::StartsWith(c.message));
    }
}

TEST_CASE("snapshot.load_file") {
    auto missing = load_snapshot_file("/nonexistent/snapshot.yaml");
    REQUIRE_FALSE(missing.has_value());
    CHECK_THAT(missing.error().message,
               Catch::StartsWith("cannot read /nonexistent/snapshot.yaml"));
}

TEST_CASE("snapshot.describe") {
    const load_result r = must_load(yaml_list(
        {node_item("n1"), pod_item("a", "n1", "u1"), pod_item("b", "", "u2"),
         "{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: s, uid: u3}}"}));
    CHECK(describe(r.snapshot) == "1 node, 2 pods (1 bound, 1 pending), 1 storage class");
}

}  // namespace
}  // namespace multisched::snapshot
