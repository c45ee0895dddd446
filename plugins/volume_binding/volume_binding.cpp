// SPDX-License-Identifier: Apache-2.0
// PreFilter and Filter (upstream volume_binding.go PreFilter/Filter, binder.go
// GetPodVolumeClaims/FindPodVolumes), events and the factory.
#include "plugins/volume_binding/volume_binding.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/metrics/scheduler_metrics.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::volume_binding {
namespace {

using framework::code;
using framework::status;

status unresolvable(std::string reason) {
    return {code::unschedulable_and_unresolvable, std::move(reason)};
}

// upstream podHasPVCs on the informer's claims: whether any volume uses a claim, or the rejection
// of the first missing, lost or deleting one.
status check_claims_exist(const api::pod& pod, const cache::cluster_objects& objects,
                          bool& has_claims) {
    for (const auto& v : pod.volumes) {
        const std::string name = api::volume_claim_name(pod, v);
        if (name.empty()) {
            continue;
        }
        has_claims = true;
        const auto pvc = objects.pvcs.find(cache::namespaced_key(pod.meta.ns, name));
        if (pvc == nullptr) {
            // Normal right after creating a pod with a generic ephemeral volume.
            return unresolvable(
                v.pvc_claim_name.empty()
                    ? fmt::format("waiting for ephemeral volume controller to create the "
                                  "persistentvolumeclaim \"{}\"",
                                  name)
                    : fmt::format("persistentvolumeclaim \"{}\" not found", name));
        }
        if (pvc->phase == kClaimLost) {
            return unresolvable(fmt::format(
                "persistentvolumeclaim \"{}\" bound to non-existent persistentvolume \"{}\"", name,
                pvc->volume_name));
        }
        if (pvc->meta.deleting) {
            return unresolvable(fmt::format("persistentvolumeclaim \"{}\" is being deleted", name));
        }
    }
    return {};
}

// upstream IsDelayBindingMode: no class or an unknown class binds immediately.
bool is_delay_binding(std::string_view class_name, const cache::cluster_objects& objects) {
    if (class_name.empty()) {
        return false;
    }
    const auto sc = objects.storage_classes.find(class_name);
    return sc != nullptr && sc->volume_binding_mode == api::kVolumeBindingWaitForFirstConsumer;
}

// Whether the node suits the unbound claims (upstream unboundVolumesSatisfied), or why it could
// not be evaluated.
struct unbound_outcome {
    bool satisfied = true;
    std::string error;  // non-empty: the node cannot be evaluated
};

// upstream checkVolumeProvisions: every claim's class has a provisioner and allows the node.
unbound_outcome check_provisions(const std::vector<const unbound_claim*>& claims,
                                 const pod_volume_claims& pvc_state, const api::node& node,
                                 pod_volumes& out) {
    for (const auto* c : claims) {
        if (c->class_name.empty()) {
            return {false, fmt::format("no class for claim \"{}/{}\"", c->claim->meta.ns,
                                       c->claim->meta.name)};
        }
        const auto it = pvc_state.classes.find(c->class_name);
        if (it == pvc_state.classes.end() || it->second.storage_class == nullptr) {
            return {false, fmt::format("failed to find storage class \"{}\"", c->class_name)};
        }
        const api::storage_class& sc = *it->second.storage_class;
        if (sc.provisioner.empty() || sc.provisioner == kNotSupportedProvisioner ||
            !topology_matches(sc.allowed_topologies, node.meta.labels)) {
            out.dynamic_provisions.clear();
            return {false, ""};
        }
        out.dynamic_provisions.push_back(c->claim);
    }
    return {};
}

// upstream FindPodVolumes for the unbound claims: the selected-node fast path, then
// findMatchingVolumes, then checkVolumeProvisions for the claims left. Decisions go to `out`.
unbound_outcome check_unbound(const pod_volume_claims& pvc_state, const api::node& node,
                              pod_volumes& out) {
    std::vector<const unbound_claim*> to_match;
    std::vector<const unbound_claim*> to_provision;
    for (const auto& c : pvc_state.unbound_delay_binding) {
        const std::string* selected = c.claim->annotations.find(api::kAnnSelectedNode);
        if (selected == nullptr) {
            to_match.push_back(&c);
        } else if (*selected == node.meta.name) {
            to_provision.push_back(&c);
        } else {
            return {false, ""};  // provisioning already started for another node
        }
    }
    unbound_outcome result;
    std::set<std::string, std::less<>> chosen;
    for (const auto* c : to_match) {
        const auto vols = pvc_state.volumes_by_class.find(c->class_name);
        const std::span<const candidate_pv> pvs = vols == pvc_state.volumes_by_class.end()
                                                      ? std::span<const candidate_pv>()
                                                      : std::span<const candidate_pv>(vols->second);
        auto pv = find_matching_volume(*c->claim, c->class_name, pvs, node.meta.labels, chosen);
        if (!pv) {
            return {false, pv.error().message};
        }
        if (*pv == nullptr) {
            to_provision.push_back(c);
            result.satisfied = false;
            continue;
        }
        chosen.insert((*pv)->meta.name);
        out.static_bindings.push_back({c->claim, *pv});
    }
    // Claims without a volume may still be provisioned: that decides for them.
    if (!to_provision.empty()) {
        return check_provisions(to_provision, pvc_state, node, out);
    }
    return result;
}

}  // namespace

