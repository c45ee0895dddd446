// SPDX-License-Identifier: Apache-2.0
// The whole handler chain over real TLS: anonymous and always-allowed paths, client certificates
// requested in the handshake and verified per request, bearer tokens with TokenReview and
// SubjectAccessReview through a fake apiserver, failures answered 401/403/500 like upstream.
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "core/server/handler_chain.hpp"
#include "core/server/healthz.hpp"
#include "core/server/server_test_support.hpp"
#include "test/util/fake_api_client.hpp"

namespace multisched::server {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using multisched::testing::cert_usage;
using multisched::testing::fake_api_client;
using multisched::testing::issue_cert;
using multisched::testing::pem_pair;
using testing::server_fixture;
using testing::test_client;

constexpr const char* kTokenReviews = "/apis/authentication.k8s.io/v1/tokenreviews";
constexpr const char* kAccessReviews = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

const std::string kForbiddenMetrics =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
    R"("message":"forbidden: User \"system:anonymous\" cannot get path \"/metrics\"",)"
    R"("reason":"Forbidden","details":{},"code":403})"
    "\n";
const std::string kUnauthorized =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
    R"("message":"Unauthorized","reason":"Unauthorized","code":401})"
    "\n";

// The daemon's wiring, in small: health endpoints, /metrics, /whoami, behind the chain.
struct secured {
    explicit secured(client::api_client* apiserver, std::string client_ca_pem = "",
                     std::chrono::milliseconds review_timeout = 10s) {
        auto routes = std::make_shared<mux>();
        install_health_checks(*routes, "/healthz", {});
        install_health_checks(*routes, "/readyz", {});
        routes->handle("/metrics", [](const request&) {
            response r;
            r.body = "scheduler_pending_pods 0\n";
            return r;
        });
        routes->handle("/whoami", [](const request& req) {
            response r;
            r.body = req.user.name;
            for (const auto& g : req.user.groups) {
                r.body += "," + g;
            }
            return r;
        });
        authentication_options authn;
        authn.client_ca_pem = std::move(client_ca_pem);
        authn.token_review_client = apiserver;
        authn.token_review_timeout = review_timeout;
        authn.retry.steps = 1;
        authorization_options authz;
        authz.sar_client = apiserver;
        authz.timeout = review_timeout;
        authz.retry.steps = 1;
        chain =
            std::make_shared<handler_chain>(routes, delegating_authenticator::create(authn).value(),
                                            delegating_authorizer::create(authz).value());
    }
    std::shared_ptr<handler_chain> chain;
};

serving_options with_client_certs() {
    serving_options opts;
    opts.request_client_certificate = true;
    return opts;
}

task<std::pair<unsigned, std::string>> fetch(server_fixture& f, std::string target,
                                             std::string token = "",
                                             const pem_pair* cert = nullptr) {
    test_client c(f.ioc, f.client_tls(cert));
    if (auto ec = co_await c.connect(f.port())) {
        co_return std::pair{0u, ec.message()};
    }
    http::request<http::string_body> req(http::verb::get, target, 11);
    if (!token.empty()) {
        req.set(http::field::authorization, "Bearer " + token);
    }
    auto [ec, res] = co_await c.send(std::move(req));
    co_return std::pair{ec ? 0u : res.result_int(), res.body()};
}

TEST_CASE("server.chain_anonymous_requests") {
    secured s(nullptr);
    server_fixture f(s.chain);
    struct row {
        std::string target;
        unsigned status;
        std::string body;
    };
    const std::vector<row> rows = {
        {"/healthz", 200, "ok"},
        {"/readyz?verbose", 200, "[+]ping ok\nreadyz check passed\n"},
        {"/metrics", 403, kForbiddenMetrics},
        // Authorization runs before routing: unknown and sub-paths are forbidden, not 404.
        {"/healthz/ping", 403, ""},
        {"/nothing", 403, ""},
    };
    for (const auto& r : rows) {
        INFO(r.target);
        const auto [status, body] = f.run(fetch(f, r.target));
        CHECK(status == r.status);
        if (!r.body.empty()) {
            CHECK(body == r.body);
        }
    }
}

