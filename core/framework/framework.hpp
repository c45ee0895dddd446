// SPDX-License-Identifier: Apache-2.0
// A profile's framework: its plugins sorted into per-extension-point vectors once, at build time
// (profiles/profile_builder.cpp), and the run_* methods that execute one point over them with
// kube-scheduler's semantics. Scheduling-cycle points are synchronous; binding points are tasks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/framework/waiting_pods.hpp"

namespace multisched::metrics {
struct scheduler_metrics;
}

namespace multisched::framework {

class framework_instruments;

// The extension points a plugin call is timed at, named as upstream's extension_point label of
// scheduler_plugin_execution_duration_seconds (kExtensionPointNames).
enum class extension_point {
    pre_filter,
    filter,
    pre_filter_add_pod,
    pre_filter_remove_pod,
    post_filter,
    pre_score,
    score,
    normalize_score,
    reserve,
    unreserve,
    permit,
    pre_bind,
    bind,
    post_bind,
};
inline constexpr std::size_t kExtensionPointCount = 14;
inline constexpr std::string_view kExtensionPointNames[kExtensionPointCount] = {
    "PreFilter",
    "Filter",
    "PreFilterExtensionAddPod",
    "PreFilterExtensionRemovePod",
    "PostFilter",
    "PreScore",
    "Score",
    "ScoreExtensionNormalize",
    "Reserve",
    "Unreserve",
    "Permit",
    "PreBind",
    "Bind",
    "PostBind"};

// Receives the duration of every plugin call of a framework while it is set (set_profiler).
// Called synchronously on the scheduling thread, once per plugin call (Filter and Score: once per
// node); binding points report when their coroutine resumes. `result` is the plugin's own code
// (success for the void Unreserve and PostBind). Must not throw; keep it cheap.
class plugin_profiler {
  public:
    virtual ~plugin_profiler() = default;
    virtual void observe(extension_point point, const plugin& p, code result,
                         std::chrono::steady_clock::duration elapsed) = 0;
};

struct weighted_score_plugin {
    score_plugin* plugin;
    std::int64_t weight;
};

// One Score plugin's scores of a run_score call, for explanations: raw[i] as Score returned it
// for nodes[i], normalized[i] after NormalizeScore (equal to raw without one); the node's total
// adds normalized[i] * weight.
struct plugin_scores {
    std::string plugin;
    std::int64_t weight = 0;
    std::vector<std::int64_t> raw;
    std::vector<std::int64_t> normalized;
};

// The per-point plugin lists, in execution order. Pointers into `owned`.
struct plugin_lists {
    std::vector<pre_enqueue_plugin*> pre_enqueue;
    queue_sort_plugin* queue_sort = nullptr;
    std::vector<pre_filter_plugin*> pre_filter;
    std::vector<filter_plugin*> filter;
    std::vector<post_filter_plugin*> post_filter;
    std::vector<pre_score_plugin*> pre_score;
    std::vector<weighted_score_plugin> score;
    std::vector<reserve_plugin*> reserve;
    std::vector<permit_plugin*> permit;
    std::vector<pre_bind_plugin*> pre_bind;
    std::vector<bind_plugin*> bind;
    std::vector<post_bind_plugin*> post_bind;
};

class framework {
  public:
    // `h` is what the plugins were built with; the framework keeps it alive as long as they live.
    framework(std::string profile_name, std::shared_ptr<handle> h,
              std::vector<std::unique_ptr<plugin>> owned, plugin_lists lists,
              std::optional<std::int32_t> percentage_of_nodes_to_score);
    ~framework();
    framework(const framework&) = delete;
    framework& operator=(const framework&) = delete;

    const std::string& profile_name() const { return profile_name_; }
    const plugin_lists& plugins() const { return lists_; }
    const queue_sort_plugin* queue_sort() const { return lists_.queue_sort; }
    std::optional<std::int32_t> percentage_of_nodes_to_score() const { return percentage_; }
    bool has_score_plugins() const { return !lists_.score.empty(); }
    // Times every plugin call from now on (null: stop). Without a profiler no clock is read.
    // `profiler` must outlive the framework or be unset first.
    void set_profiler(plugin_profiler* profiler) { profiler_ = profiler; }
    // Records the framework metrics from now on (null: stop): every extension point run
    // (framework_extension_point_duration_seconds; Filter is timed by the caller over all nodes,
    // see observe_filter), the plugins that ran at PreFilter/Filter/PreScore/Score
    // (plugin_evaluation_total) and, in cycles whose state.record_plugin_metrics is set, each
    // plugin call (plugin_execution_duration_seconds). `m` must outlive the framework.
    void set_metrics(metrics::scheduler_metrics* m);
    // The Filter extension point of one cycle: all nodes checked from `start`, ending with
    // `result` (success, or the error that stopped the search), as upstream times it in
    // findNodesThatPassFilters rather than per node.
    void observe_filter(code result, std::chrono::steady_clock::time_point start);

