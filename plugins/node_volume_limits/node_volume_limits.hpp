// SPDX-License-Identifier: Apache-2.0
// NodeVolumeLimits: rejects nodes where the pod's CSI volumes plus those already used on the node
// would exceed a driver's attach limit (CSINode spec.drivers[].allocatable.count, or node
// allocatable attachable-volumes-csi-<driver>) (upstream nodevolumelimits/csi.go, v1.30).
// In-tree -> CSI migration is NOT supported: in-tree PVs, inline in-tree volumes and in-tree
// provisioners are never counted (upstream with migration off on every node).
// Extension points: PreFilter, Filter, EnqueueExtensions. Args: none (any field is rejected).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/api/storage_types.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::node_volume_limits {

inline constexpr std::string_view kErrReasonMaxVolumeCountExceeded =
    "node(s) exceed max volume count";
inline constexpr std::string_view kCSIAttachLimitPrefix = "attachable-volumes-csi-";
inline constexpr std::string_view kAttachableVolumesPrefix = "attachable-volumes-";

// The resource name of a CSI driver's attach limit (upstream volumeutil.GetCSIAttachLimitKey):
// kCSIAttachLimitPrefix + driver, or, when that reaches 63 characters, the prefix, the first 23
// characters of the driver and the first 16 hex digits of the driver's SHA-1.
std::string csi_attach_limit_key(std::string_view driver);

// One volume that takes an attachment slot on a node.
struct volume_id {
    std::string driver;
    // The CSI volume handle; for a claim not yet bound, "<namespace>/<claim>" (see `pending`).
    std::string handle;
    // True when `handle` names an unbound claim whose class provisions for `driver`: the same
    // claim used by two pods is one volume, and it never collides with a real volume handle.
    bool pending = false;
    auto operator<=>(const volume_id&) const = default;
};

// Volume -> attach limit key of its driver.
using volume_map = std::map<volume_id, std::string>;

class node_volume_limits final : public framework::pre_filter_plugin,
                                 public framework::filter_plugin,
                                 public framework::enqueue_extensions {
  public:
    // `h` must outlive the plugin (claims, volumes, classes, CSINodes).
    explicit node_volume_limits(framework::handle& h) : handle_(h) {}

    std::string_view name() const override;

    // Skip unless the pod has a PersistentVolumeClaim or generic ephemeral volume.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;

    // Unschedulable kErrReasonMaxVolumeCountExceeded when, for a driver with a limit on the node,
    // the distinct volumes of the node's pods plus the pod's new ones exceed it.
    // UnschedulableAndUnresolvable when a claim of the pod is missing. No limit (no CSINode, no
    // allocatable count) means no rejection.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;

    // CSINode add, assigned pod delete, PVC add.
    std::vector<framework::cluster_event> events_to_register() const override;

    // Adds the CSI volumes of `pod` to `out` (upstream filterAttachableVolumes). A missing claim
    // is an UnschedulableAndUnresolvable status for the pod being scheduled (`new_pod`) and is
    // skipped for pods already on a node.
    framework::status attachable_volumes(const api::pod& pod, bool new_pod, volume_map& out) const;

    // Attach limits by limit key: node allocatable attachable-volumes-*, overridden by the
    // CSINode's drivers (upstream getVolumeLimits). `node` and `csi_node` may be null.
    static std::map<std::string, std::int64_t> volume_limits(const api::node* node,
                                                             const api::csi_node* csi_node);

  private:
    // The driver and handle of a claim's volume; driver "" when it does not count.
    volume_id driver_info(const api::persistent_volume_claim& pvc) const;
    volume_id driver_info_from_class(const api::persistent_volume_claim& pvc) const;

    framework::handle& handle_;
};

// Rejects any args field (the plugin has no args).
result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::node_volume_limits
