// SPDX-License-Identifier: Apache-2.0
// The same List as YAML and as JSON loads to the same snapshot; the sample snapshots of
// manifests/samples/snapshots/ load without a problem and hold what their headers say.
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/snapshot/snapshot.hpp"

namespace multisched::snapshot {
namespace {

template <class T>
bool same_objects(const std::vector<std::shared_ptr<const T>>& a,
                  const std::vector<std::shared_ptr<const T>>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!(*a[i] == *b[i])) {
            return false;
        }
    }
    return true;
}

bool same(const cluster_snapshot& a, const cluster_snapshot& b) {
    return same_objects(a.nodes, b.nodes) && same_objects(a.pods, b.pods) &&
           same_objects(a.pvs, b.pvs) && same_objects(a.pvcs, b.pvcs) &&
           same_objects(a.storage_classes, b.storage_classes) &&
           same_objects(a.csi_nodes, b.csi_nodes) && same_objects(a.pdbs, b.pdbs) &&
           same_objects(a.namespaces, b.namespaces) && same_objects(a.pod_groups, b.pod_groups) &&
           same_objects(a.services, b.services) &&
           same_objects(a.replication_controllers, b.replication_controllers) &&
           same_objects(a.workload_sets, b.workload_sets);
}

// One object of every kind, as kubectl -o yaml prints it (plus a plain `cpu: 2`, an int).
constexpr std::string_view kYaml = R"(apiVersion: v1
items:
- apiVersion: v1
  kind: Node
  metadata:
    labels: {topology.kubernetes.io/zone: z1, kubernetes.io/hostname: n1}
    name: n1
    uid: u-n1
  spec:
    taints:
    - {effect: NoSchedule, key: dedicated, value: gpu}
  status:
    allocatable: {cpu: 2, memory: 4Gi, pods: "110", nvidia.com/gpu: "1"}
- apiVersion: v1
  kind: Pod
  metadata:
    creationTimestamp: "2024-05-06T08:00:00Z"
    labels: {app: web}
    name: web-0
    namespace: shop
    resourceVersion: "12"
    uid: u-p1
  spec:
    containers:
    - name: web
      resources:
        requests: {cpu: 250m, memory: 64Mi}
    nodeName: n1
    priority: 10
    tolerations:
    - {effect: NoSchedule, key: dedicated, operator: Exists, tolerationSeconds: 30}
    volumes:
    - name: data
      persistentVolumeClaim: {claimName: data-0}
  status: {phase: Running}
- apiVersion: v1
  kind: PersistentVolume
  metadata: {name: pv-0, uid: u-pv}
  spec:
    accessModes: [ReadWriteOnce]
    capacity: {storage: 10Gi}
    claimRef: {name: data-0, namespace: shop, uid: u-pvc}
    nodeAffinity:
      required:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: kubernetes.io/hostname, operator: In, values: [n1]}
    storageClassName: local
  status: {phase: Bound}
- apiVersion: v1
  kind: PersistentVolumeClaim
  metadata: {name: data-0, namespace: shop, uid: u-pvc}
  spec:
    accessModes: [ReadWriteOnce]
    resources:
      requests: {storage: 10Gi}
    storageClassName: local
    volumeName: pv-0
  status: {phase: Bound}
- apiVersion: storage.k8s.io/v1
  kind: StorageClass
  metadata: {name: local, uid: u-sc}
  provisioner: kubernetes.io/no-provisioner
  volumeBindingMode: WaitForFirstConsumer
- apiVersion: storage.k8s.io/v1
  kind: CSINode
  metadata: {name: n1, uid: u-csi}
  spec:
    drivers:
    - name: ebs.csi.aws.com
      nodeID: i-1
      allocatable: {count: 25}
- apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: web, namespace: shop, uid: u-pdb}
  spec:
    selector:
      matchLabels: {app: web}
  status: {disruptionsAllowed: 1}
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop, uid: u-ns, labels: {team: a}}
- apiVersion: scheduling.x-k8s.io/v1alpha1
  kind: PodGroup
  metadata: {name: g, namespace: shop, uid: u-pg}
  spec: {minMember: 3, minResources: {cpu: "6"}, scheduleTimeoutSeconds: 60}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop, uid: u-svc}
  spec:
    selector: {app: web}
- apiVersion: v1
  kind: ReplicationController
  metadata: {name: rc, namespace: shop, uid: u-rc}
  spec:
    selector: {app: old}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: web-7d, namespace: shop, uid: u-rs}
  spec:
    selector:
      matchLabels: {app: web}
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: db, namespace: shop, uid: u-ss}
  spec:
    selector:
      matchExpressions:
      - {key: app, operator: In, values: [db]}
