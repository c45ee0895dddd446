// SPDX-License-Identifier: Apache-2.0
#include "plugins/volume_restrictions/volume_restrictions.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "core/api/storage_types.hpp"
#include "core/cache/object_store.hpp"
#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::volume_restrictions {
namespace {

using framework::code;
using framework::status;

// The pod's ReadWriteOncePod claims and how many volumes of scheduled pods refer to them.
struct pre_filter_state final : framework::cycle_state::cloneable<pre_filter_state> {
    std::string ns;                        // the pod's namespace: claims are namespaced
    std::vector<std::string> rwop_claims;  // sorted, unique
    std::int64_t conflicting_refs = 0;

    // Volumes of `p` that use one of the claims.
    std::int64_t refs_of(const api::pod& p) const {
        if (rwop_claims.empty() || p.meta.ns != ns) {
            return 0;
        }
        std::int64_t n = 0;
        for (const auto& v : p.volumes) {
            if (!v.pvc_claim_name.empty() &&
                std::binary_search(rwop_claims.begin(), rwop_claims.end(), v.pvc_claim_name)) {
                ++n;
            }
        }
        return n;
    }
};

bool has_gce_pd(const api::volume& v) {
    return !v.gce_pd_name.empty();
}
bool has_aws_ebs(const api::volume& v) {
    return !v.aws_ebs_volume_id.empty();
}
bool has_rbd(const api::volume& v) {
    return !v.rbd_image.empty() || !v.rbd_monitors.empty();
}
bool has_iscsi(const api::volume& v) {
    return !v.iscsi_iqn.empty() || !v.iscsi_target_portal.empty();
}

bool have_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return std::any_of(a.begin(), a.end(), [&](const std::string& x) {
        return std::find(b.begin(), b.end(), x) != b.end();
    });
}

// Whether the two mounts of the same disk clash.
bool clash(const api::volume& v, const api::volume& e) {
    const bool both_read_only = v.read_only && e.read_only;
    if (has_gce_pd(v) && has_gce_pd(e) && v.gce_pd_name == e.gce_pd_name && !both_read_only) {
        return true;
    }
    if (has_aws_ebs(v) && has_aws_ebs(e) && v.aws_ebs_volume_id == e.aws_ebs_volume_id) {
        return true;
    }
    if (has_iscsi(v) && has_iscsi(e) && v.iscsi_iqn == e.iscsi_iqn && !both_read_only) {
        return true;
    }
    return has_rbd(v) && has_rbd(e) && have_overlap(v.rbd_monitors, e.rbd_monitors) &&
           v.rbd_pool == e.rbd_pool && v.rbd_image == e.rbd_image && !both_read_only;
}

bool has_access_mode(const api::persistent_volume_claim& pvc, std::string_view mode) {
    return std::find(pvc.access_modes.begin(), pvc.access_modes.end(), mode) !=
           pvc.access_modes.end();
}

status missing_state() {
    return status::error("cannot read \"" + std::string(kPreFilterStateKey) + "\" from cycleState");
}

}  // namespace

bool needs_restrictions_check(const api::volume& v) {
    return has_gce_pd(v) || has_aws_ebs(v) || has_rbd(v) || has_iscsi(v);
}

bool is_volume_conflict(const api::volume& v, const api::pod& existing) {
    return std::any_of(existing.volumes.begin(), existing.volumes.end(),
                       [&](const api::volume& e) { return clash(v, e); });
}

bool satisfies_volume_conflicts(const api::pod& pod, const framework::node_info& node) {
    for (const auto& v : pod.volumes) {
        if (!needs_restrictions_check(v)) {
            continue;
        }
        for (const auto& other : node.pods()) {
            if (is_volume_conflict(v, *other->pod)) {
                return false;
            }
        }
    }
    return true;
}

std::string_view volume_restrictions::name() const {
    return names::kVolumeRestrictions;
}

