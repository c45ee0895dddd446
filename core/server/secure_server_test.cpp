// SPDX-License-Identifier: Apache-2.0
// The secure server end to end: real TLS round trips on 127.0.0.1:0 with a Beast client that
// pins the server's CA; certificates (self-signed, files, PEM), routing, keep-alive, HEAD,
// recovery, plain HTTP on the TLS port, TLS versions, stop().
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/server/client_cert.hpp"
#include "core/server/handler_chain.hpp"
#include "core/server/healthz.hpp"
#include "core/server/server_test_support.hpp"
#include "core/server/serving_cert.hpp"

namespace multisched::server {
namespace {

using namespace std::chrono_literals;
using testing::server_fixture;
using testing::test_client;

// A chain without authentication or authorization over a few routes.
std::shared_ptr<handler_chain> make_routes() {
    auto routes = std::make_shared<mux>();
    install_health_checks(*routes, "/healthz", {});
    routes->handle("/configz", [](const request&) {
        response r;
        r.content_type = "application/json";
        r.body = R"({"componentconfig":{}})";
        return r;
    });
    routes->handle("/metrics",
                   [](const request& req) {
                       response r;
                       r.body = req.method() == http::verb::delete_ ? "reset" : "metrics";
                       return r;
                   },
                   {http::verb::get, http::verb::delete_});
    routes->handle_prefix("/debug/pprof/", [](const request& req) {
        response r;
        r.body = "pprof " + req.path + " " + req.raw_query;
        return r;
    });
    routes->handle("/boom", [](const request&) -> response { throw std::runtime_error("boom"); });
    routes->handle("/echo", [](const request& req) {
        response r;
        r.body = req.message.body();
        return r;
    });
    return std::make_shared<handler_chain>(routes, nullptr, nullptr);
}

task<std::pair<boost::system::error_code, testing::http_response>> get_once(
    std::shared_ptr<asio::ssl::context> ctx, std::uint16_t port, std::string target,
    std::string name = "localhost") {
    test_client c(static_cast<asio::io_context&>((co_await asio::this_coro::executor).context()),
                  ctx);
    if (auto ec = co_await c.connect(port, name)) {
        co_return std::pair{ec, testing::http_response{}};
    }
    co_return co_await c.get(std::move(target));
}

TEST_CASE("server.self_signed_certificate_like_upstream") {
    server_fixture f(make_routes(), {}, false);
    REQUIRE_FALSE(f.server->self_signed_ca_pem().empty());
    // The client pins the generated CA and checks both SANs.
    for (const std::string name : {"localhost", "127.0.0.1"}) {
        auto [ec, res] = f.run(get_once(f.client_tls(), f.port(), "/healthz", name));
        REQUIRE_FALSE(ec);
        CHECK(res.result_int() == 200);
        CHECK(res.body() == "ok");
    }
    // The certificate itself: CN localhost@<time>, 1 year, serverAuth, signed by the CA.
    auto generated = generate_self_signed_cert("localhost", {"127.0.0.1"}, {});
    REQUIRE(generated.has_value());
    auto chain = peer_certificates_from_pem(generated->cert_chain_pem);
    REQUIRE(chain.has_value());
    X509* leaf = (*chain)->leaf.get();
    CHECK(common_name(leaf).starts_with("localhost@"));
    REQUIRE((*chain)->intermediates.size() == 1);
    CHECK(common_name((*chain)->intermediates[0].get()).starts_with("localhost-ca@"));
    CHECK(X509_check_host(leaf, "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(leaf, "127.0.0.1", 0) == 1);
    CHECK(X509_check_host(leaf, "example.com", 0, 0, nullptr) != 1);
    int days = 0;
    int seconds = 0;
    REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(leaf), X509_get0_notAfter(leaf)));
    CHECK(days == 365);
    CHECK(EVP_PKEY_get_bits(X509_get0_pubkey(leaf)) == 2048);
    auto bundle = ca_bundle::from_pem(generated->ca_pem);
    REQUIRE(bundle.has_value());
    CHECK((X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER) != 0);
}

TEST_CASE("server.routing_table") {
    server_fixture f(make_routes());
    struct row {
        http::verb method;
        std::string target;
        unsigned status;
        std::string body;
    };
    const std::vector<row> rows = {
        {http::verb::get, "/healthz", 200, "ok"},
        {http::verb::post, "/healthz", 200, "ok"},  // upstream handlers take any method
        {http::verb::get, "/configz", 200, R"({"componentconfig":{}})"},
        {http::verb::get, "/metrics", 200, "metrics"},
        {http::verb::delete_, "/metrics", 200, "reset"},
        {http::verb::put, "/metrics", 405, "Method Not Allowed\n"},
        {http::verb::get, "/debug/pprof/heap?debug=1", 200, "pprof /debug/pprof/heap debug=1"},
        {http::verb::get, "/debug/pprof/", 200, "pprof /debug/pprof/ "},
        {http::verb::get, "/debug/pprof", 404, "404 page not found\n"},
        {http::verb::get, "/healthz/", 404, "404 page not found\n"},
        {http::verb::get, "/nothing", 404, "404 page not found\n"},
        {http::verb::get, "/%63onfigz", 200, R"({"componentconfig":{}})"},  // decoded path
        {http::verb::get, "/boom", 500,
         "This request caused apiserver to panic. Look in the logs for details.\n"},
        {http::verb::get, "https://localhost/configz", 200, R"({"componentconfig":{}})"},
    };
    auto run_all = [&]() -> task<void> {
        test_client c(f.ioc, f.client_tls());
        const auto awaited1 = co_await c.connect(f.port());
        REQUIRE_FALSE(awaited1);
        // One keep-alive connection carries the whole table, 500s and 404s included.
        for (const auto& r : rows) {
            http::request<http::string_body> req(r.method, r.target, 11);
            auto [ec, res] = co_await c.send(std::move(req));
            INFO(r.target);
            REQUIRE_FALSE(ec);
            CHECK(res.result_int() == r.status);
            CHECK(res.body() == r.body);
            CHECK(res.keep_alive());
            if (r.status == 405) {
                CHECK(res[http::field::allow] == "GET, HEAD, DELETE");
            }
            if (r.status != 500) {
                CHECK(res[http::field::cache_control] == "no-cache, private");
            }
        }
    };
    f.run(run_all());
    CHECK(f.server->connection_count() == 1);
}

TEST_CASE("server.head_post_body_and_connection_close") {
    server_fixture f(make_routes());
    auto scenario = [&]() -> task<void> {
        test_client c(f.ioc, f.client_tls());
        const auto awaited2 = co_await c.connect(f.port());
        REQUIRE_FALSE(awaited2);
        http::request<http::string_body> head_req(http::verb::head, "/configz", 11);
        auto [hec, head] = co_await c.send(std::move(head_req));
        REQUIRE_FALSE(hec);
        CHECK(head.result_int() == 200);
        CHECK(head[http::field::content_length] == "22");
        CHECK(head.body().empty());
        http::request<http::string_body> post(http::verb::post, "/echo", 11);
        post.body() = "payload";
        auto [pec, echoed] = co_await c.send(std::move(post));
        REQUIRE_FALSE(pec);
        CHECK(echoed.body() == "payload");
        http::request<http::string_body> closing(http::verb::get, "/healthz", 11);
        closing.set(http::field::connection, "close");
        auto [cec, last] = co_await c.send(std::move(closing));
        REQUIRE_FALSE(cec);
        CHECK(last.result_int() == 200);
        CHECK_FALSE(last.keep_alive());
        const auto rest = co_await c.read_until_closed(2s);
        CHECK_FALSE(rest.timed_out);
        CHECK(rest.data.empty());
    };
    f.run(scenario());
}

TEST_CASE("server.plain_http_on_the_tls_port_gets_go_s_400") {
    server_fixture f(make_routes());
    auto scenario = [&]() -> task<std::string> {
        testing::tcp::socket s(f.ioc);
        const testing::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), f.port());
        co_await s.async_connect(ep, use_task);
        std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        co_await asio::async_write(s, asio::buffer(req), use_task);
        std::string got;
        for (;;) {
            std::array<char, 512> chunk;
            auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), use_task);
            got.append(chunk.data(), n);
            if (ec) {
                co_return got;
            }
        }
    };
    CHECK(f.run(scenario()) ==
          "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
}

