// SPDX-License-Identifier: Apache-2.0
// The watch_stream of the production client: splits a streamed (usually chunked) response body
// into newline-delimited events.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "core/client/api_client.hpp"
#include "core/client/connection.hpp"

namespace multisched::client {

// One event may not exceed this many bytes; beyond it next() fails.
inline constexpr std::size_t kMaxWatchEvent = std::size_t{64} << 20;

// A watch over `conn`, whose response header `parser` has read (a 2xx). `what` ("GET /x
// (host:port)") prefixes error messages. next() fails when no byte arrives for `idle_timeout`.
std::unique_ptr<watch_stream> make_http_watch(
    std::unique_ptr<connection> conn,
    std::unique_ptr<beast::http::response_parser<beast::http::buffer_body>> parser,
    std::string what, std::chrono::milliseconds idle_timeout,
    std::size_t max_event = kMaxWatchEvent);

}  // namespace multisched::client
