// SPDX-License-Identifier: Apache-2.0
// The configuration names of kube-scheduler's in-tree plugins (upstream
// pkg/scheduler/framework/plugins/names/names.go, v1.30-v1.33). Profiles refer to plugins by these
// PascalCase strings, so every kube-scheduler configuration keeps working unchanged.
#pragma once

#include <string_view>

namespace multisched::plugins::names {

inline constexpr std::string_view kPrioritySort = "PrioritySort";
inline constexpr std::string_view kDefaultBinder = "DefaultBinder";
// Out of kube-scheduler's default set (kubernetes-sigs/scheduler-plugins' gang plugin).
inline constexpr std::string_view kCoscheduling = "Coscheduling";
inline constexpr std::string_view kDefaultPreemption = "DefaultPreemption";
inline constexpr std::string_view kDynamicResources = "DynamicResources";
inline constexpr std::string_view kImageLocality = "ImageLocality";
inline constexpr std::string_view kInterPodAffinity = "InterPodAffinity";
inline constexpr std::string_view kNodeAffinity = "NodeAffinity";
inline constexpr std::string_view kNodeName = "NodeName";
inline constexpr std::string_view kNodePorts = "NodePorts";
inline constexpr std::string_view kNodeResourcesBalancedAllocation =
    "NodeResourcesBalancedAllocation";
inline constexpr std::string_view kNodeResourcesFit = "NodeResourcesFit";
inline constexpr std::string_view kNodeUnschedulable = "NodeUnschedulable";
inline constexpr std::string_view kNodeVolumeLimits = "NodeVolumeLimits";
inline constexpr std::string_view kPodTopologySpread = "PodTopologySpread";
inline constexpr std::string_view kSchedulingGates = "SchedulingGates";
inline constexpr std::string_view kTaintToleration = "TaintToleration";
inline constexpr std::string_view kVolumeBinding = "VolumeBinding";
inline constexpr std::string_view kVolumeRestrictions = "VolumeRestrictions";
inline constexpr std::string_view kVolumeZone = "VolumeZone";

// Non-CSI volume limit plugins: in the v1.30 names list, out of the default set since v1.31 and
// rejected as plugin names by config v1 validation. Kept so that validation can name them.
inline constexpr std::string_view kAzureDiskLimits = "AzureDiskLimits";
inline constexpr std::string_view kCinderLimits = "CinderLimits";
inline constexpr std::string_view kEBSLimits = "EBSLimits";
inline constexpr std::string_view kGCEPDLimits = "GCEPDLimits";

}  // namespace multisched::plugins::names
