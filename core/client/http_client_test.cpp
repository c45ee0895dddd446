// SPDX-License-Identifier: Apache-2.0
// The production api_client against a real HTTPS server on 127.0.0.1 (port 0) in the same
// io_context, with a throw-away CA. The test thread drives the io_context; no threads, no sleeps.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/client/api_client.hpp"
#include "core/client/connection.hpp"
#include "core/client/http_watch.hpp"
#include "test/util/loopback_server.hpp"
#include "test/util/task_runner.hpp"
#include "test/util/test_pki.hpp"

namespace multisched::client {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// What the test server does with each request.
enum class mode {
    respond,               // 200 with a small JSON body, keep-alive
    close_after_response,  // answer, then close the connection
    drop_second_request,   // answer the first request of a connection, close on the second
    never_answer,          // read the request, then wait for the client to go away
    watch_events,          // a chunked watch body: 3 events at odd chunk boundaries, then end
    watch_idle,            // a chunked watch body: 1 event, then silence
    watch_refuse,          // 403 with a Status body
    retry_after,           // 429 with Retry-After: 7
};

// The three events of mode::watch_events, and how the body is cut into chunks.
const std::vector<std::string> kEvents = {
    R"({"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a"}}})",
    R"({"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"a","labels":{"x":"y"}}}})",
    R"({"type":"DELETED","object":{"kind":"Pod","metadata":{"name":"a"}}})",
};
const std::vector<std::size_t> kChunkSizes = {1, 7, 50, 3, 64, 2, 1000};

struct server_state : testing::loopback_server {
    server_state(asio::io_context& ioc, std::shared_ptr<ssl::context> tls, mode m)
        : loopback_server(ioc, std::move(tls)), behaviour(m) {}

    mode behaviour;
    int requests_read = 0;                   // every request read, answered or not
    std::vector<std::string> authorization;  // per request
    std::vector<std::string> client_cn;      // per request, "" when no client certificate
    std::vector<std::string> targets;
    std::vector<std::string> user_agents;
};

std::string peer_common_name(ssl::stream<beast::tcp_stream>& stream) {
    X509* cert = SSL_get1_peer_certificate(stream.native_handle());
    if (cert == nullptr) {
        return "";
    }
    char cn[256] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    X509_free(cert);
    return cn;
}
std::string peer_common_name(beast::tcp_stream&) {
    return "";
}

template <class Stream>
task<void> write_raw(Stream& stream, std::string data) {
    co_await asio::async_write(stream, asio::buffer(data), use_task);
}

// Waits until the client closes the connection (or the test ends).
template <class Stream>
task<void> wait_for_close(Stream& stream) {
    char byte;
    for (;;) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(&byte, 1), use_task);
        if (ec) {
            co_return;
        }
    }
}

template <class Stream>
task<void> serve_watch(std::shared_ptr<server_state> st, Stream& stream) {
    std::string header =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    co_await write_raw(stream, header);
    std::string body;
    for (const auto& e : kEvents) {
        body += e + "\n";
    }
    if (st->behaviour == mode::watch_idle) {
        co_await write_raw(stream,
                           fmt::format("{:x}\r\n{}\r\n", kEvents[0].size() + 1, kEvents[0] + "\n"));
        co_await wait_for_close(stream);
        co_return;
    }
    asio::steady_timer pause(stream.get_executor());
    std::size_t offset = 0;
    for (std::size_t i = 0; offset < body.size(); ++i) {
        const std::size_t n = std::min(kChunkSizes[i % kChunkSizes.size()], body.size() - offset);
        co_await write_raw(stream, fmt::format("{:x}\r\n{}\r\n", n, body.substr(offset, n)));
        offset += n;
        // Let the client read this chunk on its own before the next one goes out.
        pause.expires_after(1ms);
        co_await pause.async_wait(use_task);
    }
    co_await write_raw(stream, "0\r\n\r\n");
    co_await wait_for_close(stream);
}

