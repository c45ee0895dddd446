// SPDX-License-Identifier: Apache-2.0
#include "core/client/connection_slots.hpp"

#include <boost/asio/this_coro.hpp>

namespace multisched::client {

task<std::optional<connection_slots::slot>> connection_slots::acquire(
    std::chrono::steady_clock::time_point deadline) {
    if (used_ < limit_ && waiters_.empty()) {
        ++used_;
        co_return slot(this);
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    auto me = waiters_.insert(waiters_.end(), waiter{&timer});
    // Removes the entry however this frame ends (granted, timed out, cancelled, destroyed while
    // suspended); a slot granted but never taken is released again.
    struct leave_queue {
        connection_slots* self;
        std::list<waiter>::iterator it;
        bool taken = false;
        ~leave_queue() {
            const bool granted = it->granted;
            self->waiters_.erase(it);
            if (granted && !taken) {
                self->release();
            }
        }
    } guard{this, me};
    co_await timer.async_wait(use_task);  // cancelled by release() on a grant
    if (!me->granted) {
        co_return std::nullopt;
    }
    guard.taken = true;
    co_return slot(this);
}

void connection_slots::release() {
    for (auto& w : waiters_) {
        if (!w.granted) {
            w.granted = true;  // the slot passes to this waiter: used_ stays
            w.timer->cancel();
            return;
        }
    }
    --used_;
}

}  // namespace multisched::client
