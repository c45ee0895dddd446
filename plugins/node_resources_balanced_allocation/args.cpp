// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_resources_balanced_allocation/args.hpp"

#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::node_resources_balanced_allocation {

YAML::Node encode_args(const balanced_allocation_args& args) {
    YAML::Node out = helper::encoded_args_head(names::kNodeResourcesBalancedAllocation);
    if (!args.resources.empty()) {  // resources is omitempty
        out["resources"] = helper::encode_resource_specs(args.resources);
    }
    return out;
}

result<YAML::Node> default_args(const YAML::Node& args) {
    return helper::encode_parsed(parse_args(args), encode_args);
}

}  // namespace multisched::plugins::node_resources_balanced_allocation
