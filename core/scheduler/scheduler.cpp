// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/scheduler.hpp"

#include <boost/asio/this_coro.hpp>

#include "core/metrics/scheduler_metrics.hpp"
#include "core/util/log.hpp"

namespace multisched::scheduler {
namespace {

using framework::action;
using framework::cluster_event;
using framework::event_resource;

bool terminal(const api::pod& pod) {
    return pod.phase == "Succeeded" || pod.phase == "Failed";
}

// What changed on a node that can make pods schedulable (upstream nodeSchedulingPropertiesChange).
std::uint32_t node_changes(const api::node& a, const api::node& b) {
    std::uint32_t changes = 0;
    if (!(a.allocatable == b.allocatable)) {
        changes |= action::action_update_node_allocatable;
    }
    if (!(a.meta.labels == b.meta.labels)) {
        changes |= action::action_update_node_label;
    }
    const auto same_taints = [](const api::node& x, const api::node& y) {
        if (x.taints.size() != y.taints.size()) {
            return false;
        }
        for (std::size_t i = 0; i < x.taints.size(); ++i) {
            const auto& t = x.taints[i];
            const auto& u = y.taints[i];
            if (t.key != u.key || t.value != u.value || t.effect != u.effect) {
                return false;
            }
        }
        return true;
    };
    if (a.unschedulable != b.unschedulable || !same_taints(a, b)) {
        changes |= action::action_update_node_taint;
    }
    return changes;
}

// Counts one running binding cycle in scheduler_goroutines{operation="binding"} for its whole
// life, whichever way it ends (also cancellation at shutdown).
class binding_goroutine {
  public:
    explicit binding_goroutine(metrics::gauge* g) : gauge_(g) {
        if (gauge_ != nullptr) {
            gauge_->inc();
        }
    }
    ~binding_goroutine() {
        if (gauge_ != nullptr) {
            gauge_->dec();
        }
    }
    binding_goroutine(const binding_goroutine&) = delete;
    binding_goroutine& operator=(const binding_goroutine&) = delete;

  private:
    metrics::gauge* gauge_;
};

// Observes scheduler_event_handling_duration_seconds{event} for one informer event when it goes
// out of scope (upstream's deferred EventHandlingLatency observation), under the label set last;
// nothing when no label was set (an event upstream's informer filters would not deliver).
class handling_timer {
  public:
    explicit handling_timer(metrics::scheduler_metrics* m)
        : metrics_(m),
          start_(m != nullptr ? std::chrono::steady_clock::now()
                              : std::chrono::steady_clock::time_point{}) {}
    ~handling_timer() {
        if (metrics_ != nullptr && !label_.empty()) {
            metrics_->event_handling_duration.with({label_}).observe(
                metrics::seconds_since(start_));
        }
    }
    handling_timer(const handling_timer&) = delete;
    handling_timer& operator=(const handling_timer&) = delete;

    void label(std::string_view event) { label_ = event; }

