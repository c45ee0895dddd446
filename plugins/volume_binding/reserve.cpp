// SPDX-License-Identifier: Apache-2.0
// Reserve and Unreserve (upstream volume_binding.go Reserve/Unreserve, binder.go
// AssumePodVolumes/RevertAssumedPodVolumes).
#include <fmt/format.h>

#include "plugins/volume_binding/volume_binding.hpp"

namespace multisched::plugins::volume_binding {
namespace {

using framework::status;

// upstream arePodVolumesBound, on the claims as assumed.
bool all_claims_bound(const api::pod& pod, const cache::cluster_objects& objects,
                      const assume_cache& assumed) {
    for (const auto& v : pod.volumes) {
        const std::string name = api::volume_claim_name(pod, v);
        if (name.empty()) {
            continue;
        }
        const auto pvc = assumed.pvc(objects, cache::namespaced_key(pod.meta.ns, name));
        if (pvc == nullptr || !is_pvc_fully_bound(*pvc)) {
            return false;
        }
    }
    return true;
}

void revert(assume_cache& assumed, const pod_volumes& volumes) {
    for (const auto& b : volumes.static_bindings) {
        assumed.pvs.restore(b.pv->meta.name);
    }
    for (const auto& c : volumes.dynamic_provisions) {
        assumed.pvcs.restore(cache::namespaced_key(c->meta.ns, c->meta.name));
    }
}

}  // namespace

status volume_binding::reserve(framework::cycle_state& cs, const framework::pod_info& pod,
                               const std::string& node) {
    auto* st = cs.read<state>(kStateKey);
    if (st == nullptr) {
        return status::error(fmt::format("reading \"{}\" from cycleState: not found", kStateKey));
    }
    const auto it = st->by_node.find(node);
    const cache::cluster_objects& objects = handle_.objects();
    if (it == st->by_node.end() || all_claims_bound(*pod.pod, objects, assumed_)) {
        st->all_bound = true;  // no claims, or nothing left to do
        return {};
    }
    pod_volumes& volumes = it->second;
    pod_volumes assumed;  // what was assumed so far, for the revert on failure
    assumed.node = volumes.node;
    for (const auto& b : volumes.static_bindings) {
        auto [pv, dirty] = bind_volume_to_claim(*b.pv, *b.claim);
        if (dirty) {
            if (auto ok = assumed_.pvs.assume(objects.pvs, pv->meta.name, pv); !ok) {
                revert(assumed_, assumed);
                return count_stage_error("assume", status::error(ok.error().message));
            }
        }
        assumed.static_bindings.push_back({b.claim, std::move(pv)});
    }
    for (const auto& c : volumes.dynamic_provisions) {
        auto claim = std::make_shared<api::persistent_volume_claim>(*c);
        claim->annotations.set(std::string(api::kAnnSelectedNode), node);
        const std::string key = cache::namespaced_key(claim->meta.ns, claim->meta.name);
        if (auto ok = assumed_.pvcs.assume(objects.pvcs, key, claim); !ok) {
            revert(assumed_, assumed);
            return count_stage_error("assume", status::error(ok.error().message));
        }
        assumed.dynamic_provisions.push_back(std::move(claim));
    }
    volumes = std::move(assumed);
    st->all_bound = false;
    return {};
}

void volume_binding::unreserve(framework::cycle_state& cs, const framework::pod_info& /*pod*/,
                               const std::string& node) {
    const auto* st = cs.read<state>(kStateKey);
    if (st == nullptr) {
        return;
    }
    if (const auto it = st->by_node.find(node); it != st->by_node.end()) {
        revert(assumed_, it->second);
    }
}

}  // namespace multisched::plugins::volume_binding
