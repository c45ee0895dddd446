// SPDX-License-Identifier: Apache-2.0
// InterPodAffinityArgs: decoded strictly from pluginConfig YAML (kubescheduler.config.k8s.io/v1
// types_pluginargs.go) and checked like upstream ValidateInterPodAffinityArgs:
// hardPodAffinityWeight must be within [0, 100].
#pragma once

#include <cstdint>

#include <yaml-cpp/yaml.h>

#include "core/util/result.hpp"

namespace multisched::plugins::inter_pod_affinity {

inline constexpr std::int32_t kMinHardPodAffinityWeight = 0;
inline constexpr std::int32_t kMaxHardPodAffinityWeight = 100;

struct inter_pod_affinity_args {
    // The score an existing pod's required affinity term gives to the nodes of its topology
    // domain when the incoming pod matches it (symmetric weight). 0 disables it.
    std::int32_t hard_pod_affinity_weight = 1;
    // Skip scoring when the incoming pod has no preferred (anti-)affinity terms.
    bool ignore_preferred_terms_of_existing_pods = false;
    friend bool operator==(const inter_pod_affinity_args&,
                           const inter_pod_affinity_args&) = default;
};

// Decodes `args` (Null = defaults). Unknown keys and wrong shapes are errors naming the field;
// an out-of-range weight reads "InterPodAffinity args: hardPodAffinityWeight: Invalid value: 101:
// not in valid range [0, 100]".
result<inter_pod_affinity_args> parse_args(const YAML::Node& args);

// The args as upstream serialises InterPodAffinityArgs (v1, with apiVersion and kind): what
// --write-config-to and /configz show. parse_args(encode_args(a)) == a for valid args.
YAML::Node encode_args(const inter_pod_affinity_args& args);
// SetDefaults_InterPodAffinityArgs on YAML: encode_args(parse_args(args)); parse_args's errors.
result<YAML::Node> default_args(const YAML::Node& args);

}  // namespace multisched::plugins::inter_pod_affinity
