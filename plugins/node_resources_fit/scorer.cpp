// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_resources_fit/scorer.hpp"

#include <algorithm>
#include <cmath>

#include "core/framework/plugin.hpp"
#include "plugins/helper/resources.hpp"

namespace multisched::plugins::node_resources_fit {
namespace {

constexpr std::int64_t kMaxUtilization = 100;

std::int64_t least_requested_score(std::int64_t requested, std::int64_t capacity) {
    if (capacity == 0 || requested > capacity) {
        return 0;
    }
    return (capacity - requested) * framework::kMaxNodeScore / capacity;
}

std::int64_t most_requested_score(std::int64_t requested, std::int64_t capacity) {
    if (capacity == 0) {
        return 0;
    }
    // requested may exceed capacity because pods without requests count with non-zero defaults.
    requested = std::min(requested, capacity);
    return requested * framework::kMaxNodeScore / capacity;
}

}  // namespace

scorer::scorer(scoring_type type, std::vector<resource_spec> resources,
               const std::vector<shape_point>& shape)
    : type_(type), resources_(std::move(resources)) {
    // MaxCustomPriorityScore (10) may differ from MaxNodeScore (100): scale shape scores.
    for (const auto& p : shape) {
        shape_.push_back(
            {p.utilization, p.score * (framework::kMaxNodeScore / kMaxCustomPriorityScore)});
    }
}

std::vector<std::int64_t> scorer::pod_requests(const framework::pod_info& pod) const {
    std::vector<std::int64_t> out;
    out.reserve(resources_.size());
    for (const auto& r : resources_) {
        if (r.name == api::kResourceCPU) {
            out.push_back(pod.non_zero_milli_cpu);
        } else if (r.name == api::kResourceMemory) {
            out.push_back(pod.non_zero_memory);
        } else if (r.name == api::kResourceEphemeralStorage) {
            out.push_back(pod.requests.ephemeral_storage);
        } else if (r.name == api::kResourcePods) {
            out.push_back(pod.requests.pods);
        } else {
            out.push_back(pod.requests.scalar_value(r.name));
        }
    }
    return out;
}

std::int64_t scorer::score(const framework::node_info& node,
                           std::span<const std::int64_t> pod_requests) const {
    helper::resource_scratch scratch(resources_.size());
    const auto requested = scratch.requested();
    const auto allocatable = scratch.allocatable();
    for (std::size_t i = 0; i < resources_.size(); ++i) {
        const auto ar = helper::resource_on_node(node, resources_[i].name, pod_requests[i],
                                                 /*use_requested=*/false);
        // Only fill the entry when the node has some of the resource.
        if (ar.allocatable == 0) {
            continue;
        }
        allocatable[i] = ar.allocatable;
        requested[i] = ar.requested;
    }
    return combine(requested, allocatable);
}

std::int64_t scorer::combine(std::span<const std::int64_t> requested,
                             std::span<const std::int64_t> allocatable) const {
    std::int64_t node_score = 0;
    std::int64_t weight_sum = 0;
    for (std::size_t i = 0; i < requested.size(); ++i) {
        if (allocatable[i] == 0) {
            continue;
        }
        const std::int64_t weight = resources_[i].weight;
        std::int64_t resource_score = 0;
        switch (type_) {
            case scoring_type::least_allocated:
                resource_score = least_requested_score(requested[i], allocatable[i]);
                break;
            case scoring_type::most_allocated:
                resource_score = most_requested_score(requested[i], allocatable[i]);
                break;
            case scoring_type::requested_to_capacity_ratio:
                resource_score =
                    requested[i] > allocatable[i]
                        ? broken_linear(kMaxUtilization)
                        : broken_linear(requested[i] * kMaxUtilization / allocatable[i]);
                // RequestedToCapacityRatio ignores resources that score 0.
                if (resource_score <= 0) {
                    continue;
                }
                break;
        }
        node_score += resource_score * weight;
        weight_sum += weight;
    }
    if (weight_sum == 0) {
        return 0;
    }
    if (type_ == scoring_type::requested_to_capacity_ratio) {
        return static_cast<std::int64_t>(
            std::round(static_cast<double>(node_score) / static_cast<double>(weight_sum)));
    }
    return node_score / weight_sum;
}

std::int64_t scorer::broken_linear(std::int64_t p) const {
    for (std::size_t i = 0; i < shape_.size(); ++i) {
        if (p > shape_[i].utilization) {
            continue;
        }
        if (i == 0) {
            return shape_[0].score;
        }
        const auto& lo = shape_[i - 1];
        const auto& hi = shape_[i];
        return lo.score +
               (hi.score - lo.score) * (p - lo.utilization) / (hi.utilization - lo.utilization);
    }
    return shape_.empty() ? 0 : shape_.back().score;
}

}  // namespace multisched::plugins::node_resources_fit
