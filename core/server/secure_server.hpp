// SPDX-License-Identifier: Apache-2.0
// kube-scheduler's secure serving (--bind-address:--secure-port, default 0.0.0.0:10259): HTTPS
// with Beast over asio::ssl on the caller's io_context, HTTP/1.1 only (upstream also offers h2
// via ALPN; we offer no ALPN, so clients use HTTP/1.1). Each accepted connection is a tracked
// coroutine (server_connection.hpp: limits and timeouts); the handler (normally handler_chain)
// sees every parsed request.
// Lifecycle: create() → listen() → co_await run() (until stop()) ; destroy after run() returned.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/server/http_types.hpp"
#include "core/server/server_connection.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"
#include "core/util/task_group.hpp"

namespace multisched::server {

struct serving_options {
    std::string bind_address = "0.0.0.0";  // 0.0.0.0 and :: listen dual-stack, as Go does
    std::uint16_t port = 10259;            // 0: an ephemeral port (tests); see port()
    // --tls-cert-file / --tls-private-key-file (PEM; the cert file may hold the chain).
    std::string tls_cert_file;
    std::string tls_private_key_file;
    // In-memory alternative to the files (tests, or a caller that already read them).
    std::string tls_cert_pem;
    std::string tls_key_pem;
    // --cert-dir: without cert files, the self-signed pair is read from (or generated into)
    // <cert_dir>/<pair_name>.crt/.key; empty: generated in memory only.
    std::string cert_dir;
    std::string pair_name = "kube-scheduler";
    std::string tls_min_version;  // --tls-min-version: "" (TLS 1.2) or VersionTLS10..13
    // Ask TLS clients for a certificate (set when client-certificate or front-proxy
    // authentication is configured; upstream does so when a client CA is known).
    bool request_client_certificate = false;
    bool reuse_port = false;  // --permit-port-sharing (SO_REUSEPORT)
    serving_limits limits;
};

class secure_server {
  public:
    // Loads or generates the serving certificate and builds the TLS context; binds nothing.
    // Errors name the file or carry OpenSSL's reason. `handler` is shared by all connections.
    static result<std::unique_ptr<secure_server>> create(asio::any_io_executor ex,
                                                         serving_options opts,
                                                         std::shared_ptr<request_handler> handler);
    secure_server(const secure_server&) = delete;
    secure_server& operator=(const secure_server&) = delete;

    // Binds and listens. Error, e.g.: "failed to listen on 0.0.0.0:10259: listen tcp
    // 0.0.0.0:10259: bind: Address already in use".
    result<void> listen();
    // The bound port (the ephemeral one when options.port was 0); 0 before listen().
    std::uint16_t port() const { return port_; }

    // Accepts and serves until stop(); then waits for every connection coroutine to end.
    // Call once, after listen(). Never throws.
    task<void> run();
    // Closes the listener and every open connection (requests in flight are abandoned, as
    // kube-scheduler's zero shutdown timeout does). Idempotent; callable before run().
    void stop();

    std::size_t connection_count() const { return live_.size(); }
    // The CA of a generated self-signed certificate (PEM), for clients to pin; else empty.
    const std::string& self_signed_ca_pem() const { return self_signed_ca_pem_; }

  private:
    secure_server(asio::any_io_executor ex, serving_options opts,
                  std::shared_ptr<request_handler> handler);
    task<void> serve_connection(std::uint64_t id, std::unique_ptr<server_connection> conn);
    void configure_socket(asio::ip::tcp::socket& socket) const;

    asio::any_io_executor ex_;
    serving_options opts_;
    std::shared_ptr<request_handler> handler_;
    std::shared_ptr<asio::ssl::context> tls_;
    std::string self_signed_ca_pem_;
    asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    bool stopping_ = false;
    asio::steady_timer wake_;  // the accept loop waits here for a free slot or a retry
    std::map<std::uint64_t, server_connection*> live_;
    task_group connections_;
};

}  // namespace multisched::server
