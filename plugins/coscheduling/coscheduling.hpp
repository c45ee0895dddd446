// SPDX-License-Identifier: Apache-2.0
// Coscheduling: gang scheduling for kubernetes-sigs/scheduler-plugins PodGroups (pods labelled
// scheduling.x-k8s.io/pod-group): a group is admitted at PreFilter only if a dry run places
// minMember members beside the other admitted groups' plans; a PreBind barrier binds all or none.
// Extension points: QueueSort, PreFilter, Reserve, Permit, PreBind (configure it LAST among the
// PreBind plugins), PostBind, EnqueueExtensions.
// Args (CoschedulingArgs): permitWaitingTimeSeconds (60), podGroupBackoffSeconds (10; upstream 0).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"
#include "plugins/coscheduling/args.hpp"
#include "plugins/coscheduling/gang_state.hpp"

namespace multisched::plugins::coscheduling {

class coscheduling final : public framework::queue_sort_plugin,
                           public framework::pre_filter_plugin,
                           public framework::reserve_plugin,
                           public framework::permit_plugin,
                           public framework::pre_bind_plugin,
                           public framework::post_bind_plugin,
                           public framework::enqueue_extensions {
  public:
    // Time sources, replaced by tests. Waits at Permit and PreBind use the io_context's clock.
    struct hooks {
        std::function<clock::time_point()> now;  // admissions, backoffs; null: steady_clock
        status_writer::wall_fn wall;             // scheduleStartTime; null: now_rfc3339
        // Arranges a call of on_timer() at `when` (an admission's deadline, a backoff's end);
        // null: a timer task given to handle::spawn_write, dropped if the plugin is gone.
        std::function<void(clock::time_point)> wake_at;
    };

    coscheduling(const coscheduling_args& args, framework::handle& h, hooks hk = {});

    std::string_view name() const override { return kName; }
    // See queue_less: members of a group leave the queue together; loners as PrioritySort.
    bool less(const framework::queued_pod_info& a,
              const framework::queued_pod_info& b) const override;
    // Skip without the label (and inside the plugin's own dry run). Otherwise, in order:
    // UnschedulableAndUnresolvable "pod group ns/g not found" or "group ns/g has 3 of the 4
    // members it needs (minMember)"; Unschedulable "group ns/g backs off for 8s more after member
    // ns/p failed ..."; success when the group has minMember placed or is admitted; Unschedulable
    // when minResources exceeds the free room or "3/4 members of group ns/g can be placed";
    // else admits the group and activates its other pending members. In a what-if cycle
    // (state.what_if) the same verdict with nothing done: no housekeeping, status write,
    // admission or activation.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;
    // The member is assumed: it leaves its group's plan.
    framework::status reserve(framework::cycle_state& state, const framework::pod_info& pod,
                              const std::string& node) override;
    // The member failed (Permit rejection or timeout, PreBind): the whole group fails. Its
    // waiting members are rejected, its open PreBind barrier fails, its admission ends and it
    // backs off for podGroupBackoffSeconds. Idempotent: each failed member calls it. A member
    // that failed at Bind, past the barrier, fails alone and is retried at once (its siblings
    // may be bound already).
    void unreserve(framework::cycle_state& state, const framework::pod_info& pod,
                   const std::string& node) override;
    // Success without a group. With minMember placed counting this pod: allows every waiting
    // member, opens the PreBind barrier for them and this pod, success. Else Wait for
    // scheduleTimeoutSeconds (or permitWaitingTimeSeconds).
    framework::status permit(framework::cycle_state& state, const framework::pod_info& pod,
                             const std::string& node, std::chrono::milliseconds& timeout) override;
    // The barrier: waits until every member released with this one reached PreBind; fails if one
    // of them failed first. Passes at once for a batch of one or a pod without a group.
    task<framework::status> pre_bind(std::shared_ptr<framework::cycle_state> state,
                                     std::shared_ptr<const framework::pod_info> pod,
                                     std::string node) override;
    // Writes status Scheduled (scheduled = bound + assumed members) once minMember are bound.
    void post_bind(framework::cycle_state& state, const framework::pod_info& pod,
                   const std::string& node) override;
    std::vector<framework::cluster_event> events_to_register() const override;

    // The time-based work, also done at each PreFilter: admissions past their deadline fail as a
    // timeout, groups whose backoff ended have their pending members activated.
    void on_timer();

    // For tests.
    const group_book& book() const { return state_->book; }

  private:
    framework::status admit(const std::string& key, const api::pod_group& group,
                            const cache::pod_group_index::members& members, std::size_t placed,
                            const framework::pod_info& pod,
                            std::span<const framework::node_info* const> nodes,
                            clock::time_point now, bool act);
    // The planned, not yet assumed members of the admitted groups other than `key`.
    std::vector<placement> reserved_room(std::string_view key) const;
    // Fails overdue admissions, activates groups whose backoff ended, prunes records.
    void housekeeping(clock::time_point now);
    // Group-level failure (see unreserve). `reason` completes "group ns/g: <reason>".
    void fail_group(const std::string& key, const std::string& reason, clock::time_point now);
    // Starts following a Scheduled group's lifecycle (lifecycle.hpp).
    void follow(const std::string& key, clock::time_point now);
    // Writes the lifecycle phase of the followed groups, every kLifecyclePeriod; lists a
    // group's pods first when members left the index (they may have terminated).
    void follow_lifecycles(clock::time_point now);
    // Writes `key`'s lifecycle phase from the member index and its last terminal counts.
    // False when the phase is final (the group is no longer followed).
    bool write_lifecycle(const std::string& key, const api::pod_group& group);
    // Lists the group's pods for its terminal counts, then writes its lifecycle phase.
    task<void> list_terminal_pods(std::string key, client::http_request req);
    // Activates the pending members of the groups rejected while an admission was outstanding.
    void retry_blocked();
    void activate_pending(const std::string& key, std::string_view except);
    void open_barrier(const std::string& key, std::vector<std::string> batch,
                      std::chrono::seconds timeout);
    const cache::pod_group_index& index() const { return handle_.objects().pod_group_members; }

    coscheduling_args args_;
    framework::handle& handle_;
    std::function<clock::time_point()> now_;
    std::function<void(clock::time_point)> wake_at_;
    std::shared_ptr<std::function<void()>> timer_target_;  // weakly held by timer tasks
    std::shared_ptr<gang_state> state_;                    // see gang_state.hpp
    bool simulating_ = false;  // inside our own dry run: PreFilter skips
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::coscheduling
