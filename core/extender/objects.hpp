// SPDX-License-Identifier: Apache-2.0
// v1.Pod and v1.Node as JSON for the HTTP extender protocol (ExtenderArgs.Pod, Nodes.items,
// Victims.Pods). The object model keeps no raw JSON, so this is a faithful subset: exactly the
// fields api/decode.hpp reads, written with Go's field names and omitempty rules, so that
// api::decode_pod / decode_node give back an equal object. Pure functions, same bytes each time.
//
// Pod: metadata {name, namespace, uid, resourceVersion, creationTimestamp (null when unknown),
//   deletionTimestamp, labels, ownerReferences (the controller only)};
//   spec {volumes, initContainers, containers, nodeSelector, nodeName, affinity {nodeAffinity,
//   podAffinity, podAntiAffinity}, schedulerName, tolerations, priorityClassName, priority,
//   overhead, topologySpreadConstraints, schedulingGates};
//   containers: name, image, ports, resources.requests, restartPolicy ("Always" for sidecars);
//   volumes: name and one source of persistentVolumeClaim, ephemeral, gcePersistentDisk,
//   awsElasticBlockStore, rbd, iscsi (the fields of api::volume only; other sources are sent as
//   a bare name);
//   status {phase, conditions (type, status, reason, message), nominatedNodeName}.
// Node: metadata (as above), spec {unschedulable, taints}, status {capacity (= allocatable, the
//   only one the model keeps), allocatable, images}.
// Not sent, because the decoder does not retain them: annotations, other owner references,
// container limits, commands, env, probes, securityContext, node conditions / addresses /
// nodeInfo, condition timestamps. deletionTimestamp is kept only as "set", and is sent as the Unix
// epoch ("1970-01-01T00:00:00Z") when it is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/api/types.hpp"
#include "core/json/json.hpp"

namespace multisched::extender {

// Writes the pod (or node) object as the next JSON value of `w`.
void write_pod(json::writer& w, const api::pod& p);
void write_node(json::writer& w, const api::node& n);

// The object alone as a JSON document.
std::string pod_json(const api::pod& p);
std::string node_json(const api::node& n);

// A resource amount in the model's units (cpu in millicores, the rest in whole units) as the
// canonical Quantity text that parses back to the same amount: cpu "2" or "1500m"; memory,
// ephemeral-storage and hugepages-* with the largest exact binary suffix ("1Gi", "1536Mi",
// "1000"); anything else a plain integer.
std::string format_quantity(std::string_view resource, std::int64_t amount);

}  // namespace multisched::extender
