// SPDX-License-Identifier: Apache-2.0
#include "core/framework/framework.hpp"

#include <algorithm>

#include "core/framework/instruments.hpp"
#include "core/framework/nominator.hpp"

namespace multisched::framework {
namespace {

// Filter plugins past this position are checked against skip_filter_plugins by name.
constexpr std::size_t kMaskBits = 64;

bool contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// A rejection keeps its code and reasons; anything else not success/skip becomes an error that
// names the plugin and the point, as upstream's AsStatus wrapping does.
status tag(status s, std::string_view plugin, std::string_view point) {
    if (s.is_rejected()) {
        return std::move(s.with_plugin(plugin));
    }
    if (s.code() == code::error) {
        return std::move(status(code::error, "running " + std::string(point) + " plugin \"" +
                                                 std::string(plugin) + "\": " + s.message())
                             .with_plugin(plugin));
    }
    return s;
}

}  // namespace

framework::framework(std::string profile_name, std::shared_ptr<handle> h,
                     std::vector<std::unique_ptr<plugin>> owned, plugin_lists lists,
                     std::optional<std::int32_t> percentage_of_nodes_to_score)
    : profile_name_(std::move(profile_name)),
      handle_(std::move(h)),
      owned_(std::move(owned)),
      lists_(std::move(lists)),
      percentage_(percentage_of_nodes_to_score) {
    // Which Filter plugin a PreFilter Skip switches off: the one of the same name.
    for (const auto* pre : lists_.pre_filter) {
        std::size_t i = 0;
        while (i < lists_.filter.size() && lists_.filter[i]->name() != pre->name()) {
            ++i;
        }
        filter_index_of_pre_filter_.push_back(i == lists_.filter.size() ? kMaskBits : i);
    }
    // Collected once here so failure handling never casts.
    for (const auto& p : owned_) {
        if (const auto* ext = dynamic_cast<const enqueue_extensions*>(p.get())) {
            events_.emplace_back(std::string(p->name()), ext->events_to_register());
        }
    }
}

framework::~framework() = default;

void framework::set_metrics(metrics::scheduler_metrics* m) {
    instruments_ =
        m == nullptr ? nullptr : std::make_unique<framework_instruments>(*m, profile_name_, lists_);
}

void framework::observe_plugin(extension_point point, const plugin& p, code result,
                               clock::duration elapsed, bool sampled) {
    if (profiler_ != nullptr) {
        profiler_->observe(point, p, result, elapsed);
    }
    if (sampled) {
        instruments_->plugin_call(point, p, result, std::chrono::duration<double>(elapsed).count());
    }
}

void framework::observe_point(extension_point point, code result, clock::time_point start) {
    instruments_->point(point, result, metrics::seconds_since(start));
}

void framework::observe_filter(code result, clock::time_point start) {
    if (instruments_ != nullptr) {
        observe_point(extension_point::filter, result, start);
    }
}

status framework::run_pre_enqueue(const api::pod& pod) const {
    for (auto* p : lists_.pre_enqueue) {
        status s = p->pre_enqueue(pod);
        if (!s.is_success()) {
            return tag(std::move(s), p->name(), "PreEnqueue");
        }
    }
    return {};
}

status framework::run_pre_filter(cycle_state& state, const pod_info& pod,
                                 std::span<const node_info* const> nodes,
                                 pre_filter_result& result) {
    return whole_point(extension_point::pre_filter,
                       [&] { return pre_filter_plugins(state, pod, nodes, result); });
}

status framework::pre_filter_plugins(cycle_state& state, const pod_info& pod,
                                     std::span<const node_info* const> nodes,
                                     pre_filter_result& result) {
    for (std::size_t j = 0; j < lists_.pre_filter.size(); ++j) {
        auto* p = lists_.pre_filter[j];
        pre_filter_result r;
        status s = timed(state, extension_point::pre_filter, *p,
                         [&] { return p->pre_filter(state, pod, nodes, r); });
        if (s.is_skip()) {
            state.skip_filter_plugins.emplace_back(p->name());
            if (const std::size_t i = filter_index_of_pre_filter_[j]; i < kMaskBits) {
                state.skip_filter_mask |= std::uint64_t{1} << i;
            }
            continue;
        }
        if (instruments_ != nullptr) {
            instruments_->pre_filter_evaluated(j).inc();
        }
        if (!s.is_success()) {
            return tag(std::move(s), p->name(), "PreFilter");
        }
        if (!r.node_names) {
            continue;
        }
        result.from_plugins.emplace_back(p->name());
        if (!result.node_names) {
            result.node_names = std::move(r.node_names);
            continue;
        }
        std::set<std::string> both;
        std::set_intersection(result.node_names->begin(), result.node_names->end(),
                              r.node_names->begin(), r.node_names->end(),
                              std::inserter(both, both.begin()));
        result.node_names = std::move(both);
    }
    return {};
}

status framework::run_filter(cycle_state& state, const pod_info& pod, const node_info& node) {
    for (std::size_t i = 0; i < lists_.filter.size(); ++i) {
        auto* p = lists_.filter[i];
        const bool skipped = i < kMaskBits ? ((state.skip_filter_mask >> i) & 1) != 0
                                           : contains(state.skip_filter_plugins, p->name());
        if (skipped) {
            continue;
        }
        if (instruments_ != nullptr) {
            instruments_->filter_evaluated(i).inc();
        }
        status s =
            timed(state, extension_point::filter, *p, [&] { return p->filter(state, pod, node); });
        if (!s.is_success()) {
            return tag(std::move(s), p->name(), "Filter");
        }
    }
    return {};
}

status framework::run_pre_filter_add_pod(cycle_state& state, const pod_info& pod,
                                         const pod_info& other, const node_info& node) {
    for (auto* p : lists_.pre_filter) {
        auto* ext = p->extensions();
        if (ext == nullptr || contains(state.skip_filter_plugins, p->name())) {
            continue;
        }
        status s = timed(state, extension_point::pre_filter_add_pod, *p,
                         [&] { return ext->add_pod(state, pod, other, node); });
        if (!s.is_success()) {
            return tag(std::move(s), p->name(), "AddPod");
        }
    }
    return {};
}

status framework::run_pre_filter_remove_pod(cycle_state& state, const pod_info& pod,
                                            const pod_info& other, const node_info& node) {
    for (auto* p : lists_.pre_filter) {
        auto* ext = p->extensions();
        if (ext == nullptr || contains(state.skip_filter_plugins, p->name())) {
            continue;
        }
        status s = timed(state, extension_point::pre_filter_remove_pod, *p,
                         [&] { return ext->remove_pod(state, pod, other, node); });
        if (!s.is_success()) {
            return tag(std::move(s), p->name(), "RemovePod");
        }
    }
    return {};
}

status framework::run_filter_with_nominated_pods(cycle_state& state, const pod_info& pod,
                                                 const node_info& node) {
    // Without a handle (framework tests) or nominations (the common case): Filter alone.
    if (handle_ == nullptr || handle_->nominated().empty()) {
        return run_filter(state, pod, node);
    }
    const auto nominated = handle_->nominated().pods_on(node.name());
    const std::int32_t priority = pod.pod->priority.value_or(0);
    std::optional<node_info> with_nominated;
    std::optional<cycle_state> state_with_nominated;
    for (const auto& other : nominated) {
        if (other->pod->priority.value_or(0) < priority ||
            other->pod->meta.uid == pod.pod->meta.uid) {
            continue;
        }
        if (!with_nominated) {
            with_nominated.emplace(node);
            state_with_nominated.emplace(state.clone());
        }
        with_nominated->add_pod(other);
        status s = run_pre_filter_add_pod(*state_with_nominated, pod, *other, *with_nominated);
        if (!s.is_success()) {
            return s;
        }
    }
    if (!with_nominated) {
        return run_filter(state, pod, node);
    }
    status s = run_filter(*state_with_nominated, pod, *with_nominated);
    if (!s.is_success()) {
        return s;
    }
    return run_filter(state, pod, node);
}

status framework::run_post_filter(cycle_state& state, const pod_info& pod,
                                  std::span<const node_status> statuses,
                                  post_filter_result& result) {
    return whole_point(extension_point::post_filter,
                       [&] { return post_filter_plugins(state, pod, statuses, result); });
}

status framework::post_filter_plugins(cycle_state& state, const pod_info& pod,
                                      std::span<const node_status> statuses,
                                      post_filter_result& result) {
    status last(code::unschedulable, std::vector<std::string>{});
    for (auto* p : lists_.post_filter) {
        status s = timed(state, extension_point::post_filter, *p,
                         [&] { return p->post_filter(state, pod, statuses, result); });
        if (s.is_success()) {
            return s;
        }
        if (!s.is_rejected()) {
            return tag(std::move(s), p->name(), "PostFilter");
        }
        last = std::move(s.with_plugin(p->name()));
    }
    return last;
}

status framework::run_pre_score(cycle_state& state, const pod_info& pod,
                                std::span<const node_info* const> nodes) {
    return whole_point(extension_point::pre_score,
                       [&] { return pre_score_plugins(state, pod, nodes); });
}

status framework::pre_score_plugins(cycle_state& state, const pod_info& pod,
                                    std::span<const node_info* const> nodes) {
    for (std::size_t j = 0; j < lists_.pre_score.size(); ++j) {
        auto* p = lists_.pre_score[j];
        status s = timed(state, extension_point::pre_score, *p,
                         [&] { return p->pre_score(state, pod, nodes); });
        if (s.is_skip()) {
            state.skip_score_plugins.emplace_back(p->name());
            continue;
        }
        if (instruments_ != nullptr) {
            instruments_->pre_score_evaluated(j).inc();
        }
        if (!s.is_success()) {
            return tag(std::move(s), p->name(), "PreScore");
        }
    }
    return {};
}

status framework::run_score(cycle_state& state, const pod_info& pod,
                            std::span<const node_info* const> nodes, std::span<std::int64_t> totals,
                            std::vector<plugin_scores>* breakdown) {
    return whole_point(extension_point::score,
                       [&] { return score_plugins(state, pod, nodes, totals, breakdown); });
}

status framework::score_plugins(cycle_state& state, const pod_info& pod,
                                std::span<const node_info* const> nodes,
                                std::span<std::int64_t> totals,
                                std::vector<plugin_scores>* breakdown) {
    std::fill(totals.begin(), totals.end(), 0);
    std::vector<std::int64_t> scores(nodes.size());
    for (std::size_t j = 0; j < lists_.score.size(); ++j) {
        const auto& [p, weight] = lists_.score[j];
        if (!state.skip_score_plugins.empty() && contains(state.skip_score_plugins, p->name())) {
            continue;
        }
        metrics::counter* evaluated =
            instruments_ != nullptr ? &instruments_->score_evaluated(j) : nullptr;
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (evaluated != nullptr) {
                evaluated->inc();
            }
            scores[i] = 0;
            status s = timed(state, extension_point::score, *p,
                             [&] { return p->score(state, pod, *nodes[i], scores[i]); });
            if (!s.is_success()) {
                return tag(std::move(s), p->name(), "Score");
            }
        }
        if (breakdown != nullptr) {
            breakdown->push_back({std::string(p->name()), weight, scores, {}});
        }
        if (p->has_normalize()) {
            status s = timed(state, extension_point::normalize_score, *p,
                             [&] { return p->normalize_score(state, pod, nodes, scores); });
            if (!s.is_success()) {
                return tag(std::move(s), p->name(), "NormalizeScore");
            }
        }
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (scores[i] < kMinNodeScore || scores[i] > kMaxNodeScore) {
                return status::error("plugin \"" + std::string(p->name()) +
                                     "\" returns an invalid score " + std::to_string(scores[i]) +
                                     ", it should in the range of [0, 100] after normalizing");
            }
            totals[i] += scores[i] * weight;
        }
        if (breakdown != nullptr) {
            breakdown->back().normalized = scores;
        }
    }
    return {};
}

