// SPDX-License-Identifier: Apache-2.0
// The scheduler: informer handlers feed the shared cache and the one queue; the scheduling loop
// pops one pod at a time, dispatches it to the profile named by spec.schedulerName, runs the
// synchronous scheduling cycle, assumes the pod and spawns its binding cycle into a task group.
// Pods whose schedulerName no profile serves are never queued, never touched. A pod some
// configured extender is interested in has an asynchronous cycle instead (extender_cycle.cpp):
// the loop awaits the extenders' answers, so cycles still run one at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "core/api/types.hpp"
#include "core/cache/cache.hpp"
#include "core/extender/http_extender.hpp"
#include "core/framework/framework.hpp"
#include "core/queue/scheduling_queue.hpp"
#include "core/scheduler/event_recorder.hpp"
#include "core/scheduler/explanation_store.hpp"
#include "core/scheduler/schedule_pod.hpp"
#include "core/util/task_group.hpp"

namespace multisched::metrics {
struct scheduler_metrics;
}

namespace multisched::scheduler {

// The profile serving a scheduler name, or null. Frameworks are shared so that a binding cycle
// keeps its profile alive across a reload.
using profile_lookup =
    std::function<std::shared_ptr<framework::framework>(std::string_view scheduler_name)>;

// The pod as it will be once bound to `node`: the same derived numbers, spec.nodeName set. What
// the cache assumes before the binding cycle.
std::shared_ptr<const framework::pod_info> assumed_pod(const framework::pod_info& info,
                                                       const std::string& node);

class scheduler {
  public:
    scheduler(cache::cache& cache, queue::scheduling_queue& queue, profile_lookup profiles,
              event_recorder& events, task_group& bindings, algorithm_state algo);

    // Informer handlers. Objects are already decoded.
    void on_pod_add(const std::shared_ptr<const api::pod>& pod);
    void on_pod_update(const std::shared_ptr<const api::pod>& old_pod,
                       const std::shared_ptr<const api::pod>& new_pod);
    void on_pod_delete(const std::shared_ptr<const api::pod>& pod);
    void on_node_add(const std::shared_ptr<const api::node>& node);
    void on_node_update(const std::shared_ptr<const api::node>& old_node,
                        const std::shared_ptr<const api::node>& new_node);
    void on_node_delete(const std::shared_ptr<const api::node>& node);
    // A change to another kind the plugins registered for (storage, namespaces, pod groups):
    // the queue moves the pods it may help. Each handler is timed into
    // scheduler_event_handling_duration_seconds{event} (upstream's event labels).
    void on_object_event(const framework::cluster_event& event);

    // Records informer event handling (scheduler_event_handling_duration_seconds), schedule
    // attempts and their latency (scheduler_schedule_attempts_total,
    // scheduler_scheduling_attempt_duration_seconds, scheduler_scheduling_algorithm_duration_
    // seconds, scheduler_pod_scheduling_attempts, scheduler_pod_scheduling_sli_duration_seconds),
    // binding goroutines and Permit waits from now on, and samples 10 % of cycles for plugin
    // durations (cycle_state::record_plugin_metrics); null stops. Must outlive `this`.
    void set_metrics(metrics::scheduler_metrics* m) { metrics_ = m; }
    // Profile reload: the global percentageOfNodesToScore (profiles may override it).
    void set_global_percentage_of_nodes_to_score(std::int32_t percentage) {
        algo_.global_percentage_of_nodes_to_score = percentage;
    }
    // Profile reload: queues a pending pod the previous profiles did not serve (same checks as
    // an informer add).
    void adopt_pending(const std::shared_ptr<const api::pod>& pod) { on_pod_add(pod); }

    // Pops and schedules pods until cancelled. While max_bindings_in_flight binding cycles are
    // past Permit (PreBind or Bind running), it pops nothing until one ends: the algorithm
    // outruns the apiserver by far, and every cycle in flight holds its pod, its cycle state
    // (PreFilter data, O(matching pods) for InterPodAffinity) and its request, so an unbounded
    // backlog costs memory and gains nothing. Pods waiting at Permit do not count (a gang larger
    // than the limit would wait for itself).
    task<void> run();
    static constexpr std::size_t kMaxBindingsInFlight = 64;
    void set_max_bindings_in_flight(std::size_t n) { max_bindings_in_flight_ = n == 0 ? 1 : n; }
    // Binding cycles past Permit now.
    std::size_t bindings_in_flight() const { return bindings_in_flight_; }
    // One pop + scheduling cycle, synchronously (tests, simulation), without extenders. False
    // if the queue is empty.
    bool schedule_next();

    // What became of an attempt: the pod was bound to `node`, or was not placed, with `message`
    // (the FailedScheduling text). For simulation and explanations.
    struct attempt_outcome {
        std::shared_ptr<const api::pod> pod;
        std::string profile;
        std::string node;     // bound to; empty when not placed
        std::string message;  // why not; empty when bound
    };
    // Called after every attempt that ends in a binding or a failure (null: nobody).
    void set_observer(std::function<void(const attempt_outcome&)> observer) {
        observer_ = std::move(observer);
    }

