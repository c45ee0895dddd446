// SPDX-License-Identifier: Apache-2.0
// InterPodAffinity PreScore, Score and NormalizeScore (upstream scoring.go).
#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"
#include "plugins/inter_pod_affinity/terms.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

using framework::code;
using framework::status;

status skip() {
    return {code::skip, std::vector<std::string>{}};
}

status missing_state() {
    return status::error(
        fmt::format("failed to read \"{}\" from cycleState: not found", kPreScoreStateKey));
}

// What one PreScore call needs to score the pods of a node (upstream processExistingPod).
struct scorer {
    const framework::pod_info& incoming;
    const api::label_map& incoming_ns_labels;  // empty when the namespace is unknown
    std::int32_t hard_weight;
    namespace_cache& ns;
    topology_counts& scores;
    // The memo keys of the incoming pod's preferred affinity and anti-affinity terms, in order.
    std::vector<std::uint64_t> affinity_keys;
    std::vector<std::uint64_t> anti_affinity_keys;

    // The incoming pod's preferred terms against every pod of `n`, by term: weight x matches.
    void incoming_terms(const framework::node_info& n, const api::label_map& node_labels) {
        accumulate_terms(n, node_labels, incoming.preferred_affinity, affinity_keys, 1);
        accumulate_terms(n, node_labels, incoming.preferred_anti_affinity, anti_affinity_keys, -1);
    }

    void accumulate_terms(const framework::node_info& n, const api::label_map& node_labels,
                          const std::vector<framework::affinity_term>& terms,
                          const std::vector<std::uint64_t>& keys, std::int64_t sign) {
        for (std::size_t i = 0; i < terms.size(); ++i) {
            const auto& t = terms[i];
            const std::int64_t matching = pod_counter::count(
                n, keys[i], [&](const api::pod& p) { return matches_other(t, p, ns); });
            if (matching > 0) {
                scores.accumulate(t.topology_key, node_labels, sign * t.weight * matching);
            }
        }
    }

    void existing_terms(const framework::pod_info& other, const api::label_map& node_labels) {
        // The existing pod's terms against the incoming pod: required affinity counts
        // hardPodAffinityWeight (symmetry), preferred terms their weight.
        if (hard_weight > 0) {
            for (const auto& t : other.required_affinity) {
                if (matches_incoming(t, *incoming.pod, incoming_ns_labels)) {
                    scores.accumulate(t.topology_key, node_labels, hard_weight);
                }
            }
        }
        for (const auto& t : other.preferred_affinity) {
            if (matches_incoming(t, *incoming.pod, incoming_ns_labels)) {
                scores.accumulate(t.topology_key, node_labels, t.weight);
            }
        }
        for (const auto& t : other.preferred_anti_affinity) {
            if (matches_incoming(t, *incoming.pod, incoming_ns_labels)) {
                scores.accumulate(t.topology_key, node_labels, -std::int64_t{t.weight});
            }
        }
    }
};

}  // namespace

status inter_pod_affinity::pre_score(framework::cycle_state& state, const framework::pod_info& pod,
                                     std::span<const framework::node_info* const> nodes) {
    if (nodes.empty()) {
        return skip();
    }
    const bool has_constraints =
        !pod.preferred_affinity.empty() || !pod.preferred_anti_affinity.empty();
    if (args_.ignore_preferred_terms_of_existing_pods && !has_constraints) {
        return skip();
    }
    if (std::string err = parse_error(pod); !err.empty()) {
        return status::error("failed to parse pod: " + err);
    }
    api::label_map incoming_ns_labels;
    if (const api::label_map* own = handle_.namespace_labels(pod.pod->meta.ns)) {
        incoming_ns_labels = *own;
    }
    auto s = std::make_unique<pre_score_state>();
    namespace_cache ns(handle_);
    scorer sc{pod, incoming_ns_labels, args_.hard_pod_affinity_weight, ns, s->scores, {}, {}};
    for (const auto& t : pod.preferred_affinity) {
        sc.affinity_keys.push_back(counter_.key(std::span(&t, 1), false));
    }
    for (const auto& t : pod.preferred_anti_affinity) {
        sc.anti_affinity_keys.push_back(counter_.key(std::span(&t, 1), false));
    }
    // Without preferred terms of its own, only existing pods with affinity terms can score: only
    // nodes holding such pods are visited when the handle tracks them.
    const auto with_affinity = has_constraints ? std::nullopt : handle_.nodes_with_pod_affinity();
    for (const auto* n : with_affinity ? *with_affinity : handle_.all_nodes()) {
        const auto& pods = has_constraints ? n->pods() : n->pods_with_affinity();
        if (pods.empty() || n->node() == nullptr || n->node()->meta.labels.empty()) {
            continue;
        }
        const api::label_map& labels = n->node()->meta.labels;
        sc.incoming_terms(*n, labels);
        // Pods without terms of their own add nothing here.
        for (const auto& existing : n->pods_with_affinity()) {
            sc.existing_terms(*existing, labels);
        }
    }
    if (s->scores.empty()) {
        return skip();
    }
    state.write(kPreScoreStateKey, std::move(s));
    return {};
}

status inter_pod_affinity::score(framework::cycle_state& state, const framework::pod_info& /*pod*/,
                                 const framework::node_info& node, std::int64_t& score) {
    const auto* s = state.read<pre_score_state>(kPreScoreStateKey);
    if (s == nullptr) {
        return missing_state();
    }
    if (node.node() == nullptr) {
        return status::error("node not found");
    }
    score = s->scores.sum_on(node.node()->meta.labels);
    return {};
}

status inter_pod_affinity::normalize_score(framework::cycle_state& state,
                                           const framework::pod_info& /*pod*/,
                                           std::span<const framework::node_info* const> /*nodes*/,
                                           std::span<std::int64_t> scores) {
    const auto* s = state.read<pre_score_state>(kPreScoreStateKey);
    if (s == nullptr) {
        return missing_state();
    }
    if (s->scores.empty() || scores.empty()) {
        return {};
    }
    const auto [min_it, max_it] = std::minmax_element(scores.begin(), scores.end());
    const std::int64_t min = *min_it;
    const std::int64_t diff = *max_it - min;
    for (auto& v : scores) {
        double f = 0;
        if (diff > 0) {
            f = static_cast<double>(framework::kMaxNodeScore) *
                (static_cast<double>(v - min) / static_cast<double>(diff));
        }
        v = static_cast<std::int64_t>(f);
    }
    return {};
}

}  // namespace multisched::plugins::inter_pod_affinity
