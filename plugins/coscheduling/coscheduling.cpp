// SPDX-License-Identifier: Apache-2.0
// Coscheduling's construction, QueueSort, PreFilter (admission) and EnqueueExtensions.
#include "plugins/coscheduling/coscheduling.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "core/framework/framework.hpp"
#include "core/framework/waiting_pods.hpp"
#include "core/util/log.hpp"
#include "plugins/coscheduling/feasibility.hpp"
#include "plugins/coscheduling/lifecycle.hpp"

namespace multisched::plugins::coscheduling {
namespace {

using framework::code;
using framework::status;

// Records of vanished groups are pruned every this many housekeeping runs.
constexpr std::uint64_t kPruneEvery = 256;

status skip() {
    return {code::skip, std::vector<std::string>{}};
}

// Sets a flag for the lifetime of a scope.
class flag_scope {
  public:
    explicit flag_scope(bool& flag) : flag_(flag) { flag_ = true; }
    ~flag_scope() { flag_ = false; }
    flag_scope(const flag_scope&) = delete;
    flag_scope& operator=(const flag_scope&) = delete;

  private:
    bool& flag_;
};

// Calls *target at `when` unless it is gone by then or the task is cancelled (shutdown).
task<void> call_at(std::weak_ptr<std::function<void()>> target, clock::time_point when) {
    asio::steady_timer timer(co_await asio::this_coro::executor, when);
    auto [ec] = co_await timer.async_wait(use_task);
    if (ec) {
        co_return;
    }
    if (auto fn = target.lock()) {
        (*fn)();
    }
}

}  // namespace

coscheduling::coscheduling(const coscheduling_args& args, framework::handle& h, hooks hk)
    : args_(args),
      handle_(h),
      now_(hk.now ? std::move(hk.now) : std::function<clock::time_point()>(&clock::now)),
      wake_at_(std::move(hk.wake_at)),
      timer_target_(std::make_shared<std::function<void()>>([this] { on_timer(); })) {
    state_ = framework::persistent_state<gang_state>(h, kName, [&] {
        return std::make_shared<gang_state>(
            h.objects().pod_group_members, now_,
            hk.wall ? std::move(hk.wall) : status_writer::wall_fn(&now_rfc3339));
    });
    if (!wake_at_) {
        wake_at_ = [this](clock::time_point when) {
            handle_.spawn_write(call_at(timer_target_, when));
        };
    }
    // A reload: the timers of the instance this one replaces went with it.
    if (const auto next = state_->book.next_deadline()) {
        wake_at_(*next);
    }
    if (!state_->followed.empty()) {
        wake_at_(state_->next_follow);
    }
}

void coscheduling::on_timer() {
    housekeeping(now_());
}

bool coscheduling::less(const framework::queued_pod_info& a,
                        const framework::queued_pod_info& b) const {
    return queue_less(state_->clock, a, b);
}

std::vector<framework::cluster_event> coscheduling::events_to_register() const {
    using framework::event_resource;
    return {
        // A sibling joined: the group may have minMember members now.
        {event_resource::pod, framework::action_add},
        // The PodGroup appeared or its minMember / minResources changed.
        {event_resource::pod_group, framework::action_add | framework::action_update},
        // Room was freed.
        {event_resource::assigned_pod, framework::action_delete},
        {event_resource::node, framework::action_add | framework::action_update_node_allocatable |
                                   framework::action_update_node_taint |
                                   framework::action_update_node_label},
    };
}

status coscheduling::pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                std::span<const framework::node_info* const> nodes,
                                framework::pre_filter_result& /*result*/) {
    if (simulating_) {
        return skip();  // our own dry run: the group is being checked by the caller
    }
    const std::string key = cache::pod_group_key(*pod.pod);
    if (key.empty()) {
        return skip();
    }
    const auto now = now_();
    const bool act = !state.what_if;
    if (act) {
        housekeeping(now);
    }
    const auto group = handle_.objects().pod_groups.find(key);
    if (group == nullptr) {
        return {code::unschedulable_and_unresolvable, fmt::format("pod group {} not found", key)};
    }
    const auto* members = index().find(key);
    const std::size_t total = members != nullptr ? members->size() : 0;
    const std::size_t placed = count_placed(handle_, members);
    const std::size_t min = required_members(*group);
    if (total < min) {
        if (act) {
            state_->writer.write(handle_, *group, kPhasePreScheduling,
                                 static_cast<std::int32_t>(placed));
        }
        return {
            code::unschedulable_and_unresolvable,
            fmt::format("group {} has {} of the {} members it needs (minMember)", key, total, min)};
    }
    if (const backoff* b = state_->book.backing_off(key, now)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(b->until - now);
        return {code::unschedulable, fmt::format("group {} backs off for {} more after {}", key,
                                                 framework::go_duration(left), b->reason)};
    }
    if (placed >= min || state_->book.admitted(key) != nullptr) {
        return {};  // satisfied (a late member schedules alone) or admitted
    }
    if (std::string short_of = min_resources_shortfall(*group, key, nodes, handle_, members);
        !short_of.empty()) {
        return {code::unschedulable, std::move(short_of)};
    }
    return admit(key, *group, *members, placed, pod, nodes, now, act);
}

