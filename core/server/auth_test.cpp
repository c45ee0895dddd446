// SPDX-License-Identifier: Apache-2.0
// Delegated authentication and authorization: TokenReview and SubjectAccessReview through a fake
// apiserver client (bodies, answers, caching, failures, deadlines), client certificates from
// the test CA and from a stranger's, front-proxy headers, anonymous access, always-allow paths.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "core/json/json.hpp"
#include "core/server/authentication.hpp"
#include "core/server/authorization.hpp"
#include "core/server/client_cert.hpp"
#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"
#include "test/util/test_pki.hpp"

namespace multisched::server {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using multisched::testing::cert_usage;
using multisched::testing::fake_api_client;
using multisched::testing::issue_cert;
using multisched::testing::make_test_ca;
using steady_clock = std::chrono::steady_clock;

constexpr const char* kTokenReviews = "/apis/authentication.k8s.io/v1/tokenreviews";
constexpr const char* kAccessReviews = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

const std::string kAlice =
    R"({"kind":"TokenReview","status":{"authenticated":true,"user":{"username":"alice",)"
    R"("uid":"42","groups":["dev"],"extra":{"scopes":["a","b"]}}}})";
const std::string kNotAuthenticated = R"({"kind":"TokenReview","status":{"authenticated":false}})";

// An api_client whose answer is computed from the request, or that never answers.
class scripted_client final : public client::api_client {
  public:
    std::function<result<client::http_response>(const client::http_request&)> answer;
    bool hang = false;
    std::vector<client::http_request> requests;

    task<result<client::http_response>> send(client::http_request req) override {
        auto ex = co_await asio::this_coro::executor;
        requests.push_back(req);
        if (hang) {
            asio::steady_timer forever(ex, std::chrono::hours(1));
            co_await forever.async_wait(use_task);  // only cancellation ends it
            co_return error{asio::error::operation_aborted, "cancelled"};
        }
        co_await asio::post(ex, asio::use_awaitable);
        co_return answer(req);
    }
    task<result<std::unique_ptr<client::watch_stream>>> watch(std::string,
                                                              std::chrono::milliseconds) override {
        co_return error{{}, "no watch"};
    }
};

client::http_response answer_with(unsigned status, std::string body) {
    return client::http_response{status, std::move(body), std::nullopt};
}

webhook_retry no_retry() {
    webhook_retry r;
    r.steps = 1;
    return r;
}

credentials bearer(std::string token) {
    credentials c;
    c.authorization = "Bearer " + token;
    return c;
}

credentials with_cert(const multisched::testing::pem_pair& cert) {
    credentials c;
    c.peer_certs = peer_certificates_from_pem(cert.cert_pem).value();
    return c;
}

struct auth_harness {
    asio::io_context ioc;
    steady_clock::time_point now = steady_clock::now();

