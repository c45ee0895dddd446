// SPDX-License-Identifier: Apache-2.0
#include "plugins/registry.hpp"

#include <catch2/catch.hpp>

#include "plugins/names.hpp"

namespace multisched::plugins {
namespace {

TEST_CASE("registry.in_tree") {
    const auto r = make_in_tree_registry();
    for (auto name :
         {names::kSchedulingGates, names::kPrioritySort, names::kNodeUnschedulable,
          names::kNodeName, names::kTaintToleration, names::kNodeAffinity, names::kNodePorts,
          names::kNodeResourcesFit, names::kVolumeRestrictions, names::kNodeVolumeLimits,
          names::kVolumeBinding, names::kVolumeBinding, names::kVolumeZone,
          names::kPodTopologySpread, names::kInterPodAffinity, names::kDefaultPreemption,
          names::kNodeResourcesBalancedAllocation, names::kImageLocality, names::kDefaultBinder}) {
        DYNAMIC_SECTION(name) {
            CHECK(r.contains(name));
        }
    }
    CHECK_FALSE(r.contains("NoSuchPlugin"));
}

}  // namespace
}  // namespace multisched::plugins
