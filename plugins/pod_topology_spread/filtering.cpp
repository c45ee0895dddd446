// SPDX-License-Identifier: Apache-2.0
// PreFilter, its AddPod / RemovePod extensions, and Filter (upstream filtering.go).
#include <string>
#include <utility>

#include "plugins/pod_topology_spread/pod_topology_spread.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

framework::status missing_state(std::string_view key) {
    return framework::status::error("reading \"" + std::string(key) +
                                    "\" from cycleState: not found");
}

// Adds the matching pods of every node that has all topology keys to its domains.
void count_domains(pre_filter_state& s, const api::pod& pod,
                   std::span<const framework::node_info* const> nodes) {
    const auto& cs = s.constraints;
    const node_inclusion inclusion(pod);
    std::vector<const std::string*> values(cs.size());
    for (const framework::node_info* ni : nodes) {
        const api::node* n = ni->node();
        if (n == nullptr) {
            continue;
        }
        bool all_keys = true;
        for (std::size_t i = 0; i < cs.size() && all_keys; ++i) {
            values[i] = topology_value(*ni, cs[i]);
            all_keys = values[i] != nullptr;
        }
        if (!all_keys) {
            continue;
        }
        node_check check(inclusion, *n);
        for (std::size_t i = 0; i < cs.size(); ++i) {
            if (!check.matches(cs[i])) {
                continue;
            }
            domain_count(s.counts[i], *values[i]) += count_matching(*ni, cs[i], pod.meta.ns);
        }
    }
}

}  // namespace

framework::status pod_topology_spread::pre_filter(
    framework::cycle_state& state, const framework::pod_info& pod,
    std::span<const framework::node_info* const> nodes, framework::pre_filter_result& /*result*/) {
    const api::pod& p = *pod.pod;
    auto constraints = constraints_for(p, kDoNotSchedule);
    if (!constraints) {
        return framework::status::error(constraints.error().message);
    }
    assign_memo_keys(*constraints, p.meta.ns);
    if (constraints->empty()) {
        return {framework::code::skip, std::vector<std::string>{}};
    }
    auto s = std::make_unique<pre_filter_state>();
    s->constraints = std::move(*constraints);
    const std::size_t n = s->constraints.size();
    s->counts.resize(n);
    s->paths.resize(n);
    s->self_match.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& c = s->constraints[i];
        if (c.is_hostname) {
            s->counts[i].reserve(nodes.size());
        }
        s->self_match[i] = c.selects(p.meta.labels) ? 1 : 0;
    }
    count_domains(*s, p, nodes);
    for (std::size_t i = 0; i < n; ++i) {
        for (const auto& [value, num] : s->counts[i]) {
            s->paths[i].update(value, num);
        }
    }
    state.write(kPreFilterStateKey, std::move(s));
    return {};
}

framework::status pod_topology_spread::update_with_pod(framework::cycle_state& state,
                                                       const api::pod& preemptor,
                                                       const api::pod& other,
                                                       const framework::node_info& node,
                                                       std::int64_t delta) const {
    auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    if (s == nullptr) {
        return missing_state(kPreFilterStateKey);
    }
    const api::node* n = node.node();
    if (other.meta.ns != preemptor.meta.ns || n == nullptr ||
        !has_all_keys(n->meta.labels, s->constraints)) {
        return {};
    }
    const node_inclusion inclusion(preemptor);
    node_check check(inclusion, *n);
    for (std::size_t i = 0; i < s->constraints.size(); ++i) {
        const auto& c = s->constraints[i];
        if (!c.selects(other.meta.labels) || !check.matches(c)) {
            continue;
        }
        const std::string& value = *n->meta.labels.find(c.topology_key);
        std::int64_t& num = domain_count(s->counts[i], value);
        num += delta;
        s->paths[i].update(value, num);
    }
    return {};
}

framework::status pod_topology_spread::add_pod(framework::cycle_state& state,
                                               const framework::pod_info& pod,
                                               const framework::pod_info& other,
                                               const framework::node_info& node) {
    return update_with_pod(state, *pod.pod, *other.pod, node, 1);
}

framework::status pod_topology_spread::remove_pod(framework::cycle_state& state,
                                                  const framework::pod_info& pod,
                                                  const framework::pod_info& other,
                                                  const framework::node_info& node) {
    return update_with_pod(state, *pod.pod, *other.pod, node, -1);
}

framework::status pod_topology_spread::filter(framework::cycle_state& state,
                                              const framework::pod_info& /*pod*/,
                                              const framework::node_info& node) {
    const api::node* n = node.node();
    if (n == nullptr) {
        return framework::status::error("node not found");
    }
    const auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    if (s == nullptr) {
        return missing_state(kPreFilterStateKey);
    }
    for (std::size_t i = 0; i < s->constraints.size(); ++i) {
        const auto& c = s->constraints[i];
        const std::string* value = topology_value(node, c);
        if (value == nullptr) {
            return {framework::code::unschedulable_and_unresolvable,
                    framework::constant_reason{kErrReasonNodeLabelNotMatch}};
        }
        // existing matches + self match - global minimum <= maxSkew
        const std::int64_t skew =
            count_of(s->counts[i], *value) + s->self_match[i] - s->min_match(i);
        if (skew > c.max_skew) {
            return {framework::code::unschedulable,
                    framework::constant_reason{kErrReasonConstraintsNotMatch}};
        }
    }
    return {};
}

}  // namespace multisched::plugins::pod_topology_spread