template <class Stream>
task<void> serve_requests(std::shared_ptr<server_state> st, Stream& stream) {
    beast::flat_buffer buffer;
    for (int on_connection = 0;; ++on_connection) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buffer, req, use_task);
        if (ec) {
            co_return;
        }
        ++st->requests_read;
        if (st->behaviour == mode::drop_second_request && on_connection == 1) {
            co_return;  // closes without a response byte
        }
        st->authorization.emplace_back(req[http::field::authorization]);
        st->client_cn.push_back(peer_common_name(stream));
        st->targets.emplace_back(req.target());
        st->user_agents.emplace_back(req[http::field::user_agent]);
        switch (st->behaviour) {
            case mode::never_answer:
                co_await wait_for_close(stream);
                co_return;
            case mode::watch_events:
            case mode::watch_idle:
                co_await serve_watch(st, stream);
                co_return;
            default:
                break;
        }
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = fmt::format(R"({{"kind":"Status","target":"{}","body":"{}"}})",
                                 std::string(req.target()), req.body());
        if (st->behaviour == mode::watch_refuse) {
            res.result(http::status::forbidden);
            res.body() = R"({"kind":"Status","reason":"Forbidden","code":403})";
        } else if (st->behaviour == mode::retry_after) {
            res.result(http::status::too_many_requests);
            res.set(http::field::retry_after, "7");
        }
        res.keep_alive(true);
        res.prepare_payload();
        auto [wec, written] = co_await http::async_write(stream, res, use_task);
        if (wec || st->behaviour == mode::close_after_response) {
            co_return;
        }
    }
}

struct fixture {
    asio::io_context ioc;
    testing::test_ca ca = testing::make_test_ca();
    testing::pem_pair server_cert = testing::issue_cert(
        ca, "kube-apiserver", testing::cert_usage::server, "IP:127.0.0.1,DNS:localhost");
    testing::pem_pair client_cert =
        testing::issue_cert(ca, "admin", testing::cert_usage::client, "", "system:masters");

    // Starts a server; `tls` false gives plain HTTP. The server asks for (not requires) a client
    // certificate signed by the CA.
    std::shared_ptr<server_state> start(mode m, bool tls = true) {
        std::shared_ptr<ssl::context> ctx;
        if (tls) {
            ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
            ctx->use_certificate_chain(asio::buffer(server_cert.cert_pem));
            ctx->use_private_key(asio::buffer(server_cert.key_pem), ssl::context::pem);
            ctx->add_certificate_authority(asio::buffer(ca.pem.cert_pem));
            ctx->set_verify_mode(ssl::verify_peer);
        }
        auto st = std::make_shared<server_state>(ioc, ctx, m);
        testing::start_serving(
            ioc, st, [](auto server, auto& stream) { return serve_requests(server, stream); });
        return st;
    }

    rest_config config_for(const server_state& st) const {
        rest_config config;
        config.scheme = st.context ? "https" : "http";
        config.host = "127.0.0.1";
        config.port = std::to_string(st.port());
        config.ca_pem = ca.pem.cert_pem;
        return config;
    }

    std::unique_ptr<api_client> client(rest_config config) {
        return make_api_client(ioc.get_executor(), std::move(config));
    }

    result<http_response> get(api_client& c, std::string target,
                              std::chrono::milliseconds timeout = 5s) {
        http_request req;
        req.target = std::move(target);
        req.timeout = timeout;
        return testing::run(ioc, c.send(std::move(req)));
    }
};

TEST_CASE("http_client.client_certificate_auth") {
    fixture f;
    auto st = f.start(mode::respond);
    auto config = f.config_for(*st);
    config.client_cert_pem = f.client_cert.cert_pem;
    config.client_key_pem = f.client_cert.key_pem;
    config.user_agent = "multisched-test/1";
    auto c = f.client(config);
    auto res = f.get(*c, "/api/v1/nodes?limit=500");
    REQUIRE(res.has_value());
    CHECK(res->status == 200);
    CHECK_THAT(res->body, Catch::Contains("/api/v1/nodes?limit=500"));
    CHECK_FALSE(res->retry_after.has_value());
    REQUIRE(st->client_cn.size() == 1);
    CHECK(st->client_cn[0] == "admin");
    CHECK(st->authorization[0].empty());
    CHECK(st->user_agents[0] == "multisched-test/1");
}

TEST_CASE("http_client.bearer_token_and_base_path") {
    fixture f;
    auto st = f.start(mode::respond);
    auto config = f.config_for(*st);
    config.token = "t0ken";
    config.base_path = "/prefix";
    auto c = f.client(config);
    http_request req;
    req.method = http::verb::post;
    req.target = "/api/v1/namespaces/default/pods/p/binding";
    req.body = R"({"kind":"Binding"})";
    auto res = testing::run(f.ioc, c->send(req));
    REQUIRE(res.has_value());
    CHECK(res->status == 200);
    CHECK(st->authorization.at(0) == "Bearer t0ken");
    CHECK(st->client_cn.at(0).empty());
    CHECK(st->targets.at(0) == "/prefix/api/v1/namespaces/default/pods/p/binding");
}

