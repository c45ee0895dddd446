// SPDX-License-Identifier: Apache-2.0
#include "plugins/image_locality/image_locality.hpp"

#include <algorithm>
#include <vector>

#include "plugins/names.hpp"

namespace multisched::plugins::image_locality {
namespace {

// The size of the node's image listing `name` (the first one, if several do), or nullptr.
const std::int64_t* find_image_size(const api::node& node, std::string_view name) {
    for (const auto& image : node.images) {
        if (std::find(image.names.begin(), image.names.end(), name) != image.names.end()) {
            return &image.size_bytes;
        }
    }
    return nullptr;
}

// upstream scaledImageScore: the size scaled by the image's spread over the cluster's nodes, which
// damps the "node heating" problem of sending every replica to the one node holding the image.
std::int64_t scaled_image_score(std::int64_t size, std::size_t nodes_with_image,
                                std::size_t total_nodes) {
    if (total_nodes == 0) {
        return 0;  // unreachable upstream: the scored node is itself in the snapshot
    }
    const double spread = static_cast<double>(nodes_with_image) / static_cast<double>(total_nodes);
    return static_cast<std::int64_t>(static_cast<double>(size) * spread);
}

// Whether upstream normalizedImageName appends ":latest": no ':' after the last '/'.
bool lacks_tag(std::string_view image) {
    // Go's strings.LastIndex returns -1 when absent: compare as signed positions.
    const auto last = [&](char c) {
        const auto pos = image.rfind(c);
        return pos == std::string_view::npos ? std::ptrdiff_t{-1}
                                             : static_cast<std::ptrdiff_t>(pos);
    };
    return last(':') <= last('/');
}

}  // namespace

std::string normalized_image_name(std::string_view image) {
    std::string out(image);
    if (lacks_tag(image)) {
        out += ":latest";
    }
    return out;
}

std::int64_t calculate_priority(std::int64_t sum_scores, std::size_t num_containers) {
    const std::int64_t max_threshold =
        kMaxContainerThreshold * static_cast<std::int64_t>(num_containers);
    if (sum_scores < kMinThreshold) {
        sum_scores = kMinThreshold;
    } else if (sum_scores > max_threshold) {
        sum_scores = max_threshold;
    }
    return framework::kMaxNodeScore * (sum_scores - kMinThreshold) /
           (max_threshold - kMinThreshold);
}

std::string_view image_locality::name() const {
    return names::kImageLocality;
}

framework::status image_locality::score(framework::cycle_state& /*state*/,
                                        const framework::pod_info& pod,
                                        const framework::node_info& node, std::int64_t& score) {
    const api::pod& p = *pod.pod;
    const std::size_t num_containers = p.init_containers.size() + p.containers.size();
    std::int64_t sum = 0;
    if (const api::node* n = node.node()) {
        // Upstream's snapshot: how many nodes exist, and how many list each image name.
        const std::size_t total_nodes = handle_->node_count();
        for (const auto* list : {&p.init_containers, &p.containers}) {
            for (const auto& c : *list) {
                // Tagged names (the common case) are used as they are: no copy per node.
                std::string normalized;
                std::string_view image = c.image;
                if (lacks_tag(image)) {
                    normalized = normalized_image_name(image);
                    image = normalized;
                }
                if (const auto* size = find_image_size(*n, image)) {
                    sum += scaled_image_score(*size, handle_->nodes_with_image(image), total_nodes);
                }
            }
        }
    }
    score = calculate_priority(sum, num_containers);
    return {};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& /*args*/, framework::handle& h) {
    return std::unique_ptr<framework::plugin>(std::make_unique<image_locality>(h));
}

}  // namespace multisched::plugins::image_locality