TEST_CASE("server.certificate_files_and_errors") {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("multisched-server-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    multisched::testing::test_ca ca = multisched::testing::make_test_ca();
    const auto pair = multisched::testing::issue_cert(
        ca, "localhost", multisched::testing::cert_usage::server, "DNS:localhost");
    std::ofstream(dir / "tls.crt") << pair.cert_pem;
    std::ofstream(dir / "tls.key") << pair.key_pem;

    serving_options opts;
    opts.tls_cert_file = (dir / "tls.crt").string();
    opts.tls_private_key_file = (dir / "tls.key").string();
    server_fixture f(make_routes(), opts, false);
    auto [ec, res] =
        f.run(get_once(testing::client_context(ca.pem.cert_pem), f.port(), "/healthz"));
    REQUIRE_FALSE(ec);
    CHECK(res.body() == "ok");

    asio::io_context ioc;
    auto fails = [&](serving_options o) {
        return !secure_server::create(ioc.get_executor(), std::move(o), make_routes()).has_value();
    };
    serving_options missing = opts;
    missing.tls_private_key_file = (dir / "nope.key").string();
    CHECK(fails(missing));
    serving_options half = opts;
    half.tls_private_key_file.clear();
    CHECK(fails(half));
    serving_options mismatched;
    mismatched.tls_cert_pem = pair.cert_pem;
    mismatched.tls_key_pem = ca.pem.key_pem;
    CHECK(fails(mismatched));
    serving_options bad_version;
    bad_version.tls_cert_pem = pair.cert_pem;
    bad_version.tls_key_pem = pair.key_pem;
    bad_version.tls_min_version = "VersionTLS14";
    CHECK(fails(bad_version));

    // --cert-dir: a generated pair is written once and reused.
    serving_options in_dir;
    in_dir.cert_dir = (dir / "certs").string();
    auto first = secure_server::create(ioc.get_executor(), in_dir, make_routes());
    REQUIRE(first.has_value());
    CHECK(std::filesystem::exists(dir / "certs" / "kube-scheduler.crt"));
    CHECK((std::filesystem::status(dir / "certs" / "kube-scheduler.key").permissions() &
           std::filesystem::perms::others_read) == std::filesystem::perms::none);
    auto second = secure_server::create(ioc.get_executor(), in_dir, make_routes());
    REQUIRE(second.has_value());
    CHECK((*second)->self_signed_ca_pem().empty());  // loaded, not generated
    std::filesystem::remove_all(dir);
}

TEST_CASE("server.listen_errors_name_the_address") {
    server_fixture f(make_routes());
    serving_options opts;
    opts.bind_address = "127.0.0.1";
    opts.port = f.port();  // taken
    opts.tls_cert_pem = f.pki.serving.cert_pem;
    opts.tls_key_pem = f.pki.serving.key_pem;
    auto second = secure_server::create(f.ioc.get_executor(), opts, make_routes());
    REQUIRE(second.has_value());
    auto listening = (*second)->listen();
    REQUIRE_FALSE(listening.has_value());
    CHECK(listening.error().message.starts_with("failed to listen on 127.0.0.1:"));
    CHECK(listening.error().message.find("bind") != std::string::npos);
    // An unspecified address listens on every address (dual-stack where IPv6 exists).
    opts.bind_address = "0.0.0.0";
    opts.port = 0;
    auto wildcard = secure_server::create(f.ioc.get_executor(), opts, make_routes());
    REQUIRE(wildcard.has_value());
    REQUIRE((*wildcard)->listen().has_value());
    CHECK((*wildcard)->port() != 0);
    (*wildcard)->stop();
    opts.bind_address = "not-an-ip";
    auto bad = secure_server::create(f.ioc.get_executor(), opts, make_routes());
    REQUIRE(bad.has_value());
    CHECK_FALSE((*bad)->listen().has_value());
}

TEST_CASE("server.tls_versions_and_no_http2") {
    serving_options opts;
    opts.tls_min_version = "VersionTLS13";
    server_fixture f(make_routes(), opts);
    auto attempt = [&](int max_version, bool offer_h2) -> task<std::pair<bool, std::string>> {
        auto ctx = f.client_tls();
        SSL_CTX_set_max_proto_version(ctx->native_handle(), max_version);
        if (offer_h2) {
            static const unsigned char kAlpn[] = "\x02h2\x08http/1.1";
            SSL_CTX_set_alpn_protos(ctx->native_handle(), kAlpn, sizeof kAlpn - 1);
        }
        test_client c(f.ioc, ctx);
        const auto ec = co_await c.connect(f.port());
        const unsigned char* proto = nullptr;
        unsigned int len = 0;
        SSL_get0_alpn_selected(c.stream().native_handle(), &proto, &len);
        co_return std::pair{!ec, std::string(reinterpret_cast<const char*>(proto), len)};
    };
    CHECK_FALSE(f.run(attempt(TLS1_2_VERSION, false)).first);
    const auto [ok, alpn] = f.run(attempt(TLS1_3_VERSION, true));
    CHECK(ok);
    CHECK(alpn.empty());  // HTTP/2 is not offered
}

TEST_CASE("server.stop_closes_the_listener_and_live_connections") {
    auto f = std::make_unique<server_fixture>(make_routes());
    auto scenario = [&]() -> task<void> {
        test_client idle(f->ioc, f->client_tls());
        const auto awaited3 = co_await idle.connect(f->port());
        REQUIRE_FALSE(awaited3);
        auto [ec, res] = co_await idle.get("/healthz");
        REQUIRE_FALSE(ec);
        CHECK(f->server->connection_count() == 1);
        f->server->stop();
        const auto rest = co_await idle.read_until_closed(2s);
        CHECK_FALSE(rest.timed_out);
        test_client late(f->ioc, f->client_tls());
        const auto awaited4 = co_await late.connect(f->port());
        CHECK(awaited4);  // refused: nobody listens
    };
    f->run(scenario());
    f->run(f->group.wait(), 2s);  // run() returned
    CHECK(f->server->connection_count() == 0);
    f->stop();
}

}  // namespace
}  // namespace multisched::server
