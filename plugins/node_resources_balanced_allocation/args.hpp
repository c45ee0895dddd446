// SPDX-License-Identifier: Apache-2.0
// NodeResourcesBalancedAllocationArgs as YAML: upstream's v1 serialisation (apiVersion, kind,
// resources[{name, weight}]) and SetDefaults_NodeResourcesBalancedAllocationArgs on YAML, for
// pluginConfig defaulting. The typed args and their strict parser (parse_args) are declared in
// node_resources_balanced_allocation.hpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include "core/util/result.hpp"
#include "plugins/node_resources_balanced_allocation/node_resources_balanced_allocation.hpp"

namespace multisched::plugins::node_resources_balanced_allocation {

// The args as upstream serialises them: what --write-config-to and /configz show.
// parse_args(encode_args(a)) has the same resources as `a` for valid args.
YAML::Node encode_args(const balanced_allocation_args& args);
// encode_args(parse_args(args)): default resources cpu and memory, weights 1; parse_args's errors.
result<YAML::Node> default_args(const YAML::Node& args);

}  // namespace multisched::plugins::node_resources_balanced_allocation
