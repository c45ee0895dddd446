// SPDX-License-Identifier: Apache-2.0
// Structured concurrency: a task_group owns the coroutines it spawns (binding cycles, watch loops),
// can cancel them all, and can be awaited until all have finished. Replaces co_spawn(detached).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/util/task.hpp"

namespace multisched {

class task_group {
  public:
    // `name` appears in the log line of a task that ends with an exception.
    task_group(asio::any_io_executor ex, std::string name);
    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;

    // Starts `t` on the group's executor. An exception escaping `t` is logged here, the group's
    // one boundary for its tasks; it never reaches the io_context.
    void spawn(task<void> t);
    const asio::any_io_executor& executor() const { return ex_; }
    // Requests cancellation of every running task (terminal cancellation). Idempotent.
    void cancel();
    // Completes when no task of the group is running.
    task<void> wait();
    std::size_t size() const { return signals_.size(); }

  private:
    void finished(std::uint64_t id);

    asio::any_io_executor ex_;
    std::string name_;
    std::map<std::uint64_t, asio::cancellation_signal> signals_;
    std::uint64_t next_id_ = 0;
    asio::steady_timer idle_;
};

}  // namespace multisched
