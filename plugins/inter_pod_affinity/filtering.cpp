// SPDX-License-Identifier: Apache-2.0
// InterPodAffinity PreFilter, its extensions and Filter (upstream filtering.go).
#include <fmt/format.h>

#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"
#include "plugins/inter_pod_affinity/terms.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

using framework::code;
using framework::status;

status missing_state() {
    return status::error(
        fmt::format("error reading \"{}\" from cycleState: not found", kPreFilterStateKey));
}

// upstream getExistingAntiAffinityCounts for the pods of one node: their required anti-affinity
// terms that match the incoming pod.
void count_existing_anti_affinity(pre_filter_state& s, const api::pod& pod,
                                  const framework::node_info& n, const api::label_map& labels) {
    for (const auto& existing : n.pods_with_required_anti_affinity()) {
        for (const auto& t : existing->required_anti_affinity) {
            if (matches_incoming(t, pod, s.namespace_labels)) {
                s.existing_anti_affinity.add_on(t.topology_key, labels, 1);
            }
        }
    }
}

// The incoming pod's terms against `other` on a node with `labels` (upstream
// updateWithAffinityTerms / updateWithAntiAffinityTerms), `delta` per matching term.
void count_incoming(pre_filter_state& s, const framework::pod_info& pod, const api::pod& other,
                    const api::label_map& labels, namespace_cache& ns, std::int64_t delta) {
    if (matches_all(pod.required_affinity, other, ns)) {
        for (const auto& t : pod.required_affinity) {
            s.affinity.add_on(t.topology_key, labels, delta);
        }
    }
    for (const auto& t : pod.required_anti_affinity) {
        if (matches_other(t, other, ns)) {
            s.anti_affinity.add_on(t.topology_key, labels, delta);
        }
    }
}

// The memo keys of the incoming pod's required terms for one cycle (pod_counter::key).
struct incoming_keys {
    std::uint64_t affinity = 0;       // all required affinity terms together
    std::vector<std::uint64_t> anti;  // each required anti-affinity term
};

// count_incoming for every pod of `n` at once, the counts remembered per node: upstream
// getIncomingAffinityAntiAffinityCounts for one node.
void count_incoming_on(pre_filter_state& s, const framework::pod_info& pod,
                       const framework::node_info& n, const api::label_map& labels,
                       namespace_cache& ns, const incoming_keys& keys) {
    if (!pod.required_affinity.empty()) {
        const std::int64_t matching = pod_counter::count(n, keys.affinity, [&](const api::pod& p) {
            return matches_all(pod.required_affinity, p, ns);
        });
        if (matching > 0) {
            for (const auto& t : pod.required_affinity) {
                s.affinity.add_on(t.topology_key, labels, matching);
            }
        }
    }
    for (std::size_t i = 0; i < pod.required_anti_affinity.size(); ++i) {
        const auto& t = pod.required_anti_affinity[i];
        const std::int64_t matching = pod_counter::count(
            n, keys.anti[i], [&](const api::pod& p) { return matches_other(t, p, ns); });
        if (matching > 0) {
            s.anti_affinity.add_on(t.topology_key, labels, matching);
        }
    }
}

// upstream satisfyPodAffinity: every topology key on the node, and a matching pod in each
// domain, unless no pod matches anywhere and the pod matches its own terms.
bool satisfies_affinity(const pre_filter_state& s, const framework::pod_info& pod,
                        const api::label_map& labels) {
    bool pods_exist = true;
    for (const auto& t : pod.required_affinity) {
        const std::string* value = labels.find(t.topology_key);
        if (value == nullptr) {
            return false;
        }
        if (s.affinity.count(t.topology_key, *value) <= 0) {
            pods_exist = false;
        }
    }
    return pods_exist || (s.affinity.empty() && s.matches_own_affinity);
}

// upstream satisfyPodAntiAffinity.
bool satisfies_anti_affinity(const pre_filter_state& s, const framework::pod_info& pod,
                             const api::label_map& labels) {
    if (s.anti_affinity.empty()) {
        return true;
    }
    for (const auto& t : pod.required_anti_affinity) {
        const std::string* value = labels.find(t.topology_key);
        if (value != nullptr && s.anti_affinity.count(t.topology_key, *value) > 0) {
            return false;
        }
    }
    return true;
}

}  // namespace

