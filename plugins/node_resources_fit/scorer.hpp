// SPDX-License-Identifier: Apache-2.0
// The resource-allocation scorers of NodeResourcesFit: LeastAllocated, MostAllocated and
// RequestedToCapacityRatio, with the integer arithmetic of upstream noderesources/
// resource_allocation.go, least_allocated.go, most_allocated.go, requested_to_capacity_ratio.go
// and helper/shape_score.go (v1.30).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/framework/node_info.hpp"
#include "plugins/node_resources_fit/args.hpp"

namespace multisched::plugins::node_resources_fit {

class scorer {
  public:
    scorer(scoring_type type, std::vector<resource_spec> resources,
           const std::vector<shape_point>& shape);

    // The pod's request for each configured resource, aligned with resources(). cpu and memory
    // use the non-zero requests (100m / 200Mi for containers that request none): all three
    // strategies run with useRequested=false upstream.
    std::vector<std::int64_t> pod_requests(const framework::pod_info& pod) const;
    // The node's score in [0, kMaxNodeScore] for a pod with these requests.
    std::int64_t score(const framework::node_info& node,
                       std::span<const std::int64_t> pod_requests) const;
    const std::vector<resource_spec>& resources() const { return resources_; }

  private:
    std::int64_t combine(std::span<const std::int64_t> requested,
                         std::span<const std::int64_t> allocatable) const;
    // helper.BuildBrokenLinearFunction over shape_ (scores already scaled to 0..100).
    std::int64_t broken_linear(std::int64_t utilization) const;

    scoring_type type_;
    std::vector<resource_spec> resources_;
    std::vector<shape_point> shape_;
};

}  // namespace multisched::plugins::node_resources_fit
