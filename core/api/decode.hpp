// SPDX-License-Identifier: Apache-2.0
// Decoding of Kubernetes JSON objects (v1.Pod, v1.Node) into the object model of api/types.hpp.
// Unknown fields are ignored and JSON null reads as "unset", as client-go decodes. A field of the
// wrong type, an unparsable quantity or a missing metadata.name / metadata.uid is an error that
// names the object and the field path, e.g.
//   pod default/web: spec.containers[1].resources.requests.cpu: quantities must match ...
// The caller logs it and skips the object. Never throws.
#pragma once

#include "core/api/types.hpp"
#include "core/json/json.hpp"
#include "core/util/result.hpp"

namespace multisched::api {

// `obj` is one v1.Pod object (a list item or a watch event's "object").
result<pod> decode_pod(json::value obj);
// `obj` is one v1.Node object.
result<node> decode_node(json::value obj);

}  // namespace multisched::api