TEST_CASE("http_client.token_file_reloaded") {
    fixture f;
    auto st = f.start(mode::respond);
    const auto token_path =
        (std::filesystem::temp_directory_path() / fmt::format("ms_token_{}", st->port())).string();
    std::ofstream(token_path) << "first\n";
    auto config = f.config_for(*st);
    config.token = "first";
    config.token_file = token_path;
    config.token_reload = 0s;  // re-read on every request
    auto c = f.client(config);
    REQUIRE(f.get(*c, "/a").has_value());
    std::ofstream(token_path) << "second\n";
    REQUIRE(f.get(*c, "/b").has_value());
    std::filesystem::remove(token_path);
    REQUIRE(f.get(*c, "/c").has_value());  // unreadable: the last good token stays
    CHECK(st->authorization ==
          std::vector<std::string>{"Bearer first", "Bearer second", "Bearer second"});
}

TEST_CASE("http_client.keep_alive_reuses_one_connection") {
    fixture f;
    auto st = f.start(mode::respond);
    auto c = f.client(f.config_for(*st));
    for (int i = 0; i < 3; ++i) {
        auto res = f.get(*c, fmt::format("/r{}", i));
        REQUIRE(res.has_value());
        CHECK(res->status == 200);
    }
    CHECK(st->connections == 1);
    CHECK(st->targets.size() == 3);
}

// Sends `n` requests at once and waits for all of them; returns how many succeeded with 200.
task<int> concurrent_gets(api_client& c, int n) {
    auto ex = co_await asio::this_coro::executor;
    int ok = 0;
    int done = 0;
    for (int i = 0; i < n; ++i) {
        http_request req;
        req.target = fmt::format("/c{}", i);
        asio::co_spawn(ex, c.send(std::move(req)),
                       [&ok, &done](std::exception_ptr, result<http_response> r) {
                           ok += r.has_value() && r->status == 200 ? 1 : 0;
                           ++done;
                       });
    }
    asio::steady_timer timer(ex);
    while (done < n) {
        timer.expires_after(1ms);
        co_await timer.async_wait(use_task);
    }
    co_return ok;
}

TEST_CASE("http_client.concurrent_requests_then_reuse") {
    fixture f;
    auto st = f.start(mode::respond);
    auto c = f.client(f.config_for(*st));
    CHECK(testing::run(f.ioc, concurrent_gets(*c, 4)) == 4);
    CHECK(st->connections == 4);
    CHECK(testing::run(f.ioc, concurrent_gets(*c, 4)) == 4);
    CHECK(st->connections == 4);  // the four idle connections were reused
}

TEST_CASE("http_client.max_connections_caps_concurrent_exchanges") {
    // Eight requests at once through a client allowed two connections: the others wait for a
    // connection to come back and reuse it, no ninth handshake.
    struct row {
        std::size_t max_connections;
        int expected_connections;
    };
    for (const row& r : {row{2, 2}, row{1, 1}, row{32, 8}}) {
        fixture f;
        auto st = f.start(mode::respond);
        auto cfg = f.config_for(*st);
        cfg.max_connections = r.max_connections;
        auto c = f.client(cfg);
        CHECK(testing::run(f.ioc, concurrent_gets(*c, 8)) == 8);
        CHECK(st->connections == r.expected_connections);
        CHECK(st->requests_read == 8);
    }
}

TEST_CASE("http_client.waiting_for_a_connection_counts_against_the_deadline") {
    // One connection, held by a request the server never answers: the next request is not sent
    // and says so (kNotSent), within its own deadline.
    fixture f;
    auto st = f.start(mode::never_answer);
    auto cfg = f.config_for(*st);
    cfg.max_connections = 1;
    auto c = f.client(cfg);
    auto both = [&c]() -> task<std::pair<result<http_response>, result<http_response>>> {
        auto ex = co_await asio::this_coro::executor;
        std::optional<result<http_response>> first;
        http_request hung;
        hung.target = "/hung";
        hung.timeout = 2s;
        asio::co_spawn(ex, c->send(std::move(hung)),
                       [&first](std::exception_ptr, result<http_response> r) { first = r; });
        http_request queued;
        queued.target = "/queued";
        queued.timeout = 50ms;
        auto second = co_await c->send(std::move(queued));
        asio::steady_timer timer(ex);
        while (!first) {
            timer.expires_after(1ms);
            co_await timer.async_wait(use_task);
        }
        co_return std::pair{*first, second};
    };
    auto [first, second] = testing::run(f.ioc, both());
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().code == kNotSent);
    CHECK_THAT(second.error().message, Catch::Contains("all 1 connections stayed busy"));
    CHECK_FALSE(first.has_value());  // timed out: never answered
    CHECK(st->requests_read == 1);   // /queued never reached the server
    CHECK(st->targets == std::vector<std::string>{"/hung"});
}

