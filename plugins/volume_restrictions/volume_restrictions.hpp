// SPDX-License-Identifier: Apache-2.0
// VolumeRestrictions: rejects nodes where an inline GCE PD, AWS EBS, RBD or iSCSI volume of the
// pod clashes with the same disk mounted by a pod already there, and pods whose ReadWriteOncePod
// PersistentVolumeClaim is already in use by another pod (upstream plugins/volumerestrictions,
// v1.30). Extension points: PreFilter (+ AddPod/RemovePod), Filter, EnqueueExtensions. Args: none
// (any field is rejected).
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/api/types.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::volume_restrictions {

inline constexpr std::string_view kPreFilterStateKey = "PreFilterVolumeRestrictions";
inline constexpr std::string_view kErrReasonDiskConflict = "node(s) had no available disk";
inline constexpr std::string_view kErrReasonReadWriteOncePodConflict =
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

// Whether `v` is an inline source with disk conflict rules: GCE PD, AWS EBS, RBD or iSCSI.
bool needs_restrictions_check(const api::volume& v);

// Whether mounting `v` clashes with a volume of `existing` (upstream isVolumeConflict):
// - GCE PD: same pdName, unless both mounts are read-only;
// - AWS EBS: same volumeID, read-only or not;
// - iSCSI: same IQN, unless both mounts are read-only;
// - RBD: a shared Ceph monitor, same pool and image, unless both mounts are read-only.
bool is_volume_conflict(const api::volume& v, const api::pod& existing);

// Whether no disk-checked volume of `pod` clashes with a pod on `node` (satisfyVolumeConflicts).
bool satisfies_volume_conflicts(const api::pod& pod, const framework::node_info& node);

class volume_restrictions final : public framework::pre_filter_plugin,
                                  public framework::pre_filter_extensions,
                                  public framework::filter_plugin,
                                  public framework::enqueue_extensions {
  public:
    // `h` must outlive the plugin (PersistentVolumeClaims).
    explicit volume_restrictions(framework::handle& h) : handle_(h) {}

    std::string_view name() const override;

    // Looks up the pod's PVCs (UnschedulableAndUnresolvable `persistentvolumeclaim "<name>" not
    // found` when one is missing) and counts the references to its ReadWriteOncePod claims by the
    // pods on `nodes`. Skip when the pod has no disk-checked volume and no such reference exists.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;
    framework::pre_filter_extensions* extensions() override { return this; }
    // Add (remove) `other`'s references to the pod's ReadWriteOncePod claims. Error when the
    // PreFilter state is missing.
    framework::status add_pod(framework::cycle_state& state, const framework::pod_info& pod,
                              const framework::pod_info& other,
                              const framework::node_info& node) override;
    framework::status remove_pod(framework::cycle_state& state, const framework::pod_info& pod,
                                 const framework::pod_info& other,
                                 const framework::node_info& node) override;

    // Unschedulable kErrReasonDiskConflict when a disk clashes with a pod on the node, else
    // Unschedulable kErrReasonReadWriteOncePodConflict while a ReadWriteOncePod claim of the pod
    // is in use (preemption may free it). Error when the PreFilter state is missing.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;

    // Assigned pod delete, node add (and label/taint updates), PVC add.
    std::vector<framework::cluster_event> events_to_register() const override;

  private:
    framework::status update_with_pod(framework::cycle_state& state, const api::pod& other,
                                      int multiplier);

    framework::handle& handle_;
};

// Rejects any args field (the plugin has no args).
result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::volume_restrictions
