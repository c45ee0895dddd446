// SPDX-License-Identifier: Apache-2.0
// Test helpers for the secure server's tests (header-only, tests only): a server on 127.0.0.1:0
// driven by the test's io_context, and a Beast TLS client that pins the server's CA and may
// present a client certificate. Everything runs on one thread under testing::run.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/server/secure_server.hpp"
#include "core/util/task_group.hpp"
#include "test/util/task_runner.hpp"
#include "test/util/test_pki.hpp"

namespace multisched::server::testing {

namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using http_response = http::response<http::string_body>;

// A client TLS context trusting `ca_pem`, with an optional client certificate.
inline std::shared_ptr<ssl::context> client_context(
    const std::string& ca_pem, const multisched::testing::pem_pair* cert = nullptr) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->add_certificate_authority(asio::buffer(ca_pem));
    ctx->set_verify_mode(ssl::verify_peer);
    if (cert != nullptr) {
        ctx->use_certificate_chain(asio::buffer(cert->cert_pem));
        ctx->use_private_key(asio::buffer(cert->key_pem), ssl::context::pem);
    }
    return ctx;
}

// One client connection. Coroutines return errors as values; nothing throws on I/O.
class test_client {
  public:
    test_client(asio::io_context& ioc, std::shared_ptr<ssl::context> ctx)
        : ctx_(std::move(ctx)), stream_(ioc.get_executor(), *ctx_) {}

    // TCP connect and TLS handshake, verifying the server for `name` (a DNS name or an IP).
    task<boost::system::error_code> connect(std::uint16_t port, std::string name = "localhost") {
        X509_VERIFY_PARAM* param = SSL_get0_param(stream_.native_handle());
        boost::system::error_code ec;
        const auto ip = asio::ip::make_address(name, ec);
        if (ec) {
            X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
            SSL_set_tlsext_host_name(stream_.native_handle(), name.c_str());
        } else {
            X509_VERIFY_PARAM_set1_ip_asc(param, ip.to_string().c_str());
        }
        tcp_layer().expires_after(std::chrono::seconds(5));
        const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
        auto [cec] = co_await tcp_layer().async_connect(ep, use_task);
        if (cec) {
            co_return cec;
        }
        auto [hec] = co_await stream_.async_handshake(ssl::stream_base::client, use_task);
        co_return hec;
    }

    // Sends `req` (Host and User-Agent filled in when missing) and reads the response.
    task<std::pair<boost::system::error_code, http_response>> send(
        http::request<http::string_body> req) {
        if (req.find(http::field::host) == req.end()) {
            req.set(http::field::host, "localhost");
        }
        if (req.find(http::field::user_agent) == req.end()) {
            req.set(http::field::user_agent, "multisched-test");
        }
        req.prepare_payload();
        tcp_layer().expires_after(std::chrono::seconds(5));
        auto [wec, wn] = co_await http::async_write(stream_, req, use_task);
        if (wec) {
            co_return std::pair{wec, http_response{}};
        }
        for (;;) {  // skips interim 1xx answers (100 Continue)
            http::response_parser<http::string_body> parser;
            parser.body_limit(8u << 20);
            if (req.method() == http::verb::head) {
                parser.skip(true);
            }
            auto [rec, rn] = co_await http::async_read(stream_, buffer_, parser, use_task);
            if (rec || parser.get().result_int() >= 200) {
                co_return std::pair{rec, parser.release()};
            }
        }
    }

    task<std::pair<boost::system::error_code, http_response>> get(
        std::string target, std::vector<std::pair<std::string, std::string>> headers = {},
        http::verb method = http::verb::get) {
        http::request<http::string_body> req(method, target, 11);
        for (const auto& [k, v] : headers) {
            req.set(k, v);
        }
        co_return co_await send(std::move(req));
    }

    // Writes raw bytes through TLS.
    task<boost::system::error_code> write(std::string bytes) {
        tcp_layer().expires_after(std::chrono::seconds(5));
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes), use_task);
        co_return ec;
    }

    // Reads until the server ends the connection, or `limit` passes (then `timed_out`).
    struct read_outcome {
        std::string data;
        bool timed_out = false;
    };
    task<read_outcome> read_until_closed(std::chrono::milliseconds limit) {
        tcp_layer().expires_after(limit);
        read_outcome out;
        for (;;) {
            std::array<char, 4096> chunk;
            auto [ec, n] = co_await stream_.async_read_some(asio::buffer(chunk), use_task);
            out.data.append(chunk.data(), n);
            if (ec) {
                out.timed_out = ec == beast::error::timeout;
                co_return out;
            }
        }
    }

    beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }
    beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }

  private:
    std::shared_ptr<ssl::context> ctx_;
    beast::ssl_stream<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_;
};

// A serving pair from a fresh test CA (EC keys: fast), for 127.0.0.1 and localhost.
struct test_serving_pki {
    multisched::testing::test_ca ca = multisched::testing::make_test_ca("serving-ca");
    multisched::testing::pem_pair serving = multisched::testing::issue_cert(
        ca, "localhost", multisched::testing::cert_usage::server, "DNS:localhost,IP:127.0.0.1");
};

// A secure_server on 127.0.0.1:0 whose run() is tracked by the fixture. When `opts` carries no
// certificate, the fixture's test CA issues one.
class server_fixture {
  public:
    server_fixture(std::shared_ptr<request_handler> handler, serving_options opts = {},
                   bool use_test_cert = true) {
        opts.bind_address = "127.0.0.1";
        opts.port = 0;
        if (use_test_cert && opts.tls_cert_pem.empty() && opts.tls_cert_file.empty()) {
            opts.tls_cert_pem = pki.serving.cert_pem;
            opts.tls_key_pem = pki.serving.key_pem;
        }
        auto created = secure_server::create(ioc.get_executor(), opts, std::move(handler));
        if (!created) {
            throw std::runtime_error("server_fixture: " + created.error().message);
        }
        server = std::move(*created);
        if (auto listening = server->listen(); !listening) {
            throw std::runtime_error("server_fixture: " + listening.error().message);
        }
        group.spawn(server->run());
    }
    ~server_fixture() {
        try {
            stop();
        } catch (...) {
        }
    }

    void stop() {
        if (stopped_) {
            return;
        }
        stopped_ = true;
        server->stop();
        multisched::testing::run(ioc, group.wait());
    }

    // CA to pin: the generated one when the server made its own certificate.
    const std::string& ca_pem() const {
        return server->self_signed_ca_pem().empty() ? pki.ca.pem.cert_pem
                                                    : server->self_signed_ca_pem();
    }
    std::shared_ptr<ssl::context> client_tls(
        const multisched::testing::pem_pair* cert = nullptr) const {
        return client_context(ca_pem(), cert);
    }
    std::uint16_t port() const { return server->port(); }

    // Runs `t` on the fixture's io_context (the server makes progress meanwhile).
    template <class T>
    T run(task<T> t, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
        return multisched::testing::run(ioc, std::move(t), limit);
    }

    asio::io_context ioc;
    test_serving_pki pki;
    std::unique_ptr<secure_server> server;
    task_group group{ioc.get_executor(), "server-fixture"};

  private:
    bool stopped_ = false;
};

}  // namespace multisched::server::testing