TEST_CASE("http_client.plain_http") {
    fixture f;
    auto st = f.start(mode::respond, /*tls=*/false);
    auto c = f.client(f.config_for(*st));
    REQUIRE(f.get(*c, "/healthz").has_value());
    REQUIRE(f.get(*c, "/healthz").has_value());
    CHECK(st->connections == 1);
}

TEST_CASE("http_client.server_closed_keep_alive") {
    fixture f;
    auto st = f.start(mode::close_after_response);
    auto c = f.client(f.config_for(*st));
    for (int i = 0; i < 3; ++i) {
        auto res = f.get(*c, "/x");
        REQUIRE(res.has_value());
        CHECK(res->status == 200);
    }
    CHECK(st->connections == 3);
}

TEST_CASE("http_client.stale_connection_retried_once") {
    // The server drops the second request of each connection without a byte of response: the
    // client must retry that request once, on a fresh connection.
    fixture f;
    auto st = f.start(mode::drop_second_request);
    auto c = f.client(f.config_for(*st));
    for (int i = 0; i < 3; ++i) {
        auto res = f.get(*c, fmt::format("/r{}", i));
        REQUIRE(res.has_value());
        CHECK(res->status == 200);
    }
    CHECK(st->connections == 3);
    CHECK(st->targets == std::vector<std::string>{"/r0", "/r1", "/r2"});
}

TEST_CASE("http_client.written_request_retried_only_when_idempotent") {
    // The server reads the second request of a connection and closes without answering: it may
    // have acted on it. GET, PUT and DELETE are sent again on a fresh connection; POST and PATCH
    // (a Binding, a status patch) fail instead, so that a pod is never bound twice.
    struct row {
        http::verb method;
        bool retried;
    };
    const std::vector<row> rows = {
        {http::verb::get, true},   {http::verb::put, true},    {http::verb::delete_, true},
        {http::verb::post, false}, {http::verb::patch, false},
    };
    for (const auto& r : rows) {
        INFO(http::to_string(r.method));
        fixture f;
        auto st = f.start(mode::drop_second_request);
        auto c = f.client(f.config_for(*st));
        const auto send = [&](std::string target) {
            http_request req;
            req.method = r.method;
            req.target = std::move(target);
            req.body = r.method == http::verb::get ? "" : R"({"kind":"Binding"})";
            return testing::run(f.ioc, c->send(std::move(req)));
        };
        REQUIRE(send("/first").has_value());
        auto second = send("/second");
        CHECK(second.has_value() == r.retried);
        if (r.retried) {
            CHECK(st->targets == std::vector<std::string>{"/first", "/second"});
            CHECK(st->requests_read == 3);
            CHECK(st->connections == 2);
        } else {
            REQUIRE(!second.has_value());
            CHECK_THAT(second.error().message, Catch::Contains("read"));
            CHECK(st->targets == std::vector<std::string>{"/first"});
            CHECK(st->requests_read == 2);
            CHECK(st->connections == 1);
            // The caller decides; the next request gets a fresh connection.
            REQUIRE(send("/third").has_value());
            CHECK(st->connections == 2);
        }
    }
}

TEST_CASE("http_client.retry_after") {
    fixture f;
    auto st = f.start(mode::retry_after);
    auto c = f.client(f.config_for(*st));
    auto res = f.get(*c, "/x");
    REQUIRE(res.has_value());
    CHECK(res->status == 429);
    CHECK(res->retry_after == std::optional<std::chrono::seconds>(7s));
}

