// SPDX-License-Identifier: Apache-2.0
// The object model: the parts of Kubernetes objects the scheduler reads, decoded once from JSON
// (api/decode.hpp) into compact structs. No raw JSON is retained. Field names follow the API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace multisched::api {

inline constexpr std::string_view kResourceCPU = "cpu";
inline constexpr std::string_view kResourceMemory = "memory";
inline constexpr std::string_view kResourceEphemeralStorage = "ephemeral-storage";
inline constexpr std::string_view kResourcePods = "pods";
inline constexpr std::string_view kDefaultSchedulerName = "default-scheduler";

// Resource amounts in the units of kube-scheduler's framework.Resource: cpu in millicores
// (Quantity.MilliValue), everything else in whole units (Quantity.Value, rounded up).
struct resource_list {
    std::int64_t milli_cpu = 0;
    std::int64_t memory = 0;
    std::int64_t ephemeral_storage = 0;
    std::int64_t pods = 0;
    // Extended resources, hugepages-*, attachable-volumes-*: sorted by name, names unique.
    std::vector<std::pair<std::string, std::int64_t>> scalar;

    std::int64_t scalar_value(std::string_view name) const;
    // Adds `v` to the named resource (cpu in millicores); creates scalar entries as needed.
    void add(std::string_view name, std::int64_t v);
    void add(const resource_list& other);
    // Element-wise max (how init containers combine with regular containers).
    void set_max(const resource_list& other);
    bool operator==(const resource_list&) const = default;
};

// Sorted by key, keys unique. Small maps: a sorted vector beats a tree here.
struct label_map {
    std::vector<std::pair<std::string, std::string>> items;  // sorted by key

    // Up to this many items find() scans instead of searching.
    static constexpr std::size_t kLinearFindMax = 8;
    const std::string* find(std::string_view key) const;
    // The index of `key` in `items`, -1 when absent (valid until the map changes).
    std::ptrdiff_t position(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    // Inserts or replaces, keeping the order.
    void set(std::string key, std::string value);
    // A map of `pairs` in any order; of equal keys the last one wins (as set() one by one, or
    // Go's decoder on duplicate keys), in O(n log n) whatever the order.
    static label_map from_pairs(std::vector<std::pair<std::string, std::string>> pairs);
    bool empty() const { return items.empty(); }
    bool operator==(const label_map&) const = default;
};

// metadata.ownerReferences[] entry with controller: true.
struct controller_ref {
    std::string api_version;  // "apps/v1"
    std::string kind;         // "ReplicaSet"
    std::string name;
    std::string uid;
    bool operator==(const controller_ref&) const = default;
};

struct object_meta {
    std::string name;
    std::string ns;  // metadata.namespace
    std::string uid;
    std::string resource_version;
    std::string creation_timestamp;  // RFC 3339, as sent
    label_map labels;
    bool deleting = false;                     // metadata.deletionTimestamp is set
    std::optional<controller_ref> controller;  // the owner reference with controller: true
    bool operator==(const object_meta&) const = default;
};

struct taint {
    std::string key;
    std::string value;
    std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute
    bool operator==(const taint&) const = default;
};

struct toleration {
    std::string key;
    std::string op;  // "Exists" or "Equal" ("" means Equal)
    std::string value;
    std::string effect;  // "" matches every effect
    std::optional<std::int64_t> toleration_seconds;
    bool operator==(const toleration&) const = default;
};

struct container_port {
    std::int32_t container_port = 0;
    std::int32_t host_port = 0;
    std::string protocol;  // TCP (default), UDP, SCTP
    std::string host_ip;
    bool operator==(const struct container_port&) const = default;
};

struct container {
    std::string name;
    std::string image;
    resource_list requests;
    // Whether requests name cpu / memory at all (kube-scheduler's non-zero defaults apply if not).
    bool has_cpu_request = false;
    bool has_memory_request = false;
    // Init containers only: restartPolicy Always makes it a sidecar (counted like a container).
    bool restart_always = false;
    std::vector<container_port> ports;
    bool operator==(const container&) const = default;
};

struct pod_condition {
    std::string type;
    std::string status;
    std::string reason;
    std::string message;
    bool operator==(const pod_condition&) const = default;
};

// One requirement of a NodeSelectorTerm. op: In, NotIn, Exists, DoesNotExist, Gt, Lt.
struct node_selector_requirement {
    std::string key;
    std::string op;  // "operator" in the API
    std::vector<std::string> values;
    bool operator==(const node_selector_requirement&) const = default;
};

// Requirements are ANDed; a term with neither list matches nothing.
struct node_selector_term {
    std::vector<node_selector_requirement> match_expressions;  // on node labels
    std::vector<node_selector_requirement> match_fields;       // only metadata.name
    bool operator==(const node_selector_term&) const = default;
};

struct preferred_scheduling_term {
    std::int32_t weight = 0;  // 1..100 in valid pods; 0 is ignored
    node_selector_term preference;
    bool operator==(const preferred_scheduling_term&) const = default;
};

// spec.affinity.nodeAffinity. `required` is requiredDuringSchedulingIgnoredDuringExecution's
// nodeSelectorTerms (ORed): absent means no constraint, present and empty matches no node.
struct node_affinity {
    std::optional<std::vector<node_selector_term>> required;
    std::vector<preferred_scheduling_term> preferred;
    bool operator==(const node_affinity&) const = default;
};

// metav1.LabelSelector. Requirements use the operators In, NotIn, Exists, DoesNotExist. An empty
// selector ({}) matches everything; an absent one (std::nullopt where optional) matches nothing.
struct label_selector {
    label_map match_labels;
    std::vector<node_selector_requirement> match_expressions;
    bool operator==(const label_selector&) const = default;
};

// One PodAffinityTerm: the pods matched by `selector` in the namespaces named by `namespaces` and
// `namespace_selector` (both empty: the pod's own namespace; an empty namespace_selector {}: every
// namespace), co-located by the node label `topology_key`.
struct pod_affinity_term {
    std::optional<label_selector> selector;  // labelSelector
    std::vector<std::string> namespaces;
    std::optional<label_selector> namespace_selector;
    std::string topology_key;
    // matchLabelKeys / mismatchLabelKeys: the apiserver (1.31+) merges them into labelSelector;
    // kept so older apiservers' objects still carry them.
    std::vector<std::string> match_label_keys;
    std::vector<std::string> mismatch_label_keys;
    bool operator==(const pod_affinity_term&) const = default;
};

struct weighted_pod_affinity_term {
    std::int32_t weight = 0;  // 1..100 in valid pods
    pod_affinity_term term;
    bool operator==(const weighted_pod_affinity_term&) const = default;
};

// spec.affinity.podAffinity or .podAntiAffinity.
struct pod_affinity {
    std::vector<pod_affinity_term> required;  // requiredDuringSchedulingIgnoredDuringExecution
    std::vector<weighted_pod_affinity_term> preferred;
    bool operator==(const pod_affinity&) const = default;
};

// spec.topologySpreadConstraints[]. Empty strings mean the API defaults.
struct topology_spread_constraint {
    std::int32_t max_skew = 0;
    std::string topology_key;
    std::string when_unsatisfiable;          // DoNotSchedule or ScheduleAnyway
    std::optional<label_selector> selector;  // labelSelector; absent matches no pod
    std::optional<std::int32_t> min_domains;
    std::string node_affinity_policy;  // Honor (default) or Ignore
    std::string node_taints_policy;    // Ignore (default) or Honor
    std::vector<std::string> match_label_keys;
    bool operator==(const topology_spread_constraint&) const = default;
};

// The parts of spec.volumes[] the volume plugins read. At most one source is set.
struct volume {
    std::string name;
    std::string pvc_claim_name;  // persistentVolumeClaim.claimName
    // ephemeral.volumeClaimTemplate: the claim is named "<pod name>-<volume name>".
    bool ephemeral = false;
    std::string gce_pd_name;                // gcePersistentDisk.pdName
    std::string aws_ebs_volume_id;          // awsElasticBlockStore.volumeID
    std::vector<std::string> rbd_monitors;  // rbd.monitors
    std::string rbd_pool;                   // rbd.pool ("rbd" if unset)
    std::string rbd_image;                  // rbd.image
    std::string iscsi_target_portal;        // iscsi.targetPortal
    std::string iscsi_iqn;                  // iscsi.iqn
    std::int32_t iscsi_lun = 0;             // iscsi.lun
    bool read_only = false;                 // the source's readOnly
    bool operator==(const volume&) const = default;
};

struct pod {
    object_meta meta;
    // spec
    std::string node_name;
    std::string scheduler_name;
    std::string priority_class_name;
    std::optional<std::int32_t> priority;
    std::vector<container> containers;
    std::vector<container> init_containers;
    resource_list overhead;
    label_map node_selector;
    std::vector<toleration> tolerations;
    std::vector<std::string> scheduling_gates;
    std::optional<api::node_affinity> node_affinity;  // spec.affinity.nodeAffinity
    std::optional<pod_affinity> affinity;             // spec.affinity.podAffinity
    std::optional<pod_affinity> anti_affinity;        // spec.affinity.podAntiAffinity
    std::vector<topology_spread_constraint> topology_spread_constraints;
    std::vector<volume> volumes;
    // status
    std::string phase;
    std::string nominated_node_name;
    std::vector<pod_condition> conditions;