volume_binding::volume_binding(const volume_binding_args& args, framework::handle& h,
                               std::chrono::milliseconds poll_interval)
    : handle_(h),
      bind_timeout_(std::chrono::seconds(args.bind_timeout_seconds)),
      poll_interval_(poll_interval) {}

std::string_view volume_binding::name() const {
    return names::kVolumeBinding;
}

status volume_binding::pre_filter(framework::cycle_state& cs, const framework::pod_info& info,
                                  std::span<const framework::node_info* const> /*nodes*/,
                                  framework::pre_filter_result& /*result*/) {
    const api::pod& pod = *info.pod;
    const cache::cluster_objects& objects = handle_.objects();
    assumed_.prune(objects);
    auto st = std::make_unique<state>();
    bool has_claims = false;
    if (status s = check_claims_exist(pod, objects, has_claims); !s.is_success()) {
        return s;
    }
    if (!has_claims) {
        cs.write(kStateKey, std::move(st));
        return {code::skip, std::vector<std::string>{}};
    }
    // upstream GetPodVolumeClaims, on the claims as assumed.
    const std::string default_class = default_class_name(objects.storage_classes);
    pod_volume_claims& claims = st->claims;
    bool unbound_immediate = false;
    for (const auto& v : pod.volumes) {
        const std::string name = api::volume_claim_name(pod, v);
        if (name.empty()) {
            continue;
        }
        const std::string key = cache::namespaced_key(pod.meta.ns, name);
        pvc_ptr pvc = assumed_.pvc(objects, key);
        if (pvc == nullptr) {
            return status::error(fmt::format("error getting PVC \"{}\": not found", key));
        }
        if (is_pvc_fully_bound(*pvc)) {
            pv_ptr pv = assumed_.pv(objects, pvc->volume_name);
            volume_affinity affinity = pv ? volume_affinity(pv->node_affinity) : volume_affinity();
            claims.bound.push_back({std::move(pvc), std::move(pv), std::move(affinity)});
            continue;
        }
        std::string class_name = claim_class(*pvc, default_class);
        // Pre-bound claims are left to the PV controller, like immediate ones.
        if (!is_delay_binding(class_name, objects) || !pvc->volume_name.empty()) {
            unbound_immediate = true;
            continue;
        }
        claims.unbound_delay_binding.push_back({std::move(pvc), std::move(class_name)});
    }
    if (unbound_immediate) {
        // The PV controller binds these; the claim update requeues the pod.
        return unresolvable(std::string(kErrUnboundImmediate));
    }
    // Smallest requests first, so they get the smallest volumes.
    std::stable_sort(claims.unbound_delay_binding.begin(), claims.unbound_delay_binding.end(),
                     [](const unbound_claim& a, const unbound_claim& b) {
                         return a.claim->storage_request < b.claim->storage_request;
                     });
    for (const auto& c : claims.unbound_delay_binding) {
        if (claims.volumes_by_class.contains(c.class_name)) {
            continue;
        }
        auto& candidates = claims.volumes_by_class[c.class_name];
        for (auto& pv : assumed_.pvs_of_class(objects, c.class_name)) {
            volume_affinity affinity(pv->node_affinity);
            candidates.push_back({std::move(pv), std::move(affinity)});
        }
        claims.classes[c.class_name] = {objects.storage_classes.find(c.class_name)};
    }
    st->has_claims = true;
    cs.write(kStateKey, std::move(st));
    return {};
}