TEST_CASE("server.chain_client_certificates_over_tls") {
    const auto client_ca = multisched::testing::make_test_ca("client-ca");
    const auto stranger = multisched::testing::make_test_ca("stranger");
    secured s(nullptr, client_ca.pem.cert_pem);
    server_fixture g(s.chain, with_client_certs());
    const auto admin = issue_cert(client_ca, "admin", cert_usage::client, "", "system:masters");
    const auto dev = issue_cert(client_ca, "dev", cert_usage::client, "", "developers");
    const auto forged = issue_cert(stranger, "admin", cert_usage::client, "", "system:masters");

    CHECK(g.run(fetch(g, "/metrics", "", &admin)) ==
          std::pair<unsigned, std::string>{200, "scheduler_pending_pods 0\n"});
    CHECK(g.run(fetch(g, "/nothing", "", &admin)).first == 404);  // masters pass authorization
    // Another CA: the handshake succeeds (certificates are only requested), the request is 401.
    CHECK(g.run(fetch(g, "/metrics", "", &forged)) ==
          std::pair<unsigned, std::string>{401, kUnauthorized});
    CHECK(g.run(fetch(g, "/healthz", "", &forged)).first == 401);
    // Not a master and no SubjectAccessReview client: forbidden, naming the user.
    const auto [status, body] = g.run(fetch(g, "/metrics", "", &dev));
    CHECK(status == 403);
    CHECK(body.find(R"(User \"dev\" cannot get path \"/metrics\")") != std::string::npos);
    CHECK(g.run(fetch(g, "/metrics")).first == 403);  // no certificate: anonymous
}

TEST_CASE("server.chain_tokens_and_access_reviews") {
    fake_api_client apiserver;
    secured s(&apiserver);
    server_fixture f(s.chain);
    auto reviews = [&](const char* path) { return apiserver.matching(path).size(); };
    SECTION("allowed") {
        apiserver.rules.push_back(
            {verb::post, kTokenReviews, 201,
             R"({"status":{"authenticated":true,"user":{"username":"prometheus","groups":["m"]}}})"});
        apiserver.rules.push_back(
            {verb::post, kAccessReviews, 201, R"({"status":{"allowed":true}})"});
        CHECK(f.run(fetch(f, "/metrics", "tok")).first == 200);
        CHECK(f.run(fetch(f, "/whoami", "tok")).second == "prometheus,m,system:authenticated");
        CHECK(f.run(fetch(f, "/metrics", "tok")).first == 200);
        CHECK(reviews(kTokenReviews) == 1);   // cached
        CHECK(reviews(kAccessReviews) == 2);  // /metrics once, /whoami once
        CHECK(f.run(fetch(f, "/healthz", "tok")).first == 200);
        CHECK(reviews(kAccessReviews) == 2);  // always allowed
    }
    SECTION("access denied with a reason") {
        apiserver.rules.push_back({verb::post, kTokenReviews, 201,
                                   R"({"status":{"authenticated":true,"user":{"username":"u"}}})"});
        apiserver.rules.push_back(
            {verb::post, kAccessReviews, 201,
             R"({"status":{"allowed":false,"reason":"no RBAC policy matched"}})"});
        const auto [status, body] = f.run(fetch(f, "/metrics", "tok"));
        CHECK(status == 403);
        CHECK(body.find(R"(cannot get path \"/metrics\": no RBAC policy matched")") !=
              std::string::npos);
    }
    SECTION("bad token") {
        apiserver.rules.push_back(
            {verb::post, kTokenReviews, 201, R"({"status":{"authenticated":false}})"});
        CHECK(f.run(fetch(f, "/healthz", "bad")) ==
              std::pair<unsigned, std::string>{401, kUnauthorized});
        CHECK(reviews(kAccessReviews) == 0);
    }
    SECTION("apiserver errors fail closed") {
        apiserver.rules.push_back({verb::post, kTokenReviews, 500, "down"});
        CHECK(f.run(fetch(f, "/healthz", "tok")).first == 401);
        apiserver.rules.insert(apiserver.rules.begin(),
                               {verb::post, kTokenReviews, 201,
                                R"({"status":{"authenticated":true,"user":{"username":"u"}}})"});
        apiserver.rules.push_back({verb::post, kAccessReviews, 500, "down"});
        CHECK(f.run(fetch(f, "/metrics", "tok")) ==
              std::pair<unsigned, std::string>{
                  500,
                  "Internal Server Error: \"/metrics\": SubjectAccessReview: the apiserver "
                  "answered 500: down\n"});
    }
}

