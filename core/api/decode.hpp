// SPDX-License-Identifier: Apache-2.0
// Decoding of Kubernetes JSON objects (v1.Pod, v1.Node and the objects of storage_types.hpp) into
// the object model of api/types.hpp. Unknown fields are ignored and JSON null reads as "unset", as
// client-go decodes. A field of the wrong type, an unparsable quantity or a missing metadata.name /
// metadata.uid is an error that names the object and the field path, e.g.
//   pod default/web: spec.containers[1].resources.requests.cpu: quantities must match ...
// The caller logs it and skips the object. Never throws.
#pragma once

#include "core/api/storage_types.hpp"
#include "core/api/types.hpp"
#include "core/json/json.hpp"
#include "core/util/result.hpp"

namespace multisched::api {

// `obj` is one v1.Pod object (a list item or a watch event's "object").
result<pod> decode_pod(json::value obj);
// `obj` is one v1.Node object.
result<node> decode_node(json::value obj);
// core/v1 PersistentVolumeClaim, PersistentVolume, Namespace; storage.k8s.io/v1 StorageClass,
// CSINode; policy/v1 (or v1beta1) PodDisruptionBudget.
result<persistent_volume_claim> decode_pvc(json::value obj);
result<persistent_volume> decode_pv(json::value obj);
result<storage_class> decode_storage_class(json::value obj);
result<csi_node> decode_csi_node(json::value obj);
result<pod_disruption_budget> decode_pdb(json::value obj);
result<namespace_object> decode_namespace(json::value obj);
// core/v1 Service and ReplicationController; apps/v1 ReplicaSet or StatefulSet.
result<service> decode_service(json::value obj);
result<replication_controller> decode_replication_controller(json::value obj);
result<workload_set> decode_workload_set(json::value obj);
// scheduling.x-k8s.io/v1alpha1 PodGroup.
result<pod_group> decode_pod_group(json::value obj);

}  // namespace multisched::api
