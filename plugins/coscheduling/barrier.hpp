// SPDX-License-Identifier: Apache-2.0
// The PreBind barrier of one released batch of a group (the members a completing Permit let go
// together): each member that reaches Coscheduling's PreBind waits until every member of the
// batch has reached it, then all go on to Bind. If any member fails first (its Unreserve: an
// earlier PreBind plugin, Permit or its deadline failed), every waiter fails and nobody binds, so
// a group is never bound in part because one member's volume could not be bound.
// Single-threaded: arrive() and fail() run on the scheduler's io_context.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "core/framework/status.hpp"
#include "core/util/task.hpp"

namespace multisched::plugins::coscheduling {

class barrier {
  public:
    // `group` names the group in messages; waits end `timeout` after the barrier opened.
    barrier(std::string group, std::vector<std::string> members, std::chrono::milliseconds timeout);

    // Member `uid` reached PreBind. Completes with success once every member arrived,
    // Unschedulable with the failure message if one failed (before or while waiting), or
    // Unschedulable "group ns/g: 1 of 3 members did not reach PreBind within 1m0s" at the deadline.
    // An unknown uid passes at once.
    task<framework::status> arrive(std::string uid);
    // A member failed: wakes and fails every waiter (and later arrivals). Ignored once the barrier
    // passed or failed.
    void fail(std::string message);
    // Neither passed nor failed yet.
    bool open() const { return !passed_ && !failure_; }
    bool expects(const std::string& uid) const { return expected_.contains(uid); }

  private:
    framework::status verdict() const;

    std::string group_;
    std::set<std::string> expected_;
    std::set<std::string> arrived_;
    std::chrono::milliseconds timeout_;
    std::chrono::steady_clock::time_point deadline_;
    bool passed_ = false;
    std::optional<std::string> failure_;
    std::optional<asio::steady_timer> signal_;  // cancelled to wake every waiter
};

}  // namespace multisched::plugins::coscheduling