    authentication_options authn_options(client::api_client* client) {
        authentication_options o;
        o.token_review_client = client;
        o.retry = no_retry();
        o.clock = [this] { return now; };
        return o;
    }
    std::shared_ptr<delegating_authenticator> authn(authentication_options o) {
        auto a = delegating_authenticator::create(std::move(o));
        REQUIRE(a.has_value());
        return *a;
    }
    result<user_info> authenticate(authenticator& a, credentials c) {
        return multisched::testing::run(ioc, a.authenticate(std::move(c)));
    }
    authorization_options authz_options(client::api_client* client) {
        authorization_options o;
        o.sar_client = client;
        o.retry = no_retry();
        o.clock = [this] { return now; };
        return o;
    }
    authz_result authorize(authorizer& a, user_info user, std::string path,
                           std::string verb = "get") {
        authz_attributes attrs;
        attrs.user = std::move(user);
        attrs.path = std::move(path);
        attrs.verb = std::move(verb);
        return multisched::testing::run(ioc, a.authorize(std::move(attrs)));
    }
};

user_info named(std::string name, std::vector<std::string> groups = {}) {
    user_info u;
    u.name = std::move(name);
    u.groups = std::move(groups);
    return u;
}

TEST_CASE("server.authn_token_review_allowed_and_cached") {
    auth_harness h;
    fake_api_client apiserver;
    apiserver.rules.push_back({verb::post, kTokenReviews, 201, kAlice});
    auto authn = h.authn(h.authn_options(&apiserver));

    auto user = h.authenticate(*authn, bearer("secret-token"));
    REQUIRE(user.has_value());
    CHECK(user->name == "alice");
    CHECK(user->uid == "42");
    CHECK(user->groups == std::vector<std::string>{"dev", "system:authenticated"});
    CHECK(user->extra["scopes"] == std::vector<std::string>{"a", "b"});
    REQUIRE(apiserver.requests.size() == 1);
    const auto& sent = apiserver.requests[0];
    CHECK(sent.method == verb::post);
    CHECK(sent.target == kTokenReviews);
    CHECK(sent.timeout == 10s);
    CHECK(sent.body == R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",)"
                       R"("spec":{"token":"secret-token"}})");

    // Within the TTL the answer comes from the cache, keyed by a hash: no second review.
    h.now += 9s;
    CHECK(h.authenticate(*authn, bearer("secret-token")).has_value());
    CHECK(apiserver.requests.size() == 1);
    CHECK(authn->cached_tokens() == 1);
    // Another token is another review; after the TTL the first one is reviewed again.
    CHECK(h.authenticate(*authn, bearer("other")).has_value());
    CHECK(apiserver.requests.size() == 2);
    h.now += 2s;
    CHECK(h.authenticate(*authn, bearer("secret-token")).has_value());
    CHECK(apiserver.requests.size() == 3);
}

TEST_CASE("server.authn_token_denied_errors_and_parsing") {
    auth_harness h;
    fake_api_client apiserver;
    auto authn = h.authn(h.authn_options(&apiserver));
    SECTION("not authenticated: 401, and the failure is cached") {
        apiserver.rules.push_back({verb::post, kTokenReviews, 201, kNotAuthenticated});
        CHECK_FALSE(h.authenticate(*authn, bearer("bad")).has_value());
        CHECK_FALSE(h.authenticate(*authn, bearer("bad")).has_value());
        CHECK(apiserver.requests.size() == 1);
    }
    SECTION("status.error: 401, not cached") {
        apiserver.rules.push_back(
            {verb::post, kTokenReviews, 201,
             R"({"status":{"authenticated":false,"error":"token expired"}})"});
        auto r = h.authenticate(*authn, bearer("old"));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message.find("token expired") != std::string::npos);
        CHECK_FALSE(h.authenticate(*authn, bearer("old")).has_value());
        CHECK(apiserver.requests.size() == 2);
    }
    SECTION("apiserver error: fails closed, not cached") {
        apiserver.rules.push_back({verb::post, kTokenReviews, 500, "etcd is sad"});
        auto r = h.authenticate(*authn, bearer("t"));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "TokenReview: the apiserver answered 500: etcd is sad");
        CHECK_FALSE(h.authenticate(*authn, bearer("t")).has_value());
        CHECK(apiserver.requests.size() == 2);
    }
    SECTION("not a bearer token, or an empty one: anonymous, no review") {
        for (const std::string header : {"Basic YWxpY2U6cHc=", "Bearer", "Bearer  spaced", ""}) {
            credentials c;
            c.authorization = header;
            auto r = h.authenticate(*authn, c);
            REQUIRE(r.has_value());
            CHECK(r->name == "system:anonymous");
            CHECK(r->groups == std::vector<std::string>{"system:unauthenticated"});
        }
        CHECK(apiserver.requests.empty());
    }
    SECTION("case-insensitive scheme, surrounding blanks") {
        apiserver.rules.push_back({verb::post, kTokenReviews, 201, kAlice});
        credentials c;
        c.authorization = "  bEaReR tok extra ";
        CHECK(h.authenticate(*authn, c).has_value());
        REQUIRE(apiserver.requests.size() == 1);
        CHECK(apiserver.requests[0].body.find(R"("token":"tok")") != std::string::npos);
    }
}

TEST_CASE("server.authn_without_token_client_or_anonymous") {
    auth_harness h;
    auto authn = h.authn(h.authn_options(nullptr));
    auto r = h.authenticate(*authn, bearer("ignored"));
    REQUIRE(r.has_value());
    CHECK(r->name == "system:anonymous");
    auto closed_options = h.authn_options(nullptr);
    closed_options.anonymous = false;
    auto closed = h.authn(closed_options);
    CHECK_FALSE(h.authenticate(*closed, credentials{}).has_value());
}

