// SPDX-License-Identifier: Apache-2.0
// upstream helper.DefaultSelector: the selector shared by the workloads that select or own a pod,
// which PodTopologySpread's default (System) constraints spread over.
#pragma once

#include "core/api/types.hpp"
#include "core/cache/object_store.hpp"

namespace multisched::cache {

// The labels of every Service in the pod's namespace whose selector matches the pod, merged;
// plus the selector of the pod's controller when it is a ReplicationController (v1, merged
// labels), a ReplicaSet or a StatefulSet (apps/v1, its requirements added). Empty when nothing
// selects the pod. An owner that is not in the store contributes nothing.
api::label_selector default_selector(const cluster_objects& objects, const api::pod& pod);

}  // namespace multisched::cache