    std::string key() const { return meta.ns + "/" + meta.name; }
    bool operator==(const pod&) const = default;
};

struct container_image {
    std::vector<std::string> names;
    std::int64_t size_bytes = 0;
    bool operator==(const container_image&) const = default;
};

struct node {
    object_meta meta;
    bool unschedulable = false;
    std::vector<taint> taints;
    resource_list allocatable;
    std::vector<container_image> images;
    bool operator==(const node&) const = default;
};

// The claim a pod volume reads: persistentVolumeClaim.claimName, "<pod>-<volume>" for a generic
// ephemeral volume (ephemeral.VolumeClaimName), "" for any other source.
std::string volume_claim_name(const pod& p, const volume& v);

// Whether anything but metadata.resourceVersion and the status changed (upstream isPodUpdated):
// status-only updates, such as our own PodScheduled patch, must not retry an unschedulable pod.
bool is_pod_updated(const pod& old_pod, const pod& new_pod);

// kube-scheduler's defaults for containers that request no cpu / memory, used for scoring only.
inline constexpr std::int64_t kDefaultMilliCPURequest = 100;
inline constexpr std::int64_t kDefaultMemoryRequest = 200LL * 1024 * 1024;

// The pod's effective requests as kube-scheduler computes them (resourcehelper.PodRequests):
// max(sum of containers + running sidecars, each init container on top of the sidecars before it)
// plus pod overhead.
resource_list pod_requests(const pod& p);
// The same with kube-scheduler's non-zero defaults substituted for missing cpu/memory requests.
// Only milli_cpu and memory are meaningful in the result.
resource_list pod_non_zero_requests(const pod& p);

}  // namespace multisched::api
