// SPDX-License-Identifier: Apache-2.0
#include "core/util/task_group.hpp"

#include <exception>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "core/util/log.hpp"

namespace multisched {

task_group::task_group(asio::any_io_executor ex, std::string name)
    : ex_(std::move(ex)), name_(std::move(name)), idle_(ex_) {}

void task_group::spawn(task<void> t) {
    const std::uint64_t id = next_id_++;
    auto& signal = signals_[id];
    asio::co_spawn(
        ex_, std::move(t),
        asio::bind_cancellation_slot(signal.slot(), [this, id](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    MS_LOG_ERROR("task in group {} ended with an exception: {}", name_, ex.what());
                } catch (...) {
                    MS_LOG_ERROR("task in group {} ended with an unknown exception", name_);
                }
            }
            // The signal's slot is still referenced by this handler: erase it later.
            asio::post(ex_, [this, id] { finished(id); });
        }));
}

void task_group::finished(std::uint64_t id) {
    signals_.erase(id);
    if (signals_.empty()) {
        idle_.cancel();
    }
}

void task_group::cancel() {
    for (auto& [id, signal] : signals_) {
        signal.emit(asio::cancellation_type::terminal);
    }
}

task<void> task_group::wait() {
    while (!signals_.empty()) {
        idle_.expires_at(asio::steady_timer::time_point::max());
        co_await idle_.async_wait(use_task);
    }
}

}  // namespace multisched
