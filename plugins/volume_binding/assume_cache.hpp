// SPDX-License-Identifier: Apache-2.0
// The plugin's assume overlay over the informer stores (upstream volumebinding assume_cache.go):
// Reserve records a PV with its claimRef set, or a PVC with its selected-node annotation, so the
// next pods see the decision before the informer delivers the apiserver's copy. An assumed
// object hides the informer's copy only while that copy is not newer (by resourceVersion); a
// newer or deleted informer object ends the assumption. Single-threaded, like the stores.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/storage_types.hpp"
#include "core/cache/object_store.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::volume_binding {

// One kind of object: T is persistent_volume (keyed by name) or persistent_volume_claim
// (keyed by namespace/name). `kind` names it in errors ("v1.PersistentVolume").
template <class T>
class assumed_objects {
  public:
    explicit assumed_objects(std::string_view kind) : kind_(kind) {}

    // The assumed object under `key` if it still stands, else the store's (null if absent).
    std::shared_ptr<const T> get(const cache::object_store<T>& store, std::string_view key) const;
    // Assumes `obj` under `key`. Errors, like upstream Assume: the store has no such object, or
    // the store's copy is newer than `obj`.
    result<void> assume(const cache::object_store<T>& store, std::string key,
                        std::shared_ptr<const T> obj);
    // Drops the assumption under `key` (upstream Restore); unknown keys are ignored.
    void restore(std::string_view key);
    // Drops every assumption the store has moved past (newer, or deleted).
    void prune(const cache::object_store<T>& store);
    std::size_t size() const { return items_.size(); }

  private:
    bool stands(const cache::object_store<T>& store, std::string_view key, const T& assumed) const;

    std::string kind_;
    std::map<std::string, std::shared_ptr<const T>, std::less<>> items_;
};

class assume_cache {
  public:
    assume_cache() : pvs("v1.PersistentVolume"), pvcs("v1.PersistentVolumeClaim") {}

    std::shared_ptr<const api::persistent_volume> pv(const cache::cluster_objects& objects,
                                                     std::string_view name) const {
        return pvs.get(objects.pvs, name);
    }
    std::shared_ptr<const api::persistent_volume_claim> pvc(const cache::cluster_objects& objects,
                                                            std::string_view key) const {
        return pvcs.get(objects.pvcs, key);
    }
    // Every volume whose spec.storageClassName is `class_name`, assumed copies substituted, in
    // name order (upstream PVAssumeCache.ListPVs).
    std::vector<std::shared_ptr<const api::persistent_volume>> pvs_of_class(
        const cache::cluster_objects& objects, std::string_view class_name) const;
    void prune(const cache::cluster_objects& objects) {
        pvs.prune(objects.pvs);
        pvcs.prune(objects.pvcs);
    }

    assumed_objects<api::persistent_volume> pvs;
    assumed_objects<api::persistent_volume_claim> pvcs;
};

}  // namespace multisched::plugins::volume_binding
