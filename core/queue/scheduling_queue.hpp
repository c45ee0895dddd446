// SPDX-License-Identifier: Apache-2.0
// The one scheduling queue shared by every profile (kube-scheduler's PriorityQueue):
//   active        ordered by the QueueSort plugin; pop() takes the head
//   backoff       pods waiting out initial × 2^(attempts-1) (capped) after a failed attempt
//   unschedulable pods rejected by plugins, moved back by a cluster event one of their
//                 rejectors registered, or after `unschedulable_timeout` at the latest
//   gated         pods a PreEnqueue plugin refused (e.g. schedulingGates); PreEnqueue runs
//                 whenever a pod would enter active, and a gated pod is re-checked when it is
//                 updated
// A pod is in at most one place; popped pods are "in flight" until requeued or done().
// Every method is called on the scheduler's io_context; flush_* take `now` for deterministic tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/framework/plugin.hpp"
#include "core/util/task.hpp"

namespace multisched::metrics {
class counter;
class gauge;
struct scheduler_metrics;
}  // namespace multisched::metrics

namespace multisched::queue {

using clock = std::chrono::steady_clock;
using less_fn =
    std::function<bool(const framework::queued_pod_info&, const framework::queued_pod_info&)>;

// The PreEnqueue plugins of the pod's profile: success lets the pod into active.
using pre_enqueue_fn = std::function<framework::status(const api::pod&)>;

struct queue_options {
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{10'000};
    std::chrono::milliseconds unschedulable_timeout{std::chrono::minutes(5)};
    pre_enqueue_fn pre_enqueue;  // null: every pod may enter active
};

// The `event` label of scheduler_queue_incoming_pods_total for a cluster event, as upstream's
// ClusterEvent labels ("NodeAdd", "AssignedPodDelete", "NodeTaintChange", ...).
std::string_view event_label(const framework::cluster_event& event);

// A popped pod: what the scheduling cycle needs to know.
struct popped_pod {
    framework::queued_pod_info queued;
    std::uint64_t cycle = 0;  // the scheduling cycle in which it was popped
};

// How an attempt failed, for requeueing.
struct failure {
    // Events that can make the pod schedulable (union of its rejectors' registrations); empty
    // with `any_event` false means "only the periodic flush".
    std::vector<framework::cluster_event> events;
    bool any_event = false;  // no rejector plugin known: every event moves it
    bool error = false;      // an internal error: straight to backoff
    // The profile's plugins that rejected the pod: each counts it in
    // scheduler_unschedulable_pods{plugin,profile} until its next attempt or its removal.
    std::vector<std::string> rejector_plugins;
};

struct queue_sizes {
    std::size_t active = 0;
    std::size_t backoff = 0;
    std::size_t unschedulable = 0;
    std::size_t gated = 0;
};

class scheduling_queue {
  public:
    scheduling_queue(asio::any_io_executor ex, less_fn less, queue_options opts);

    // A new pending pod (informer add). Ignored if the uid is already known.
    void add(std::shared_ptr<const framework::pod_info> pod, clock::time_point now = clock::now());
    // A newer version of a pending pod. Queued pods are replaced in place; an unschedulable pod is
    // moved to active/backoff only when `spec_changed` (something but its status changed, so the
    // verdict may change), a gated one goes through PreEnqueue again; an in-flight pod keeps the
    // newer object for its requeue.
    void update(std::shared_ptr<const framework::pod_info> pod, bool spec_changed = true,
                clock::time_point now = clock::now());
    // The pod was deleted or got bound: forget it everywhere (in flight: it is not requeued).
    void remove(const std::string& uid);
    bool contains(const std::string& uid) const { return pods_.contains(uid); }

    // Waits for the head of the active queue; std::nullopt when the awaiting task is cancelled.
    task<std::optional<popped_pod>> pop();
    // Synchronous pop for tests and simulation: std::nullopt when active is empty.
    std::optional<popped_pod> try_pop();

    // Requeues an in-flight pod after a failed attempt, with the newest object seen for it.
    // Dropped if the pod was removed meanwhile.
    void requeue(const popped_pod& popped, failure why, clock::time_point now = clock::now());
    // The in-flight pod was bound (or dropped for good).
    void done(const std::string& uid);

