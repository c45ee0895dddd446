// SPDX-License-Identifier: Apache-2.0
// PreScore, Score and NormalizeScore (upstream scoring.go).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "plugins/pod_topology_spread/pod_topology_spread.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

constexpr std::int64_t kInvalidScore = -1;

// upstream topologyNormalizingWeight: counts of small topologies are not watered down by big ones.
double normalizing_weight(std::size_t size) {
    return std::log(static_cast<double>(size + 2));
}

// upstream scoreForCount: maxSkew-1 is added so that small skews matter less.
double score_for_count(std::int64_t count, std::int32_t max_skew, double weight) {
    return static_cast<double>(count) * weight + static_cast<double>(max_skew - 1);
}

// The value of every topology key on the node into `values` (null where missing); whether all
// exist.
bool topology_values(const framework::node_info& n, std::span<const spread_constraint> cs,
                     std::vector<const std::string*>& values) {
    bool all = true;
    for (std::size_t i = 0; i < cs.size(); ++i) {
        values[i] = topology_value(n, cs[i]);
        all = all && values[i] != nullptr;
    }
    return all;
}

std::string_view value_or_empty(const std::string* v) {
    return v == nullptr ? std::string_view() : std::string_view(*v);
}

// upstream initPreScoreState after the constraints: the domains of the feasible nodes (hostname
// constraints excepted: Score counts per node), the ignored nodes and the weights.
void init_domains(pre_score_state& s, std::span<const framework::node_info* const> nodes,
                  bool require_all_topologies) {
    const auto& cs = s.constraints;
    s.counts.resize(cs.size());
    std::vector<const std::string*> values(cs.size());
    std::size_t feasible = 0;
    for (const framework::node_info* ni : nodes) {
        const api::node* n = ni->node();
        if (n == nullptr) {
            continue;
        }
        ++feasible;
        if (!topology_values(*ni, cs, values) && require_all_topologies) {
            s.ignored_nodes.insert(ni->name());
            continue;
        }
        for (std::size_t i = 0; i < cs.size(); ++i) {
            if (!cs[i].is_hostname) {
                domain_count(s.counts[i], value_or_empty(values[i]));
            }
        }
    }
    s.weights.resize(cs.size());
    for (std::size_t i = 0; i < cs.size(); ++i) {
        const std::size_t size =
            cs[i].is_hostname ? feasible - s.ignored_nodes.size() : s.counts[i].size();
        s.weights[i] = normalizing_weight(size);
    }
}

// Adds the matching pods of every node of the cluster to the domains found above.
void count_domains(pre_score_state& s, const api::pod& pod,
                   std::span<const framework::node_info* const> all_nodes,
                   bool require_all_topologies) {
    const auto& cs = s.constraints;
    if (std::all_of(cs.begin(), cs.end(), [](const auto& c) { return c.is_hostname; })) {
        return;  // nothing is counted per domain
    }
    const node_inclusion inclusion(pod);
    std::vector<const std::string*> values(cs.size());
    for (const framework::node_info* ni : all_nodes) {
        const api::node* n = ni->node();
        if (n == nullptr || (!topology_values(*ni, cs, values) && require_all_topologies)) {
            continue;
        }
        node_check check(inclusion, *n);
        for (std::size_t i = 0; i < cs.size(); ++i) {
            if (cs[i].is_hostname) {
                continue;
            }
            auto it = s.counts[i].find(value_or_empty(values[i]));
            // A domain with no feasible node is not scored.
            if (it == s.counts[i].end() || !check.matches(cs[i])) {
                continue;
            }
            it->second += count_matching(*ni, cs[i], pod.meta.ns);
        }
    }
}

}  // namespace

framework::status pod_topology_spread::pre_score(
    framework::cycle_state& state, const framework::pod_info& pod,
    std::span<const framework::node_info* const> nodes) {
    const auto all_nodes = handle_->all_nodes();
    if (all_nodes.empty()) {
        return {framework::code::skip, std::vector<std::string>{}};
    }
    const api::pod& p = *pod.pod;
    auto constraints = constraints_for(p, kScheduleAnyway);
    if (!constraints) {
        return framework::status::error("calculating preScoreState: " +
                                        constraints.error().message);
    }
    if (constraints->empty()) {
        return {framework::code::skip, std::vector<std::string>{}};
    }
    assign_memo_keys(*constraints, p.meta.ns);
    // Only pod-level or List constraints require every topology key: with the system defaults a
    // node without a zone label still gets hostname spreading.
    const bool require_all = !p.topology_spread_constraints.empty() || !system_defaulted_;
    auto s = std::make_unique<pre_score_state>();
    s->constraints = std::move(*constraints);
    init_domains(*s, nodes, require_all);
    count_domains(*s, p, all_nodes, require_all);
    state.write(kPreScoreStateKey, std::move(s));
    return {};
}

framework::status pod_topology_spread::score(framework::cycle_state& state,
                                             const framework::pod_info& pod,
                                             const framework::node_info& node,
                                             std::int64_t& score) {
    score = 0;
    const api::node* n = node.node();
    if (n == nullptr) {
        return framework::status::error("getting node \"" + node.name() +
                                        "\" from Snapshot: nodeinfo not found for node name \"" +
                                        node.name() + "\"");
    }
    const auto* s = state.read<pre_score_state>(kPreScoreStateKey);
    if (s == nullptr) {
        return framework::status::error("reading \"" + std::string(kPreScoreStateKey) +
                                        "\" from cycleState: not found");
    }
    if (!s->ignored_nodes.empty() && s->ignored_nodes.contains(std::string_view(node.name()))) {
        return {};
    }
    double total = 0;
    for (std::size_t i = 0; i < s->constraints.size(); ++i) {
        const auto& c = s->constraints[i];
        const std::string* value = n->meta.labels.find(c.topology_key);
        if (value == nullptr) {
            continue;
        }
        const std::int64_t count = c.is_hostname ? count_matching(node, c, pod.pod->meta.ns)
                                                 : count_of(s->counts[i], *value);
        total += score_for_count(count, c.max_skew, s->weights[i]);
    }
    score = std::llround(total);
    return {};
}

framework::status pod_topology_spread::normalize_score(
    framework::cycle_state& state, const framework::pod_info& /*pod*/,
    std::span<const framework::node_info* const> nodes, std::span<std::int64_t> scores) {
    const auto* s = state.read<pre_score_state>(kPreScoreStateKey);
    if (s == nullptr) {
        return framework::status::error("reading \"" + std::string(kPreScoreStateKey) +
                                        "\" from cycleState: not found");
    }
    std::int64_t min_score = std::numeric_limits<std::int64_t>::max();
    std::int64_t max_score = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (!s->ignored_nodes.empty() &&
            s->ignored_nodes.contains(std::string_view(nodes[i]->name()))) {
            scores[i] = kInvalidScore;
            continue;
        }
        min_score = std::min(min_score, scores[i]);
        max_score = std::max(max_score, scores[i]);
    }
    for (auto& v : scores) {
        if (v == kInvalidScore) {
            v = 0;
        } else if (max_score == 0) {
            v = framework::kMaxNodeScore;
        } else {
            v = framework::kMaxNodeScore * (max_score + min_score - v) / max_score;
        }
    }
    return {};
}

}  // namespace multisched::plugins::pod_topology_spread
