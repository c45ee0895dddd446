// SPDX-License-Identifier: Apache-2.0
// Runs a coroutine to completion on an io_context from the calling thread: no threads, no sleeps.
// Other coroutines on the same context (a test server, say) progress while it runs.
#pragma once

#include <chrono>
#include <future>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/util/run_until_idle.hpp"
#include "core/util/task.hpp"

namespace multisched::testing {

// Runs ready handlers until none is left (run_until_idle.hpp).
inline void drain(asio::io_context& ioc) { run_until_idle(ioc); }

// Polls `ioc` until `t` finishes and returns its value (rethrows its exception). Throws
// std::runtime_error when `t` is still running after `limit`, so a broken test fails instead of
// hanging.
template <class T>
T run(asio::io_context& ioc, task<T> t,
      std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    auto done = asio::co_spawn(ioc, std::move(t), asio::use_future);
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        if (std::chrono::steady_clock::now() > give_up) {
            throw std::runtime_error("testing::run: task still running after the time limit");
        }
        if (ioc.stopped()) {
            ioc.restart();
        }
        ioc.run_one_for(std::chrono::milliseconds(50));
    }
    return done.get();
}

}  // namespace multisched::testing
