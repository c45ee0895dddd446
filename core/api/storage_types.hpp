// SPDX-License-Identifier: Apache-2.0
// The cluster objects beyond pods and nodes that plugins read: storage (PersistentVolume,
// PersistentVolumeClaim, StorageClass, CSINode) for the volume plugins, PodDisruptionBudget for
// preemption and Namespace for pod affinity's namespaceSelector. Decoded by api/decode.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/api/types.hpp"

namespace multisched::api {

// Annotations the scheduler and the PV controller exchange on claims and volumes.
inline constexpr std::string_view kAnnSelectedNode = "volume.kubernetes.io/selected-node";
inline constexpr std::string_view kAnnBindCompleted = "pv.kubernetes.io/bind-completed";
inline constexpr std::string_view kAnnBoundByController = "pv.kubernetes.io/bound-by-controller";
inline constexpr std::string_view kAnnStorageProvisioner =
    "volume.kubernetes.io/storage-provisioner";
inline constexpr std::string_view kAnnBetaStorageProvisioner =
    "volume.beta.kubernetes.io/storage-provisioner";

inline constexpr std::string_view kReadWriteOncePod = "ReadWriteOncePod";
inline constexpr std::string_view kVolumeBindingWaitForFirstConsumer = "WaitForFirstConsumer";

struct object_reference {
    std::string ns;  // namespace
    std::string name;
    std::string uid;
    bool operator==(const object_reference&) const = default;
};

struct persistent_volume_claim {
    object_meta meta;
    label_map annotations;
    std::string volume_name;  // spec.volumeName: pre-bound or bound
    // spec.storageClassName: nullopt when unset (the default class applies), "" means none.
    std::optional<std::string> storage_class_name;
    std::vector<std::string> access_modes;
    std::int64_t storage_request = 0;        // spec.resources.requests.storage, bytes
    std::optional<label_selector> selector;  // spec.selector on PV labels
    std::string volume_mode;                 // Filesystem (default) or Block
    std::string phase;                       // status.phase: Pending, Bound, Lost
    bool operator==(const persistent_volume_claim&) const = default;
};

struct persistent_volume {
    object_meta meta;
    label_map annotations;
    std::string storage_class_name;
    std::vector<std::string> access_modes;
    std::int64_t capacity = 0;  // spec.capacity.storage, bytes
    // spec.nodeAffinity.required.nodeSelectorTerms; nullopt: the volume is reachable anywhere.
    std::optional<std::vector<node_selector_term>> node_affinity;
    std::optional<object_reference> claim_ref;
    std::string volume_mode;  // Filesystem (default) or Block
    std::string csi_driver;   // spec.csi.driver, "" for other sources
    std::string csi_volume_handle;
    std::string phase;  // status.phase: Pending, Available, Bound, Released, Failed
    bool operator==(const persistent_volume&) const = default;
};

struct storage_class {
    object_meta meta;
    label_map annotations;  // storageclass.kubernetes.io/is-default-class
    std::string provisioner;
    std::string volume_binding_mode;  // Immediate (default) or WaitForFirstConsumer
    // allowedTopologies[].matchLabelExpressions as node selector terms (key In values).
    std::vector<node_selector_term> allowed_topologies;
    bool operator==(const storage_class&) const = default;
};

struct csi_node_driver {
    std::string name;
    std::string node_id;
    std::optional<std::int32_t> allocatable_count;  // allocatable.count: attach limit
    std::vector<std::string> topology_keys;
    bool operator==(const csi_node_driver&) const = default;
};

struct csi_node {
    object_meta meta;  // named after its node
    std::vector<csi_node_driver> drivers;
    bool operator==(const csi_node&) const = default;
};

struct pod_disruption_budget {
    object_meta meta;
    std::optional<label_selector> selector;   // nil selects no pod; {} every pod of the namespace
    std::int32_t disruptions_allowed = 0;     // status.disruptionsAllowed
    std::vector<std::string> disrupted_pods;  // status.disruptedPods keys (pod names)
    bool operator==(const pod_disruption_budget&) const = default;
};

// The workload objects whose selectors give PodTopologySpread's default constraints their
// selector (upstream helper.DefaultSelector).
struct service {
    object_meta meta;
    std::optional<label_map> selector;  // spec.selector; nullopt: selects no pod
    bool operator==(const service&) const = default;
};

struct replication_controller {
    object_meta meta;
    label_map selector;  // spec.selector
    bool operator==(const replication_controller&) const = default;
};

// ReplicaSet or StatefulSet (apps/v1): both select with a LabelSelector.
struct workload_set {
    object_meta meta;
    std::optional<label_selector> selector;  // spec.selector
    bool operator==(const workload_set&) const = default;
};

struct namespace_object {
    object_meta meta;  // only the name and labels matter
    bool operator==(const namespace_object&) const = default;
};

// A gang (kubernetes-sigs/scheduler-plugins' PodGroup, scheduling.x-k8s.io/v1alpha1): the pods
// of its namespace labelled kPodGroupLabel=<name> are scheduled all-or-nothing, at least
// min_member of them together.
inline constexpr std::string_view kPodGroupLabel = "scheduling.x-k8s.io/pod-group";

struct pod_group {
    object_meta meta;
    std::int32_t min_member = 0;  // spec.minMember
    // spec.minResources: what the whole group needs; checked against the cluster's free room
    // before any member is placed. nullopt when unset.
    std::optional<resource_list> min_resources;
    // spec.scheduleTimeoutSeconds: how long placed members wait for the rest; nullopt: the
    // plugin's default.
    std::optional<std::int32_t> schedule_timeout_seconds;
    std::string phase;           // status.phase as last written
    std::int32_t scheduled = 0;  // status.scheduled
    bool operator==(const pod_group&) const = default;
};

// The PodGroup name `p` joins (its kPodGroupLabel value), or "" when none.
inline std::string_view pod_group_of(const pod& p) {
    const std::string* name = p.meta.labels.find(kPodGroupLabel);
    return name != nullptr ? std::string_view(*name) : std::string_view();
}

}  // namespace multisched::api