  private:
    metrics::scheduler_metrics* metrics_;
    std::chrono::steady_clock::time_point start_;
    std::string_view label_;
};

}  // namespace

std::shared_ptr<const framework::pod_info> assumed_pod(const framework::pod_info& info,
                                                       const std::string& node) {
    auto pod = std::make_shared<api::pod>(*info.pod);
    pod->node_name = node;
    auto assumed = std::make_shared<framework::pod_info>(info);
    assumed->pod = std::move(pod);
    return assumed;
}

scheduler::scheduler(cache::cache& cache, queue::scheduling_queue& queue, profile_lookup profiles,
                     event_recorder& events, task_group& bindings, algorithm_state algo)
    : cache_(cache),
      queue_(queue),
      profiles_(std::move(profiles)),
      events_(events),
      bindings_(bindings),
      algo_(std::move(algo)) {}

bool scheduler::responsible_for(const api::pod& pod) const {
    const std::string_view name =
        pod.scheduler_name.empty() ? api::kDefaultSchedulerName : pod.scheduler_name;
    return profiles_(name) != nullptr;
}

void scheduler::track_group_member(const std::shared_ptr<const api::pod>& pod) {
    auto& members = cache_.objects().pod_group_members;
    if (terminal(*pod)) {
        members.erase(pod->meta.uid);  // finished members no longer count
        return;
    }
    const std::string key = cache::pod_group_key(*pod);
    const auto* before = key.empty() ? nullptr : members.find(key);
    const bool joined = !key.empty() && (before == nullptr || !before->contains(pod->meta.uid));
    members.upsert(pod);
    if (joined && pod->node_name.empty()) {
        // A pending member joined its group: siblings waiting for enough members may go now.
        queue_.on_event({event_resource::pod, action::action_add});
    }
}

void scheduler::on_pod_add(const std::shared_ptr<const api::pod>& pod) {
    handling_timer timer(metrics_);
    track_group_member(pod);
    if (!pod->node_name.empty()) {
        timer.label("AssignedPodAdd");
        queue_.remove(pod->meta.uid);
        cache_.add_pod(framework::make_pod_info(pod));
        queue_.on_event({event_resource::assigned_pod, action::action_add});
        return;
    }
    if (terminal(*pod) || !responsible_for(*pod)) {
        return;
    }
    timer.label("UnscheduledPodAdd");
    auto info = framework::make_pod_info(pod);
    if (!pod->nominated_node_name.empty()) {
        cache_.nominated().add(info, pod->nominated_node_name);
    }
    queue_.add(std::move(info));
}

void scheduler::update_nomination(const api::pod& old_pod,
                                  const std::shared_ptr<const api::pod>& new_pod) {
    auto& nominated = cache_.nominated();
    const std::string& uid = new_pod->meta.uid;
    if (!new_pod->nominated_node_name.empty()) {
        nominated.add(framework::make_pod_info(new_pod), new_pod->nominated_node_name);
    } else if (!old_pod.nominated_node_name.empty()) {
        nominated.remove(uid);  // the nomination was cleared
    } else if (const std::string node = nominated.node_of(uid); !node.empty()) {
        // Nominated in memory and the update does not carry it yet: keep it, with the new pod.
        nominated.add(framework::make_pod_info(new_pod), node);
    }
}

void scheduler::on_pod_update(const std::shared_ptr<const api::pod>& old_pod,
                              const std::shared_ptr<const api::pod>& new_pod) {
    handling_timer timer(metrics_);
    track_group_member(new_pod);
    if (!new_pod->node_name.empty()) {
        // Bound now: upstream's informer filters turn it into an assigned pod's Add.
        timer.label(old_pod->node_name.empty() ? "AssignedPodAdd" : "AssignedPodUpdate");
        // Bound (by us: confirms the assumed pod; by someone else: counts it) or updated.
        queue_.remove(new_pod->meta.uid);
        if (explanations_ != nullptr) {
            explanations_->forget(new_pod->meta.uid);
        }
        cache_.nominated().remove(new_pod->meta.uid);
        cache_.add_pod(framework::make_pod_info(new_pod));
        if (old_pod->node_name.empty()) {
            queue_.on_event({event_resource::assigned_pod, action::action_add});
        } else {
            queue_.on_event({event_resource::assigned_pod, action::action_update});
        }
        return;
    }
    if (terminal(*new_pod) || !responsible_for(*new_pod)) {
        timer.label("UnscheduledPodDelete");
        queue_.remove(new_pod->meta.uid);
        if (explanations_ != nullptr) {
            explanations_->forget(new_pod->meta.uid);
        }
        cache_.nominated().remove(new_pod->meta.uid);
        return;
    }
    timer.label("UnscheduledPodUpdate");
    if (cache_.is_assumed(new_pod->meta.uid)) {
        return;  // being bound: the binding cycle owns it
    }
    update_nomination(*old_pod, new_pod);
    // A status-only update (e.g. our own PodScheduled patch) refreshes the queued object but
    // cannot change a verdict: it does not retry an unschedulable pod.
    queue_.update(framework::make_pod_info(new_pod), api::is_pod_updated(*old_pod, *new_pod));
}

void scheduler::on_pod_delete(const std::shared_ptr<const api::pod>& pod) {
    handling_timer timer(metrics_);
    const std::string_view name =
        pod->scheduler_name.empty() ? api::kDefaultSchedulerName : pod->scheduler_name;
    if (const auto fw = profiles_(name)) {
        if (const auto waiting = fw->waiting().find(pod->meta.uid)) {
            waiting->reject("", "removed");  // its binding cycle unreserves and forgets it
        }
    }
    cache_.objects().pod_group_members.erase(pod->meta.uid);
    if (explanations_ != nullptr) {
        explanations_->forget(pod->meta.uid);
    }
    const bool was_cached = !cache_.node_of(pod->meta.uid).empty();
    timer.label(was_cached ? "AssignedPodDelete" : "UnscheduledPodDelete");
    queue_.remove(pod->meta.uid);
    cache_.nominated().remove(pod->meta.uid);
    cache_.remove_pod(pod->meta.uid);
    if (was_cached) {
        queue_.on_event({event_resource::assigned_pod, action::action_delete});
    }
}

void scheduler::on_node_add(const std::shared_ptr<const api::node>& node) {
    handling_timer timer(metrics_);
    timer.label("NodeAdd");
    cache_.add_node(node);
    queue_.on_event({event_resource::node, action::action_add});
}

void scheduler::on_node_update(const std::shared_ptr<const api::node>& old_node,
                               const std::shared_ptr<const api::node>& new_node) {
    handling_timer timer(metrics_);
    cache_.add_node(new_node);
    const std::uint32_t changes = node_changes(*old_node, *new_node);
    if (changes != 0) {
        const cluster_event event{event_resource::node, changes};
        timer.label(queue::event_label(event));
        queue_.on_event(event);
    }
}

void scheduler::on_node_delete(const std::shared_ptr<const api::node>& node) {
    handling_timer timer(metrics_);
    timer.label("NodeDelete");
    cache_.remove_node(node->meta.name);
    queue_.on_event({event_resource::node, action::action_delete});
}

void scheduler::on_object_event(const framework::cluster_event& event) {
    handling_timer timer(metrics_);
    timer.label(queue::event_label(event));
    queue_.on_event(event);
}

task<void> scheduler::run() {
    asio::steady_timer room(co_await asio::this_coro::executor);
    for (;;) {
        while (bindings_in_flight_ >= max_bindings_in_flight_) {
            room.expires_at(asio::steady_timer::time_point::max());
            binding_room_ = &room;
            co_await room.async_wait(use_task);
            binding_room_ = nullptr;
            const auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) {
                co_return;
            }
        }
        auto popped = co_await queue_.pop();
        if (!popped) {
            co_return;  // cancelled
        }
        if (wants_extenders(*popped->queued.info->pod)) {
            co_await schedule_one_with_extenders(std::move(*popped));
            const auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) {
                co_return;  // cancelled while the extenders answered: no next pop
            }
        } else {
            schedule_one(*popped);
        }
    }
}

