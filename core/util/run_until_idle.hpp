// SPDX-License-Identifier: Apache-2.0
// Runs an io_context from the calling thread until no handler is ready: for code that drives the
// loop itself (the simulation, tests) instead of blocking in run().
#pragma once

#include <boost/asio/io_context.hpp>

#include "core/util/task.hpp"

namespace multisched {

// Runs ready handlers until none is left, restarting the context whenever it runs out, so work
// that completes through posted handlers (a fake client's answers, a binding's completion)
// finishes too. Timers that have not expired stay pending: this never sleeps.
inline void run_until_idle(asio::io_context& ioc) {
    for (;;) {
        ioc.restart();
        if (ioc.poll() == 0) {
            return;
        }
    }
}

}  // namespace multisched
