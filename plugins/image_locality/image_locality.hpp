// SPDX-License-Identifier: Apache-2.0
// ImageLocality: favours nodes that already hold the pod's container images (init containers
// included), each image's size scaled by the share of all cluster nodes holding it (upstream
// plugins/imagelocality/image_locality.go, v1.30).
// Extension points: Score.
// Args: none (ignored).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::image_locality {

// Bounds of the summed image score: a reasonable range of compressed image sizes.
inline constexpr std::int64_t kMB = 1024 * 1024;
inline constexpr std::int64_t kMinThreshold = 23 * kMB;
inline constexpr std::int64_t kMaxContainerThreshold = 1000 * kMB;

// upstream normalizedImageName: appends ":latest" when the name has neither tag nor digest (no
// ':' after the last '/'). Registry-prefix differences are not reconciled, as upstream.
std::string normalized_image_name(std::string_view image);

// upstream calculatePriority: clamps `sum_scores` to [kMinThreshold, kMaxContainerThreshold *
// num_containers] and scales it linearly to [0, kMaxNodeScore] (integer division).
std::int64_t calculate_priority(std::int64_t sum_scores, std::size_t num_containers);

class image_locality final : public framework::score_plugin {
  public:
    // `h` outlives the plugin; it answers the cluster-wide facts (node count, nodes per image).
    explicit image_locality(framework::handle& h) : handle_(&h) {}

    std::string_view name() const override;
    // Always succeeds. Sums, over the pod's init containers and containers, the size of each image
    // the node lists times (nodes listing that image / all nodes), then calculate_priority.
    framework::status score(framework::cycle_state& state, const framework::pod_info& pod,
                            const framework::node_info& node, std::int64_t& score) override;

  private:
    framework::handle* handle_;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::image_locality
