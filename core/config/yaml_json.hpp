// SPDX-License-Identifier: Apache-2.0
// YAML trees as JSON, typed as kube-scheduler's and kubectl's YAML reader (sigs.k8s.io/yaml over
// go-yaml v2) types them: for snapshot items the API decoders read, and for /configz.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "core/json/json.hpp"
#include "core/util/result.hpp"

namespace multisched::config {

// Deeper YAML trees are refused (no Kubernetes object comes close; guards the recursion).
inline constexpr int kMaxYamlDepth = 100;

// `node` as JSON text, typed as sigs.k8s.io/yaml (go-yaml v2) types YAML: maps become objects,
// sequences arrays, quoted or !!str scalars strings; plain scalars null, bool, integer or float
// when go-yaml resolves them so, else strings. Plain integers beyond int64 and .nan/.inf stay
// strings (JSON has no form for them). Map keys are taken as text. Errors: a key that is a map or
// a sequence, or nesting beyond kMaxYamlDepth, as "line L, column C: <what>".
result<std::string> yaml_to_json(const YAML::Node& node);
// The same, written as the next value of `out`; on an error `out` holds a partial value.
result<void> write_yaml_as_json(const YAML::Node& node, json::writer& out);

}  // namespace multisched::config
