// SPDX-License-Identifier: Apache-2.0
#include "plugins/volume_zone/volume_zone.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/api/storage_types.hpp"
#include "core/cache/object_store.hpp"
#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::volume_zone {
namespace {

using framework::code;
using framework::status;

inline constexpr std::string_view kZoneDelimiter = "__";

// The labels compared, in upstream's order.
constexpr std::array<std::string_view, 4> kTopologyLabels = {
    kLabelFailureDomainBetaZone,
    kLabelFailureDomainBetaRegion,
    kLabelTopologyZone,
    kLabelTopologyRegion,
};

struct state_data final : framework::cycle_state::cloneable<state_data> {
    explicit state_data(std::vector<pv_topology> t) : topologies(std::move(t)) {}
    std::vector<pv_topology> topologies;
};

// The GA label a beta zone/region label stands for; other keys unchanged.
std::string_view to_ga_label(std::string_view key) {
    if (key == kLabelFailureDomainBetaRegion) {
        return kLabelTopologyRegion;
    }
    if (key == kLabelFailureDomainBetaZone) {
        return kLabelTopologyZone;
    }
    return key;
}

std::string_view trim_space(std::string_view s) {
    constexpr std::string_view kSpace = " \t\n\v\f\r";
    const auto first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// storagehelpers.GetPersistentVolumeClaimClass: the beta annotation first, then the spec field.
std::string claim_class(const api::persistent_volume_claim& pvc) {
    if (const auto* c = pvc.annotations.find(kBetaStorageClassAnnotation)) {
        return *c;
    }
    return pvc.storage_class_name.value_or("");
}

status unresolvable(std::string reason) {
    return {code::unschedulable_and_unresolvable, std::move(reason)};
}

// The apiserver's NotFound message as the informer listers phrase it.
status not_found(std::string_view resource, std::string_view name) {
    return unresolvable(std::string(resource) + " \"" + std::string(name) + "\" not found");
}

}  // namespace

std::optional<std::vector<std::string>> label_zones_to_set(std::string_view value) {
    std::vector<std::string> zones;
    while (true) {
        const auto pos = value.find(kZoneDelimiter);
        const auto zone = trim_space(value.substr(0, pos));
        if (zone.empty()) {
            return std::nullopt;
        }
        zones.emplace_back(zone);
        if (pos == std::string_view::npos) {
            break;
        }
        value.remove_prefix(pos + kZoneDelimiter.size());
    }
    std::sort(zones.begin(), zones.end());
    zones.erase(std::unique(zones.begin(), zones.end()), zones.end());
    return zones;
}

std::string_view volume_zone::name() const {
    return names::kVolumeZone;
}

status volume_zone::pv_topologies(const api::pod& pod, std::vector<pv_topology>& out) const {
    const auto& objects = handle_.objects();
    for (const auto& v : pod.volumes) {
        if (v.pvc_claim_name.empty()) {
            continue;  // only PersistentVolumeClaim sources (not ephemeral volumes), as upstream
        }
        const auto pvc = objects.pvcs.find(cache::namespaced_key(pod.meta.ns, v.pvc_claim_name));
        if (pvc == nullptr) {
            return not_found("persistentvolumeclaim", v.pvc_claim_name);
        }
        if (pvc->volume_name.empty()) {
            const std::string class_name = claim_class(*pvc);
            if (class_name.empty()) {
                return unresolvable("PersistentVolumeClaim had no pv name and storageClass name");
            }
            const auto sc = objects.storage_classes.find(class_name);
            if (sc == nullptr) {
                return not_found("storageclass.storage.k8s.io", class_name);
            }
            if (sc->volume_binding_mode.empty()) {
                return unresolvable("VolumeBindingMode not set for StorageClass \"" + class_name +
                                    "\"");
            }
            if (sc->volume_binding_mode == api::kVolumeBindingWaitForFirstConsumer) {
                continue;  // VolumeBinding picks a node for the unbound claim
            }
            return unresolvable("PersistentVolume had no name");
        }
        const auto pv = objects.pvs.find(pvc->volume_name);
        if (pv == nullptr) {
            return not_found("persistentvolume", pvc->volume_name);
        }
        for (const auto key : kTopologyLabels) {
            const auto* value = pv->meta.labels.find(key);
            if (value == nullptr) {
                continue;
            }
            auto zones = label_zones_to_set(*value);
            if (!zones) {
                continue;  // an unparsable label is ignored
            }
            out.push_back({pv->meta.name, std::string(key), std::move(*zones)});
        }
    }
    return {};
}

status volume_zone::pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                               std::span<const framework::node_info* const> /*nodes*/,
                               framework::pre_filter_result& /*result*/) {
    std::vector<pv_topology> topologies;
    if (auto s = pv_topologies(*pod.pod, topologies); !s.is_success()) {
        return s;
    }
    if (topologies.empty()) {
        return {code::skip, std::vector<std::string>{}};
    }
    state.write(kPreFilterStateKey, std::make_unique<state_data>(std::move(topologies)));
    return {};
}

status volume_zone::filter(framework::cycle_state& state, const framework::pod_info& pod,
                           const framework::node_info& node) {
    if (pod.pod->volumes.empty()) {
        return {};
    }
    std::vector<pv_topology> computed;
    const std::vector<pv_topology>* topologies = &computed;
    if (const auto* s = state.read<state_data>(kPreFilterStateKey)) {
        topologies = &s->topologies;
    } else if (auto st = pv_topologies(*pod.pod, computed); !st.is_success()) {
        return st;
    }
    if (node.node() == nullptr) {
        return status::error("node not found");
    }
    const auto& labels = node.node()->meta.labels;
    // A node without any zone/region label (single-zone clusters) accepts every volume.
    if (std::none_of(kTopologyLabels.begin(), kTopologyLabels.end(),
                     [&](std::string_view key) { return labels.contains(key); })) {
        return {};
    }
    for (const auto& t : *topologies) {
        const auto* value = labels.find(t.key);
        if (value == nullptr) {
            value = labels.find(to_ga_label(t.key));  // a beta PV label matches the GA node label
        }
        if (value == nullptr || !std::binary_search(t.values.begin(), t.values.end(), *value)) {
            return unresolvable(std::string(kErrReasonConflict));
        }
    }
    return {};
}

// Upstream without queueing hints: StorageClass Add (a new WaitForFirstConsumer class; the binding
// mode is immutable), Node Add|UpdateNodeLabel|UpdateNodeTaint (UpdateNodeTaint because the queue
// pre-check may drop a Node/Add, #110175), PVC Add|Update (created, or bound), PV Add|Update (new
// zone labels).
std::vector<framework::cluster_event> volume_zone::events_to_register() const {
    return {{framework::event_resource::storage_class, framework::action_add},
            {framework::event_resource::node, framework::action_add |
                                                  framework::action_update_node_label |
                                                  framework::action_update_node_taint},
            {framework::event_resource::persistent_volume_claim,
             framework::action_add | framework::action_update},
            {framework::event_resource::persistent_volume,
             framework::action_add | framework::action_update}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h) {
    if (auto ok = helper::check_keys(args, names::kVolumeZone, "", {}); !ok) {
        return ok.error();
    }
    return std::unique_ptr<framework::plugin>(std::make_unique<volume_zone>(h));
}

}  // namespace multisched::plugins::volume_zone