TEST_CASE("http_client.tls_verification") {
    fixture f;
    auto st = f.start(mode::respond);
    const auto other_ca = testing::make_test_ca("other-ca");

    SECTION("wrong CA fails") {
        auto config = f.config_for(*st);
        config.ca_pem = other_ca.pem.cert_pem;
        auto c = f.client(config);
        auto res = f.get(*c, "/api/v1/nodes");
        REQUIRE_FALSE(res.has_value());
        CHECK(res.error().code.category() == asio::error::get_ssl_category());
        CHECK_THAT(res.error().message,
                   Catch::StartsWith(
                       fmt::format("GET /api/v1/nodes (127.0.0.1:{}): TLS handshake", st->port())));
        CHECK_THAT(res.error().message, Catch::Contains("certificate verify failed"));
    }
    SECTION("wrong name fails") {
        auto config = f.config_for(*st);
        config.tls_server_name = "kubernetes.default.svc";
        auto c = f.client(config);
        auto res = f.get(*c, "/x");
        REQUIRE_FALSE(res.has_value());
        CHECK_THAT(res.error().message, Catch::Contains("kubernetes.default.svc"));
    }
    SECTION("tls-server-name in the certificate works") {
        auto config = f.config_for(*st);
        config.tls_server_name = "localhost";
        auto c = f.client(config);
        CHECK(f.get(*c, "/x").has_value());
    }
    SECTION("insecure-skip-tls-verify accepts any certificate") {
        auto config = f.config_for(*st);
        config.ca_pem = other_ca.pem.cert_pem;
        config.insecure_skip_tls_verify = true;
        auto c = f.client(config);
        auto res = f.get(*c, "/x");
        REQUIRE(res.has_value());
        CHECK(res->status == 200);
    }
}

TEST_CASE("http_client.bad_tls_material_is_a_startup_error") {
    fixture f;
    rest_config config;
    config.host = "127.0.0.1";
    config.client_cert_pem = f.client_cert.cert_pem;
    config.client_key_pem = testing::issue_cert(f.ca, "x", testing::cert_usage::client).key_pem;
    auto c = create_api_client(f.ioc.get_executor(), config);
    REQUIRE_FALSE(c.has_value());
    CHECK_THAT(c.error().message, Catch::StartsWith("TLS configuration: client-key: "));
    CHECK_THROWS(make_api_client(f.ioc.get_executor(), config));
}