TEST_CASE("server.authn_apiserver_that_never_answers_fails_in_time") {
    auth_harness h;
    scripted_client apiserver;
    apiserver.hang = true;
    auto options = h.authn_options(&apiserver);
    options.token_review_timeout = 100ms;
    auto authn = h.authn(options);
    const auto start = steady_clock::now();
    auto r = h.authenticate(*authn, bearer("t"));
    const auto waited = steady_clock::now() - start;
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("100ms") != std::string::npos);
    CHECK(waited >= 90ms);
    CHECK(waited < 2s);
}

TEST_CASE("server.authn_client_certificates") {
    auth_harness h;
    const auto ca = make_test_ca("client-ca");
    const auto stranger = make_test_ca("stranger-ca");
    auto options = h.authn_options(nullptr);
    options.client_ca_pem = ca.pem.cert_pem;
    auto authn = h.authn(options);

    auto alice = h.authenticate(
        *authn, with_cert(issue_cert(ca, "alice", cert_usage::client, "", "system:masters")));
    REQUIRE(alice.has_value());
    CHECK(alice->name == "alice");
    CHECK(alice->groups == std::vector<std::string>{"system:masters", "system:authenticated"});
    REQUIRE(alice->extra["authentication.kubernetes.io/credential-id"].size() == 1);
    CHECK(alice->extra["authentication.kubernetes.io/credential-id"][0].starts_with("X509SHA256="));

    auto forged =
        h.authenticate(*authn, with_cert(issue_cert(stranger, "alice", cert_usage::client)));
    REQUIRE_FALSE(forged.has_value());
    CHECK(forged.error().message.find("verifying certificate SN=") != std::string::npos);
    // A serving certificate is no client certificate.
    CHECK_FALSE(
        h.authenticate(*authn, with_cert(issue_cert(ca, "srv", cert_usage::server))).has_value());
    // No CN: no opinion, hence anonymous.
    auto nameless = h.authenticate(*authn, with_cert(issue_cert(ca, "", cert_usage::client)));
    REQUIRE(nameless.has_value());
    CHECK(nameless->name == "system:anonymous");

    // A failed certificate does not block a good token (union semantics)...
    fake_api_client apiserver;
    apiserver.rules.push_back({verb::post, kTokenReviews, 201, kAlice});
    options.token_review_client = &apiserver;
    auto both = h.authn(options);
    auto creds = with_cert(issue_cert(stranger, "mallory", cert_usage::client));
    creds.authorization = "Bearer tok";
    auto r = h.authenticate(*both, creds);
    REQUIRE(r.has_value());
    CHECK(r->name == "alice");
    // ... and the bundle can be swapped at run time (ConfigMap refresh).
    REQUIRE(authn->set_client_ca(stranger.pem.cert_pem).has_value());
    CHECK(
        h.authenticate(*authn, with_cert(issue_cert(stranger, "eve", cert_usage::client)))->name ==
        "eve");
    CHECK_FALSE(authn->set_client_ca("not pem").has_value());
    CHECK_FALSE(delegating_authenticator::create([&] {
                    authentication_options bad;
                    bad.client_ca_pem = "garbage";
                    return bad;
                }())
                    .has_value());
}

TEST_CASE("server.authn_front_proxy_request_headers") {
    auth_harness h;
    const auto proxy_ca = make_test_ca("front-proxy-ca");
    auto options = h.authn_options(nullptr);
    options.request_header.client_ca_pem = proxy_ca.pem.cert_pem;
    options.request_header.allowed_names = {"front-proxy-client"};
    auto authn = h.authn(options);
    auto proxied = [&](const std::string& cn,
                       std::vector<std::pair<std::string, std::string>> headers) {
        auto c = with_cert(issue_cert(proxy_ca, cn, cert_usage::client));
        c.headers = std::move(headers);
        return h.authenticate(*authn, c);
    };
    auto bob = proxied("front-proxy-client", {{"X-Remote-User", "bob"},
                                              {"X-Remote-Group", "g1"},
                                              {"x-remote-group", "g2"},
                                              {"X-Remote-Extra-Scopes", "view"},
                                              {"X-Remote-Extra-Acme.com%2Fteam", "core"}});
    REQUIRE(bob.has_value());
    CHECK(bob->name == "bob");
    CHECK(bob->groups == std::vector<std::string>{"g1", "g2", "system:authenticated"});
    CHECK(bob->extra["scopes"] == std::vector<std::string>{"view"});
    CHECK(bob->extra["acme.com/team"] == std::vector<std::string>{"core"});
    // A CN outside --requestheader-allowed-names may not assert users.
    CHECK_FALSE(proxied("someone-else", {{"X-Remote-User", "bob"}}).has_value());
    // Without a username header the proxy certificate asserts nothing.
    CHECK(proxied("front-proxy-client", {})->name == "system:anonymous");
}