status inter_pod_affinity::pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                      std::span<const framework::node_info* const> nodes,
                                      framework::pre_filter_result& /*result*/) {
    if (std::string err = parse_error(pod); !err.empty()) {
        return {code::unschedulable_and_unresolvable, "parsing pod: " + err};
    }
    auto s = std::make_unique<pre_filter_state>();
    if (const api::label_map* own = handle_.namespace_labels(pod.pod->meta.ns)) {
        s->namespace_labels = *own;
    }
    const bool has_required = !pod.required_affinity.empty() || !pod.required_anti_affinity.empty();
    namespace_cache ns(handle_);
    // One pass over the nodes for both the existing pods' anti-affinity and, when the pod has
    // required terms, upstream getIncomingAffinityAntiAffinityCounts. Without required terms
    // only nodes holding pods with required anti-affinity count (upstream's
    // HavePodsWithRequiredAntiAffinityList) when the handle tracks them.
    const auto with_anti_affinity =
        has_required ? std::nullopt : handle_.nodes_with_required_anti_affinity();
    incoming_keys keys;
    if (has_required) {
        if (!pod.required_affinity.empty()) {
            keys.affinity = counter_.key(pod.required_affinity, true);
        }
        for (const auto& t : pod.required_anti_affinity) {
            keys.anti.push_back(counter_.key(std::span(&t, 1), false));
        }
    }
    for (const auto* n : with_anti_affinity ? *with_anti_affinity : nodes) {
        if (n->node() == nullptr) {
            continue;
        }
        const api::label_map& labels = n->node()->meta.labels;
        count_existing_anti_affinity(*s, *pod.pod, *n, labels);
        if (has_required) {
            count_incoming_on(*s, pod, *n, labels, ns, keys);
        }
    }
    if (!has_required && s->existing_anti_affinity.empty()) {
        return {code::skip, std::vector<std::string>{}};
    }
    s->matches_own_affinity = matches_all(pod.required_affinity, *pod.pod, ns);
    state.write(kPreFilterStateKey, std::move(s));
    return {};
}

status inter_pod_affinity::update_with_pod(framework::cycle_state& state,
                                           const framework::pod_info& pod,
                                           const framework::pod_info& other,
                                           const framework::node_info& node, std::int64_t delta) {
    auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    if (s == nullptr) {
        return missing_state();
    }
    if (node.node() == nullptr) {
        return {};  // no labels, no topology pair to count
    }
    const api::label_map& labels = node.node()->meta.labels;
    for (const auto& t : other.required_anti_affinity) {
        if (matches_incoming(t, *pod.pod, s->namespace_labels)) {
            s->existing_anti_affinity.add_on(t.topology_key, labels, delta);
        }
    }
    namespace_cache ns(handle_);
    count_incoming(*s, pod, *other.pod, labels, ns, delta);
    return {};
}

status inter_pod_affinity::add_pod(framework::cycle_state& state, const framework::pod_info& pod,
                                   const framework::pod_info& other,
                                   const framework::node_info& node) {
    return update_with_pod(state, pod, other, node, 1);
}

status inter_pod_affinity::remove_pod(framework::cycle_state& state, const framework::pod_info& pod,
                                      const framework::pod_info& other,
                                      const framework::node_info& node) {
    return update_with_pod(state, pod, other, node, -1);
}

status inter_pod_affinity::filter(framework::cycle_state& state, const framework::pod_info& pod,
                                  const framework::node_info& node) {
    const auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    if (s == nullptr) {
        return missing_state();
    }
    if (node.node() == nullptr) {
        return status::error("node not found");
    }
    const api::label_map& labels = node.node()->meta.labels;
    if (!satisfies_affinity(*s, pod, labels)) {
        return {code::unschedulable_and_unresolvable,
                framework::constant_reason{kErrReasonAffinityRulesNotMatch}};
    }
    if (!satisfies_anti_affinity(*s, pod, labels)) {
        return {code::unschedulable,
                framework::constant_reason{kErrReasonAntiAffinityRulesNotMatch}};
    }
    if (!s->existing_anti_affinity.empty() && s->existing_anti_affinity.any_positive_on(labels)) {
        return {code::unschedulable,
                framework::constant_reason{kErrReasonExistingAntiAffinityRulesNotMatch}};
    }
    return {};
}

}  // namespace multisched::plugins::inter_pod_affinity