TEST_CASE("http_client.connection_refused") {
    fixture f;
    std::string port;
    {
        tcp::acceptor probe(f.ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = std::to_string(probe.local_endpoint().port());
    }
    rest_config config;
    config.host = "127.0.0.1";
    config.port = port;
    auto c = f.client(config);
    auto res = f.get(*c, "/api/v1/nodes");
    REQUIRE_FALSE(res.has_value());
    CHECK(res.error().code == asio::error::connection_refused);
    CHECK(res.error().message ==
          fmt::format("GET /api/v1/nodes (127.0.0.1:{}): connect: Connection refused", port));
}

TEST_CASE("http_client.deadline") {
    fixture f;
    auto st = f.start(mode::never_answer);
    auto c = f.client(f.config_for(*st));
    const auto start = std::chrono::steady_clock::now();
    auto res = f.get(*c, "/slow", 200ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(res.has_value());
    CHECK(res.error().code == beast::error::timeout);
    CHECK_THAT(res.error().message, Catch::Contains("read:"));
    CHECK_THAT(res.error().message, Catch::Contains("deadline 200ms"));
    CHECK(elapsed >= 150ms);
    CHECK(elapsed < 3s);
    CHECK(st->connections == 1);  // a timeout is not retried
}

// Sends `c.send(req)` and cancels it (terminal) after `after`; returns the outcome.
task<result<http_response>> cancelled_send(api_client& c, http_request req,
                                           std::chrono::milliseconds after) {
    auto ex = co_await asio::this_coro::executor;
    asio::cancellation_signal signal;
    asio::steady_timer timer(ex);
    timer.expires_after(after);
    std::optional<result<http_response>> outcome;
    asio::co_spawn(ex, c.send(std::move(req)),
                   asio::bind_cancellation_slot(
                       signal.slot(), [&outcome](std::exception_ptr, result<http_response> r) {
                           outcome = std::move(r);
                       }));
    co_await timer.async_wait(use_task);
    signal.emit(asio::cancellation_type::terminal);
    while (!outcome) {
        timer.expires_after(1ms);
        co_await timer.async_wait(use_task);
    }
    co_return std::move(*outcome);
}

TEST_CASE("http_client.cancellation_ends_request") {
    fixture f;
    auto st = f.start(mode::never_answer);
    auto c = f.client(f.config_for(*st));
    http_request req;
    req.target = "/slow";
    req.timeout = 20s;
    const auto start = std::chrono::steady_clock::now();
    auto res = testing::run(f.ioc, cancelled_send(*c, req, 100ms), 5s);
    REQUIRE_FALSE(res.has_value());
    CHECK(res.error().code == asio::error::operation_aborted);
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    CHECK(st->connections == 1);  // not retried
}

// Opens a watch and collects events until the end or an error.
struct watch_outcome {
    std::vector<std::string> events;
    std::optional<error> failure;
    bool ended = false;
};

// Reads events until the stream ends or fails.
task<watch_outcome> drain(watch_stream& stream) {
    watch_outcome out;
    for (;;) {
        auto event = co_await stream.next();
        if (!event) {
            out.failure = event.error();
            co_return out;
        }
        if (!*event) {
            out.ended = true;
            co_return out;
        }
        out.events.push_back(std::move(**event));
    }
}

task<watch_outcome> collect(api_client& c, std::string target, std::chrono::milliseconds idle) {
    watch_outcome out;
    auto stream = co_await c.watch(std::move(target), idle);
    if (!stream) {
        out.failure = stream.error();
        co_return out;
    }
    co_return co_await drain(**stream);
}

TEST_CASE("http_client.watch_events_across_chunks") {
    fixture f;
    auto st = f.start(mode::watch_events);
    auto config = f.config_for(*st);
    config.token = "w";
    auto c = f.client(config);
    auto out = testing::run(f.ioc, collect(*c, "/api/v1/pods?watch=1", 5s));
    INFO((out.failure ? out.failure->message : ""));
    CHECK(out.ended);
    CHECK(out.events == kEvents);
    CHECK(st->authorization.at(0) == "Bearer w");
}

TEST_CASE("http_client.watch_idle_timeout") {
    fixture f;
    auto st = f.start(mode::watch_idle);
    auto c = f.client(f.config_for(*st));
    const auto start = std::chrono::steady_clock::now();
    auto out = testing::run(f.ioc, collect(*c, "/api/v1/pods?watch=1", 200ms));
    CHECK(out.events == std::vector<std::string>{kEvents[0]});
    REQUIRE(out.failure.has_value());
    CHECK(out.failure->code == beast::error::timeout);
    CHECK_THAT(out.failure->message, Catch::Contains("no data for 200ms"));
    CHECK(std::chrono::steady_clock::now() - start < 3s);
}

TEST_CASE("http_client.watch_refused") {
    fixture f;
    auto st = f.start(mode::watch_refuse);
    auto c = f.client(f.config_for(*st));
    auto out = testing::run(f.ioc, collect(*c, "/api/v1/pods?watch=1", 5s));
    REQUIRE(out.failure.has_value());
    CHECK(out.failure->http_status == 403);
    CHECK(out.failure->message ==
          R"(GET /api/v1/pods?watch=1: 403 {"kind":"Status","reason":"Forbidden","code":403})");
}

// A watch with a small per-event cap, assembled from the client's parts over plain HTTP.
task<watch_outcome> collect_capped(std::string port, std::size_t max_event) {
    auto ex = co_await asio::this_coro::executor;
    dial_target target{"127.0.0.1", port, false, false, "127.0.0.1"};
    auto conn = co_await dial(ex, nullptr, target, steady_clock::now() + 5s);
    REQUIRE(conn.has_value());
    http::request<http::empty_body> req{http::verb::get, "/w?watch=1", 11};
    req.set(http::field::host, "127.0.0.1");
    connection& c = **conn;
    auto [wec, written] = co_await http::async_write(c.tcp(), req, use_task);
    REQUIRE_FALSE(wec);
    auto parser = std::make_unique<http::response_parser<http::buffer_body>>();
    auto [rec, read] = co_await http::async_read_header(c.tcp(), c.buffer(), *parser, use_task);
    REQUIRE_FALSE(rec);
    auto stream = make_http_watch(std::move(*conn), std::move(parser), "GET /w", 5s, max_event);
    co_return co_await drain(*stream);
}

TEST_CASE("http_client.watch_event_cap") {
    fixture f;
    auto st = f.start(mode::watch_events, /*tls=*/false);
    auto roomy = testing::run(f.ioc, collect_capped(std::to_string(st->port()), 200));
    CHECK(roomy.ended);
    CHECK(roomy.events == kEvents);
    auto tight = testing::run(f.ioc, collect_capped(std::to_string(st->port()), 40));
    CHECK(tight.events.empty());
    REQUIRE(tight.failure.has_value());
    CHECK(tight.failure->code == http::error::body_limit);
    CHECK(tight.failure->message == "GET /w: watch event larger than 40 bytes");
}

}  // namespace
}  // namespace multisched::client
