// SPDX-License-Identifier: Apache-2.0
// What a plugin may use of the running scheduler. Given to plugin factories; outlives plugins.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/api/types.hpp"
#include "core/cache/object_store.hpp"

namespace multisched::client {
class api_client;
}

namespace multisched::framework {

class node_info;

class handle {
  public:
    virtual ~handle() = default;
    // The apiserver client (binding, status writes). Plugins never open connections themselves.
    virtual client::api_client& client() = 0;
    // The scheduler name of the profile the plugin belongs to.
    virtual const std::string& profile_name() const = 0;
    // Cluster-wide facts beyond the nodes a point is given (upstream's snapshot): the number of
    // nodes, and how many of them list `image` in status.images (ImageLocality's spread).
    virtual std::size_t node_count() const = 0;
    virtual std::size_t nodes_with_image(std::string_view image) const = 0;
    // Every node of the cluster as the current cycle sees it (upstream's snapshot NodeInfos().
    // List()), zone-interleaved. Valid during one scheduling cycle only.
    virtual std::span<const node_info* const> all_nodes() = 0;
    // The labels of namespace `ns` (InterPodAffinity's namespaceSelector); null if unknown.
    virtual const api::label_map* namespace_labels(std::string_view ns) const = 0;
    // The selector of the Services, ReplicationControllers, ReplicaSets and StatefulSets that
    // select or own `pod` (upstream helper.DefaultSelector), for PodTopologySpread's default
    // constraints. Empty when nothing selects the pod: no default constraints then.
    virtual api::label_selector default_selector(const api::pod& pod) const = 0;
    // Persistent volumes and claims, storage classes, CSINodes and PodDisruptionBudgets as the
    // informers last saw them (the volume plugins and preemption read them).
    virtual const cache::cluster_objects& objects() const = 0;
};

}  // namespace multisched::framework
