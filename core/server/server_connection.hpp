// SPDX-License-Identifier: Apache-2.0
// One accepted TLS connection of the secure server: handshake, then HTTP/1.1 requests one after
// the other (keep-alive, pipelined requests in order) until the client leaves, a limit or
// timeout ends it, or the server closes it. Misbehaving clients are answered as Go's net/http
// answers them and cut off: plain HTTP on the TLS port (400 "Client sent an HTTP request to an
// HTTPS server."), a malformed request (400), an oversized header (431), an oversized body (413);
// a stalled handshake, header, body or idle keep-alive is closed silently.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/server/http_types.hpp"
#include "core/util/task.hpp"

namespace multisched::server {

// Per-connection limits. Defaults follow apiserver's SecureServingInfo.Serve unless noted.
struct serving_limits {
    // http.Server.MaxHeaderBytes = 1 MiB (Go allows 4 KiB of slack on top, and so do we).
    std::size_t max_header_bytes = std::size_t{1} << 20;
    // Not limited by Go's server; apiserver's MaxRequestBodyBytes default (3 MiB).
    std::uint64_t max_body_bytes = std::uint64_t{3} << 20;
    // Go bounds the handshake by the smallest server timeout, here ReadHeaderTimeout.
    std::chrono::milliseconds tls_handshake_timeout{std::chrono::seconds(32)};
    // ReadHeaderTimeout = 32 s ("just shy of requestTimeoutUpperBound"): from the end of the
    // handshake, or from the first byte of a keep-alive request, to the end of its header.
    std::chrono::milliseconds read_header_timeout{std::chrono::seconds(32)};
    // Reading the body and writing the response, each (Go sets none; apiserver's
    // --request-timeout default of 60 s).
    std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
    // IdleTimeout = 90 s between keep-alive requests.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(90)};
    // Go's rstAvoidanceDelay: how long a closing connection waits for the client to read.
    std::chrono::milliseconds linger_timeout{500};
    // Open connections at most; the listener stops accepting at the cap (as Go's
    // netutil.LimitListener). Ours: Go's server has no cap.
    std::size_t max_connections = 1024;
};

class server_connection {
  public:
    using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    // `tls`, `limits` and `handler` must outlive the connection.
    server_connection(asio::ip::tcp::socket socket, asio::ssl::context& tls,
                      const serving_limits& limits, request_handler& handler);
    server_connection(const server_connection&) = delete;
    server_connection& operator=(const server_connection&) = delete;

    // Serves the connection to its end. Never throws.
    task<void> run();
    // Closes the socket now; run() finishes soon after. Idempotent.
    void close();

  private:
    boost::beast::tcp_stream& tcp();
    task<void> serve();
    task<bool> handshake();
    task<std::optional<request>> read_request(bool first);
    task<bool> write_response(response res, unsigned version, bool head, bool keep_alive);
    task<void> reject(unsigned status, std::string body);
    task<void> linger_close();
    task<void> tls_close();

    tls_stream stream_;
    boost::beast::flat_buffer buffer_;
    const serving_limits& limits_;
    request_handler& handler_;
    std::shared_ptr<const peer_certificates> peer_certs_;
    std::string remote_;
    bool closed_ = false;
};

}  // namespace multisched::server
