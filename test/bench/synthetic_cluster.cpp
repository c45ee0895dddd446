// SPDX-License-Identifier: Apache-2.0
#include "test/bench/synthetic_cluster.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace multisched::bench {
namespace {

constexpr std::int64_t kGi = 1024LL * 1024 * 1024;
constexpr std::int64_t kMi = 1024LL * 1024;
constexpr std::string_view kPauseImage = "registry.k8s.io/pause:3.10";

constexpr std::array<std::pair<scenario, std::string_view>, 4> kScenarioNames = {{
    {scenario::scheduling_basic, "SchedulingBasic"},
    {scenario::node_affinity, "NodeAffinity"},
    {scenario::pod_anti_affinity, "PodAntiAffinity"},
    {scenario::topology_spreading, "TopologySpreading"},
}};

std::string zone_name(std::size_t i) {
    return "zone-" + std::to_string(i);
}

std::shared_ptr<const api::node> make_node(std::size_t index, std::size_t zones) {
    auto n = std::make_shared<api::node>();
    n->meta.name = "node-" + std::to_string(index);
    n->meta.uid = "node-uid-" + std::to_string(index);
    n->meta.labels.set("kubernetes.io/arch", "amd64");
    n->meta.labels.set("kubernetes.io/os", "linux");
    n->meta.labels.set(std::string(kHostnameLabel), n->meta.name);
    n->meta.labels.set("topology.kubernetes.io/region", "region-1");
    n->meta.labels.set(std::string(kZoneLabel), zone_name(index % zones));
    n->allocatable.milli_cpu = 32000;
    n->allocatable.memory = 128 * kGi;
    n->allocatable.ephemeral_storage = 100 * kGi;
    n->allocatable.pods = 110;
    n->images.push_back({{std::string(kPauseImage)}, 300 * 1024});
    n->images.push_back({{"registry.k8s.io/kube-proxy:v1.30.0"}, 30 * kMi});
    n->images.push_back({{"docker.io/library/nginx:1.27"}, 70 * kMi});
    return n;
}

// One container requesting 100m cpu / 500Mi memory on the pause image.
api::pod plain_pod(std::string name, std::string uid) {
    api::pod p;
    p.meta.name = std::move(name);
    p.meta.ns = "default";
    p.meta.uid = std::move(uid);
    p.meta.creation_timestamp = "2025-01-01T00:00:00Z";
    p.phase = "Pending";
    api::container c;
    c.name = "pause";
    c.image = std::string(kPauseImage);
    c.requests.milli_cpu = 100;
    c.requests.memory = 500 * kMi;
    c.has_cpu_request = true;
    c.has_memory_request = true;
    c.ports.push_back({80, 0, "TCP", ""});
    p.containers.push_back(std::move(c));
    return p;
}

api::label_selector select_app(std::string app) {
    api::label_selector sel;
    sel.match_labels.set("app", std::move(app));
    return sel;
}

void shape_for(scenario s, api::pod& p) {
    switch (s) {
        case scenario::scheduling_basic:
            p.meta.labels.set("app", "basic");
            return;
        case scenario::node_affinity: {
            p.meta.labels.set("app", "affinity");
            api::node_selector_term term;
            term.match_expressions.push_back({std::string(kZoneLabel), "In", {zone_name(0)}});
            p.node_affinity.emplace();
            p.node_affinity->required = std::vector<api::node_selector_term>{std::move(term)};
            return;
        }
        case scenario::pod_anti_affinity: {
            p.meta.labels.set("app", "anti");
            api::pod_affinity_term term;
            term.selector = select_app("anti");
            term.topology_key = std::string(kHostnameLabel);
            p.anti_affinity.emplace();
            p.anti_affinity->required.push_back(std::move(term));
            return;
        }
        case scenario::topology_spreading: {
            p.meta.labels.set("app", "spread");
            api::topology_spread_constraint c;
            c.max_skew = 1;
            c.topology_key = std::string(kZoneLabel);
            c.when_unsatisfiable = "DoNotSchedule";
            c.selector = select_app("spread");
            p.topology_spread_constraints.push_back(std::move(c));
            return;
        }
    }
}

}  // namespace

std::string_view scenario_name(scenario s) {
    for (const auto& [value, name] : kScenarioNames) {
        if (value == s) {
            return name;
        }
    }
    return "?";
}

bool parse_scenario(std::string_view name, scenario& out) {
    for (const auto& [value, n] : kScenarioNames) {
        if (n == name) {
            out = value;
            return true;
        }
    }
    return false;
}

void fill_cache(cache::cache& cache, const cluster_shape& shape) {
    const std::size_t zones =
        shape.zones != 0 ? shape.zones : std::clamp<std::size_t>(shape.nodes / 500, 3, 10);
    for (std::size_t i = 0; i < shape.nodes; ++i) {
        auto node = make_node(i, zones);
        const std::string node_name = node->meta.name;
        cache.add_node(std::move(node));
        for (std::size_t j = 0; j < shape.existing_pods_per_node; ++j) {
            const std::string suffix = std::to_string(i) + "-" + std::to_string(j);
            auto p = std::make_shared<api::pod>(plain_pod("existing-" + suffix, "uid-" + suffix));
            p->meta.labels.set("app", "existing");
            p->node_name = node_name;
            p->phase = "Running";
            cache.add_pod(framework::make_pod_info(std::move(p)));
        }
    }
}

std::vector<std::shared_ptr<const framework::pod_info>> make_pending_pods(scenario s,
                                                                          std::size_t count) {
    std::vector<std::shared_ptr<const framework::pod_info>> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto p = std::make_shared<api::pod>(
            plain_pod("bench-" + std::to_string(i), "bench-uid-" + std::to_string(i)));
        shape_for(s, *p);
        out.push_back(framework::make_pod_info(std::move(p)));
    }
    return out;
}

}  // namespace multisched::bench
