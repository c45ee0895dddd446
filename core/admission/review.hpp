// SPDX-License-Identifier: Apache-2.0
// The /mutate-pods admission webhook as a pure function: an AdmissionReview request body in, the
// HTTP status and body to answer with out. The caller (the HTTPS server) owns transport, size
// limits, hot reload of the rules and logging; this never does I/O and never throws.
//
// Contract:
//   - Requests: admission.k8s.io/v1 or v1beta1 AdmissionReview; the answer uses the same version.
//   - Only CREATE of resource "pods" (group "", no subresource) is routed; any other request is
//     allowed unchanged without looking at its object.
//   - The pod is request.object; its namespace is request.namespace (metadata.namespace may be
//     empty on create), and its name may be empty (generateName; uid is unset before admission).
//   - A pod is never denied: every well-formed request is answered 200 with allowed: true, and a
//     JSON Patch `[{"op":"add","path":"/spec/schedulerName","value":...}]` (base64, patchType
//     JSONPatch) only when route() says so. A pod our decoder rejects is allowed unchanged.
//   - 400 with a plain-text message when the body is not an AdmissionReview request: bad JSON,
//     wrong apiVersion/kind, no request, no request.uid, or a pod CREATE whose object is not a Pod.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/admission/route.hpp"
#include "core/admission/rules.hpp"
#include "core/api/types.hpp"

namespace multisched::admission {

inline constexpr std::string_view kAdmissionV1 = "admission.k8s.io/v1";
inline constexpr std::string_view kAdmissionV1beta1 = "admission.k8s.io/v1beta1";
inline constexpr std::string_view kContentTypeJSON = "application/json";
inline constexpr std::string_view kContentTypeText = "text/plain; charset=utf-8";

// The labels of a namespace, nullopt when unknown (not in the informer cache yet). Called at most
// once per review, and only when some rule has a namespaceSelector.
using namespace_labels_fn = std::function<std::optional<api::label_map>(std::string_view ns)>;

struct admission_response {
    unsigned status = 200;     // 200, or 400 for a body that is not an AdmissionReview request
    std::string content_type;  // kContentTypeJSON with 200, kContentTypeText with 400
    std::string body;          // the AdmissionReview answer, or the 400 message
    // For logs. decision.scheduler_name is set exactly when the answer carries a patch;
    // decision.rule names the matched rule; decision.reason says why (also for 400).
    std::string uid;  // request.uid ("" on 400)
    std::string pod;  // "namespace/name", "namespace/<generateName>*", "" if not a pod CREATE
    route_decision decision;
};

// Answers one AdmissionReview. `namespace_labels` may be empty (labels then unknown).
admission_response review(std::string_view request_body, const routing_rules& rules,
                          const namespace_labels_fn& namespace_labels);

}  // namespace multisched::admission
