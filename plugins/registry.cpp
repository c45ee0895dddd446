// SPDX-License-Identifier: Apache-2.0
#include "plugins/registry.hpp"

#include <map>

#include "core/util/check.hpp"
#include "plugins/coscheduling/args.hpp"
#include "plugins/coscheduling/coscheduling.hpp"
#include "plugins/default_binder/default_binder.hpp"
#include "plugins/default_preemption/args.hpp"
#include "plugins/default_preemption/default_preemption.hpp"
#include "plugins/image_locality/image_locality.hpp"
#include "plugins/inter_pod_affinity/args.hpp"
#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"
#include "plugins/names.hpp"
#include "plugins/node_affinity/args.hpp"
#include "plugins/node_affinity/node_affinity.hpp"
#include "plugins/node_name/node_name.hpp"
#include "plugins/node_ports/node_ports.hpp"
#include "plugins/node_resources_balanced_allocation/args.hpp"
#include "plugins/node_resources_balanced_allocation/node_resources_balanced_allocation.hpp"
#include "plugins/node_resources_fit/args.hpp"
#include "plugins/node_resources_fit/node_resources_fit.hpp"
#include "plugins/node_unschedulable/node_unschedulable.hpp"
#include "plugins/node_volume_limits/node_volume_limits.hpp"
#include "plugins/pod_topology_spread/args.hpp"
#include "plugins/pod_topology_spread/pod_topology_spread.hpp"
#include "plugins/priority_sort/priority_sort.hpp"
#include "plugins/scheduling_gates/scheduling_gates.hpp"
#include "plugins/taint_toleration/taint_toleration.hpp"
#include "plugins/volume_binding/args.hpp"
#include "plugins/volume_binding/volume_binding.hpp"
#include "plugins/volume_restrictions/volume_restrictions.hpp"
#include "plugins/volume_zone/volume_zone.hpp"

namespace multisched::plugins {
namespace {

void add(framework::registry& r, std::string_view name, framework::plugin_factory f) {
    auto ok = r.add(std::string(name), std::move(f));
    MS_CHECK(ok.has_value(), "duplicate in-tree plugin name");
}

}  // namespace

framework::registry make_in_tree_registry() {
    framework::registry r;
    add(r, names::kSchedulingGates, scheduling_gates::make);
    add(r, names::kPrioritySort, priority_sort::make);
    add(r, names::kNodeUnschedulable, node_unschedulable::make);
    add(r, names::kNodeName, node_name::make);
    add(r, names::kTaintToleration, taint_toleration::make);
    add(r, names::kNodeAffinity, node_affinity::make);
    add(r, names::kNodePorts, node_ports::make);
    add(r, names::kNodeResourcesFit, node_resources_fit::make);
    add(r, names::kVolumeRestrictions, volume_restrictions::make);
    add(r, names::kNodeVolumeLimits, node_volume_limits::make);
    add(r, names::kVolumeBinding, volume_binding::make);
    add(r, names::kVolumeZone, volume_zone::make);
    add(r, names::kPodTopologySpread, pod_topology_spread::make);
    add(r, names::kInterPodAffinity, inter_pod_affinity::make);
    add(r, names::kDefaultPreemption, default_preemption::make);
    add(r, names::kNodeResourcesBalancedAllocation, node_resources_balanced_allocation::make);
    add(r, names::kImageLocality, image_locality::make);
    add(r, names::kDefaultBinder, default_binder::make);
    add(r, names::kCoscheduling, coscheduling::make);
    return r;
}

config::args_defaulter make_args_defaulter() {
    using defaulter = result<YAML::Node> (*)(const YAML::Node&);
    static const std::map<std::string_view, defaulter, std::less<>> kArgs = {
        {names::kCoscheduling, &coscheduling::default_args},
        {names::kDefaultPreemption, &default_preemption::default_args},
        {names::kInterPodAffinity, &inter_pod_affinity::default_args},
        {names::kNodeAffinity, &node_affinity::default_args},
        {names::kNodeResourcesBalancedAllocation,
         &node_resources_balanced_allocation::default_args},
        {names::kNodeResourcesFit, &node_resources_fit::default_args},
        {names::kPodTopologySpread, &pod_topology_spread::default_args},
        {names::kVolumeBinding, &volume_binding::default_args},
    };
    return
        [](std::string_view plugin, const YAML::Node& args) -> std::optional<result<YAML::Node>> {
            const auto it = kArgs.find(plugin);
            if (it == kArgs.end()) {
                return std::nullopt;
            }
            return it->second(args);
        };
}

}  // namespace multisched::plugins
