// SPDX-License-Identifier: Apache-2.0
// Misbehaving clients are cut off without disturbing the others: oversized headers and bodies,
// malformed requests, slow handshakes, headers, bodies and idle keep-alives (timeouts shortened
// to ~100 ms), TLS garbage, and the connection cap.
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "core/server/handler_chain.hpp"
#include "core/server/healthz.hpp"
#include "core/server/server_test_support.hpp"

namespace multisched::server {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;
using testing::server_fixture;
using testing::test_client;

std::shared_ptr<handler_chain> health_only() {
    auto routes = std::make_shared<mux>();
    install_health_checks(*routes, "/healthz", {});
    routes->handle("/echo", [](const request& req) {
        response r;
        r.body = std::to_string(req.message.body().size());
        return r;
    });
    return std::make_shared<handler_chain>(routes, nullptr, nullptr);
}

serving_options tight_limits() {
    serving_options opts;
    opts.limits.max_header_bytes = 4096;
    opts.limits.max_body_bytes = 1024;
    opts.limits.tls_handshake_timeout = 100ms;
    opts.limits.read_header_timeout = 100ms;
    opts.limits.request_timeout = 100ms;
    opts.limits.idle_timeout = 100ms;
    opts.limits.linger_timeout = 100ms;
    return opts;
}

// A fresh client that gets /healthz: the server still serves.
task<bool> healthy(server_fixture& f) {
    test_client c(f.ioc, f.client_tls());
    if (co_await c.connect(f.port())) {
        co_return false;
    }
    auto [ec, res] = co_await c.get("/healthz");
    co_return !ec && res.result_int() == 200 && res.body() == "ok";
}

task<void> pause(asio::io_context& ioc, std::chrono::milliseconds d) {
    asio::steady_timer t(ioc, d);
    co_await t.async_wait(use_task);
}

TEST_CASE("server.bad_requests_get_go_s_answers_and_the_server_goes_on") {
    server_fixture f(health_only(), tight_limits());
    struct row {
        std::string name;
        std::string bytes;
        std::string status_line;
        std::string body;
    };
    const std::vector<row> rows = {
        {"oversized header",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n",
         "HTTP/1.1 431 Request Header Fields Too Large", "431 Request Header Fields Too Large"},
        {"oversized body", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
         "HTTP/1.1 413 Request Entity Too Large", "413 Request Entity Too Large"},
        {"oversized chunked body",
         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
             std::string(0x800, 'b') + "\r\n0\r\n\r\n",
         "HTTP/1.1 413 Request Entity Too Large", "413 Request Entity Too Large"},
        {"malformed request line", "GET\r\n\r\n", "HTTP/1.1 400 Bad Request", "400 Bad Request"},
        {"bad header", "GET / HTTP/1.1\r\nHost x\r\n\r\n", "HTTP/1.1 400 Bad Request",
         "400 Bad Request"},
        {"missing host", "GET /healthz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request",
         "400 Bad Request: missing required Host header"},
        {"bad escape", "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request",
         "400 Bad Request: malformed request target"},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        auto exchange = [&]() -> task<test_client::read_outcome> {
            test_client c(f.ioc, f.client_tls());
            const auto awaited1 = co_await c.connect(f.port());
            REQUIRE_FALSE(awaited1);
            const auto awaited2 = co_await c.write(r.bytes);
            REQUIRE_FALSE(awaited2);
            co_return co_await c.read_until_closed(2s);
        };
        const auto got = f.run(exchange());
        INFO(got.data.substr(0, 300));
        CHECK_FALSE(got.timed_out);
        CHECK(got.data.starts_with(r.status_line + "\r\n"));
        CHECK(got.data.find("Connection: close\r\n") != std::string::npos);
        CHECK(got.data.ends_with("\r\n\r\n" + r.body));
        CHECK(f.run(healthy(f)));
    }
    // Within the limits, the same shapes are served.
    auto fine = [&]() -> task<std::string> {
        test_client c(f.ioc, f.client_tls());
        const auto awaited3 = co_await c.connect(f.port());
        REQUIRE_FALSE(awaited3);
        http::request<http::string_body> req(http::verb::post, "/echo", 11);
        req.set(http::field::expect, "100-continue");
        req.body() = std::string(1024, 'c');
        auto [ec, res] = co_await c.send(std::move(req));
        co_return res.body();
    };
    CHECK(f.run(fine()) == "1024");
}

TEST_CASE("server.slowloris_header_is_cut_after_the_read_header_timeout") {
    server_fixture f(health_only(), tight_limits());
    auto scenario = [&]() -> task<void> {
        test_client slow(f.ioc, f.client_tls());
        const auto awaited4 = co_await slow.connect(f.port());
        REQUIRE_FALSE(awaited4);
        const auto start = steady_clock::now();
        const auto awaited5 = co_await slow.write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ");
        REQUIRE_FALSE(awaited5);
        // Meanwhile another client is served at once.
        const auto awaited6 = co_await healthy(f);
        CHECK(awaited6);
        CHECK(f.server->connection_count() >= 1);
        const auto got = co_await slow.read_until_closed(5s);
        const auto waited = steady_clock::now() - start;
        CHECK_FALSE(got.timed_out);
        INFO(got.data);
        CHECK(got.data.empty());  // closed without an answer, as Go does on a timeout
        CHECK(waited >= 90ms);
        CHECK(waited < 2s);
    };
    f.run(scenario());
    CHECK(f.run(healthy(f)));
}

TEST_CASE("server.stalled_handshake_body_and_idle_connections_are_closed") {
    server_fixture f(health_only(), tight_limits());
    SECTION("handshake never starts") {
        auto scenario = [&]() -> task<steady_clock::duration> {
            testing::tcp::socket s(f.ioc);
            const testing::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), f.port());
            co_await s.async_connect(ep, use_task);
            const auto start = steady_clock::now();
            std::array<char, 16> b;
            auto [ec, n] = co_await s.async_read_some(asio::buffer(b), use_task);
            CHECK(ec);
            co_return steady_clock::now() - start;
        };
        const auto waited = f.run(scenario());
        CHECK(waited >= 90ms);
        CHECK(waited < 2s);
    }
    SECTION("body stalls") {
        auto scenario = [&]() -> task<void> {
            test_client c(f.ioc, f.client_tls());
            const auto awaited7 = co_await c.connect(f.port());
            REQUIRE_FALSE(awaited7);
            const auto awaited8 = co_await c.write(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part");
            REQUIRE_FALSE(awaited8);
            const auto got = co_await c.read_until_closed(5s);
            CHECK_FALSE(got.timed_out);
            INFO(got.data);
            CHECK(got.data.empty());
        };
        f.run(scenario());
    }
    SECTION("idle keep-alive") {
        auto scenario = [&]() -> task<void> {
            test_client c(f.ioc, f.client_tls());
            const auto awaited9 = co_await c.connect(f.port());
            REQUIRE_FALSE(awaited9);
            auto [ec, res] = co_await c.get("/healthz");
            REQUIRE_FALSE(ec);
            CHECK(res.keep_alive());
            const auto start = steady_clock::now();
            const auto got = co_await c.read_until_closed(5s);
            CHECK_FALSE(got.timed_out);
            CHECK(steady_clock::now() - start >= 90ms);
        };
        f.run(scenario());
    }
    CHECK(f.run(healthy(f)));
    CHECK(f.server->connection_count() <= 1);
}

