// SPDX-License-Identifier: Apache-2.0
// VolumeBinding's cycle state (upstream stateData): the pod's claims sorted by PreFilter, the
// per-node decisions of Filter (upstream PodVolumes), and whether Reserve found them all bound.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/storage_types.hpp"
#include "core/api/types.hpp"
#include "core/framework/cycle_state.hpp"
#include "plugins/names.hpp"
#include "plugins/volume_binding/pv_util.hpp"

namespace multisched::plugins::volume_binding {

inline constexpr std::string_view kStateKey = names::kVolumeBinding;

using pvc_ptr = std::shared_ptr<const api::persistent_volume_claim>;
using pv_ptr = std::shared_ptr<const api::persistent_volume>;

// A fully bound claim and its volume (null when the volume does not exist).
struct bound_claim {
    pvc_ptr claim;
    pv_ptr pv;
    volume_affinity affinity;
};

// An unbound claim of a WaitForFirstConsumer class.
struct unbound_claim {
    pvc_ptr claim;
    std::string class_name;
};

// What provisioning needs of a class (null class: it does not exist).
struct class_info {
    std::shared_ptr<const api::storage_class> storage_class;
};

// upstream PodVolumeClaims, plus the classes and volumes the unbound claims may use.
struct pod_volume_claims {
    std::vector<bound_claim> bound;
    std::vector<unbound_claim> unbound_delay_binding;  // by increasing storage request
    std::map<std::string, std::vector<candidate_pv>, std::less<>> volumes_by_class;
    std::map<std::string, class_info, std::less<>> classes;
};

// A static binding decision: `pv` is the volume Filter chose, or after Reserve the assumed copy
// with its claimRef set.
struct binding_info {
    pvc_ptr claim;
    pv_ptr pv;
};

// upstream PodVolumes: the decisions for one node.
struct pod_volumes {
    std::vector<binding_info> static_bindings;
    // Claims to provision; after Reserve the assumed copies with the selected-node annotation.
    std::vector<pvc_ptr> dynamic_provisions;
    std::shared_ptr<const api::node> node;  // the node as Filter saw it (PreBind's checks)
};

struct state final : framework::cycle_state::cloneable<state> {
    bool has_claims = false;  // false: PreFilter returned Skip
    pod_volume_claims claims;
    std::map<std::string, pod_volumes, std::less<>> by_node;
    bool all_bound = false;  // set by Reserve
};

}  // namespace multisched::plugins::volume_binding
