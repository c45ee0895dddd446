// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_volume_limits/node_volume_limits.hpp"

#include <algorithm>
#include <array>

#include <openssl/evp.h>

#include "core/cache/object_store.hpp"
#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::node_volume_limits {
namespace {

using framework::code;
using framework::status;

inline constexpr std::size_t kResourceNameLengthLimit = 63;
inline constexpr std::string_view kBetaStorageClassAnnotation =
    "volume.beta.kubernetes.io/storage-class";

// The in-tree provisioners csi-translation-lib (v1.30) can migrate. Without migration support
// their volumes are not counted, as upstream when migration is off on the node.
constexpr std::array<std::string_view, 8> kMigratableInTreePlugins = {
    "kubernetes.io/aws-ebs",         "kubernetes.io/gce-pd",     "kubernetes.io/cinder",
    "kubernetes.io/azure-disk",      "kubernetes.io/azure-file", "kubernetes.io/vsphere-volume",
    "kubernetes.io/portworx-volume", "kubernetes.io/rbd",
};

bool is_migratable_in_tree_plugin(std::string_view provisioner) {
    return std::find(kMigratableInTreePlugins.begin(), kMigratableInTreePlugins.end(),
                     provisioner) != kMigratableInTreePlugins.end();
}

// storagehelpers.GetPersistentVolumeClaimClass: the beta annotation first, then the spec field.
std::string claim_class(const api::persistent_volume_claim& pvc) {
    if (const auto* c = pvc.annotations.find(kBetaStorageClassAnnotation)) {
        return *c;
    }
    return pvc.storage_class_name.value_or("");
}

std::string sha1_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha1(), nullptr);
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 0xf]);
    }
    return out;
}

}  // namespace

std::string csi_attach_limit_key(std::string_view driver) {
    std::string key(kCSIAttachLimitPrefix);
    if (key.size() + driver.size() >= kResourceNameLengthLimit) {
        return key.append(driver.substr(0, 23)).append(sha1_hex(driver).substr(0, 16));
    }
    return key.append(driver);
}

std::string_view node_volume_limits::name() const {
    return names::kNodeVolumeLimits;
}

status node_volume_limits::pre_filter(framework::cycle_state& /*state*/,
                                      const framework::pod_info& pod,
                                      std::span<const framework::node_info* const> /*nodes*/,
                                      framework::pre_filter_result& /*result*/) {
    const auto& volumes = pod.pod->volumes;
    if (std::any_of(volumes.begin(), volumes.end(), [](const api::volume& v) {
            return !v.pvc_claim_name.empty() || v.ephemeral;
        })) {
        return {};
    }
    return {code::skip, std::vector<std::string>{}};
}

volume_id node_volume_limits::driver_info_from_class(
    const api::persistent_volume_claim& pvc) const {
    // Without a class (or with a missing one) the claim binds immediately, so it must already be
    // bound before scheduling: not counting it is safe.
    const std::string class_name = claim_class(pvc);
    if (class_name.empty()) {
        return {};
    }
    const auto sc = handle_.objects().storage_classes.find(class_name);
    if (sc == nullptr || is_migratable_in_tree_plugin(sc->provisioner)) {
        return {};
    }
    return {sc->provisioner, cache::namespaced_key(pvc.meta.ns, pvc.meta.name), true};
}

volume_id node_volume_limits::driver_info(const api::persistent_volume_claim& pvc) const {
    if (pvc.volume_name.empty()) {
        return driver_info_from_class(pvc);
    }
    const auto pv = handle_.objects().pvs.find(pvc.volume_name);
    if (pv == nullptr) {
        // Deleted, or the claim is pre-bound to a volume not created yet: count by class.
        return driver_info_from_class(pvc);
    }
    if (pv->csi_driver.empty()) {
        return {};  // not a CSI volume (in-tree sources would need migration)
    }
    return {pv->csi_driver, pv->csi_volume_handle, false};
}

