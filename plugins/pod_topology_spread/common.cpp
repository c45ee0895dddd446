// SPDX-License-Identifier: Apache-2.0
#include "plugins/pod_topology_spread/common.hpp"

#include <algorithm>
#include <utility>

#include "core/framework/memo_keys.hpp"
#include "plugins/helper/taints.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

constexpr std::string_view kEffectNoSchedule = "NoSchedule";
constexpr std::string_view kEffectNoExecute = "NoExecute";

}  // namespace

result<std::vector<spread_constraint>> filter_constraints(
    std::span<const api::topology_spread_constraint> source, const api::label_map& pod_labels,
    std::string_view action) {
    std::vector<spread_constraint> out;
    for (const auto& c : source) {
        if (c.when_unsatisfiable != action) {
            continue;
        }
        spread_constraint sc;
        sc.max_skew = c.max_skew;
        sc.topology_key = c.topology_key;
        sc.is_hostname = c.topology_key == kLabelHostname;
        sc.min_domains = c.min_domains.value_or(1);
        sc.honor_node_affinity =
            c.node_affinity_policy.empty() || c.node_affinity_policy == kPolicyHonor;
        sc.honor_node_taints = c.node_taints_policy == kPolicyHonor;
        if (c.selector) {
            auto errs = api::label_selector_errors(*c.selector, "labelSelector");
            if (!errs.empty()) {
                return error{{}, std::move(errs.front())};
            }
            sc.selector = *c.selector;
            // mergeLabelSetWithSelector: key=value requirements ANDed with the selector's own.
            for (const auto& key : c.match_label_keys) {
                if (const std::string* v = pod_labels.find(key)) {
                    sc.selector->match_expressions.push_back({key, "In", {*v}});
                }
            }
        }
        out.push_back(std::move(sc));
    }
    return out;
}

std::int64_t count_matching(const std::vector<std::shared_ptr<const framework::pod_info>>& pods,
                            const spread_constraint& c, std::string_view ns) {
    if (!c.selector || c.selector_empty()) {
        return 0;
    }
    std::int64_t count = 0;
    for (const auto& info : pods) {
        const api::pod& p = *info->pod;
        // Other namespaces, and terminating pods (k/k #87621), are not counted.
        if (p.meta.ns != ns || p.meta.deleting) {
            continue;
        }
        if (api::matches_valid(*c.selector, p.meta.labels)) {
            ++count;
        }
    }
    return count;
}

std::int64_t count_matching(const framework::node_info& node, const spread_constraint& c,
                            std::string_view ns) {
    if (c.memo_key == 0) {
        return count_matching(node.pods(), c, ns);
    }
    if (const std::int64_t* known = node.recall(c.memo_key)) {
        return *known;
    }
    const std::int64_t count = count_matching(node.pods(), c, ns);
    node.remember(c.memo_key, count);
    return count;
}

std::string label_memo_text(std::string_view topology_key) {
    std::string text = "PodTopologySpread/label\x1d";
    text.append(topology_key);
    return text;
}

const std::string* topology_value(const framework::node_info& node, const spread_constraint& c) {
    const api::node* n = node.node();
    if (n == nullptr) {
        return nullptr;
    }
    const auto& items = n->meta.labels.items;
    if (c.label_memo_key != 0) {
        if (const std::int64_t* at = node.recall(c.label_memo_key)) {
            return *at < 0 ? nullptr : &items[static_cast<std::size_t>(*at)].second;
        }
    }
    const std::ptrdiff_t at = n->meta.labels.position(c.topology_key);
    if (c.label_memo_key != 0) {
        node.remember(c.label_memo_key, at);
    }
    return at < 0 ? nullptr : &items[static_cast<std::size_t>(at)].second;
}

std::string memo_text(const spread_constraint& c, std::string_view ns) {
    std::string text = "PodTopologySpread\x1d";
    text.append(ns).push_back('\x1d');
    if (c.selector) {
        framework::append_selector_text(text, *c.selector);
    }
    return text;
}

bool has_all_keys(const api::label_map& labels, std::span<const spread_constraint> constraints) {
    return std::all_of(constraints.begin(), constraints.end(),
                       [&](const spread_constraint& c) { return labels.contains(c.topology_key); });
}

node_inclusion::node_inclusion(const api::pod& pod) : pod_(&pod) {
    if (pod.node_affinity && pod.node_affinity->required) {
        required_.emplace(*pod.node_affinity->required);
    }
}

bool node_inclusion::affinity_matches(const api::node& n) const {
    if (!pod_->node_selector.empty() &&
        !api::matches_node_selector(pod_->node_selector, n.meta.labels)) {
        return false;
    }
    return !required_ || required_->matches(n);
}

bool node_inclusion::taints_tolerated(const api::node& n) const {
    return std::all_of(n.taints.begin(), n.taints.end(), [&](const api::taint& t) {
        const bool filtered = t.effect == kEffectNoSchedule || t.effect == kEffectNoExecute;
        return !filtered || helper::tolerations_tolerate_taint(pod_->tolerations, t);
    });
}

void critical_paths::update(std::string_view value, std::int64_t num) {
    int i = -1;
    if (value == paths[0].value) {
        i = 0;
    } else if (value == paths[1].value) {
        i = 1;
    }
    if (i >= 0) {
        paths[i].num = num;
        if (paths[0].num > paths[1].num) {
            std::swap(paths[0], paths[1]);
        }
        return;
    }
    if (num < paths[0].num) {
        // paths[1] takes the old paths[0]; reuse the old paths[1] buffer for the new value.
        std::swap(paths[0], paths[1]);
        paths[0].value.assign(value);
        paths[0].num = num;
    } else if (num < paths[1].num) {
        paths[1].value.assign(value);
        paths[1].num = num;
    }
}

}  // namespace multisched::plugins::pod_topology_spread