    // Keeps each attempt's explanation (explain_attempt) in `store` until the pod is bound or
    // deleted (null: none kept). `store` must outlive `this`.
    void set_explanations(explanation_store* store) { explanations_ = store; }
    // Called after the algorithm of every attempt, before the pod is assumed: the cache still
    // holds the cluster the algorithm saw (`simulate --explain` reruns it there).
    using inspector = std::function<void(framework::framework& fw, const framework::pod_info& pod,
                                         const schedule_result& result)>;
    void set_inspector(inspector fn) { inspector_ = std::move(fn); }

    // The configured HTTP extenders (KubeSchedulerConfiguration `extenders`), in configuration
    // order. They apply to every profile, as upstream's.
    void set_extenders(std::vector<std::shared_ptr<extender::http_extender>> extenders) {
        extenders_ = std::move(extenders);
    }

  private:
    using time_point = std::chrono::steady_clock::time_point;
    void schedule_one(const queue::popped_pod& popped);
    // The checks before an attempt (profile served, pod not deleting nor assumed); the profile,
    // or null when the pod leaves the cycle here.
    std::shared_ptr<framework::framework> begin_attempt(const queue::popped_pod& popped);
    // After the algorithm: the failure path, or assume, Reserve, Permit and the binding cycle.
    void finish_attempt(std::shared_ptr<framework::framework> fw,
                        std::shared_ptr<framework::cycle_state> state,
                        const queue::popped_pod& popped, schedule_result result, time_point start);
    std::shared_ptr<framework::cycle_state> new_cycle_state();

    // extender_cycle.cpp: whether an extender is interested in the pod (its cycle is then
    // asynchronous), that cycle, the algorithm with the extenders' Filter and Prioritize calls
    // between the phases (upstream findNodesThatPassExtenders / prioritizeNodes), and Bind
    // through an interested binder extender, else the profile's Bind plugins.
    bool wants_extenders(const api::pod& pod) const;
    task<void> schedule_one_with_extenders(queue::popped_pod popped);
    task<schedule_result> schedule_with_extenders(std::shared_ptr<framework::framework> fw,
                                                  std::shared_ptr<framework::cycle_state> state,
                                                  std::shared_ptr<const framework::pod_info> pod);
    // Nothing feasible: PostFilter, where a preemption_plugin's candidates pass through the
    // interested extenders' ProcessPreemption (upstream callExtenders); else fail_unschedulable.
    task<void> post_filter_with_extenders(std::shared_ptr<framework::framework> fw,
                                          std::shared_ptr<framework::cycle_state> state,
                                          std::shared_ptr<const framework::pod_info> pod,
                                          std::size_t num_all_nodes, filter_outcome& f,
                                          schedule_result& out);
    task<framework::status> bind(std::shared_ptr<framework::framework> fw,
                                 std::shared_ptr<framework::cycle_state> state,
                                 std::shared_ptr<const framework::pod_info> assumed,
                                 std::string node);
    // `start` is when the attempt began (the pod was popped), for the attempt-duration metric.
    void handle_failure(framework::framework& fw, const queue::popped_pod& popped,
                        const schedule_result& result, time_point start);
    task<void> binding_cycle(std::shared_ptr<framework::framework> fw,
                             std::shared_ptr<framework::cycle_state> state,
                             queue::popped_pod popped,
                             std::shared_ptr<const framework::pod_info> assumed, std::string node,
                             time_point start);
    bool responsible_for(const api::pod& pod) const;
    // Keeps the pod-group member index (cache::cluster_objects) in step with every pod, whoever
    // schedules it; a pending member joining its group is a cluster event (pod add).
    void track_group_member(const std::shared_ptr<const api::pod>& pod);
    // scheduler_pod_scheduling_sli_duration_seconds for a bound pod (and the deprecated
    // pod_scheduling_duration_seconds when shown): from its first entry into active to now.
    void observe_sli(const framework::queued_pod_info& queued);
    // Keeps the nominator in step with an unassigned pod's status.nominatedNodeName.
    void update_nomination(const api::pod& old_pod, const std::shared_ptr<const api::pod>& new_pod);

    cache::cache& cache_;
    queue::scheduling_queue& queue_;
    profile_lookup profiles_;
    event_recorder& events_;
    task_group& bindings_;
    algorithm_state algo_;
    metrics::scheduler_metrics* metrics_ = nullptr;
    std::vector<std::shared_ptr<extender::http_extender>> extenders_;
    std::function<void(const attempt_outcome&)> observer_;
    explanation_store* explanations_ = nullptr;
    inspector inspector_;
    std::size_t max_bindings_in_flight_ = kMaxBindingsInFlight;
    std::size_t bindings_in_flight_ = 0;
    // run()'s wait for room among the bindings in flight (cancelled when a binding ends); null
    // while run() is not waiting.
    asio::steady_timer* binding_room_ = nullptr;
};

}  // namespace multisched::scheduler