status volume_restrictions::pre_filter(framework::cycle_state& state,
                                       const framework::pod_info& pod,
                                       std::span<const framework::node_info* const> nodes,
                                       framework::pre_filter_result& /*result*/) {
    const api::pod& p = *pod.pod;
    const bool needs_check =
        std::any_of(p.volumes.begin(), p.volumes.end(), needs_restrictions_check);

    auto s = std::make_unique<pre_filter_state>();
    s->ns = p.meta.ns;
    const auto& pvcs = handle_.objects().pvcs;
    for (const auto& v : p.volumes) {
        if (v.pvc_claim_name.empty()) {
            continue;
        }
        const auto pvc = pvcs.find(cache::namespaced_key(p.meta.ns, v.pvc_claim_name));
        if (pvc == nullptr) {
            return {code::unschedulable_and_unresolvable,
                    "persistentvolumeclaim \"" + v.pvc_claim_name + "\" not found"};
        }
        if (has_access_mode(*pvc, api::kReadWriteOncePod)) {
            s->rwop_claims.push_back(v.pvc_claim_name);
        }
    }
    std::sort(s->rwop_claims.begin(), s->rwop_claims.end());
    s->rwop_claims.erase(std::unique(s->rwop_claims.begin(), s->rwop_claims.end()),
                         s->rwop_claims.end());

    if (!s->rwop_claims.empty()) {
        for (const auto* node : nodes) {
            for (const auto& other : node->pods()) {
                s->conflicting_refs += s->refs_of(*other->pod);
            }
        }
    }
    if (!needs_check && s->conflicting_refs == 0) {
        return {code::skip, std::vector<std::string>{}};
    }
    state.write(kPreFilterStateKey, std::move(s));
    return {};
}

status volume_restrictions::update_with_pod(framework::cycle_state& state, const api::pod& other,
                                            int multiplier) {
    auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    if (s == nullptr) {
        return missing_state();
    }
    s->conflicting_refs += multiplier * s->refs_of(other);
    return {};
}

status volume_restrictions::add_pod(framework::cycle_state& state,
                                    const framework::pod_info& /*pod*/,
                                    const framework::pod_info& other,
                                    const framework::node_info& /*node*/) {
    return update_with_pod(state, *other.pod, 1);
}

status volume_restrictions::remove_pod(framework::cycle_state& state,
                                       const framework::pod_info& /*pod*/,
                                       const framework::pod_info& other,
                                       const framework::node_info& /*node*/) {
    return update_with_pod(state, *other.pod, -1);
}

status volume_restrictions::filter(framework::cycle_state& state, const framework::pod_info& pod,
                                   const framework::node_info& node) {
    if (!satisfies_volume_conflicts(*pod.pod, node)) {
        return {code::unschedulable, framework::constant_reason{kErrReasonDiskConflict}};
    }
    const auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    if (s == nullptr) {
        return missing_state();
    }
    if (s->conflicting_refs > 0) {
        return {code::unschedulable,
                framework::constant_reason{kErrReasonReadWriteOncePodConflict}};
    }
    return {};
}

// Upstream without queueing hints: assigned Pod Delete (volumes are immutable, so pod updates are
// ignored), Node Add (+UpdateNodeTaint|UpdateNodeLabel, as every plugin registering Node/Add,
// because the queue pre-check may drop a Node/Add, #109437), PVC Add (the claim must exist to
// read its access modes).
std::vector<framework::cluster_event> volume_restrictions::events_to_register() const {
    return {{framework::event_resource::assigned_pod, framework::action_delete},
            {framework::event_resource::node, framework::action_add |
                                                  framework::action_update_node_taint |
                                                  framework::action_update_node_label},
            {framework::event_resource::persistent_volume_claim, framework::action_add}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h) {
    if (auto ok = helper::check_keys(args, names::kVolumeRestrictions, "", {}); !ok) {
        return ok.error();
    }
    return std::unique_ptr<framework::plugin>(std::make_unique<volume_restrictions>(h));
}

}  // namespace multisched::plugins::volume_restrictions