// An apiserver that never answers.
class silent_apiserver final : public client::api_client {
  public:
    task<result<client::http_response>> send(client::http_request) override {
        asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(1));
        co_await forever.async_wait(use_task);
        co_return error{asio::error::operation_aborted, "cancelled"};
    }
    task<result<std::unique_ptr<client::watch_stream>>> watch(std::string,
                                                              std::chrono::milliseconds) override {
        co_return error{{}, "no watch"};
    }
};

TEST_CASE("server.chain_silent_apiserver_delays_only_its_request") {
    silent_apiserver apiserver;
    secured s(&apiserver, "", 300ms);
    server_fixture f(s.chain);
    auto scenario = [&]() -> task<void> {
        test_client waiting(f.ioc, f.client_tls());
        const auto connected = co_await waiting.connect(f.port());
        REQUIRE_FALSE(connected);
        bool answered = false;
        unsigned status = 0;
        http::request<http::string_body> req(http::verb::get, "/metrics", 11);
        req.set(http::field::authorization, "Bearer tok");
        const auto start = std::chrono::steady_clock::now();
        asio::co_spawn(f.ioc, waiting.send(std::move(req)),
                       [&](std::exception_ptr,
                           std::pair<boost::system::error_code, testing::http_response> r) {
                           answered = true;
                           status = r.first ? 0 : r.second.result_int();
                       });
        // Another client is served while the first waits for the TokenReview.
        const auto other = co_await fetch(f, "/healthz");
        CHECK(other.first == 200);
        CHECK_FALSE(answered);
        while (!answered) {
            asio::steady_timer t(f.ioc, 20ms);
            co_await t.async_wait(use_task);
        }
        CHECK(status == 401);
        const auto waited = std::chrono::steady_clock::now() - start;
        CHECK(waited >= 250ms);
        CHECK(waited < 3s);
        // The connection is still usable afterwards.
        auto [ec, res] = co_await waiting.get("/healthz");
        CHECK_FALSE(ec);
        CHECK(res.result_int() == 200);
    };
    f.run(scenario());
}

TEST_CASE("server.stop_abandons_a_request_waiting_for_the_apiserver") {
    silent_apiserver apiserver;
    secured s(&apiserver, "", 30s);
    server_fixture f(s.chain);
    bool answered = false;
    auto client = std::make_unique<test_client>(f.ioc, f.client_tls());
    auto scenario = [&]() -> task<void> {
        const auto connected = co_await client->connect(f.port());
        REQUIRE_FALSE(connected);
        http::request<http::string_body> req(http::verb::get, "/metrics", 11);
        req.set(http::field::authorization, "Bearer tok");
        asio::co_spawn(f.ioc, client->send(std::move(req)),
                       [&](std::exception_ptr, auto) { answered = true; });
        asio::steady_timer t(f.ioc, 50ms);
        co_await t.async_wait(use_task);
        CHECK(f.server->connection_count() == 1);
    };
    f.run(scenario());
    const auto start = std::chrono::steady_clock::now();
    f.stop();  // returns once every connection coroutine ended
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(f.server->connection_count() == 0);
    f.run([&]() -> task<void> {
        while (!answered) {
            asio::steady_timer t(f.ioc, 10ms);
            co_await t.async_wait(use_task);
        }
    }());
    CHECK(answered);  // the client saw its connection close
}

}  // namespace
}  // namespace multisched::server
