// SPDX-License-Identifier: Apache-2.0
#include "plugins/coscheduling/barrier.hpp"

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "core/framework/waiting_pods.hpp"

namespace multisched::plugins::coscheduling {

using framework::code;
using framework::status;

barrier::barrier(std::string group, std::vector<std::string> members,
                 std::chrono::milliseconds timeout)
    : group_(std::move(group)),
      expected_(members.begin(), members.end()),
      timeout_(timeout),
      deadline_(std::chrono::steady_clock::now() + timeout) {}

status barrier::verdict() const {
    if (failure_) {
        return {code::unschedulable, *failure_};
    }
    return {};
}

task<status> barrier::arrive(std::string uid) {
    if (!expected_.contains(uid) || passed_ || failure_) {
        co_return expected_.contains(uid) ? verdict() : status();
    }
    arrived_.insert(uid);
    if (arrived_.size() == expected_.size()) {
        passed_ = true;
        if (signal_) {
            signal_->cancel();
        }
        co_return status();
    }
    if (!signal_) {
        signal_.emplace(co_await asio::this_coro::executor, deadline_);
    }
    while (open()) {
        auto [ec] = co_await signal_->async_wait(use_task);
        if (!open()) {
            break;
        }
        if (!ec) {  // the deadline passed
            fail(fmt::format("group {}: {} of {} members did not reach PreBind within {}", group_,
                             expected_.size() - arrived_.size(), expected_.size(),
                             framework::go_duration(timeout_)));
            break;
        }
        // Cancelled without a verdict: the scheduler is shutting down.
        co_return status::error("waiting for the group at PreBind was cancelled");
    }
    co_return verdict();
}

void barrier::fail(std::string message) {
    if (!open()) {
        return;
    }
    failure_ = std::move(message);
    if (signal_) {
        signal_->cancel();
    }
}

}  // namespace multisched::plugins::coscheduling
