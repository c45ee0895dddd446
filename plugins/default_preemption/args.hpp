// SPDX-License-Identifier: Apache-2.0
// DefaultPreemptionArgs: decoded strictly from pluginConfig YAML (kubescheduler.config.k8s.io/v1
// types_pluginargs.go, defaults from SetDefaults_DefaultPreemptionArgs) and checked like upstream
// ValidateDefaultPreemptionArgs (validation_pluginargs.go, v1.30).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/util/result.hpp"

namespace multisched::plugins::default_preemption {

inline constexpr std::int32_t kDefaultMinCandidateNodesPercentage = 10;
inline constexpr std::int32_t kDefaultMinCandidateNodesAbsolute = 100;

struct default_preemption_args {
    // The dry run looks for at least max(nodes * percentage / 100, absolute) candidate nodes
    // (capped by the number of nodes). An explicit 0 is kept; only an absent or null field takes
    // the default.
    std::int32_t min_candidate_nodes_percentage = kDefaultMinCandidateNodesPercentage;
    std::int32_t min_candidate_nodes_absolute = kDefaultMinCandidateNodesAbsolute;
    friend bool operator==(const default_preemption_args&,
                           const default_preemption_args&) = default;
};

// Decodes `args` (Null = defaults). Unknown keys and non-integers are errors naming the field;
// validation errors use upstream's text, several joined as "[a, b]", e.g. "DefaultPreemption
// args: minCandidateNodesPercentage: Invalid value: 101: not in valid range [0, 100]".
result<default_preemption_args> parse_args(const YAML::Node& args);

// The args as upstream serialises DefaultPreemptionArgs (v1, with apiVersion and kind): what
// --write-config-to and /configz show. parse_args(encode_args(a)) == a for valid args.
YAML::Node encode_args(const default_preemption_args& args);
// SetDefaults_DefaultPreemptionArgs on YAML: encode_args(parse_args(args)); parse_args's errors.
result<YAML::Node> default_args(const YAML::Node& args);

// upstream ValidateDefaultPreemptionArgs: the field errors, empty when valid.
std::vector<std::string> validate_args(const default_preemption_args& args);

// utilerrors.NewAggregate(errs).Error(): one message as is, several (deduplicated) as "[a, b]".
std::string aggregate_errors(const std::vector<std::string>& errs);

}  // namespace multisched::plugins::default_preemption
