// SPDX-License-Identifier: Apache-2.0
// Coscheduling's Reserve/Unreserve, Permit, PreBind barrier and PostBind, and the group-level
// failure they share with PreFilter's timeouts.
#include <fmt/format.h>

#include "core/framework/framework.hpp"
#include "core/util/log.hpp"
#include "plugins/coscheduling/coscheduling.hpp"

namespace multisched::plugins::coscheduling {

using framework::code;
using framework::status;

status coscheduling::reserve(framework::cycle_state& /*state*/, const framework::pod_info& pod,
                             const std::string& /*node*/) {
    if (const std::string key = cache::pod_group_key(*pod.pod); !key.empty()) {
        state_->book.leave_plan(key, pod.pod->meta.uid);
    }
    return {};
}

void coscheduling::unreserve(framework::cycle_state& /*state*/, const framework::pod_info& pod,
                             const std::string& node) {
    const std::string key = cache::pod_group_key(*pod.pod);
    if (key.empty()) {
        return;
    }
    state_->book.leave_plan(key, pod.pod->meta.uid);
    state_->barrier_of_member.erase(pod.pod->meta.uid);
    if (auto it = state_->past_barrier.find(pod.pod->meta.uid); it != state_->past_barrier.end()) {
        state_->past_barrier.erase(it);
        MS_LOG_V(2, "pod group {}: member {} failed at Bind; retrying it alone", key,
                 pod.pod->key());
        return;
    }
    fail_group(key, fmt::format("member {} failed on node {}", pod.pod->key(), node), now_());
}

status coscheduling::permit(framework::cycle_state& /*state*/, const framework::pod_info& pod,
                            const std::string& /*node*/, std::chrono::milliseconds& timeout) {
    const std::string key = cache::pod_group_key(*pod.pod);
    if (key.empty()) {
        return {};
    }
    const auto group = handle_.objects().pod_groups.find(key);
    if (group == nullptr) {
        return {code::unschedulable_and_unresolvable, fmt::format("pod group {} not found", key)};
    }
    const std::string& uid = pod.pod->meta.uid;
    std::size_t placed = 1;  // this pod
    if (const auto* members = index().find(key)) {
        for (const auto& [member, p] : *members) {
            placed += member != uid && is_placed(handle_, *p) ? 1 : 0;
        }
    }
    const auto wait = group_timeout(*group, args_.permit_waiting_time_seconds);
    if (placed < required_members(*group)) {
        timeout = wait;
        return {code::wait, std::vector<std::string>{}};
    }
    std::vector<std::string> batch = {uid};
    if (framework::framework* fw = handle_.profile_framework()) {
        fw->waiting().for_each([&](framework::waiting_pod& wp) {
            if (cache::pod_group_key(*wp.pod().pod) == key) {
                wp.allow(kName);
                batch.push_back(wp.pod().pod->meta.uid);
            }
        });
    }
    MS_LOG_V(3, "pod group {} complete: releasing {} members", key, batch.size());
    open_barrier(key, std::move(batch), wait);
    if (state_->book.end_admission(key)) {
        retry_blocked();
    }
    return {};
}

task<status> coscheduling::pre_bind(std::shared_ptr<framework::cycle_state> /*state*/,
                                    std::shared_ptr<const framework::pod_info> pod,
                                    std::string /*node*/) {
    const std::string uid = pod->pod->meta.uid;
    const std::string key = cache::pod_group_key(*pod->pod);
    if (key.empty()) {
        co_return status();
    }
    auto it = state_->barrier_of_member.find(uid);
    if (it == state_->barrier_of_member.end()) {
        state_->past_barrier.insert(uid);  // a batch of one
        co_return status();
    }
    const std::shared_ptr<barrier> b = it->second;
    status s = co_await b->arrive(uid);
    if (auto mine = state_->barrier_of_member.find(uid);
        mine != state_->barrier_of_member.end() && mine->second == b) {
        state_->barrier_of_member.erase(mine);
    }
    if (s.is_success()) {
        state_->past_barrier.insert(uid);
    }
    if (auto g = state_->barrier_of_group.find(key);
        !b->open() && g != state_->barrier_of_group.end() && g->second == b) {
        state_->barrier_of_group.erase(g);
    }
    co_return s;
}

void coscheduling::post_bind(framework::cycle_state& /*state*/, const framework::pod_info& pod,
                             const std::string& /*node*/) {
    const std::string key = cache::pod_group_key(*pod.pod);
    if (key.empty()) {
        return;
    }
    state_->book.mark_bound(key, pod.pod->meta.uid);
    state_->past_barrier.erase(pod.pod->meta.uid);
    const auto group = handle_.objects().pod_groups.find(key);
    if (group == nullptr) {
        return;
    }
    const auto* members = index().find(key);
    if (state_->book.count_bound(key, members) >= required_members(*group)) {
        state_->writer.write(handle_, *group, kPhaseScheduled,
                             static_cast<std::int32_t>(count_placed(handle_, members)));
        follow(key, now_());
    }
}

void coscheduling::fail_group(const std::string& key, const std::string& reason,
                              clock::time_point now) {
    const std::string message = fmt::format("group {}: {}", key, reason);
    if (framework::framework* fw = handle_.profile_framework()) {
        fw->waiting().for_each([&](framework::waiting_pod& wp) {
            if (cache::pod_group_key(*wp.pod().pod) == key) {
                wp.reject(kName, message);  // the first verdict wins: repeats are harmless
            }
        });
    }
    if (auto it = state_->barrier_of_group.find(key); it != state_->barrier_of_group.end()) {
        it->second->fail(message);
        state_->barrier_of_group.erase(it);
    }
    const bool admitted = state_->book.end_admission(key);
    if (args_.pod_group_backoff_seconds > 0 && state_->book.backing_off(key, now) == nullptr) {
        MS_LOG_V(2, "pod group {} failed ({}): backing off", key, reason);
        const auto until = now + std::chrono::seconds(args_.pod_group_backoff_seconds);
        state_->book.back_off(key, now, until, reason);
        wake_at_(until);
    }
    if (const auto group = handle_.objects().pod_groups.find(key)) {
        const auto* members = index().find(key);
        const std::size_t bound = state_->book.count_bound(key, members);
        if (bound < required_members(*group)) {
            state_->writer.write(handle_, *group, kPhasePending, static_cast<std::int32_t>(bound));
        }
    }
    if (admitted) {
        retry_blocked();
    }
}

void coscheduling::retry_blocked() {
    for (const auto& key : state_->book.take_blocked()) {
        activate_pending(key, "");
    }
}

void coscheduling::activate_pending(const std::string& key, std::string_view except) {
    if (auto uids = pending_uids(handle_, index().find(key), except); !uids.empty()) {
        handle_.activate(uids);
    }
}

void coscheduling::open_barrier(const std::string& key, std::vector<std::string> batch,
                                std::chrono::seconds timeout) {
    if (batch.size() < 2) {
        return;  // a batch of one has nobody to wait for
    }
    auto b = std::make_shared<barrier>(key, batch, timeout);
    for (const auto& uid : batch) {
        state_->barrier_of_member[uid] = b;
    }
    state_->barrier_of_group[key] = std::move(b);
}

}  // namespace multisched::plugins::coscheduling
