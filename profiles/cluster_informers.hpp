// SPDX-License-Identifier: Apache-2.0
// The informers beyond pods and nodes: Namespaces, PersistentVolumes, PersistentVolumeClaims,
// StorageClasses, CSINodes, PodDisruptionBudgets, and the Services, ReplicationControllers,
// ReplicaSets and StatefulSets that give PodTopologySpread's default constraints a selector. Each
// writes its store in the shared cache (cache::cluster_objects, namespace labels) and reports the
// cluster event it represents, so that pods rejected by the volume plugins are retried when storage
// changes.
//
// PodDisruptionBudgets are read from policy/v1, or from policy/v1beta1 where the apiserver
// serves only that (before 1.21): start() asks discovery once. PodGroups
// (scheduling.x-k8s.io/v1alpha1, a CRD) are mirrored once discovery shows them, asked again every
// 30 s until then; their informer is not part of synced().
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/cache/cache.hpp"
#include "core/client/api_client.hpp"
#include "core/framework/plugin.hpp"
#include "core/informer/reflector.hpp"
#include "core/util/task_group.hpp"

namespace multisched::profiles {

class cluster_informers {
  public:
    using event_sink = std::function<void(const framework::cluster_event&)>;

    cluster_informers(client::api_client& client, cache::cache& cache, event_sink on_event);

    // Picks the PDB API version, then runs every informer in `group` until it is cancelled.
    task<void> start(task_group& group);
    // Whether every informer the scheduling cycle depends on has delivered its first LIST.
    // Namespaces are not waited for: an older RBAC role may not grant them, and without them
    // only namespaceSelector terms are affected (unknown namespaces have no labels).
    bool synced() const;

  private:
    task<void> watch_pod_groups_once_served(task_group& group);

    client::api_client& client_;
    cache::cache& cache_;
    event_sink on_event_;
    std::vector<std::unique_ptr<informer::reflector>> required_;
    std::unique_ptr<informer::reflector> namespaces_;
    // PodGroups (scheduling.x-k8s.io/v1alpha1), once discovery shows the CRD; not waited for.
    std::unique_ptr<informer::reflector> pod_groups_;
    bool started_ = false;
};

}  // namespace multisched::profiles
