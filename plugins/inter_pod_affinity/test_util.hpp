// SPDX-License-Identifier: Apache-2.0
// Test helpers for the InterPodAffinity tables: a cluster of node_infos built from nodes and
// pods (as upstream cache.NewSnapshot), the upstream test namespaces, and short term builders.
// Tests only.
#pragma once

#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/framework/node_info.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::inter_pod_affinity::test {

using kv = std::initializer_list<std::pair<std::string, std::string>>;
using req = api::node_selector_requirement;

inline api::label_map labels(kv items) {
    api::label_map m;
    for (const auto& [k, v] : items) {
        m.set(k, v);
    }
    return m;
}

inline api::node node(std::string name, kv l) {
    auto n = testing::make_node().name(std::move(name)).obj();
    n.meta.labels = labels(l);
    return n;
}

// A pod with these labels in namespace `ns` on `node_name` ("" = unassigned).
inline testing::pod_builder pod(kv l, std::string ns = "", std::string node_name = "") {
    auto b = testing::make_pod().ns(std::move(ns)).node(std::move(node_name));
    for (const auto& [k, v] : l) {
        b.label(k, v);
    }
    return b;
}

// A label selector from match expressions.
inline api::label_selector exprs(std::vector<req> r) {
    api::label_selector s;
    s.match_expressions = std::move(r);
    return s;
}

// The nodes and pods of a test as node_infos: one per node, in order, plus one without a node
// object for each node name that pods reference but `nodes` lacks (upstream NewSnapshot).
class cluster {
  public:
    cluster(const std::vector<api::node>& nodes, const std::vector<api::pod>& pods) {
        for (const auto& n : nodes) {
            infos_.push_back(std::make_unique<framework::node_info>(n.meta.name));
            infos_.back()->set_node(std::make_shared<const api::node>(n));
        }
        for (const auto& p : pods) {
            info_for(p.node_name).add_pod(framework::make_pod_info(std::make_shared<api::pod>(p)));
        }
        for (const auto& i : infos_) {
            all_.push_back(i.get());
        }
    }
    // Every node_info, for handle::all_nodes() and PreFilter.
    const std::vector<const framework::node_info*>& all() const { return all_; }
    // Only those with a node object (what Filter and Score see).
    std::vector<const framework::node_info*> with_nodes() const {
        std::vector<const framework::node_info*> out;
        for (const auto* i : all_) {
            if (i->node() != nullptr) {
                out.push_back(i);
            }
        }
        return out;
    }
    const framework::node_info& get(const std::string& name) const {
        for (const auto& i : infos_) {
            if (i->name() == name) {
                return *i;
            }
        }
        throw std::runtime_error("no node " + name);
    }

  private:
    framework::node_info& info_for(const std::string& name) {
        for (auto& i : infos_) {
            if (i->name() == name) {
                return *i;
            }
        }
        infos_.push_back(std::make_unique<framework::node_info>(name));
        return *infos_.back();
    }

    std::vector<std::unique_ptr<framework::node_info>> infos_;
    std::vector<const framework::node_info*> all_;
};

// upstream scoring_test.go `namespaces`.
inline void add_team_namespaces(testing::fake_handle& h) {
    h.namespaces["subteam1.team1"] = labels({{"team", "team1"}});
    h.namespaces["subteam2.team1"] = labels({{"team", "team1"}});
    h.namespaces["subteam1.team2"] = labels({{"team", "team2"}});
    h.namespaces["subteam2.team2"] = labels({{"team", "team2"}});
}

inline std::shared_ptr<const framework::pod_info> info(const api::pod& p) {
    return framework::make_pod_info(std::make_shared<const api::pod>(p));
}

}  // namespace multisched::plugins::inter_pod_affinity::test
