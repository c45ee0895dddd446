// SPDX-License-Identifier: Apache-2.0
// A cap on the request/response connections one api_client has open at once (Go's
// Transport.MaxConnsPerHost; kube-scheduler multiplexes over one HTTP/2 connection, multisched
// speaks HTTP/1.1 and keeps at most `limit` exchanges in flight). Without it a burst of Bindings
// and events opens one TLS connection each: the handshakes then dominate the CPU of both sides.
#pragma once

#include <cstddef>
#include <list>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/util/task.hpp"

namespace multisched::client {

class connection_slots {
  public:
    // Releases its slot (or hands it to the oldest waiter) when destroyed.
    class slot {
      public:
        explicit slot(connection_slots* owner) : owner_(owner) {}
        slot(slot&& o) noexcept : owner_(o.owner_) { o.owner_ = nullptr; }
        slot& operator=(slot&&) = delete;
        slot(const slot&) = delete;
        ~slot() {
            if (owner_ != nullptr) {
                owner_->release();
            }
        }

      private:
        connection_slots* owner_;
    };

    explicit connection_slots(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}
    connection_slots(const connection_slots&) = delete;
    connection_slots& operator=(const connection_slots&) = delete;

    // A slot, first come first served; std::nullopt when `deadline` passes first or the wait is
    // cancelled. The slots must outlive every slot they hand out and every waiting acquire().
    task<std::optional<slot>> acquire(std::chrono::steady_clock::time_point deadline);

    std::size_t in_use() const { return used_; }
    std::size_t waiting() const { return waiters_.size(); }

  private:
    struct waiter {
        asio::steady_timer* timer;
        bool granted = false;
    };
    void release();

    std::size_t limit_;
    std::size_t used_ = 0;
    std::list<waiter> waiters_;  // oldest first
};

}  // namespace multisched::client
