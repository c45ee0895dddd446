// SPDX-License-Identifier: Apache-2.0
#include "core/queue/scheduling_queue.hpp"

#include <algorithm>

#include <boost/asio/this_coro.hpp>

#include "core/metrics/scheduler_metrics.hpp"

namespace multisched::queue {
namespace {

// Upstream's queue-internal event labels.
constexpr std::string_view kPodAdd = "PodAdd";
constexpr std::string_view kPodUpdate = "PodUpdate";
constexpr std::string_view kScheduleAttemptFailure = "ScheduleAttemptFailure";
constexpr std::string_view kBackoffComplete = "BackoffComplete";
constexpr std::string_view kUnschedulableTimeout = "UnschedulableTimeout";
constexpr std::string_view kForceActivate = "ForceActivate";
// Queue labels.
constexpr std::string_view kActiveQ = "active";
constexpr std::string_view kBackoffQ = "backoff";
constexpr std::string_view kUnschedulableQ = "unschedulable";

}  // namespace

std::string_view event_label(const framework::cluster_event& event) {
    using framework::event_resource;
    const std::uint32_t a = event.actions;
    const bool add = (a & framework::action_add) != 0;
    const bool del = (a & framework::action_delete) != 0;
    switch (event.resource) {
        case event_resource::node: {
            // The first matching action names the event (upstream has one label per change).
            static constexpr std::pair<std::uint32_t, std::string_view> kNode[] = {
                {framework::action_add, "NodeAdd"},
                {framework::action_delete, "NodeDelete"},
                {framework::action_update_node_allocatable, "NodeAllocatableChange"},
                {framework::action_update_node_label, "NodeLabelChange"},
                {framework::action_update_node_taint, "NodeTaintChange"},
                {framework::action_update_node_condition, "NodeConditionChange"},
            };
            for (const auto& [bit, label] : kNode) {
                if ((a & bit) != 0) {
                    return label;
                }
            }
            return "NodeUpdate";
        }
        case event_resource::assigned_pod:
            return add ? "AssignedPodAdd" : del ? "AssignedPodDelete" : "AssignedPodUpdate";
        case event_resource::pod:
            return add ? "PodAdd" : del ? "PodDelete" : "PodUpdate";
        case event_resource::persistent_volume:
            return add ? "PvAdd" : del ? "PvDelete" : "PvUpdate";
        case event_resource::persistent_volume_claim:
            return add ? "PvcAdd" : del ? "PvcDelete" : "PvcUpdate";
        case event_resource::storage_class:
            return add ? "StorageClassAdd" : del ? "StorageClassDelete" : "StorageClassUpdate";
        case event_resource::csi_node:
            return add ? "CSINodeAdd" : del ? "CSINodeDelete" : "CSINodeUpdate";
        case event_resource::pod_group:
            return add ? "PodGroupAdd" : del ? "PodGroupDelete" : "PodGroupUpdate";
        case event_resource::wildcard:
            break;
    }
    return "WildCardEvent";
}

bool scheduling_queue::active_order::operator()(const entry* a, const entry* b) const {
    if (q->less_(a->queued, b->queued)) {
        return true;
    }
    if (q->less_(b->queued, a->queued)) {
        return false;
    }
    // Equal for QueueSort: a total order keeps the set consistent.
    return a->queued.info->pod->meta.uid < b->queued.info->pod->meta.uid;
}

scheduling_queue::scheduling_queue(asio::any_io_executor ex, less_fn less, queue_options opts)
    : less_(std::move(less)), opts_(opts), active_(active_order{this}), wake_(ex) {
    wake_.expires_at(clock::time_point::max());
}

void scheduling_queue::wake() {
    wake_.cancel();
}

void scheduling_queue::detach(entry& e) {
    switch (e.place) {
        case where::active:
            active_.erase(&e);
            break;
        case where::backoff:
            backoff_.erase({e.backoff_until, &e});
            break;
        case where::unschedulable:
            unschedulable_.erase(&e);
            break;
        case where::gated:
        case where::in_flight:
            break;
    }
}

template <class Pred>
std::vector<scheduling_queue::entry*> scheduling_queue::unschedulable_where(Pred&& pred) const {
    std::vector<entry*> out;
    for (entry* e : unschedulable_) {
        if (pred(*e)) {
            out.push_back(e);
        }
    }
    return out;
}

void scheduling_queue::count_incoming(std::string_view queue, std::string_view event) {
    if (metrics_ == nullptr) {
        return;
    }
    auto [it, fresh] = incoming_.try_emplace({queue, event}, nullptr);
    if (fresh) {
        it->second = &metrics_->queue_incoming_pods.with({queue, event});
    }
    it->second->inc();
}

void scheduling_queue::count_rejectors(entry& e) {
    if (metrics_ == nullptr || e.last_failure.error) {
        return;
    }
    const api::pod& pod = *e.queued.info->pod;
    const std::string_view profile =
        pod.scheduler_name.empty() ? api::kDefaultSchedulerName : pod.scheduler_name;
    for (const auto& plugin : e.last_failure.rejector_plugins) {
        metrics::gauge* g = &metrics_->unschedulable_pods.with({plugin, profile});
        g->inc();
        e.counted_by.push_back(g);
    }
}

void scheduling_queue::uncount_rejectors(entry& e) {
    for (metrics::gauge* g : e.counted_by) {
        g->dec();
    }
    e.counted_by.clear();
}

void scheduling_queue::to_active(entry& e, clock::time_point now, std::string_view event) {
    detach(e);
    if (opts_.pre_enqueue && !opts_.pre_enqueue(*e.queued.info->pod).is_success()) {
        e.place = where::gated;
        return;
    }
    if (e.queued.initial_attempt == clock::time_point{}) {
        e.queued.initial_attempt = now;
    }
    e.place = where::active;
    active_.insert(&e);
    count_incoming(kActiveQ, event);
    wake();
}

clock::duration scheduling_queue::backoff_duration(const entry& e) const {
    auto d = std::chrono::duration_cast<clock::duration>(opts_.initial_backoff);
    const auto max = std::chrono::duration_cast<clock::duration>(opts_.max_backoff);
    for (int i = 1; i < e.queued.attempts && d < max; ++i) {
        d *= 2;
    }
    return std::min(d, max);
}

void scheduling_queue::to_backoff_or_active(entry& e, clock::time_point now,
                                            std::string_view event) {
    const auto until = e.queued.timestamp + backoff_duration(e);
    if (e.queued.attempts == 0 || until <= now) {
        to_active(e, now, event);
        return;
    }
    detach(e);
    e.place = where::backoff;
    e.backoff_until = until;
    backoff_.insert({until, &e});
    count_incoming(kBackoffQ, event);
}

void scheduling_queue::add(std::shared_ptr<const framework::pod_info> pod, clock::time_point now) {
    const std::string uid = pod->pod->meta.uid;
    auto [it, inserted] = pods_.try_emplace(uid);
    if (!inserted) {
        return;
    }
    entry& e = it->second;
    e.queued.info = std::move(pod);
    e.queued.timestamp = now;
    e.place = where::in_flight;  // detached; to_active attaches it
    to_active(e, now, kPodAdd);
}

void scheduling_queue::update(std::shared_ptr<const framework::pod_info> pod, bool spec_changed,
                              clock::time_point now) {
    auto it = pods_.find(pod->pod->meta.uid);
    if (it == pods_.end()) {
        add(std::move(pod), now);
        return;
    }
    entry& e = it->second;
    switch (e.place) {
        case where::active:
            // The sort key may have changed (priority): re-insert.
            active_.erase(&e);
            e.queued.info = std::move(pod);
            active_.insert(&e);
            break;
        case where::backoff:
        case where::in_flight:
            e.queued.info = std::move(pod);
            break;
        case where::unschedulable:
            e.queued.info = std::move(pod);
            if (spec_changed) {
                to_backoff_or_active(e, now, kPodUpdate);
            }
            break;
        case where::gated:
            e.queued.info = std::move(pod);
            if (spec_changed) {
                to_active(e, now, kPodUpdate);  // no attempt was made: no backoff
            }
            break;
    }
}

void scheduling_queue::remove(const std::string& uid) {
    auto it = pods_.find(uid);
    if (it == pods_.end()) {
        return;
    }
    detach(it->second);
    uncount_rejectors(it->second);
    pods_.erase(it);
}

std::optional<popped_pod> scheduling_queue::try_pop() {
    if (active_.empty()) {
        return std::nullopt;
    }
    entry* e = *active_.begin();
    active_.erase(active_.begin());
    e->place = where::in_flight;
    e->queued.attempts++;
    uncount_rejectors(*e);
    return popped_pod{e->queued, ++scheduling_cycle_};
}

task<std::optional<popped_pod>> scheduling_queue::pop() {
    for (;;) {
        if (auto p = try_pop()) {
            co_return p;
        }
        wake_.expires_at(clock::time_point::max());
        co_await wake_.async_wait(use_task);
        const auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
            co_return std::nullopt;
        }
    }
}

