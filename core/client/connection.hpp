// SPDX-License-Identifier: Apache-2.0
// One HTTP/1.1 connection to the apiserver (TLS or plain TCP), how to open one, and the keep-alive
// pool of idle connections. Used by the production api_client only.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::client {

namespace beast = boost::beast;
using steady_clock = std::chrono::steady_clock;

// Where and how to connect; computed once per client from its rest_config.
struct dial_target {
    std::string host;  // DNS name or IP literal (IPv6 without brackets)
    std::string port;
    bool tls = true;
    bool verify = true;       // check the certificate's name (the chain is the context's job)
    std::string server_name;  // SNI and verification name: tls-server-name, else host
};

class connection {
  public:
    using tls_stream = beast::ssl_stream<beast::tcp_stream>;

    // A not yet connected stream; `tls` null means plain HTTP.
    connection(asio::any_io_executor ex, const std::shared_ptr<asio::ssl::context>& tls);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // The TCP layer, where deadlines are set (`expires_at`, `expires_after`).
    beast::tcp_stream& tcp();
    tls_stream* tls() { return tls_ ? &*tls_ : nullptr; }
    // Bytes read past the last message; must persist for the connection's life.
    beast::flat_buffer& buffer() { return buffer_; }

    // Calls `f(stream)` with the TLS or the plain stream. `f` must return the same type for both
    // (an awaitable from an async operation, typically).
    template <class F>
    decltype(auto) with_stream(F&& f) {
        if (tls_) {
            return f(*tls_);
        }
        return f(*plain_);
    }

    // False when an idle connection cannot carry another request: the peer closed it, sent
    // something unsolicited, or the socket failed. Never blocks.
    bool looks_alive();

    steady_clock::time_point idle_since{};

  private:
    std::shared_ptr<asio::ssl::context> context_;  // outlives the SSL object in tls_
    std::optional<beast::tcp_stream> plain_;
    std::optional<tls_stream> tls_;
    beast::flat_buffer buffer_;
};

// Resolves, connects and (for TLS) handshakes, all before `deadline`. The error message reads
// "<stage>: <reason>" with stage resolve, connect or TLS handshake; a timeout has code
// beast::error::timeout.
task<result<std::unique_ptr<connection>>> dial(asio::any_io_executor ex,
                                               std::shared_ptr<asio::ssl::context> tls,
                                               dial_target target,
                                               steady_clock::time_point deadline);

// Idle keep-alive connections of one client, reused newest first. Not thread-safe: owned by the
// client and used from its executor only.
class connection_pool {
  public:
    static constexpr std::chrono::seconds kDefaultIdleTimeout{90};
    static constexpr std::size_t kDefaultMaxIdle = 64;

    explicit connection_pool(std::chrono::seconds idle_timeout = kDefaultIdleTimeout,
                             std::size_t max_idle = kDefaultMaxIdle)
        : idle_timeout_(idle_timeout), max_idle_(max_idle) {}

    // The most recently returned connection that is still usable, or null. Connections idle for
    // longer than the idle timeout, or closed by the server, are dropped on the way.
    std::unique_ptr<connection> take(steady_clock::time_point now = steady_clock::now());
    // Returns a connection that finished a complete exchange and may be reused. The oldest idle
    // connection is dropped beyond the cap.
    void put(std::unique_ptr<connection> conn, steady_clock::time_point now = steady_clock::now());
    std::size_t idle_count() const { return idle_.size(); }

  private:
    void drop_expired(steady_clock::time_point now);

    std::chrono::seconds idle_timeout_;
    std::size_t max_idle_;
    std::vector<std::unique_ptr<connection>> idle_;  // oldest first
};

}  // namespace multisched::client
