// SPDX-License-Identifier: Apache-2.0
// NodeAffinityArgs: decoded strictly from pluginConfig YAML (kubescheduler.config.k8s.io/v1
// types_pluginargs.go) and checked like upstream ValidateNodeAffinityArgs: every selector term of
// addedAffinity must parse (nodeaffinity.NewNodeSelector / NewPreferredSchedulingTerms).
#pragma once

#include <optional>

#include <yaml-cpp/yaml.h>

#include "core/api/types.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::node_affinity {

struct node_affinity_args {
    // addedAffinity: applied to every pod of the profile, on top of the pod's own affinity.
    std::optional<api::node_affinity> added_affinity;
    friend bool operator==(const node_affinity_args&, const node_affinity_args&) = default;
};

// Decodes `args` (Null = no added affinity). Unknown keys, wrong shapes and invalid selector terms
// are errors naming the field, e.g. "NodeAffinity args: addedAffinity.
// requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key:
// Invalid value: ...".
result<node_affinity_args> parse_args(const YAML::Node& args);

// The args as upstream serialises NodeAffinityArgs (v1, with apiVersion and kind; addedAffinity
// only when set): what --write-config-to and /configz show. parse_args(encode_args(a)) == a for
// valid args.
YAML::Node encode_args(const node_affinity_args& args);
// NodeAffinityArgs has no defaults upstream: encode_args(parse_args(args)); parse_args's errors.
result<YAML::Node> default_args(const YAML::Node& args);

}  // namespace multisched::plugins::node_affinity
