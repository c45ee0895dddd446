// SPDX-License-Identifier: Apache-2.0
// Test-only helpers for the PodTopologySpread tables: a small cluster (node_infos with their
// pods), constraint builders and the upstream test vocabulary (fooSelector, "zone"/"node" nodes).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/framework/node_info.hpp"
#include "plugins/pod_topology_spread/pod_topology_spread.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::pod_topology_spread::test {

using multisched::testing::make_node;
using multisched::testing::make_pod;
using multisched::testing::selector_exists;
using multisched::testing::selector_labels;

inline constexpr auto kDNS = kDoNotSchedule;
inline constexpr auto kSA = kScheduleAnyway;
inline constexpr std::string_view kUnschedulableTaint = "node.kubernetes.io/unschedulable";

inline api::label_selector foo() {
    return selector_exists("foo");
}
inline api::label_selector bar() {
    return selector_exists("bar");
}

// upstream SpreadConstraint(maxSkew, key, mode, selector, minDomains, affinity, taints, keys).
inline api::topology_spread_constraint tsc(std::int32_t skew, std::string key,
                                           std::string_view mode,
                                           std::optional<api::label_selector> sel,
                                           std::optional<std::int32_t> min_domains = {},
                                           std::string affinity_policy = {},
                                           std::string taints_policy = {},
                                           std::vector<std::string> match_label_keys = {}) {
    api::topology_spread_constraint c;
    c.max_skew = skew;
    c.topology_key = std::move(key);
    c.when_unsatisfiable = std::string(mode);
    c.selector = std::move(sel);
    c.min_domains = min_domains;
    c.node_affinity_policy = std::move(affinity_policy);
    c.node_taints_policy = std::move(taints_policy);
    c.match_label_keys = std::move(match_label_keys);
    return c;
}

// A node labelled zone=<zone> (when not empty) and node=<name>, as in the upstream tables.
inline multisched::testing::node_builder zn(const std::string& name, const std::string& zone) {
    auto b = make_node().name(name).label("node", name);
    if (!zone.empty()) {
        b.label("zone", zone);
    }
    return b;
}

// An assigned pod with these labels.
inline api::pod ep(const std::string& name, const std::string& node,
                   std::initializer_list<std::pair<std::string, std::string>> labels = {},
                   const std::string& ns = "") {
    auto b = make_pod().name(name).uid(name).ns(ns).node(node);
    for (const auto& [k, v] : labels) {
        b.label(k, v);
    }
    return b.obj();
}

// Required node affinity: one term with one expression (upstream NodeAffinityIn / NotIn).
inline api::node_affinity affinity(std::string key, std::string op,
                                   std::vector<std::string> values) {
    api::node_affinity na;
    api::node_selector_term t;
    t.match_expressions.push_back({std::move(key), std::move(op), std::move(values)});
    na.required = std::vector<api::node_selector_term>{t};
    return na;
}

// Nodes and the pods assigned to them, as the snapshot a cycle sees.
struct cluster {
    cluster(const std::vector<api::node>& nodes, const std::vector<api::pod>& pods) {
        infos.reserve(nodes.size());
        for (const auto& n : nodes) {
            std::vector<api::pod> on;
            for (const auto& p : pods) {
                if (p.node_name == n.meta.name) {
                    on.push_back(p);
                }
            }
            infos.push_back(multisched::testing::make_node_info(n, on));
        }
        for (const auto& ni : infos) {
            all.push_back(&ni);
        }
    }
    const framework::node_info& get(const std::string& name) const {
        for (const auto& ni : infos) {
            if (ni.name() == name) {
                return ni;
            }
        }
        throw std::out_of_range(name);
    }
    std::vector<framework::node_info> infos;
    std::vector<const framework::node_info*> all;
};

inline std::shared_ptr<const framework::pod_info> info(const api::pod& p) {
    return framework::make_pod_info(std::make_shared<const api::pod>(p));
}

// A plugin with List defaulting (the upstream filtering tables) or the given args.
inline pod_topology_spread list_plugin(framework::handle& h,
                                       std::vector<api::topology_spread_constraint> defaults = {}) {
    pod_topology_spread_args args;
    args.defaulting_type = std::string(kListDefaulting);
    args.default_constraints = std::move(defaults);
    return pod_topology_spread(args, h);
}

}  // namespace multisched::plugins::pod_topology_spread::test
