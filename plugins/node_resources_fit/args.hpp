// SPDX-License-Identifier: Apache-2.0
// NodeResourcesFitArgs: the typed, defaulted and validated args of NodeResourcesFit, decoded
// strictly from pluginConfig YAML (kubescheduler.config.k8s.io/v1 types_pluginargs.go; defaults
// from v1/defaults.go SetDefaults_NodeResourcesFitArgs; checks from validation_pluginargs.go).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/util/result.hpp"

namespace multisched::plugins::node_resources_fit {

enum class scoring_type {
    least_allocated,
    most_allocated,
    requested_to_capacity_ratio
};

struct resource_spec {
    std::string name;
    std::int64_t weight = 1;
    friend bool operator==(const resource_spec&, const resource_spec&) = default;
};

struct shape_point {
    std::int64_t utilization = 0;  // percent, 0..100, strictly increasing
    std::int64_t score = 0;        // 0..10 (MaxCustomPriorityScore)
    friend bool operator==(const shape_point&, const shape_point&) = default;
};

struct fit_args {
    std::vector<std::string> ignored_resources;
    std::vector<std::string> ignored_resource_groups;
    scoring_type type = scoring_type::least_allocated;
    // Defaults to cpu:1, memory:1; weight 0 defaults to 1; valid weights are (0, 100].
    std::vector<resource_spec> resources;
    std::vector<shape_point> shape;  // RequestedToCapacityRatio only
    friend bool operator==(const fit_args&, const fit_args&) = default;
};

inline constexpr std::int64_t kMaxCustomPriorityScore = 10;

// Decodes `args` (Null = all defaults). Errors name the field, e.g.
// "NodeResourcesFit args: scoringStrategy.resources[0].weight: Invalid value: 0: ...".
result<fit_args> parse_args(const YAML::Node& args);

// The args as upstream serialises NodeResourcesFitArgs (v1, with apiVersion and kind; empty lists
// omitted, scoringStrategy always present): what --write-config-to and /configz show.
// parse_args(encode_args(a)) == a for valid args.
YAML::Node encode_args(const fit_args& args);
// SetDefaults_NodeResourcesFitArgs on YAML: encode_args(parse_args(args)); parse_args's errors.
result<YAML::Node> default_args(const YAML::Node& args);

}  // namespace multisched::plugins::node_resources_fit