status framework::run_reserve(cycle_state& state, const pod_info& pod, const std::string& node) {
    return whole_point(extension_point::reserve, [&] { return reserve_plugins(state, pod, node); });
}

status framework::reserve_plugins(cycle_state& state, const pod_info& pod,
                                  const std::string& node) {
    for (auto* p : lists_.reserve) {
        status s = timed(state, extension_point::reserve, *p,
                         [&] { return p->reserve(state, pod, node); });
        if (!s.is_success()) {
            return tag(std::move(s), p->name(), "Reserve");
        }
    }
    return {};
}

void framework::run_unreserve(cycle_state& state, const pod_info& pod, const std::string& node) {
    whole_point(extension_point::unreserve, [&] {
        for (auto it = lists_.reserve.rbegin(); it != lists_.reserve.rend(); ++it) {
            timed(state, extension_point::unreserve, **it, [&] {
                (*it)->unreserve(state, pod, node);
                return status{};
            });
        }
        return status{};
    });
}

status framework::run_permit(cycle_state& state, const pod_info& pod, const std::string& node,
                             std::chrono::milliseconds& timeout,
                             std::vector<std::string>& waiting) {
    return whole_point(extension_point::permit,
                       [&] { return permit_plugins(state, pod, node, timeout, waiting); });
}