status coscheduling::admit(const std::string& key, const api::pod_group& group,
                           const cache::pod_group_index::members& members, std::size_t placed,
                           const framework::pod_info& pod,
                           std::span<const framework::node_info* const> nodes,
                           clock::time_point now, bool act) {
    framework::framework* fw = handle_.profile_framework();
    if (fw == nullptr) {
        return status::error("the profile's framework is not built");
    }
    const std::uint64_t digest = feasibility_digest(nodes, members, handle_, state_->book.epoch());
    if (auto it = state_->failed.find(key);
        it != state_->failed.end() && it->second.digest == digest) {
        return {code::unschedulable, it->second.message};  // nothing moved since the last run
    }
    const std::string& uid = pod.pod->meta.uid;
    std::vector<std::shared_ptr<const framework::pod_info>> candidates;
    candidates.push_back(framework::make_pod_info(pod.pod));
    for (const auto& p : pending_members(handle_, members, uid)) {
        if (p->meta.uid != uid) {
            candidates.push_back(framework::make_pod_info(p));
        }
    }
    const std::size_t min = required_members(group);
    simulation_result sim;
    {
        const flag_scope inside(simulating_);
        sim = simulate_placement(*fw, nodes, reserved_room(key), candidates, min - placed,
                                 state_->next_start);
    }
    const std::size_t can = placed + sim.placed.size();
    if (!act) {  // a what-if: the verdict, nothing recorded
        if (can < min) {
            return {code::unschedulable,
                    fmt::format("{}/{} members of group {} can be placed", can, min, key)};
        }
        return {};
    }
    state_->next_start = sim.next_start;
    if (can < min) {
        std::string message = fmt::format("{}/{} members of group {} can be placed", can, min, key);
        state_->failed[key] = {digest, message};
        if (!state_->book.admissions().empty()) {
            state_->book.mark_blocked(key);  // retried when an admission ends
        }
        return {code::unschedulable, std::move(message)};
    }
    state_->failed.erase(key);
    admission a;
    for (auto& p : sim.placed) {
        a.plan.emplace(p.pod->pod->meta.uid, std::move(p));
    }
    a.admitted_at = now;
    a.deadline = now + group_timeout(group, args_.permit_waiting_time_seconds);
    const clock::time_point deadline = a.deadline;
    state_->book.admit(key, std::move(a));
    wake_at_(deadline);
    MS_LOG_V(3, "pod group {} admitted: {} placed, {} planned", key, placed, min - placed);
    state_->writer.write(handle_, group, kPhaseScheduling, static_cast<std::int32_t>(placed), true);
    activate_pending(key, uid);
    return {};
}

std::vector<placement> coscheduling::reserved_room(std::string_view key) const {
    std::vector<placement> out;
    for (const auto& [other, a] : state_->book.admissions()) {
        const auto* m = other == key ? nullptr : index().find(other);
        if (m == nullptr) {
            continue;
        }
        for (const auto& [uid, planned] : a.plan) {
            auto it = m->find(uid);
            if (it != m->end() && !is_placed(handle_, *it->second)) {
                out.push_back(planned);
            }
        }
    }
    return out;
}

void coscheduling::housekeeping(clock::time_point now) {
    for (const auto& key : state_->book.overdue(now)) {
        const admission* a = state_->book.admitted(key);
        const auto waited =
            std::chrono::duration_cast<std::chrono::milliseconds>(a->deadline - a->admitted_at);
        fail_group(key, fmt::format("it timed out after {}", framework::go_duration(waited)), now);
    }
    for (const auto& key : state_->book.take_ended_backoffs(now)) {
        activate_pending(key, "");
    }
    follow_lifecycles(now);
    if (++state_->housekeeping_runs % kPruneEvery != 0) {
        return;
    }
    state_->book.prune(index());
    state_->writer.prune(handle_.objects().pod_groups);
    std::erase_if(state_->failed, [&](const auto& f) { return index().find(f.first) == nullptr; });
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h) {
    auto parsed = parse_args(args);
    if (!parsed) {
        return parsed.error();
    }
    return std::unique_ptr<framework::plugin>(std::make_unique<coscheduling>(*parsed, h));
}

}  // namespace multisched::plugins::coscheduling
