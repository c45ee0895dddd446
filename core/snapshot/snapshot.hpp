// SPDX-License-Identifier: Apache-2.0
// Loading a cluster snapshot for `multisched simulate --cluster FILE`: what
//   kubectl get nodes,pods,pv,pvc,storageclasses,csinodes,pdb -A -o yaml   (or -o json)
// prints. Accepted shapes: a List (kind List or <Kind>List, whose items without a kind take
// <Kind>), a single object, or several YAML documents ('---') each a List or an object. A text
// whose first non-space character is '{' is JSON (or, if it does not parse as JSON, flow-style
// YAML); YAML plain scalars are typed as go-yaml v2 types them (so `cpu: 2` is a number,
// `cpu: "2"` and `cpu: 100m` are strings; quantities accept both).
//
// Bad objects never stop the load: each one skipped becomes one line of load_result::problems
// (in file order) that names where it is and what it is, e.g.
//   items[3]: kind ConfigMap (default/cfg) is not simulated: skipped
//   items[5] (Pod default/web-1): spec.containers[0].resources.requests.cpu: <why>: skipped
//   items[7] (Node n1): duplicate of items[2]: skipped
//   items[9] (Pod default/x): bound to node n9, which is not in the snapshot: skipped
// Where: "items[i]" for a file that is one List; "documents[d]" for an object that is a whole
// document, "documents[d].items[i]" for a List's items when a YAML file holds several non-empty
// documents (d counts every document, empty ones included).
//
// Decisions (the cases a live cluster never shows the scheduler):
// - A pod bound to a node that is not in the snapshot is skipped, not made pending: its node's
//   other pods are missing too, and rescheduling it would take room a real cluster does not give.
// - Pods in phase Succeeded or Failed are dropped without a problem line (kube-scheduler's pod
//   informer never lists them; they hold nothing); load_result::terminated_pods counts them.
// - Duplicates (same kind, namespace and name; for pods also the same uid): the first one wins.
// - A missing metadata.uid (hand-written files) becomes "snapshot-uid-<kind>-<namespace>/<name>"
//   (cluster-scoped: "snapshot-uid-<kind>-<name>", kind in lower case), unique per object.
// - A namespaced object without metadata.namespace is in "default", as `kubectl create -f` puts it.
// - A missing metadata.creationTimestamp stays empty: the queue orders by arrival, not by it, and
//   preemption treats an empty one as the newest pod (upstream GetPodStartTime without a time).
// - Pods keep their file order; deleting ones (deletionTimestamp set) are kept as they are.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/storage_types.hpp"
#include "core/api/types.hpp"
#include "core/util/result.hpp"

namespace multisched::snapshot {

struct cluster_snapshot {
    std::vector<std::shared_ptr<const api::node>> nodes;
    // Bound (spec.nodeName set, the node is in `nodes`) and pending pods, in file order.
    std::vector<std::shared_ptr<const api::pod>> pods;
    std::vector<std::shared_ptr<const api::persistent_volume>> pvs;
    std::vector<std::shared_ptr<const api::persistent_volume_claim>> pvcs;
    std::vector<std::shared_ptr<const api::storage_class>> storage_classes;
    std::vector<std::shared_ptr<const api::csi_node>> csi_nodes;
    std::vector<std::shared_ptr<const api::pod_disruption_budget>> pdbs;
    std::vector<std::shared_ptr<const api::namespace_object>> namespaces;
    std::vector<std::shared_ptr<const api::pod_group>> pod_groups;
    std::vector<std::shared_ptr<const api::service>> services;
    std::vector<std::shared_ptr<const api::replication_controller>> replication_controllers;
    // ReplicaSets and StatefulSets (apps/v1).
    std::vector<std::shared_ptr<const api::workload_set>> workload_sets;

    // Number of objects of every kind together.
    std::size_t object_count() const;
};

struct load_result {
    cluster_snapshot snapshot;
    // One line per skipped object (see the header comment), in file order.
    std::vector<std::string> problems;
    // Pods left out because their phase is Succeeded or Failed (not a problem).
    std::size_t terminated_pods = 0;
};

// Loads a snapshot from `text`. `source_name` (a path, "<stdin>") prefixes the error message.
// An error only when nothing is usable: the text is neither YAML nor JSON, or it holds no List and
// no object that was loaded (e.g. a lone ConfigMap: the message then gives the problem). An empty
// List loads as an empty snapshot.
result<load_result> load_snapshot(std::string_view text, std::string_view source_name);

// Reads `path` and loads it as load_snapshot(text, path) does; "cannot read <path>: ..." if the
// file cannot be read.
result<load_result> load_snapshot_file(const std::string& path);

// "4 nodes, 16 pods (8 bound, 8 pending), 1 pv, ...": the kinds present, for logs and the CLI.
std::string describe(const cluster_snapshot& s);

}  // namespace multisched::snapshot
