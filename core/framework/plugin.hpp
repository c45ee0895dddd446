// SPDX-License-Identifier: Apache-2.0
/// The extension points of the scheduling framework, one interface each (kube-scheduler's
/// framework/interface.go). A plugin derives from `plugin` and from the interfaces of the points it
/// implements; a profile's framework sorts plugins into per-point vectors once, when it is built.
///
/// Scheduling-cycle points are synchronous: they run over the cache between two awaits and must
/// not block. Binding-cycle points (PreBind, Bind) are coroutines.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/framework/cycle_state.hpp"
#include "core/framework/node_info.hpp"
#include "core/framework/status.hpp"
#include "core/util/task.hpp"

namespace multisched::framework {

inline constexpr std::int64_t kMaxNodeScore = 100;
inline constexpr std::int64_t kMinNodeScore = 0;

class plugin {
  public:
    virtual ~plugin() = default;
    /// The name used in configuration (upstream's PascalCase, e.g. "NodeResourcesFit").
    virtual std::string_view name() const = 0;
};

/// Called before a pod enters the active or backoff queue. Non-success parks the pod as gated.
/// Must be cheap: no I/O.
class pre_enqueue_plugin : public virtual plugin {
  public:
    virtual status pre_enqueue(const api::pod& pod) = 0;
};

/// What the queue knows of a pod: the ordering inputs of QueueSort.
struct queued_pod_info {
    std::shared_ptr<const pod_info> info;
    std::chrono::steady_clock::time_point timestamp;  // when it last entered the queue
    std::int32_t attempts = 0;
    // When it first entered the active queue, past PreEnqueue (upstream InitialAttemptTimestamp:
    // time spent gated is not counted); the start of scheduler_pod_scheduling_sli_duration_seconds.
    std::chrono::steady_clock::time_point initial_attempt{};
};

/// Orders the one active queue shared by all profiles. Exactly one per profile, identical across
/// profiles. less(a, b): a is popped before b.
class queue_sort_plugin : public virtual plugin {
  public:
    virtual bool less(const queued_pod_info& a, const queued_pod_info& b) const = 0;
};

/// PreFilter may narrow the candidate nodes; results of all PreFilters are intersected.
struct pre_filter_result {
    std::optional<std::set<std::string>> node_names;  // nullopt: all nodes
    // Filled by the framework: the plugins whose results narrowed node_names.
    std::vector<std::string> from_plugins;
};

/// Incremental what-ifs on a PreFilter's cycle state (upstream PreFilterExtensions): preemption
/// removes victims and nominated pods are added before Filter runs on `node`. `node` is the node
/// as it will be seen by Filter, i.e. already with `other` added / without `other`. Both calls
/// must keep the state exactly as if PreFilter had run on the modified cluster.
class pre_filter_extensions {
  public:
    virtual ~pre_filter_extensions() = default;
    virtual status add_pod(cycle_state& state, const pod_info& pod, const pod_info& other,
                           const node_info& node) = 0;
    virtual status remove_pod(cycle_state& state, const pod_info& pod, const pod_info& other,
                              const node_info& node) = 0;
};

/// Called once per cycle before Filter with every node of the cluster. May return Skip (its
/// Filter is then not run), or a rejection that ends the cycle for every node.
class pre_filter_plugin : public virtual plugin {
  public:
    virtual status pre_filter(cycle_state& state, const pod_info& pod,
                              std::span<const node_info* const> nodes,
                              pre_filter_result& result) = 0;
    /// Non-null when the plugin's PreFilter state depends on the pods on other nodes (or this
    /// one) and must follow pods added or removed by preemption / nominated-pod checks.
    virtual pre_filter_extensions* extensions() { return nullptr; }
};

/// Called for each candidate node. Returns success, or a rejection with upstream's reason text
/// ("Insufficient cpu"), which the FailedScheduling message aggregates.
class filter_plugin : public virtual plugin {
  public:
    virtual status filter(cycle_state& state, const pod_info& pod, const node_info& node) = 0;
};

/// The verdict of every node that Filter saw, for PostFilter and the FailedScheduling message.
struct node_status {
    const node_info* node;
    status verdict;
};

struct post_filter_result {
    std::string nominated_node_name;  // empty: nothing nominated
};

/// Called only when no node passed Filter (e.g. preemption).
class post_filter_plugin : public virtual plugin {
  public:
    virtual status post_filter(cycle_state& state, const pod_info& pod,
                               std::span<const node_status> statuses,
                               post_filter_result& result) = 0;
};

/// A node where preemption makes the pod fit, and the pods to evict there (most important first).
struct preemption_candidate {
    std::string node;
    std::vector<std::shared_ptr<const pod_info>> victims;
    std::int64_t num_pdb_violations = 0;
};

/// A PostFilter plugin that preempts in two synchronous halves, so that the asynchronous cycle of
/// a pod some extender preempts for can let the extenders narrow the candidates in between
/// (upstream's Evaluator calls ProcessPreemption between DryRunPreemption and SelectCandidate).
/// post_filter() is the two halves back to back. Statuses are final as post_filter returns them.
class preemption_plugin : public virtual post_filter_plugin {
  public:
    /// The first half: the final status when preemption ends here, else nullopt with the
    /// candidates (non-empty); choose_candidate must then follow in the same cycle.
    virtual std::optional<status> find_candidates(
        cycle_state& state, const pod_info& pod, std::span<const node_status> statuses,
        post_filter_result& result, std::vector<preemption_candidate>& candidates) = 0;
    /// The second half: picks the best of `candidates` (none: Unschedulable), starts evicting its
    /// victims and nominates its node in `result`.
    virtual status choose_candidate(const pod_info& pod,
                                    std::span<const preemption_candidate> candidates,
                                    post_filter_result& result) = 0;
    /// What the plugin puts before its messages ("preemption: "), for failures reported between
    /// the halves on its behalf (an extender's error).
    virtual std::string_view message_prefix() const { return {}; }
};

/// Called once over the feasible nodes before Score (handle::all_nodes() has the whole cluster).
/// Skip disables its Score this cycle.
class pre_score_plugin : public virtual plugin {
  public:
    virtual status pre_score(cycle_state& state, const pod_info& pod,
                             std::span<const node_info* const> nodes) = 0;
};

/// Scores one feasible node. After NormalizeScore every score must be in [0, kMaxNodeScore].
class score_plugin : public virtual plugin {
  public:
    virtual status score(cycle_state& state, const pod_info& pod, const node_info& node,
                         std::int64_t& score) = 0;
    /// Whether normalize_score must run after all nodes were scored.
    virtual bool has_normalize() const { return false; }
    /// Rewrites `scores` (aligned with `nodes`) in place, once per cycle.
    virtual status normalize_score(cycle_state& /*state*/, const pod_info& /*pod*/,
                                   std::span<const node_info* const> /*nodes*/,
                                   std::span<std::int64_t> /*scores*/) {
        return {};
    }
};

/// Reserve runs after the pod is assumed on `node`; Unreserve undoes it on any later failure and
/// must be idempotent.
class reserve_plugin : public virtual plugin {
  public:
    virtual status reserve(cycle_state& state, const pod_info& pod, const std::string& node) = 0;
    virtual void unreserve(cycle_state& state, const pod_info& pod, const std::string& node) = 0;
};

/// Permit: success lets the pod bind, a rejection unreserves it, Wait holds it up to `timeout`.
class permit_plugin : public virtual plugin {
  public:
    virtual status permit(cycle_state& state, const pod_info& pod, const std::string& node,
                          std::chrono::milliseconds& timeout) = 0;
};

/// Binding-cycle points. Parameters are owned copies: the coroutine may outlive the cycle.
class pre_bind_plugin : public virtual plugin {
  public:
    virtual task<status> pre_bind(std::shared_ptr<cycle_state> state,
                                  std::shared_ptr<const pod_info> pod, std::string node) = 0;
};

/// Bind: the first plugin that does not return Skip binds the pod.
class bind_plugin : public virtual plugin {
  public:
    virtual task<status> bind(std::shared_ptr<cycle_state> state,
                              std::shared_ptr<const pod_info> pod, std::string node) = 0;
};

/// Informational, after a successful bind.
class post_bind_plugin : public virtual plugin {
  public:
    virtual void post_bind(cycle_state& state, const pod_info& pod, const std::string& node) = 0;
};

/// Cluster events that can make a pod rejected by this plugin schedulable again.
enum class event_resource {
    pod,
    assigned_pod,
    node,
    persistent_volume,
    persistent_volume_claim,
    storage_class,
    csi_node,
    pod_group,  // scheduling.x-k8s.io PodGroup objects
    wildcard
};
enum action : std::uint32_t {
    action_add = 1u << 0,
    action_delete = 1u << 1,
    action_update_node_allocatable = 1u << 2,
    action_update_node_label = 1u << 3,
    action_update_node_taint = 1u << 4,
    action_update_node_condition = 1u << 5,
    action_update = 1u << 6,  // any other update
    action_update_any = action_update_node_allocatable | action_update_node_label |
                        action_update_node_taint | action_update_node_condition | action_update,
    action_all = ~0u,
};
struct cluster_event {
    event_resource resource;
    std::uint32_t actions;
    bool matches(const cluster_event& e) const {
        return resource == event_resource::wildcard ||
               (resource == e.resource && (actions & e.actions) != 0);
    }
};

class enqueue_extensions : public virtual plugin {
  public:
    virtual std::vector<cluster_event> events_to_register() const = 0;
};

}  // namespace multisched::framework