void scheduling_queue::requeue(const popped_pod& popped, failure why, clock::time_point now) {
    auto it = pods_.find(popped.queued.info->pod->meta.uid);
    if (it == pods_.end() || it->second.place != where::in_flight) {
        return;  // deleted or bound meanwhile
    }
    entry& e = it->second;
    e.queued.timestamp = now;
    e.last_failure = std::move(why);
    count_rejectors(e);
    // A cluster event during this pod's cycle may already have made it schedulable: retry after
    // backoff instead of parking it (kube-scheduler's moveRequestCycle rule).
    if (e.last_failure.error || move_request_cycle_ >= popped.cycle) {
        to_backoff_or_active(e, now, kScheduleAttemptFailure);
        return;
    }
    e.place = where::unschedulable;
    unschedulable_.insert(&e);
    e.unschedulable_since = now;
    count_incoming(kUnschedulableQ, kScheduleAttemptFailure);
}

void scheduling_queue::done(const std::string& uid) {
    auto it = pods_.find(uid);
    if (it != pods_.end() && it->second.place == where::in_flight) {
        pods_.erase(it);
    }
}

void scheduling_queue::on_event(const framework::cluster_event& event, clock::time_point now) {
    move_request_cycle_ = scheduling_cycle_;
    if (unschedulable_.empty()) {
        return;
    }
    const auto worth = unschedulable_where([&](const entry& e) {
        const auto& f = e.last_failure;
        return f.any_event || std::any_of(f.events.begin(), f.events.end(),
                                          [&](const auto& r) { return r.matches(event); });
    });
    for (entry* e : worth) {
        to_backoff_or_active(*e, now, event_label(event));
    }
}