status node_volume_limits::attachable_volumes(const api::pod& pod, bool new_pod,
                                              volume_map& out) const {
    for (const auto& v : pod.volumes) {
        const std::string claim = api::volume_claim_name(pod, v);
        if (claim.empty()) {
            continue;  // inline volumes count only through CSI migration
        }
        const auto pvc = handle_.objects().pvcs.find(cache::namespaced_key(pod.meta.ns, claim));
        if (pvc == nullptr) {
            if (new_pod) {
                // The pod cannot run without it: unschedulable until the claim is created.
                return {code::unschedulable_and_unresolvable,
                        "looking up PVC " + pod.meta.ns + "/" + claim +
                            ": persistentvolumeclaim \"" + claim + "\" not found"};
            }
            continue;  // no guarantee the claim belongs to the running pod: not counted
        }
        auto id = driver_info(*pvc);
        if (id.driver.empty() || id.handle.empty()) {
            continue;
        }
        auto key = csi_attach_limit_key(id.driver);
        out.insert_or_assign(std::move(id), std::move(key));
    }
    return {};
}

std::map<std::string, std::int64_t> node_volume_limits::volume_limits(
    const api::node* node, const api::csi_node* csi_node) {
    std::map<std::string, std::int64_t> limits;
    if (node != nullptr) {
        for (const auto& [res, value] : node->allocatable.scalar) {
            if (res.starts_with(kAttachableVolumesPrefix)) {
                limits[res] = value;
            }
        }
    }
    if (csi_node != nullptr) {
        for (const auto& d : csi_node->drivers) {
            if (d.allocatable_count) {
                limits[csi_attach_limit_key(d.name)] = *d.allocatable_count;
            }
        }
    }
    return limits;
}

status node_volume_limits::filter(framework::cycle_state& /*state*/, const framework::pod_info& pod,
                                  const framework::node_info& node) {
    if (pod.pod->volumes.empty()) {
        return {};
    }
    volume_map new_volumes;
    if (auto s = attachable_volumes(*pod.pod, true, new_volumes); !s.is_success()) {
        return s;
    }
    if (new_volumes.empty()) {
        return {};
    }
    // No CSINode: only the node's allocatable can carry limits.
    const auto csi_node = handle_.objects().csi_nodes.find(node.name());
    const auto limits = volume_limits(node.node(), csi_node.get());
    if (limits.empty()) {
        return {};
    }

    volume_map attached;
    for (const auto& other : node.pods()) {
        (void)attachable_volumes(*other->pod, false, attached);  // never fails for existing pods
    }
    std::map<std::string, std::int64_t> attached_count;
    for (const auto& [id, key] : attached) {
        new_volumes.erase(id);  // a volume shared with a pod on the node takes no new slot
        ++attached_count[key];
    }
    std::map<std::string, std::int64_t> new_count;
    for (const auto& [id, key] : new_volumes) {
        ++new_count[key];
    }
    for (const auto& [key, count] : new_count) {
        const auto limit = limits.find(key);
        if (limit != limits.end() && attached_count[key] + count > limit->second) {
            return {code::unschedulable,
                    framework::constant_reason{kErrReasonMaxVolumeCountExceeded}};
        }
    }
    return {};
}

// Upstream without queueing hints: CSINode Add (a new CSINode may lift limits), Pod Delete (frees
// attachments; assigned pods only hold them), PVC Add (a missing claim was created).
std::vector<framework::cluster_event> node_volume_limits::events_to_register() const {
    return {{framework::event_resource::csi_node, framework::action_add},
            {framework::event_resource::assigned_pod, framework::action_delete},
            {framework::event_resource::persistent_volume_claim, framework::action_add}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h) {
    if (auto ok = helper::check_keys(args, names::kNodeVolumeLimits, "", {}); !ok) {
        return ok.error();
    }
    return std::unique_ptr<framework::plugin>(std::make_unique<node_volume_limits>(h));
}

}  // namespace multisched::plugins::node_volume_limits