TEST_CASE("server.authz_paths_groups_and_no_client") {
    auth_harness h;
    auto options = h.authz_options(nullptr);
    options.always_allow_paths = {"/healthz", "/readyz", "/livez", "/debug/*"};
    auto authz = delegating_authorizer::create(options);
    REQUIRE(authz.has_value());
    const auto anonymous = named("system:anonymous", {"system:unauthenticated"});
    struct row {
        user_info user;
        std::string path;
        decision expected;
    };
    const std::vector<row> rows = {
        {anonymous, "/healthz", decision::allow},
        {anonymous, "/healthz/ping", decision::no_opinion},  // exact, as upstream
        {anonymous, "/livez", decision::allow},
        {anonymous, "/debug/pprof/heap", decision::allow},
        {anonymous, "/debug", decision::no_opinion},
        {anonymous, "/metrics", decision::no_opinion},
        {named("root", {"system:masters"}), "/metrics", decision::allow},
        {named("alice", {"system:authenticated"}), "/metrics", decision::no_opinion},
    };
    for (const auto& r : rows) {
        INFO(r.user.name << " " << r.path);
        const auto result = h.authorize(**authz, r.user, r.path);
        CHECK(result.verdict == r.expected);
        CHECK_FALSE(result.error.has_value());
    }
    options.always_allow_paths = {"/a*b"};
    auto bad = delegating_authorizer::create(options);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message == R"(only trailing * allowed in "a*b")");
    auto root = path_matcher::create({"/", "/x*"});
    REQUIRE(root.has_value());
    CHECK(root->matches("/"));
    CHECK(root->matches("/xyz"));
    CHECK_FALSE(root->matches("/y"));
}

TEST_CASE("server.authz_subject_access_review") {
    auth_harness h;
    fake_api_client apiserver;
    auto authz = delegating_authorizer::create(h.authz_options(&apiserver)).value();
    user_info alice = named("alice", {"dev", "system:authenticated"});
    alice.uid = "42";
    alice.extra["scopes"] = {"a"};
    SECTION("allowed, with the request body upstream sends, cached 10 s") {
        apiserver.rules.push_back({verb::post, kAccessReviews, 201,
                                   R"({"status":{"allowed":true,"reason":"RBAC: allowed"}})"});
        CHECK(h.authorize(*authz, alice, "/metrics").verdict == decision::allow);
        REQUIRE(apiserver.requests.size() == 1);
        CHECK(apiserver.requests[0].target == kAccessReviews);
        CHECK(apiserver.requests[0].body ==
              R"({"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",)"
              R"("spec":{"nonResourceAttributes":{"path":"/metrics","verb":"get"},)"
              R"("user":"alice","groups":["dev","system:authenticated"],)"
              R"("extra":{"scopes":["a"]},"uid":"42"}})");
        h.now += 9s;
        CHECK(h.authorize(*authz, alice, "/metrics").verdict == decision::allow);
        CHECK(apiserver.requests.size() == 1);
        CHECK(h.authorize(*authz, alice, "/metrics", "delete").verdict == decision::allow);
        CHECK(apiserver.requests.size() == 2);  // another verb, another review
        h.now += 2s;
        CHECK(h.authorize(*authz, alice, "/metrics").verdict == decision::allow);
        CHECK(apiserver.requests.size() == 3);
    }
    SECTION("not allowed: no opinion with the reason, cached") {
        apiserver.rules.push_back(
            {verb::post, kAccessReviews, 201, R"({"status":{"allowed":false,"reason":"nope"}})"});
        auto r = h.authorize(*authz, alice, "/configz");
        CHECK(r.verdict == decision::no_opinion);
        CHECK(r.reason == "nope");
        CHECK(h.authorize(*authz, alice, "/configz").verdict == decision::no_opinion);
        CHECK(apiserver.requests.size() == 1);
    }
    SECTION("denied") {
        apiserver.rules.push_back(
            {verb::post, kAccessReviews, 201, R"({"status":{"allowed":false,"denied":true}})"});
        CHECK(h.authorize(*authz, alice, "/configz").verdict == decision::deny);
    }
    SECTION("apiserver error: an error, not cached") {
        apiserver.rules.push_back({verb::post, kAccessReviews, 503, "try later"});
        auto r = h.authorize(*authz, alice, "/metrics");
        CHECK(r.verdict == decision::no_opinion);
        REQUIRE(r.error.has_value());
        CHECK(*r.error == "SubjectAccessReview: the apiserver answered 503: try later");
        h.authorize(*authz, alice, "/metrics");
        CHECK(apiserver.requests.size() == 2);
    }
    SECTION("privileged group and allowed paths skip the review") {
        CHECK(h.authorize(*authz, named("root", {"system:masters"}), "/x").verdict ==
              decision::allow);
        CHECK(h.authorize(*authz, alice, "/readyz").verdict == decision::allow);
        CHECK(apiserver.requests.empty());
    }
}