TEST_CASE("server.tls_garbage_is_dropped") {
    server_fixture f(health_only(), tight_limits());
    for (const std::string& garbage :
         {std::string("\x16\x03\x01\x00\x05hello-not-tls", 18), std::string(300, '\xff'),
          std::string("SSH-2.0-OpenSSH_9.2\r\n")}) {
        auto scenario = [&]() -> task<bool> {
            testing::tcp::socket s(f.ioc);
            const testing::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), f.port());
            co_await s.async_connect(ep, use_task);
            co_await asio::async_write(s, asio::buffer(garbage), use_task);
            std::array<char, 512> b;
            for (;;) {  // an alert may come first; then the server closes
                auto [ec, n] = co_await s.async_read_some(asio::buffer(b), use_task);
                if (ec) {
                    co_return true;
                }
            }
        };
        CHECK(f.run(scenario(), 5s));
        CHECK(f.run(healthy(f)));
    }
}

TEST_CASE("server.connection_cap_defers_accepting") {
    serving_options opts = tight_limits();
    opts.limits.idle_timeout = 30s;
    opts.limits.read_header_timeout = 30s;
    opts.limits.tls_handshake_timeout = 30s;
    opts.limits.max_connections = 2;
    server_fixture f(health_only(), opts);
    auto scenario = [&]() -> task<void> {
        test_client a(f.ioc, f.client_tls());
        test_client b(f.ioc, f.client_tls());
        const auto awaited10 = co_await a.connect(f.port());
        REQUIRE_FALSE(awaited10);
        const auto awaited11 = co_await b.connect(f.port());
        REQUIRE_FALSE(awaited11);
        CHECK(f.server->connection_count() == 2);
        // A third client reaches the backlog but is not accepted while both slots are taken.
        test_client c(f.ioc, f.client_tls());
        bool done = false;
        boost::system::error_code third;
        asio::co_spawn(f.ioc, c.connect(f.port()),
                       [&](std::exception_ptr, boost::system::error_code ec) {
                           done = true;
                           third = ec;
                       });
        co_await pause(f.ioc, 200ms);
        CHECK_FALSE(done);
        CHECK(f.server->connection_count() == 2);
        a.tcp_layer().close();  // a slot frees
        for (int i = 0; i < 100 && !done; ++i) {
            co_await pause(f.ioc, 20ms);
        }
        REQUIRE(done);
        CHECK_FALSE(third);
        auto [ec, res] = co_await c.get("/healthz");
        CHECK_FALSE(ec);
        CHECK(res.body() == "ok");
        CHECK(f.server->connection_count() == 2);
    };
    f.run(scenario());
}

}  // namespace
}  // namespace multisched::server