status framework::permit_plugins(cycle_state& state, const pod_info& pod, const std::string& node,
                                 std::chrono::milliseconds& timeout,
                                 std::vector<std::string>& waiting) {
    constexpr std::chrono::milliseconds kMaxPermitTimeout = std::chrono::minutes(15);
    status result;
    timeout = kMaxPermitTimeout;
    waiting.clear();
    for (auto* p : lists_.permit) {
        std::chrono::milliseconds t{0};
        status s = timed(state, extension_point::permit, *p,
                         [&] { return p->permit(state, pod, node, t); });
        if (s.is_wait()) {
            t = std::min(t, kMaxPermitTimeout);
            if (waiting.empty() || t < timeout) {
                timeout = t;
                waiting.insert(waiting.begin(), std::string(p->name()));
            } else {
                waiting.emplace_back(p->name());
            }
            result = std::move(s.with_plugin(p->name()));
            continue;
        }
        if (!s.is_success()) {
            return tag(std::move(s), p->name(), "Permit");
        }
    }
    return result;
}

task<status> framework::run_pre_bind(std::shared_ptr<cycle_state> state,
                                     std::shared_ptr<const pod_info> pod, std::string node) {
    const auto point_start = clock::now();
    status out;
    for (auto* p : lists_.pre_bind) {
        const bool sampled = instruments_ != nullptr && state->record_plugin_metrics;
        const auto start = clock::now();
        status s = co_await p->pre_bind(state, pod, node);
        if (profiler_ != nullptr || sampled) {
            observe_plugin(extension_point::pre_bind, *p, s.code(), clock::now() - start, sampled);
        }
        if (!s.is_success()) {
            out = tag(std::move(s), p->name(), "PreBind");
            break;
        }
    }
    if (instruments_ != nullptr) {
        observe_point(extension_point::pre_bind, out.code(), point_start);
    }
    co_return out;
}

