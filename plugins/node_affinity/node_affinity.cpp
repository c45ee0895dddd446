// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_affinity/node_affinity.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <string>

#include "plugins/helper/normalize.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::node_affinity {
namespace {

struct pre_filter_state final : framework::cycle_state::cloneable<pre_filter_state> {
    explicit pre_filter_state(const api::pod& pod) : required(pod) {}
    required_node_affinity required;
};

struct pre_score_state final : framework::cycle_state::cloneable<pre_score_state> {
    explicit pre_score_state(api::preferred_terms t) : preferred(std::move(t)) {}
    api::preferred_terms preferred;
};

const std::vector<api::node_selector_term>* pod_required_terms(const api::pod& pod) {
    if (!pod.node_affinity || !pod.node_affinity->required) {
        return nullptr;
    }
    return &*pod.node_affinity->required;
}

// upstream getPodPreferredNodeAffinity; nullopt when the pod has no preferred terms.
std::optional<api::preferred_terms> pod_preferred_terms(const api::pod& pod) {
    if (!pod.node_affinity || pod.node_affinity->preferred.empty()) {
        return std::nullopt;
    }
    return api::preferred_terms(pod.node_affinity->preferred);
}

// errors.Flatten(NewAggregate(errs)).Error(): one error as is, several as "[a, b]".
std::string aggregate(const std::vector<std::string>& errs) {
    if (errs.size() == 1) {
        return errs.front();
    }
    std::string out = "[";
    for (std::size_t i = 0; i < errs.size(); ++i) {
        out += (i == 0 ? "" : ", ") + errs[i];
    }
    return out + "]";
}

// The names a term pins with metadata.name In requirements (intersected); nullopt when it has none.
std::optional<std::set<std::string>> term_node_names(const api::node_selector_term& t) {
    std::optional<std::set<std::string>> names;
    for (const auto& r : t.match_fields) {
        if (r.key != api::kObjectNameField || r.op != "In") {
            continue;
        }
        std::set<std::string> s(r.values.begin(), r.values.end());
        if (!names) {
            names = std::move(s);
            continue;
        }
        std::set<std::string> both;
        std::set_intersection(names->begin(), names->end(), s.begin(), s.end(),
                              std::inserter(both, both.end()));
        names = std::move(both);
    }
    return names;
}

}  // namespace

required_node_affinity::required_node_affinity(const api::pod& pod) {
    if (!pod.node_selector.empty()) {
        node_selector_ = pod.node_selector;
    }
    if (const auto* terms = pod_required_terms(pod)) {
        terms_.emplace(*terms);
    }
}

bool required_node_affinity::matches(const api::node& n) const {
    if (node_selector_ && !api::matches_node_selector(*node_selector_, n.meta.labels)) {
        return false;
    }
    return !terms_ || terms_->matches(n);
}

node_affinity::node_affinity(const node_affinity_args& args) {
    if (!args.added_affinity) {
        return;
    }
    if (args.added_affinity->required) {
        added_node_selector_.emplace(*args.added_affinity->required);
    }
    if (!args.added_affinity->preferred.empty()) {
        added_pref_terms_.emplace(args.added_affinity->preferred);
    }
}

std::string_view node_affinity::name() const {
    return names::kNodeAffinity;
}

framework::status node_affinity::pre_filter(framework::cycle_state& state,
                                            const framework::pod_info& pod,
                                            std::span<const framework::node_info* const> /*nodes*/,
                                            framework::pre_filter_result& result) {
    const api::pod& p = *pod.pod;
    const auto* terms = pod_required_terms(p);
    if (terms == nullptr && !added_node_selector_ && p.node_selector.empty()) {
        return {framework::code::skip, std::vector<std::string>{}};
    }
    state.write(kPreFilterStateKey, std::make_unique<pre_filter_state>(p));
    if (terms == nullptr || terms->empty()) {
        return {};
    }
    // Every term (ORed) must pin node names for the union to bound the candidates.
    std::set<std::string> node_names;
    for (const auto& t : *terms) {
        auto names = term_node_names(t);
        if (!names) {
            return {};
        }
        node_names.merge(*names);
    }
    if (node_names.empty()) {
        return {framework::code::unschedulable_and_unresolvable,
                framework::constant_reason{kErrReasonConflict}};
    }
    result.node_names = std::move(node_names);
    return {};
}

