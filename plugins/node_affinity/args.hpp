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
};

// Decodes `args` (Null = no added affinity). Unknown keys, wrong shapes and invalid selector terms
// are errors naming the field, e.g. "NodeAffinity args: addedAffinity.
// requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key:
// Invalid value: ...".
result<node_affinity_args> parse_args(const YAML::Node& args);

}  // namespace multisched::plugins::node_affinity
