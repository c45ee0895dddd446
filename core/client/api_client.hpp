// SPDX-License-Identifier: Apache-2.0
// The apiserver client seam. Everything that talks to kube-apiserver goes through api_client,
// so tests can substitute a fake and the transport (TLS, pooling, auth) lives in one place.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/errc.hpp>

#include "core/client/rest_config.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::client {

// The code of a request's error when no byte of it was sent (refused by the write fence, or no
// connection came free before its deadline), so nothing can have been applied.
inline const boost::system::error_code kNotSent =
    boost::system::errc::make_error_code(boost::system::errc::operation_not_permitted);

struct http_request {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target;  // path and query, e.g. "/api/v1/nodes?limit=500"
    std::string body;
    std::string content_type = "application/json";
    // Deadline for the whole exchange: connect, TLS handshake, write, read.
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

struct http_response {
    unsigned status = 0;
    std::string body;
    // Retry-After in seconds when the server sent one (429, 5xx).
    std::optional<std::chrono::seconds> retry_after;
};

// A streaming watch response: one JSON watch event per call.
class watch_stream {
  public:
    virtual ~watch_stream() = default;
    // The next event (one JSON object, without the trailing newline), std::nullopt when the server
    // ended the stream cleanly, or an error (connection lost, no bytes for the idle timeout).
    virtual task<result<std::optional<std::string>>> next() = 0;
};

class api_client {
  public:
    virtual ~api_client() = default;
    // Pass a named http_request (`send(std::move(req))`), never a braced temporary: GCC 12
    // destroys aggregate temporaries inside a co_await expression twice.
    // One request/response exchange, never throws. Any HTTP status is a response: the caller
    // decides what 404/409/410/5xx mean. Errors are transport failures and timeouts.
    virtual task<result<http_response>> send(http_request req) = 0;
    // Opens a streaming GET (a watch). A non-2xx answer is an error carrying http_status and the
    // body as message. `idle_timeout` bounds the wait for each next event.
    virtual task<result<std::unique_ptr<watch_stream>>> watch(
        std::string target, std::chrono::milliseconds idle_timeout) = 0;
};

// The production client: HTTPS (or HTTP) over Boost.Beast, keep-alive pool, TLS per rest_config.
// Throws std::runtime_error when `config` is unusable (bad scheme, no host, TLS material OpenSSL
// rejects): a start-up failure. The client must outlive the tasks it returns and be used from
// `ex` only; a watch_stream may outlive its client.
std::unique_ptr<api_client> make_api_client(asio::any_io_executor ex, rest_config config);

// As make_api_client, with the configuration error as a value.
result<std::unique_ptr<api_client>> create_api_client(asio::any_io_executor ex, rest_config config);

}  // namespace multisched::client