void scheduling_queue::flush_backoff_completed(clock::time_point now) {
    while (!backoff_.empty() && backoff_.begin()->first <= now) {
        to_active(*backoff_.begin()->second, now, kBackoffComplete);
    }
}

void scheduling_queue::flush_unschedulable_leftover(clock::time_point now) {
    const auto stale = unschedulable_where(
        [&](const entry& e) { return now - e.unschedulable_since >= opts_.unschedulable_timeout; });
    for (entry* e : stale) {
        to_backoff_or_active(*e, now, kUnschedulableTimeout);
    }
}

task<void> scheduling_queue::run_flush_loop() {
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (int i = 1;; ++i) {
        tick.expires_after(std::chrono::seconds(1));
        auto [ec] = co_await tick.async_wait(use_task);
        if (ec) {
            co_return;  // cancelled
        }
        const auto now = clock::now();
        flush_backoff_completed(now);
        if (i % 30 == 0) {
            flush_unschedulable_leftover(now);
        }
    }
}

queue_sizes scheduling_queue::sizes() const {
    queue_sizes s;
    for (const auto& [uid, e] : pods_) {
        switch (e.place) {
            case where::active:
                s.active++;
                break;
            case where::backoff:
                s.backoff++;
                break;
            case where::unschedulable:
                s.unschedulable++;
                break;
            case where::gated:
                s.gated++;
                break;
            case where::in_flight:
                break;
        }
    }
    return s;
}

std::size_t scheduling_queue::remove_if(const std::function<bool(const api::pod&)>& drop) {
    std::size_t dropped = 0;
    for (auto it = pods_.begin(); it != pods_.end();) {
        entry& e = it->second;
        if (e.place != where::in_flight && drop(*e.queued.info->pod)) {
            detach(e);
            uncount_rejectors(e);
            it = pods_.erase(it);
            ++dropped;
        } else {
            ++it;
        }
    }
    return dropped;
}

std::size_t scheduling_queue::retry_if(const std::function<bool(const api::pod&)>& retry,
                                       clock::time_point now) {
    move_request_cycle_ = scheduling_cycle_;
    std::size_t moved = 0;
    for (auto& [uid, e] : pods_) {
        if ((e.place == where::unschedulable || e.place == where::gated) &&
            retry(*e.queued.info->pod)) {
            to_backoff_or_active(e, now, kForceActivate);
            moved += e.place == where::gated ? 0 : 1;
        }
    }
    return moved;
}

std::size_t scheduling_queue::activate(const std::vector<std::string>& uids,
                                       clock::time_point now) {
    std::size_t moved = 0;
    for (const auto& uid : uids) {
        auto it = pods_.find(uid);
        if (it == pods_.end()) {
            continue;
        }
        entry& e = it->second;
        if (e.place == where::unschedulable || e.place == where::backoff ||
            e.place == where::gated) {
            to_active(e, now, kForceActivate);
            moved += e.place == where::active ? 1 : 0;
        }
    }
    return moved;
}

void scheduling_queue::set_backoff(std::chrono::milliseconds initial,
                                   std::chrono::milliseconds max) {
    opts_.initial_backoff = initial;
    opts_.max_backoff = max;
}

}  // namespace multisched::queue