status volume_binding::count_stage_error(std::string_view stage, status s) const {
    if (auto* m = handle_.metrics()) {
        m->volume_scheduling_stage_errors.with({stage}).inc();
    }
    return s;
}

status volume_binding::filter(framework::cycle_state& cs, const framework::pod_info& /*pod*/,
                              const framework::node_info& node_info) {
    auto* st = cs.read<state>(kStateKey);
    if (st == nullptr) {
        return status::error(fmt::format("reading \"{}\" from cycleState: not found", kStateKey));
    }
    const api::node* node = node_info.node();
    if (node == nullptr) {
        return status::error("node not found");
    }
    // upstream checkBoundClaims: stops at the first missing volume or affinity conflict.
    bool bound_satisfied = true;
    bool bound_pvs_found = true;
    for (const auto& b : st->claims.bound) {
        if (b.pv == nullptr) {
            bound_pvs_found = false;
            break;
        }
        if (!b.affinity.matches(node->meta.labels)) {
            bound_satisfied = false;
            break;
        }
    }
    pod_volumes out;
    out.node = node_info.node_ptr();
    const unbound_outcome unbound = check_unbound(st->claims, *node, out);
    if (!unbound.error.empty()) {
        return count_stage_error("predicate", status::error(unbound.error));
    }
    std::vector<std::string> reasons;
    if (!bound_satisfied) {
        reasons.emplace_back(kErrReasonNodeConflict);
    }
    if (!unbound.satisfied) {
        reasons.emplace_back(kErrReasonBindConflict);
    }
    if (!bound_pvs_found) {
        reasons.emplace_back(kErrReasonPVNotExist);
    }
    if (!reasons.empty()) {
        return {code::unschedulable_and_unresolvable, std::move(reasons)};
    }
    st->by_node.insert_or_assign(node_info.name(), std::move(out));
    return {};
}

std::vector<framework::cluster_event> volume_binding::events_to_register() const {
    using framework::event_resource;
    constexpr std::uint32_t kAddOrUpdate = framework::action_add | framework::action_update;
    return {
        // A new class, or new allowedTopologies, may allow provisioning.
        {event_resource::storage_class, kAddOrUpdate},
        // Claims and volumes get bound, created, released.
        {event_resource::persistent_volume_claim, kAddOrUpdate},
        {event_resource::persistent_volume, kAddOrUpdate},
        // New nodes and labels may match volume node affinity or allowedTopologies; taints are
        // registered like upstream does without queueing hints (issue #109437).
        {event_resource::node, framework::action_add | framework::action_update_node_label |
                                   framework::action_update_node_taint},
        // In-tree volumes are translated to CSI per CSINode.
        {event_resource::csi_node, kAddOrUpdate},
    };
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h) {
    auto parsed = parse_args(args);
    if (!parsed) {
        return parsed.error();
    }
    return std::unique_ptr<framework::plugin>(std::make_unique<volume_binding>(*parsed, h));
}

}  // namespace multisched::plugins::volume_binding
