// SPDX-License-Identifier: Apache-2.0
// Internal to core/snapshot: the JSON text the API decoders read, from a YAML tree (one snapshot
// item at a time) or from a JSON object with metadata defaults filled in.
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "core/json/json.hpp"
#include "core/util/result.hpp"

namespace multisched::snapshot::detail {

// Deeper YAML trees are refused (no Kubernetes object comes close; guards the recursion).
inline constexpr int kMaxDepth = 100;

// `node` as JSON text, typed as sigs.k8s.io/yaml (go-yaml v2) types YAML: maps become objects,
// sequences arrays, quoted or !!str scalars strings; plain scalars null, bool, integer or float
// when go-yaml resolves them so, else strings. Plain integers beyond int64 and .nan/.inf stay
// strings (JSON has no form for them). Map keys are taken as text. Errors: a key that is a map or
// a sequence, or nesting beyond kMaxDepth, as "line L, column C: <what>".
result<std::string> yaml_to_json(const YAML::Node& node);

// Defaults for an object's metadata: each one, when non-empty, replaces the member.
struct meta_defaults {
    std::string uid;
    std::string ns;  // metadata.namespace
};

// `obj` (an object whose metadata is an object) rewritten as JSON text with `defaults` set in its
// metadata; every other member is copied unchanged (numbers beyond int64 as doubles).
std::string with_meta_defaults(json::value obj, const meta_defaults& defaults);

}  // namespace multisched::snapshot::detail