    // PreEnqueue: the first non-success status (with its plugin), or success.
    status run_pre_enqueue(const api::pod& pod) const;
    // PreFilter: intersects node-name results into `result`. A rejection carries the plugin name.
    // Skip statuses are recorded in state.skip_filter_plugins.
    status run_pre_filter(cycle_state& state, const pod_info& pod,
                          std::span<const node_info* const> nodes, pre_filter_result& result);
    // Filter over one node: the first rejection (with its plugin name), or success.
    status run_filter(cycle_state& state, const pod_info& pod, const node_info& node);
    // upstream RunFilterPluginsWithNominatedPods: with the nominated pods of equal or higher
    // priority (other than `pod`) on the node added, Filter must pass; if any were added it must
    // also pass without them (they may never arrive, e.g. pod affinity on one of them).
    status run_filter_with_nominated_pods(cycle_state& state, const pod_info& pod,
                                          const node_info& node);
    // PreFilterExtensions of every PreFilter plugin that did not Skip this cycle: `other` was
    // added to / removed from `node` (which already reflects the change).
    status run_pre_filter_add_pod(cycle_state& state, const pod_info& pod, const pod_info& other,
                                  const node_info& node);
    status run_pre_filter_remove_pod(cycle_state& state, const pod_info& pod, const pod_info& other,
                                     const node_info& node);
    status run_post_filter(cycle_state& state, const pod_info& pod,
                           std::span<const node_status> statuses, post_filter_result& result);
    status run_pre_score(cycle_state& state, const pod_info& pod,
                         std::span<const node_info* const> nodes);
    // Score + NormalizeScore + weights: totals[i] is the weighted sum for nodes[i]. With
    // `breakdown`, also each plugin that ran, in configuration order (skipped ones absent).
    status run_score(cycle_state& state, const pod_info& pod,
                     std::span<const node_info* const> nodes, std::span<std::int64_t> totals,
                     std::vector<plugin_scores>* breakdown = nullptr);
    status run_reserve(cycle_state& state, const pod_info& pod, const std::string& node);
    // Unreserve in reverse order; idempotent.
    void run_unreserve(cycle_state& state, const pod_info& pod, const std::string& node);
    // Permit: success, a rejection, or Wait. On Wait `waiting` names the plugins that returned
    // it, the one with the shortest timeout first, and `timeout` is that timeout (each capped at
    // upstream's 15 minutes).
    status run_permit(cycle_state& state, const pod_info& pod, const std::string& node,
                      std::chrono::milliseconds& timeout, std::vector<std::string>& waiting);
    // Pods held at Permit (see waiting_pods.hpp).
    waiting_pods& waiting() { return *waiting_; }
    // Profile reload: the new framework of a profile takes over the old one's waiting pods, so
    // plugins (a gang's Permit) and pod deletions still reach pods held before the reload.
    const std::shared_ptr<waiting_pods>& shared_waiting() const { return waiting_; }
    void adopt_waiting(std::shared_ptr<waiting_pods> w) { waiting_ = std::move(w); }
    task<status> run_pre_bind(std::shared_ptr<cycle_state> state,
                              std::shared_ptr<const pod_info> pod, std::string node);
    // The first bind plugin that does not Skip; an error if every one skips.
    task<status> run_bind(std::shared_ptr<cycle_state> state, std::shared_ptr<const pod_info> pod,
                          std::string node);
    void run_post_bind(cycle_state& state, const pod_info& pod, const std::string& node);

    // Whether one of this profile's plugins has this name (extenders also reject pods, by URL).
    bool has_plugin(std::string_view name) const;
    // The events registered by the named plugins (EnqueueExtensions). `any` is set when a named
    // plugin registers none or is unknown (then every event may help, as upstream's fallback).
    std::vector<cluster_event> events_for(const std::vector<std::string>& plugin_names,
                                          bool& any) const;

  private:
    using clock = std::chrono::steady_clock;
    // Runs one plugin's `call` (returning status), timing it when a profiler is set or the
    // cycle is sampled for plugin metrics.
    template <class F>
    status timed(const cycle_state& state, extension_point point, const plugin& p, F&& call) {
        const bool sampled = instruments_ != nullptr && state.record_plugin_metrics;
        if (profiler_ == nullptr && !sampled) {
            return call();
        }
        const auto start = clock::now();
        status s = call();
        observe_plugin(point, p, s.code(), clock::now() - start, sampled);
        return s;
    }
    void observe_plugin(extension_point point, const plugin& p, code result,
                        clock::duration elapsed, bool sampled);
    // Runs a whole extension point (`run` returns its status), timing it when metrics are on.
    template <class F>
    status whole_point(extension_point point, F&& run) {
        if (instruments_ == nullptr) {
            return run();
        }
        const auto start = clock::now();
        status s = run();
        observe_point(point, s.code(), start);
        return s;
    }
    void observe_point(extension_point point, code result, clock::time_point start);

    status pre_filter_plugins(cycle_state& state, const pod_info& pod,
                              std::span<const node_info* const> nodes, pre_filter_result& result);
    status post_filter_plugins(cycle_state& state, const pod_info& pod,
                               std::span<const node_status> statuses, post_filter_result& result);
    status pre_score_plugins(cycle_state& state, const pod_info& pod,
                             std::span<const node_info* const> nodes);
    status score_plugins(cycle_state& state, const pod_info& pod,
                         std::span<const node_info* const> nodes, std::span<std::int64_t> totals,
                         std::vector<plugin_scores>* breakdown);
    status reserve_plugins(cycle_state& state, const pod_info& pod, const std::string& node);
    status permit_plugins(cycle_state& state, const pod_info& pod, const std::string& node,
                          std::chrono::milliseconds& timeout, std::vector<std::string>& waiting);

    std::string profile_name_;
    std::shared_ptr<handle> handle_;  // declared before owned_: outlives the plugins
    std::vector<std::unique_ptr<plugin>> owned_;
    plugin_lists lists_;
    std::optional<std::int32_t> percentage_;
    std::vector<std::pair<std::string, std::vector<cluster_event>>> events_;
    std::shared_ptr<waiting_pods> waiting_ = std::make_shared<waiting_pods>();
    plugin_profiler* profiler_ = nullptr;
    std::unique_ptr<framework_instruments> instruments_;
    // For lists_.pre_filter[j]: the position of the same plugin in lists_.filter (64 or more:
    // none, or past cycle_state::skip_filter_mask).
    std::vector<std::size_t> filter_index_of_pre_filter_;
};

}  // namespace multisched::framework
