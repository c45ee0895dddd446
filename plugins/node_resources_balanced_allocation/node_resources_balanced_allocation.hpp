// SPDX-License-Identifier: Apache-2.0
// NodeResourcesBalancedAllocation: favours nodes whose resource fractions (requested/allocatable,
// the pod included) stay close to each other (upstream noderesources/balanced_allocation.go and
// resource_allocation.go with useRequested=true, v1.30-v1.32).
// Extension points: PreScore, Score.
// Args (NodeResourcesBalancedAllocationArgs): resources [{name, weight}], default cpu and memory;
//   weights default to 1 and must be 1, names must be unique.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::node_resources_balanced_allocation {

inline constexpr std::string_view kPreScoreStateKey = "PreScoreNodeResourcesBalancedAllocation";

struct resource_spec {
    std::string name;
    std::int64_t weight = 1;
};

struct balanced_allocation_args {
    std::vector<resource_spec> resources;  // never empty after parse_args
};

// Decodes `args` strictly (Null = defaults). Returns the first error upstream's
// ValidateNodeResourcesBalancedAllocationArgs would report, e.g.
// "NodeResourcesBalancedAllocation args: resources[1].name: Duplicate value: \"cpu\"".
result<balanced_allocation_args> parse_args(const YAML::Node& args);

// upstream balancedResourceScorer: 100 * (1 - std) over the fractions requested[i] / allocatable[i]
// (clamped to 1), skipping entries whose allocatable is 0; truncated toward zero.
std::int64_t balanced_score(std::span<const std::int64_t> requested,
                            std::span<const std::int64_t> allocatable);

class node_resources_balanced_allocation final : public framework::pre_score_plugin,
                                                 public framework::score_plugin {
  public:
    explicit node_resources_balanced_allocation(balanced_allocation_args args);

    std::string_view name() const override;
    // Stores the pod's requests for Score; always succeeds. (Since v1.33, k/k PR #130260, upstream
    // returns Skip here for pods that request none of the resources; v1.30-v1.32 score them.)
    framework::status pre_score(framework::cycle_state& state, const framework::pod_info& pod,
                                std::span<const framework::node_info* const> nodes) override;
    // Computes the pod's requests itself when PreScore did not run, as upstream.
    framework::status score(framework::cycle_state& state, const framework::pod_info& pod,
                            const framework::node_info& node, std::int64_t& score) override;

    // The pod's requests (not the non-zero defaults) for each configured resource, in order.
    std::vector<std::int64_t> pod_requests(const framework::pod_info& pod) const;
    std::int64_t score_node(const framework::node_info& node,
                            std::span<const std::int64_t> pod_requests) const;

  private:
    std::vector<resource_spec> resources_;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::node_resources_balanced_allocation
