// SPDX-License-Identifier: Apache-2.0
// PodTopologySpreadArgs: decoded strictly from pluginConfig YAML (kubescheduler.config.k8s.io/v1)
// and checked like upstream ValidatePodTopologySpreadArgs: defaultingType System (the default)
// or List; System forbids defaultConstraints; each default constraint needs maxSkew > 0, a valid
// topologyKey, whenUnsatisfiable DoNotSchedule or ScheduleAnyway, no labelSelector, and no
// repeated {topologyKey, whenUnsatisfiable}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/api/types.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::pod_topology_spread {

inline constexpr std::string_view kSystemDefaulting = "System";
inline constexpr std::string_view kListDefaulting = "List";

struct pod_topology_spread_args {
    // Applied to pods without constraints of their own (List defaulting only).
    std::vector<api::topology_spread_constraint> default_constraints;
    std::string defaulting_type = std::string(kSystemDefaulting);
    friend bool operator==(const pod_topology_spread_args&,
                           const pod_topology_spread_args&) = default;
};

// Decodes and validates `args` (Null = defaults). Errors read "PodTopologySpread args: <path>:
// <reason>", several validation errors as "[a, b]".
result<pod_topology_spread_args> parse_args(const YAML::Node& args);

// The args as upstream serialises PodTopologySpreadArgs (v1, with apiVersion and kind; an empty
// defaultConstraints list omitted): what --write-config-to and /configz show.
// parse_args(encode_args(a)) == a for valid args.
YAML::Node encode_args(const pod_topology_spread_args& args);
// SetDefaults_PodTopologySpreadArgs on YAML: encode_args(parse_args(args)); parse_args's errors.
result<YAML::Node> default_args(const YAML::Node& args);

// upstream ValidatePodTopologySpreadArgs (field paths without a prefix); empty when valid.
std::vector<std::string> validate_args(const pod_topology_spread_args& args);

// The upstream system defaults: {hostname, maxSkew 3} and {zone, maxSkew 5}, ScheduleAnyway.
std::vector<api::topology_spread_constraint> system_default_constraints();

}  // namespace multisched::plugins::pod_topology_spread