bool scheduler::schedule_next() {
    auto popped = queue_.try_pop();
    if (!popped) {
        return false;
    }
    schedule_one(*popped);
    return true;
}

void scheduler::schedule_one(const queue::popped_pod& popped) {
    auto fw = begin_attempt(popped);
    if (!fw) {
        return;
    }
    const auto start = std::chrono::steady_clock::now();
    auto state = new_cycle_state();
    schedule_result result = schedule_pod(*fw, *state, *popped.queued.info, cache_.nodes(), algo_);
    if (metrics_ != nullptr) {
        metrics_->algorithm_duration.observe(metrics::seconds_since(start));
    }
    finish_attempt(std::move(fw), std::move(state), popped, std::move(result), start);
}

std::shared_ptr<framework::framework> scheduler::begin_attempt(const queue::popped_pod& popped) {
    const api::pod& pod = *popped.queued.info->pod;
    const std::string_view name =
        pod.scheduler_name.empty() ? api::kDefaultSchedulerName : pod.scheduler_name;
    auto fw = profiles_(name);
    if (!fw) {
        // The profile went away (reload): leave the pod alone.
        MS_LOG_V(2, "no profile serves scheduler name \"{}\" of pod {}: dropping it", name,
                 pod.key());
        queue_.remove(pod.meta.uid);
        return nullptr;
    }
    if (pod.meta.deleting) {
        events_.failed_scheduling(pod, fw->profile_name(), "SchedulerError",
                                  "skip schedule deleting pod: " + pod.key());
        queue_.remove(pod.meta.uid);
        return nullptr;
    }
    if (cache_.is_assumed(pod.meta.uid)) {
        queue_.done(pod.meta.uid);
        return nullptr;
    }
    return fw;
}

