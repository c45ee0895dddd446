// SPDX-License-Identifier: Apache-2.0
// Coscheduling's per-group bookkeeping, single-threaded like the scheduling cycle:
//   admissions  groups whose whole placement was simulated successfully, with their plan (the
//               members not assumed yet -> node) that other groups' simulations keep room for;
//   backoffs    groups rejected at PreFilter for a while after a timeout or a failed member;
//   blocked     groups rejected while another admission was outstanding: retried when one ends;
//   bound       members PostBind saw bound before the informer reports their nodeName.
// Also what the plugin counts of a group's members (placed = bound or assumed).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/storage_types.hpp"
#include "core/cache/pod_group_index.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/node_info.hpp"

namespace multisched::plugins::coscheduling {

using clock = std::chrono::steady_clock;

// Whether a member holds a node: bound (spec.nodeName) or assumed by a scheduling cycle (waiting
// at Permit, in PreBind or Bind).
bool is_placed(const framework::handle& h, const api::pod& member);
// The placed members of a group (null members: none).
std::size_t count_placed(const framework::handle& h, const cache::pod_group_index::members* m);
// The members still to place: pending, not assumed, not being deleted, without scheduling gates;
// `first` (if among them)
// leads, the rest follow in uid order.
std::vector<std::shared_ptr<const api::pod>> pending_members(
    const framework::handle& h, const cache::pod_group_index::members& m, std::string_view first);
// The uids of pending_members other than `except`.
std::vector<std::string> pending_uids(const framework::handle& h,
                                      const cache::pod_group_index::members* m,
                                      std::string_view except);
// spec.minMember, negative values counting as 0.
std::size_t required_members(const api::pod_group& group);
// How long a group's placed members wait for the rest: scheduleTimeoutSeconds when positive,
// else `default_seconds`.
std::chrono::seconds group_timeout(const api::pod_group& group, std::int64_t default_seconds);

// A pod on a node by name: an admitted group's planned member, or a simulated placement.
struct placement {
    std::shared_ptr<const framework::pod_info> pod;
    std::string node;
};

struct admission {
    std::map<std::string, placement> plan;  // member uid -> where, until the member is assumed
    clock::time_point admitted_at{};
    clock::time_point deadline{};  // admitted_at + the group's timeout
};

struct backoff {
    clock::time_point until{};
    std::string reason;  // "member ns/p failed", "it timed out after 60s"
};

class group_book {
  public:
    const admission* admitted(std::string_view key) const;
    // Records an admission; bumps epoch().
    void admit(const std::string& key, admission a);
    // Ends `key`'s admission (completed, timed out or failed). True when one was outstanding;
    // bumps epoch() then.
    bool end_admission(std::string_view key);
    // The member was assumed: its room is real now, it leaves the plan. Bumps epoch().
    void leave_plan(std::string_view key, std::string_view uid);
    const std::map<std::string, admission, std::less<>>& admissions() const { return admitted_; }
    // Admissions whose deadline is at or before `now`.
    std::vector<std::string> overdue(clock::time_point now) const;
    // The earliest admission deadline or backoff end, if any.
    std::optional<clock::time_point> next_deadline() const;

    // The backoff of `key` if it lasts beyond `now`.
    const backoff* backing_off(std::string_view key, clock::time_point now) const;
    // Starts a backoff until `until` unless one lasts beyond `now` already: every member of a
    // failed group reports the failure, only the first starts the backoff.
    void back_off(const std::string& key, clock::time_point now, clock::time_point until,
                  std::string reason);
    // Forgets the backoffs that ended at or before `now` and returns their groups.
    std::vector<std::string> take_ended_backoffs(clock::time_point now);

    void mark_blocked(const std::string& key) { blocked_.insert(key); }
    // The blocked groups, forgotten.
    std::set<std::string> take_blocked();

    void mark_bound(const std::string& key, const std::string& uid) { bound_[key].insert(uid); }
    // Members bound: spec.nodeName set, or seen by PostBind (and still members).
    std::size_t count_bound(std::string_view key, const cache::pod_group_index::members* m) const;
    // Drops the bound records of groups without members and of members the informer shows bound.
    void prune(const cache::pod_group_index& index);

    // Changes whenever the room held by admissions changes (feasibility verdicts depend on it).
    std::uint64_t epoch() const { return epoch_; }

  private:
    std::map<std::string, admission, std::less<>> admitted_;
    std::map<std::string, backoff, std::less<>> backoffs_;
    std::set<std::string> blocked_;
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> bound_;
    std::uint64_t epoch_ = 0;
};

}  // namespace multisched::plugins::coscheduling