kind: List
metadata:
  resourceVersion: ""
)";

constexpr std::string_view kJson = R"({
  "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
  "items": [
    {"apiVersion": "v1", "kind": "Node",
     "metadata": {"labels": {"topology.kubernetes.io/zone": "z1", "kubernetes.io/hostname": "n1"},
                  "name": "n1", "uid": "u-n1"},
     "spec": {"taints": [{"effect": "NoSchedule", "key": "dedicated", "value": "gpu"}]},
     "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110",
                                "nvidia.com/gpu": "1"}}},
    {"apiVersion": "v1", "kind": "Pod",
     "metadata": {"creationTimestamp": "2024-05-06T08:00:00Z", "labels": {"app": "web"},
                  "name": "web-0", "namespace": "shop", "resourceVersion": "12", "uid": "u-p1"},
     "spec": {"containers": [{"name": "web",
                              "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}],
              "nodeName": "n1", "priority": 10,
              "tolerations": [{"effect": "NoSchedule", "key": "dedicated", "operator": "Exists",
                               "tolerationSeconds": 30}],
              "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-0"}}]},
     "status": {"phase": "Running"}},
    {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-0", "uid": "u-pv"},
     "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"},
              "claimRef": {"name": "data-0", "namespace": "shop", "uid": "u-pvc"},
              "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                  {"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]}]}]}},
              "storageClassName": "local"},
     "status": {"phase": "Bound"}},
    {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
     "metadata": {"name": "data-0", "namespace": "shop", "uid": "u-pvc"},
     "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}},
              "storageClassName": "local", "volumeName": "pv-0"},
     "status": {"phase": "Bound"}},
    {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
     "metadata": {"name": "local", "uid": "u-sc"},
     "provisioner": "kubernetes.io/no-provisioner",
     "volumeBindingMode": "WaitForFirstConsumer"},
    {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode",
     "metadata": {"name": "n1", "uid": "u-csi"},
     "spec": {"drivers": [{"name": "ebs.csi.aws.com", "nodeID": "i-1",
                           "allocatable": {"count": 25}}]}},
    {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
     "metadata": {"name": "web", "namespace": "shop", "uid": "u-pdb"},
     "spec": {"selector": {"matchLabels": {"app": "web"}}}, "status": {"disruptionsAllowed": 1}},
    {"apiVersion": "v1", "kind": "Namespace",
     "metadata": {"name": "shop", "uid": "u-ns", "labels": {"team": "a"}}},
    {"apiVersion": "scheduling.x-k8s.io/v1alpha1", "kind": "PodGroup",
     "metadata": {"name": "g", "namespace": "shop", "uid": "u-pg"},
     "spec": {"minMember": 3, "minResources": {"cpu": "6"}, "scheduleTimeoutSeconds": 60}},
    {"apiVersion": "v1", "kind": "Service",
     "metadata": {"name": "web", "namespace": "shop", "uid": "u-svc"},
     "spec": {"selector": {"app": "web"}}},
    {"apiVersion": "v1", "kind": "ReplicationController",
     "metadata": {"name": "rc", "namespace": "shop", "uid": "u-rc"},
     "spec": {"selector": {"app": "old"}}},
    {"apiVersion": "apps/v1", "kind": "ReplicaSet",
     "metadata": {"name": "web-7d", "namespace": "shop", "uid": "u-rs"},
     "spec": {"selector": {"matchLabels": {"app": "web"}}}},
    {"apiVersion": "apps/v1", "kind": "StatefulSet",
     "metadata": {"name": "db", "namespace": "shop", "uid": "u-ss"},
     "spec": {"selector": {"matchExpressions": [
         {"key": "app", "operator": "In", "values": ["db"]}]}}}
  ]
})";

TEST_CASE("snapshot.yaml_and_json_load_the_same") {
    auto from_yaml = load_snapshot(kYaml, "snap.yaml");
    auto from_json = load_snapshot(kJson, "snap.json");
    REQUIRE(from_yaml.has_value());
    REQUIRE(from_json.has_value());
    CHECK(from_yaml->problems.empty());
    CHECK(from_json->problems.empty());
    const cluster_snapshot& s = from_yaml->snapshot;
    CHECK(s.object_count() == 13);
    CHECK(same(s, from_json->snapshot));
    // Spot checks that the shared decoding saw every field kind.
    REQUIRE(s.nodes.size() == 1);
    CHECK(s.nodes[0]->allocatable.milli_cpu == 2000);
    CHECK(s.nodes[0]->taints.size() == 1);
    REQUIRE(s.pods.size() == 1);
    CHECK(s.pods[0]->tolerations[0].toleration_seconds == 30);
    CHECK(s.pods[0]->priority == 10);
    REQUIRE(s.pvs.size() == 1);
    CHECK(s.pvs[0]->node_affinity.has_value());
    REQUIRE(s.csi_nodes.size() == 1);
    CHECK(s.csi_nodes[0]->drivers[0].allocatable_count == 25);
    CHECK(s.workload_sets.size() == 2);
    CHECK(s.pod_groups.size() == 1);
    CHECK(s.services.size() == 1);
    CHECK(s.replication_controllers.size() == 1);
}

