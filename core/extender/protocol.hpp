// SPDX-License-Identifier: Apache-2.0
// The wire format of kube-scheduler's HTTP extender protocol (k8s.io/kube-scheduler/extender/v1),
// as pure codecs: same inputs, same bytes; answers decoded without throwing.
//
// The v1 types carry no JSON tags, so kube-scheduler writes Go's field names ("Pod", "Nodes",
// "NodeNames", "NodeNameToVictims", "NodeNameToMetaVictims", "Pods", "NumPDBViolations", "UID",
// "PodName", "PodNamespace", "PodUID", "Node") and, like Go's encoding/json, reads answers with
// keys matched ignoring ASCII case, so "nodenames", "failedNodes" or "error" (the old tagged
// names many extenders still send) are understood. Unknown keys are ignored and null reads as
// "unset". A value of the wrong type is an error naming the key as sent:
//   extender http://x/sched: filter result: failedNodes must be an object, got string
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/types.hpp"
#include "core/framework/node_info.hpp"
#include "core/util/result.hpp"

namespace multisched::extender {

using pod_ptr = std::shared_ptr<const api::pod>;
using node_ptr = std::shared_ptr<const api::node>;

// FailedNodesMap: node name -> failure message.
using failed_nodes_map = std::map<std::string, std::string, std::less<>>;

// ExtenderArgs for the filter and prioritize verbs: the pod and either the full nodes (Nodes, a
// v1.NodeList) or, when the extender is nodeCacheCapable, only their names (NodeNames).
std::string encode_extender_args(const api::pod& pod, std::span<const node_ptr> nodes,
                                 bool node_cache_capable);

// ExtenderFilterResult as received. Node lists are nullopt when absent or null.
struct filter_result {
    std::optional<std::vector<std::string>> nodes;  // metadata.name of each Nodes.items[]
    std::optional<std::vector<std::string>> node_names;
    failed_nodes_map failed_nodes;
    failed_nodes_map failed_and_unresolvable_nodes;
    std::string error;
};
result<filter_result> decode_filter_result(std::string_view extender, std::string_view body);

// What the scheduling cycle uses from a filter call (upstream HTTPExtender.Filter's results).
struct filter_outcome {
    // Nodes that passed, by name, in the extender's order; each one was in the input.
    std::vector<std::string> feasible;
    failed_nodes_map failed;
    // Nodes where preemption would not help either; a name here overrides `failed`.
    failed_nodes_map failed_and_unresolvable;
};

// upstream Filter after send(): a non-empty `error` is the error (its text verbatim); when
// `node_cache_capable` and NodeNames is set the names are used, else Nodes (if set), else no
// node passed. A name that is not among `input` is an error ("extender \"<url>\" claims a
// filtered node \"x\" which is not found in the input node list"); upstream checks this only for
// NodeNames and otherwise takes the extender's node objects as they are, which a scheduler keyed
// by node name cannot use.
result<filter_outcome> resolve_filter_result(std::string_view extender, filter_result answer,
                                             std::span<const std::string> input,
                                             bool node_cache_capable);

// HostPriority / HostPriorityList: the prioritize answer, scores 0..MaxExtenderPriority (10), not
// clamped.
struct host_priority {
    std::string host;
    std::int64_t score = 0;
    bool operator==(const host_priority&) const = default;
};
using host_priority_list = std::vector<host_priority>;
result<host_priority_list> decode_host_priority_list(std::string_view extender,
                                                     std::string_view body);

// ExtenderBindingArgs {PodName, PodNamespace, PodUID, Node}.
std::string encode_binding_args(const api::pod& pod, std::string_view node);
// ExtenderBindingResult: its Error field ("" = bound).
result<std::string> decode_binding_result(std::string_view extender, std::string_view body);

// Victims: pods to evict on one node (most important first) and the PDB violations that causes.
struct victims {
    std::vector<std::shared_ptr<const framework::pod_info>> pods;
    std::int64_t num_pdb_violations = 0;
};
using victims_map = std::map<std::string, victims, std::less<>>;

// MetaVictims: the same by pod UID.
struct meta_victims {
    std::vector<std::string> pod_uids;
    std::int64_t num_pdb_violations = 0;
    bool operator==(const meta_victims&) const = default;
};
using meta_victims_map = std::map<std::string, meta_victims, std::less<>>;

// ExtenderPreemptionArgs: the pod and NodeNameToVictims with full pods, or NodeNameToMetaVictims
// (UIDs only) when the extender is nodeCacheCapable; the other one is null.
std::string encode_preemption_args(const api::pod& pod, const victims_map& candidates,
                                   bool node_cache_capable);
// ExtenderPreemptionResult: NodeNameToMetaVictims (a null entry reads as no victims).
result<meta_victims_map> decode_preemption_result(std::string_view extender, std::string_view body);

// The scheduler's node by name (upstream NodeInfoLister.Get); null when unknown. A node_info
// without a node object counts as unknown.
using node_lookup = std::function<const framework::node_info*(std::string_view name)>;

// upstream convertToVictims: each UID must be a pod assigned to that node. Errors read as
// upstream's: `extender <url>: nodeinfo not found for node name "n"` and
// `extender: <url> claims to preempt pod (UID: u) on node: n, but the pod is not found on that
// node`.
result<victims_map> resolve_victims(std::string_view extender, const meta_victims_map& answer,
                                    const node_lookup& lookup);

}  // namespace multisched::extender