task<status> framework::run_bind(std::shared_ptr<cycle_state> state,
                                 std::shared_ptr<const pod_info> pod, std::string node) {
    const auto point_start = clock::now();
    std::optional<status> out;
    for (auto* p : lists_.bind) {
        const bool sampled = instruments_ != nullptr && state->record_plugin_metrics;
        const auto start = clock::now();
        status s = co_await p->bind(state, pod, node);
        if (profiler_ != nullptr || sampled) {
            observe_plugin(extension_point::bind, *p, s.code(), clock::now() - start, sampled);
        }
        if (s.is_skip()) {
            continue;
        }
        out = s.is_success() ? std::move(s) : tag(std::move(s), p->name(), "Bind");
        break;
    }
    if (!out) {
        out = status::error("no bind plugin bound pod " + pod->pod->key());
    }
    if (instruments_ != nullptr) {
        observe_point(extension_point::bind, out->code(), point_start);
    }
    co_return std::move(*out);
}

void framework::run_post_bind(cycle_state& state, const pod_info& pod, const std::string& node) {
    whole_point(extension_point::post_bind, [&] {
        for (auto* p : lists_.post_bind) {
            timed(state, extension_point::post_bind, *p, [&] {
                p->post_bind(state, pod, node);
                return status{};
            });
        }
        return status{};
    });
}

bool framework::has_plugin(std::string_view name) const {
    return std::any_of(owned_.begin(), owned_.end(),
                       [&](const auto& p) { return p->name() == name; });
}

std::vector<cluster_event> framework::events_for(const std::vector<std::string>& plugin_names,
                                                 bool& any) const {
    any = plugin_names.empty();
    std::vector<cluster_event> out;
    for (const auto& name : plugin_names) {
        auto it = std::find_if(events_.begin(), events_.end(),
                               [&](const auto& e) { return e.first == name; });
        if (it == events_.end()) {
            any = true;  // registers nothing: only a wildcard move or the flush can help
            continue;
        }
        out.insert(out.end(), it->second.begin(), it->second.end());
    }
    return out;
}

}  // namespace multisched::framework
