// SPDX-License-Identifier: Apache-2.0
// Synthetic clusters and pods for multisched_bench, shaped like upstream scheduler_perf's
// templates: nodes with a real node's allocatable (32 cpu, 128Gi, 110 pods) spread round-robin
// over zones, a few plain pods already running on each, and pending pods of one scenario.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/cache/cache.hpp"
#include "core/framework/node_info.hpp"

namespace multisched::bench {

enum class scenario {
    scheduling_basic,   // plain pods with requests
    node_affinity,      // required node affinity: zone In [zone-0]
    pod_anti_affinity,  // required anti-affinity on hostname among the new pods
    topology_spreading  // maxSkew 1, DoNotSchedule, on zone, among the new pods
};

inline constexpr std::string_view kZoneLabel = "topology.kubernetes.io/zone";
inline constexpr std::string_view kHostnameLabel = "kubernetes.io/hostname";

// Upstream-style names ("SchedulingBasic"); parse_scenario returns false for an unknown name.
std::string_view scenario_name(scenario s);
bool parse_scenario(std::string_view name, scenario& out);

struct cluster_shape {
    std::size_t nodes = 5000;
    std::size_t zones = 0;  // 0: clamp(nodes / 500, 3, 10)
    std::size_t existing_pods_per_node = 2;
};

// Adds the nodes and their existing pods (assigned, not assumed) to an empty cache.
void fill_cache(cache::cache& cache, const cluster_shape& shape);

// `count` pending pods of scenario `s` with uids/names unique within the run (prefix "bench-").
// Each requests 100m cpu and 500Mi memory (upstream pod-default.yaml) on the pause image.
std::vector<std::shared_ptr<const framework::pod_info>> make_pending_pods(scenario s,
                                                                          std::size_t count);

}  // namespace multisched::bench