    // A cluster event: moves unschedulable pods whose rejectors registered a matching event.
    void on_event(const framework::cluster_event& event, clock::time_point now = clock::now());
    // Moves pods whose backoff has expired to active.
    void flush_backoff_completed(clock::time_point now);
    // Moves pods that stayed unschedulable longer than unschedulable_timeout.
    void flush_unschedulable_leftover(clock::time_point now);
    // Runs both flushes every second until cancelled.
    task<void> run_flush_loop();

    queue_sizes sizes() const;

    // Profile reload. Forgets every pod waiting in the queue (not in flight) that `drop` selects:
    // their profile is gone, so they are left to whichever scheduler serves them. Returns how
    // many were dropped.
    std::size_t remove_if(const std::function<bool(const api::pod&)>& drop);
    // Retries unschedulable and gated pods that `retry` selects (their profile changed, so the
    // verdict may change): to backoff or active, through PreEnqueue, as a matching cluster event
    // would move them. Returns how many moved.
    std::size_t retry_if(const std::function<bool(const api::pod&)>& retry,
                         clock::time_point now = clock::now());
    // Moves the named pods that wait in unschedulable, backoff or gated to active now, through
    // PreEnqueue (upstream Activate, event ForceActivate). Returns how many reached active.
    std::size_t activate(const std::vector<std::string>& uids,
                         clock::time_point now = clock::now());
    // New backoff bounds (podInitialBackoffSeconds / podMaxBackoffSeconds) for later failures.
    void set_backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);
    // Counts every move into active, backoff or unschedulable from now on in
    // scheduler_queue_incoming_pods_total{queue,event}, and rejected pods in
    // scheduler_unschedulable_pods{plugin,profile} (null: stop). Must outlive the queue.
    void set_metrics(metrics::scheduler_metrics* m) { metrics_ = m; }

  private:
    enum class where {
        active,
        backoff,
        unschedulable,
        gated,
        in_flight
    };
    struct entry {
        framework::queued_pod_info queued;
        where place = where::active;
        clock::time_point backoff_until{};
        clock::time_point unschedulable_since{};
        failure last_failure;
        // The unschedulable_pods children counting this pod (its last attempt's rejectors).
        std::vector<metrics::gauge*> counted_by;
    };
    struct active_order {
        const scheduling_queue* q;
        bool operator()(const entry* a, const entry* b) const;
    };

    // `event` names why the pod moves (the incoming-pods metric's label).
    void to_active(entry& e, clock::time_point now, std::string_view event);
    void to_backoff_or_active(entry& e, clock::time_point now, std::string_view event);
    void count_incoming(std::string_view queue, std::string_view event);
    // scheduler_unschedulable_pods: upstream counts a rejected pod from its requeue until it is
    // popped again or deleted, wherever it waits meanwhile (unschedulable, backoff or active).
    void count_rejectors(entry& e);
    void uncount_rejectors(entry& e);
    void detach(entry& e);
    // The unschedulable entries for which `pred` holds, collected before any of them moves.
    template <class Pred>
    std::vector<entry*> unschedulable_where(Pred&& pred) const;
    clock::duration backoff_duration(const entry& e) const;
    void wake();

    less_fn less_;
    queue_options opts_;
    std::unordered_map<std::string, entry> pods_;  // by uid
    std::set<entry*, active_order> active_;
    std::set<std::pair<clock::time_point, entry*>> backoff_;
    // The entries parked as unschedulable: what a cluster event looks through. Without it every
    // event (each node and pod the informers add at start-up) walked every pending pod.
    std::unordered_set<entry*> unschedulable_;
    std::uint64_t scheduling_cycle_ = 0;
    std::uint64_t move_request_cycle_ = 0;
    asio::steady_timer wake_;
    metrics::scheduler_metrics* metrics_ = nullptr;
    // Children of queue_incoming_pods_total by (queue, event); both labels are string literals.
    std::map<std::pair<std::string_view, std::string_view>, metrics::counter*> incoming_;
};

}  // namespace multisched::queue
