// SPDX-License-Identifier: Apache-2.0
// The coroutine vocabulary of multisched: one io_context runs every `task`.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace multisched {

namespace asio = boost::asio;

// Every coroutine returns a task. Parameters are taken by value (a suspended frame must not hold
// references into its caller).
template <class T>
using task = asio::awaitable<T>;

// Completion token for I/O inside coroutines: errors come back as values, `auto [ec, n] =
// co_await`.
inline constexpr auto use_task = asio::as_tuple(asio::use_awaitable);

}  // namespace multisched