std::shared_ptr<framework::cycle_state> scheduler::new_cycle_state() {
    auto state = std::make_shared<framework::cycle_state>();
    if (metrics_ != nullptr) {
        // Plugin durations are sampled, as upstream, to keep the cost of timing low.
        state->record_plugin_metrics = std::uniform_int_distribution<int>(0, 99)(algo_.rng) <
                                       metrics::kPluginMetricsSamplePercent;
    }
    return state;
}

void scheduler::finish_attempt(std::shared_ptr<framework::framework> fw,
                               std::shared_ptr<framework::cycle_state> state,
                               const queue::popped_pod& popped, schedule_result result,
                               time_point start) {
    const auto& info = popped.queued.info;
    const api::pod& pod = *info->pod;
    if (inspector_) {
        inspector_(*fw, *info, result);
    }
    if (explanations_ != nullptr) {
        explanation e = explain_attempt(fw->profile_name(), *info, cache_.nodes().size(), result);
        e.attempted_at = rfc3339(std::chrono::system_clock::now());
        explanations_->put(std::move(e));
    }
    if (result.node.empty()) {
        handle_failure(*fw, popped, result, start);
        return;
    }

    // Assume, Reserve, Permit; then bind asynchronously.
    auto assumed = assumed_pod(*info, result.node);
    if (!cache_.assume_pod(assumed, result.node)) {
        MS_LOG_WARN("pod {} is already in the cache; not scheduling it again", pod.key());
        queue_.done(pod.meta.uid);
        return;
    }
    cache_.nominated().remove(pod.meta.uid);  // it holds its room itself now
    framework::status s = fw->run_reserve(*state, *info, result.node);
    std::chrono::milliseconds permit_timeout{0};
    std::vector<std::string> permit_waiting;
    if (s.is_success()) {
        s = fw->run_permit(*state, *info, result.node, permit_timeout, permit_waiting);
    }
    if (!s.is_success() && !s.is_wait()) {
        fw->run_unreserve(*state, *info, result.node);
        cache_.forget_pod(pod.meta.uid);
        schedule_result failed;
        failed.failure = s;
        failed.message = s.message();
        if (!s.plugin().empty()) {
            failed.rejector_plugins.push_back(s.plugin());
        }
        handle_failure(*fw, popped, failed, start);
        return;
    }
    if (s.is_wait()) {
        // Registered now, in the scheduling cycle, so that a later pod's Permit (e.g. the last
        // member of a gang) can already allow it.
        fw->waiting().add(std::make_shared<framework::waiting_pod>(
            bindings_.executor(), info, result.node, std::move(permit_waiting), permit_timeout));
    }
    bindings_.spawn(binding_cycle(std::move(fw), std::move(state), popped, std::move(assumed),
                                  std::move(result.node), start));
}

void scheduler::observe_sli(const framework::queued_pod_info& queued) {
    if (queued.initial_attempt == time_point{}) {
        return;
    }
    const std::string attempts = metrics::attempts_label(queued.attempts);
    const double seconds = metrics::seconds_since(queued.initial_attempt);
    metrics_->pod_scheduling_sli_duration.with({attempts}).observe(seconds);
    if (metrics_->pod_scheduling_duration != nullptr) {
        metrics_->pod_scheduling_duration->with({attempts}).observe(seconds);
    }
}

