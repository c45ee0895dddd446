// SPDX-License-Identifier: Apache-2.0
// VolumeZone: keeps a pod off nodes whose zone/region labels do not match the zone/region labels
// of the PersistentVolumes bound to its claims (upstream plugins/volumezone, v1.30). Unbound claims
// of a WaitForFirstConsumer class are left to VolumeBinding.
// Extension points: PreFilter, Filter, EnqueueExtensions.
// Args: none (any field is rejected).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/api/types.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::volume_zone {

inline constexpr std::string_view kPreFilterStateKey = "PreFilterVolumeZone";
inline constexpr std::string_view kErrReasonConflict = "node(s) had no available volume zone";

inline constexpr std::string_view kLabelTopologyZone = "topology.kubernetes.io/zone";
inline constexpr std::string_view kLabelTopologyRegion = "topology.kubernetes.io/region";
inline constexpr std::string_view kLabelFailureDomainBetaZone =
    "failure-domain.beta.kubernetes.io/zone";
inline constexpr std::string_view kLabelFailureDomainBetaRegion =
    "failure-domain.beta.kubernetes.io/region";
// The claim's class when set, before spec.storageClassName (storagehelpers).
inline constexpr std::string_view kBetaStorageClassAnnotation =
    "volume.beta.kubernetes.io/storage-class";

// A PV label value as a set of zones (upstream volumehelpers.LabelZonesToSet): "a__b" is {a, b},
// elements trimmed; nullopt when an element is empty. The result is sorted and unique.
std::optional<std::vector<std::string>> label_zones_to_set(std::string_view value);

// One zone/region label of a bound PV: the node must carry `key` (or its GA twin for a beta key)
// with one of `values`.
struct pv_topology {
    std::string pv_name;
    std::string key;
    std::vector<std::string> values;  // sorted, unique
};

class volume_zone final : public framework::pre_filter_plugin,
                          public framework::filter_plugin,
                          public framework::enqueue_extensions {
  public:
    // `h` must outlive the plugin (PersistentVolumes, claims and StorageClasses).
    explicit volume_zone(framework::handle& h) : handle_(h) {}

    std::string_view name() const override;

    // Collects the topology labels of the PVs bound to the pod's claims. Skip when there are
    // none. UnschedulableAndUnresolvable when a claim, its PV or its StorageClass is missing, when
    // an unbound claim has no class, a class without volumeBindingMode, or Immediate binding.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;

    // Success for a pod without volumes or a node without any zone/region label; else
    // UnschedulableAndUnresolvable kErrReasonConflict when a PV label has no matching node label
    // value. Recomputes the PreFilter result when its state is missing; Error without a node.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;

    // StorageClass add, node add and label/taint updates, PVC add/update, PV add/update.
    std::vector<framework::cluster_event> events_to_register() const override;

    // Upstream getPVbyPod: fills `out` with the pod's PV topologies or returns the rejection.
    framework::status pv_topologies(const api::pod& pod, std::vector<pv_topology>& out) const;

  private:
    framework::handle& handle_;
};

// Rejects any args field (the plugin has no args).
result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::volume_zone