TEST_CASE("snapshot.a_changed_field_makes_a_difference") {
    // Guards same(): the comparison above must be able to fail.
    std::string other(kJson);
    other.replace(other.find("\"priority\": 10"), 14, "\"priority\": 11");
    auto a = load_snapshot(kYaml, "a");
    auto b = load_snapshot(other, "b");
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK_FALSE(same(a->snapshot, b->snapshot));
}

std::string sample(std::string_view name) {
    // core/snapshot/<this file> -> the repository root.
    const auto root = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
    return (root / "manifests" / "samples" / "snapshots" / name).string();
}

struct sample_case {
    std::string_view file;
    std::size_t nodes, bound, pending, pvs, pvcs, storage_classes, pdbs, pod_groups;
};

TEST_CASE("snapshot.samples_load_cleanly") {
    const std::vector<sample_case> cases = {
        {"small.yaml", 4, 8, 8, 0, 0, 0, 0, 0},
        {"mixed.yaml", 4, 3, 5, 1, 1, 1, 1, 0},
        {"gang.yaml", 4, 2, 8, 0, 0, 0, 0, 2},
    };
    for (const auto& c : cases) {
        SECTION(std::string(c.file)) {
            auto r = load_snapshot_file(sample(c.file));
            if (!r) {
                FAIL(r.error().message);
            }
            CHECK(r->problems.empty());
            CHECK(r->terminated_pods == 0);
            const cluster_snapshot& s = r->snapshot;
            std::size_t bound = 0;
            for (const auto& p : s.pods) {
                bound += p->node_name.empty() ? 0 : 1;
                CHECK_FALSE(p->meta.creation_timestamp.empty());
                CHECK_FALSE(p->meta.uid.starts_with("snapshot-uid-"));
            }
            CHECK(s.nodes.size() == c.nodes);
            CHECK(bound == c.bound);
            CHECK(s.pods.size() - bound == c.pending);
            CHECK(s.pvs.size() == c.pvs);
            CHECK(s.pvcs.size() == c.pvcs);
            CHECK(s.storage_classes.size() == c.storage_classes);
            CHECK(s.pdbs.size() == c.pdbs);
            CHECK(s.pod_groups.size() == c.pod_groups);
        }
    }
}

TEST_CASE("snapshot.sample_details") {
    auto mixed = load_snapshot_file(sample("mixed.yaml"));
    REQUIRE(mixed.has_value());
    const cluster_snapshot& m = mixed->snapshot;
    REQUIRE(m.nodes.size() == 4);
    CHECK(m.nodes[3]->meta.name == "gpu-1");
    CHECK(m.nodes[3]->taints.size() == 1);
    CHECK(m.nodes[3]->allocatable.scalar_value("nvidia.com/gpu") == 4);
    REQUIRE(m.pvs.size() == 1);
    CHECK(m.pvs[0]->node_affinity.has_value());
    CHECK(m.pvcs[0]->volume_name == m.pvs[0]->meta.name);
    CHECK(m.pdbs[0]->disruptions_allowed == 0);

    auto gang = load_snapshot_file(sample("gang.yaml"));
    REQUIRE(gang.has_value());
    std::size_t members = 0;
    for (const auto& p : gang->snapshot.pods) {
        if (!api::pod_group_of(*p).empty()) {
            ++members;
            CHECK(p->scheduler_name == "gang-scheduler");
        }
    }
    CHECK(members == 7);
    REQUIRE(gang->snapshot.pod_groups.size() == 2);
    CHECK(gang->snapshot.pod_groups[0]->min_member == 3);
    CHECK(gang->snapshot.pod_groups[0]->min_resources.has_value());
    CHECK(gang->snapshot.pod_groups[1]->schedule_timeout_seconds == 30);

    auto small = load_snapshot_file(sample("small.yaml"));
    REQUIRE(small.has_value());
    std::size_t my_scheduler = 0;
    for (const auto& p : small->snapshot.pods) {
        my_scheduler += p->scheduler_name == "my-scheduler" && p->node_name.empty() ? 1 : 0;
    }
    CHECK(my_scheduler == 4);
}

}  // namespace
}  // namespace multisched::snapshot
