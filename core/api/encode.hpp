// SPDX-License-Identifier: Apache-2.0
// Request bodies the scheduler sends to the apiserver, built with json::writer. Pure functions:
// same inputs, same bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/api/types.hpp"

namespace multisched::api {

// Body of POST /api/v1/namespaces/{ns}/pods/{name}/binding:
// {"apiVersion":"v1","kind":"Binding","metadata":{"name","namespace","uid"},
//  "target":{"apiVersion":"v1","kind":"Node","name":node}}
// The uid makes the apiserver refuse the binding if the pod was deleted and recreated.
std::string binding_body(const pod& p, std::string_view node);

// Strategic-merge patch for PATCH /api/v1/namespaces/{ns}/pods/{name}/status
// (Content-Type application/strategic-merge-patch+json) that sets the PodScheduled condition:
// {"status":{"conditions":[{"type":"PodScheduled","status":status,"reason":reason,
//  "message":message,"lastProbeTime":null,"lastTransitionTime":now_rfc3339}]}}
// Conditions merge by "type", so other conditions are left alone. With `nominated_node` the patch
// also sets status.nominatedNodeName (an empty value writes null: the nomination is cleared).
std::string pod_scheduled_condition_patch(
    std::string_view status, std::string_view reason, std::string_view message,
    std::string_view now_rfc3339, std::optional<std::string_view> nominated_node = std::nullopt);

}  // namespace multisched::api