framework::status node_affinity::filter(framework::cycle_state& state,
                                        const framework::pod_info& pod,
                                        const framework::node_info& node) {
    if (node.node() == nullptr) {
        return framework::status::error("node not found");
    }
    const api::node& n = *node.node();
    if (added_node_selector_ && !added_node_selector_->matches(n)) {
        return {framework::code::unschedulable_and_unresolvable,
                framework::constant_reason{kErrReasonEnforced}};
    }
    // Without PreFilter state (PreFilter disabled), compute the affinity here, as upstream does.
    const auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    const bool ok =
        s != nullptr ? s->required.matches(n) : required_node_affinity(*pod.pod).matches(n);
    if (!ok) {
        return {framework::code::unschedulable_and_unresolvable,
                framework::constant_reason{kErrReasonPod}};
    }
    return {};
}

framework::status node_affinity::pre_score(framework::cycle_state& state,
                                           const framework::pod_info& pod,
                                           std::span<const framework::node_info* const> /*nodes*/) {
    auto preferred = pod_preferred_terms(*pod.pod);
    if (preferred && !preferred->errors().empty()) {
        return framework::status::error(aggregate(preferred->errors()));
    }
    if (!preferred && !added_pref_terms_) {
        return {framework::code::skip, std::vector<std::string>{}};
    }
    state.write(kPreScoreStateKey,
                std::make_unique<pre_score_state>(preferred.value_or(
                    api::preferred_terms(std::vector<api::preferred_scheduling_term>{}))));
    return {};
}

framework::status node_affinity::score(framework::cycle_state& state,
                                       const framework::pod_info& pod,
                                       const framework::node_info& node, std::int64_t& score) {
    score = 0;
    if (node.node() == nullptr) {
        return framework::status::error("getting node \"" + node.name() +
                                        "\" from Snapshot: nodeinfo not found for node name \"" +
                                        node.name() + "\"");
    }
    const api::node& n = *node.node();
    std::int64_t count = added_pref_terms_ ? added_pref_terms_->score(n) : 0;
    if (const auto* s = state.read<pre_score_state>(kPreScoreStateKey)) {
        count += s->preferred.score(n);
    } else if (auto preferred = pod_preferred_terms(*pod.pod)) {
        // PreScore disabled: upstream computes the pod's terms here.
        if (!preferred->errors().empty()) {
            return framework::status::error(aggregate(preferred->errors()));
        }
        count += preferred->score(n);
    }
    score = count;
    return {};
}

framework::status node_affinity::normalize_score(
    framework::cycle_state& /*state*/, const framework::pod_info& /*pod*/,
    std::span<const framework::node_info* const> /*nodes*/, std::span<std::int64_t> scores) {
    helper::default_normalize_score(framework::kMaxNodeScore, false, scores);
    return {};
}

// Upstream without queueing hints: Node Add|UpdateNodeLabel, and UpdateNodeTaint since v1.31 so
// a node whose Add the queue missed is still seen (k/k #109437).
std::vector<framework::cluster_event> node_affinity::events_to_register() const {
    return {{framework::event_resource::node, framework::action_add |
                                                  framework::action_update_node_label |
                                                  framework::action_update_node_taint}};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& /*h*/) {
    auto parsed = parse_args(args);
    if (!parsed) {
        return parsed.error();
    }
    return std::unique_ptr<framework::plugin>(std::make_unique<node_affinity>(*parsed));
}

}  // namespace multisched::plugins::node_affinity
