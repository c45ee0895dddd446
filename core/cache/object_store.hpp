// SPDX-License-Identifier: Apache-2.0
// Informer-fed stores of the cluster objects plugins read beyond pods and nodes (upstream's
// listers): persistent volumes and claims, storage classes, CSINodes, PodDisruptionBudgets,
// PodGroups and their members.
// Single-threaded like the node cache: written by informer handlers and read by scheduling
// cycles on the one io_context. Objects are immutable and shared, so a binding cycle may keep
// one across awaits.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/api/storage_types.hpp"
#include "core/cache/pod_group_index.hpp"

namespace multisched::cache {

template <class T>
class object_store {
  public:
    using map = std::map<std::string, std::shared_ptr<const T>, std::less<>>;

    // Adds or replaces the object under `key`.
    void upsert(std::string key, std::shared_ptr<const T> obj) {
        items_[std::move(key)] = std::move(obj);
    }
    void erase(std::string_view key) {
        if (auto it = items_.find(key); it != items_.end()) {
            items_.erase(it);
        }
    }
    // Null if absent.
    std::shared_ptr<const T> find(std::string_view key) const {
        auto it = items_.find(key);
        return it == items_.end() ? nullptr : it->second;
    }
    const map& items() const { return items_; }
    std::size_t size() const { return items_.size(); }

  private:
    map items_;
};

// "namespace/name" for namespaced objects, as informer keys.
inline std::string namespaced_key(std::string_view ns, std::string_view name) {
    std::string key;
    key.reserve(ns.size() + 1 + name.size());
    key.append(ns).append("/").append(name);
    return key;
}

struct cluster_objects {
    object_store<api::persistent_volume> pvs;                           // by name
    object_store<api::persistent_volume_claim> pvcs;                    // by namespace/name
    object_store<api::storage_class> storage_classes;                   // by name
    object_store<api::csi_node> csi_nodes;                              // by name (= node name)
    object_store<api::pod_disruption_budget> pdbs;                      // by namespace/name
    object_store<api::service> services;                                // by namespace/name
    object_store<api::replication_controller> replication_controllers;  // by namespace/name
    object_store<api::workload_set> replica_sets;                       // by namespace/name
    object_store<api::workload_set> stateful_sets;                      // by namespace/name
    object_store<api::pod_group> pod_groups;                            // by namespace/name
    pod_group_index pod_group_members;  // fed by the pod informer, not by a store reflector
};

}  // namespace multisched::cache