TEST_CASE("server.authz_retries_transient_failures_within_the_deadline") {
    auth_harness h;
    scripted_client apiserver;
    int calls = 0;
    apiserver.answer = [&](const client::http_request&) -> result<client::http_response> {
        ++calls;
        if (calls == 1) {
            return error{boost::asio::error::connection_reset, "connection reset"};
        }
        if (calls == 2) {
            return answer_with(429, "slow down");
        }
        return answer_with(201, R"({"status":{"allowed":true}})");
    };
    auto options = h.authz_options(&apiserver);
    options.retry.steps = 5;
    options.retry.initial = 1ms;
    auto authz = delegating_authorizer::create(options).value();
    CHECK(h.authorize(*authz, named("alice"), "/metrics").verdict == decision::allow);
    CHECK(calls == 3);
    // A 403 from the apiserver is final.
    calls = 0;
    apiserver.answer = [&](const client::http_request&) -> result<client::http_response> {
        ++calls;
        return answer_with(403, "forbidden");
    };
    CHECK(h.authorize(*authz, named("bob"), "/metrics").error.has_value());
    CHECK(calls == 1);
    // A hung apiserver: an error once the deadline passes.
    apiserver.hang = true;
    options.timeout = 100ms;
    auto hung = delegating_authorizer::create(options).value();
    const auto start = steady_clock::now();
    CHECK(h.authorize(*hung, named("carol"), "/metrics").error.has_value());
    CHECK(steady_clock::now() - start < 2s);
}

TEST_CASE("server.authentication_config_map") {
    asio::io_context ioc;
    const auto ca = make_test_ca("cm-ca");
    json::writer w;
    w.begin_object().key("data").begin_object();
    w.field("client-ca-file", ca.pem.cert_pem);
    w.field("requestheader-allowed-names", R"(["front-proxy-client"])");
    w.field("requestheader-username-headers", R"(["X-Remote-User"])");
    w.end_object().end_object();
    fake_api_client apiserver;
    apiserver.rules.push_back({verb::get, std::string(kAuthenticationConfigMapPath), 200, w.str()});
    auto cm = multisched::testing::run(ioc, fetch_authentication_config_map(&apiserver, 1s));
    REQUIRE(cm.has_value());
    REQUIRE(cm->client_ca.has_value());
    CHECK(*cm->client_ca == ca.pem.cert_pem);
    CHECK_FALSE(cm->requestheader_client_ca.has_value());
    CHECK(cm->requestheader_allowed_names == std::vector<std::string>{"front-proxy-client"});
    CHECK(cm->requestheader_username_headers == std::vector<std::string>{"X-Remote-User"});
    CHECK(ca_bundle::from_pem(*cm->client_ca).has_value());

    fake_api_client missing;
    missing.rules.push_back({verb::get, "/api/v1/namespaces/kube-system", 404, "{}"});
    auto none = multisched::testing::run(ioc, fetch_authentication_config_map(&missing, 1s));
    REQUIRE(none.has_value());
    CHECK_FALSE(none->client_ca.has_value());

    fake_api_client forbidden;
    forbidden.rules.push_back({verb::get, "/api/v1/namespaces/kube-system", 403, "{}"});
    auto denied = multisched::testing::run(ioc, fetch_authentication_config_map(&forbidden, 1s));
    REQUIRE_FALSE(denied.has_value());
    CHECK(denied.error().http_status == 403);
}

}  // namespace
}  // namespace multisched::server