void scheduler::handle_failure(framework::framework& fw, const queue::popped_pod& popped,
                               const schedule_result& result, time_point start) {
    const api::pod& pod = *popped.queued.info->pod;
    queue::failure why;
    const bool rejected = result.failure.is_rejected();
    if (metrics_ != nullptr) {
        const auto outcome = rejected ? metrics::label::kUnschedulable : metrics::label::kError;
        metrics_->schedule_attempts.with({outcome, fw.profile_name()}).inc();
        metrics_->attempt_duration.with({outcome, fw.profile_name()})
            .observe(metrics::seconds_since(start));
    }
    if (rejected) {
        why.events = fw.events_for(result.rejector_plugins, why.any_event);
        for (const auto& name : result.rejector_plugins) {
            if (fw.has_plugin(name)) {
                why.rejector_plugins.push_back(name);
            }
        }
    } else {
        why.error = true;
    }
    MS_LOG_V(2, "unable to schedule pod {} (profile {}): {}", pod.key(), fw.profile_name(),
             result.message);
    queue_.requeue(popped, std::move(why));
    std::optional<std::string> nominated = result.nominated_node_name;
    if (!rejected) {
        nominated = "";  // upstream clears the nomination on errors
    }
    if (nominated) {
        cache_.nominated().add(popped.queued.info, *nominated);
    }
    events_.failed_scheduling(pod, fw.profile_name(), rejected ? "Unschedulable" : "SchedulerError",
                              result.message, nominated);
    if (explanations_ != nullptr) {
        explanations_->note(pod.meta.uid, result.message);
    }
    if (observer_) {
        observer_({popped.queued.info->pod, fw.profile_name(), "", result.message});
    }
}

task<void> scheduler::binding_cycle(std::shared_ptr<framework::framework> fw,
                                    std::shared_ptr<framework::cycle_state> state,
                                    queue::popped_pod popped,
                                    std::shared_ptr<const framework::pod_info> assumed,
                                    std::string node, time_point start) {
    const auto& info = popped.queued.info;
    const api::pod& pod = *info->pod;
    const binding_goroutine running(
        metrics_ != nullptr ? &metrics_->goroutines.with({metrics::label::kBinding}) : nullptr);
    framework::status s;
    if (auto waiting = fw->waiting().find(pod.meta.uid)) {
        const auto wait_start = std::chrono::steady_clock::now();
        s = co_await waiting->wait();
        fw->waiting().remove(pod.meta.uid);
        if (metrics_ != nullptr) {
            metrics_->permit_wait_duration.with({framework::code_name(s.code())})
                .observe(metrics::seconds_since(wait_start));
        }
    }
    // Counted from here to the end of the cycle (see run()).
    struct in_flight {
        scheduler& self;
        explicit in_flight(scheduler& s) : self(s) { ++self.bindings_in_flight_; }
        ~in_flight() {
            --self.bindings_in_flight_;
            if (self.binding_room_ != nullptr) {
                self.binding_room_->cancel();
            }
        }
        in_flight(const in_flight&) = delete;
        in_flight& operator=(const in_flight&) = delete;
    } const counted(*this);
    if (s.is_success()) {
        s = co_await fw->run_pre_bind(state, info, node);
    }
    if (s.is_success()) {
        s = co_await bind(fw, state, assumed, node);
    }
    if (s.is_success()) {
        MS_LOG_V(2, "bound pod {} to node {} (profile {})", pod.key(), node, fw->profile_name());
        events_.scheduled(pod, fw->profile_name(), node);
        fw->run_post_bind(*state, *info, node);
        if (explanations_ != nullptr) {
            explanations_->forget(pod.meta.uid);
        }
        if (observer_) {
            observer_({info->pod, fw->profile_name(), node, ""});
        }
        if (metrics_ != nullptr) {
            const auto scheduled = metrics::label::kScheduled;
            metrics_->schedule_attempts.with({scheduled, fw->profile_name()}).inc();
            metrics_->attempt_duration.with({scheduled, fw->profile_name()})
                .observe(metrics::seconds_since(start));
            metrics_->pod_scheduling_attempts.observe(popped.queued.attempts);
            observe_sli(popped.queued);
        }
        queue_.done(pod.meta.uid);
        co_return;
    }
    MS_LOG_WARN("binding pod {} to node {} failed: {}", pod.key(), node, s.message());
    fw->run_unreserve(*state, *info, node);
    cache_.forget_pod(pod.meta.uid);
    // The node's room is back: pods waiting for room may now fit.
    queue_.on_event({event_resource::assigned_pod, action::action_delete});
    if (!queue_.contains(pod.meta.uid)) {
        co_return;  // deleted or bound elsewhere meanwhile: nothing to retry
    }
    schedule_result failed;
    failed.failure = s;
    failed.message = s.message();
    if (!s.plugin().empty()) {
        failed.rejector_plugins.push_back(s.plugin());
    }
    handle_failure(*fw, popped, failed, start);
}

}  // namespace multisched::scheduler
