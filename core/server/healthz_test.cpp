// SPDX-License-Identifier: Apache-2.0
// Health endpoints: the bodies, statuses and headers of apiserver's healthz.go, table-driven
// through the mux (no network), plus the error bodies of status.hpp.
#include "core/server/healthz.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/server/status.hpp"
#include "core/util/go_quote.hpp"

namespace multisched::server {
namespace {

request make_request(std::string target, std::string user_agent = "") {
    request req;
    req.message.method(http::verb::get);
    req.message.target(target);
    if (!user_agent.empty()) {
        req.message.set(http::field::user_agent, user_agent);
    }
    auto split = split_target(target);
    REQUIRE(split.has_value());
    req.path = split->first;
    req.raw_query = split->second;
    return req;
}

TEST_CASE("server.healthz_bodies_table") {
    std::map<std::string, std::optional<std::string>> state = {{"informer-sync", std::nullopt},
                                                               {"leader", "not leading"}};
    auto check = [&state](std::string name) {
        return health_check{name, [&state, name] { return state[name]; }};
    };
    mux m;
    install_health_checks(m, "/healthz", {});
    install_health_checks(m, "/livez", {});
    install_health_checks(m, "/readyz", {check("informer-sync"), check("leader")});

    struct row {
        std::string target;
        unsigned status;
        std::string body;
    };
    const std::vector<row> rows = {
        {"/healthz", 200, "ok"},
        {"/healthz?verbose", 200, "[+]ping ok\nhealthz check passed\n"},
        {"/healthz?verbose=0", 200, "[+]ping ok\nhealthz check passed\n"},  // presence counts
        {"/livez?verbose=true", 200, "[+]ping ok\nlivez check passed\n"},
        {"/healthz/ping", 200, "ok"},
        {"/healthz/leader", 404, "404 page not found\n"},
        {"/readyz", 500,
         "[+]informer-sync ok\n[-]leader failed: reason withheld\nreadyz check failed\n"},
        {"/readyz?verbose", 500,
         "[+]informer-sync ok\n[-]leader failed: reason withheld\nreadyz check failed\n"},
        {"/readyz?exclude=leader", 200, "ok"},
        {"/readyz?exclude=leader&verbose", 200,
         "[+]informer-sync ok\n[+]leader excluded: ok\nreadyz check passed\n"},
        {"/readyz?exclude=leader&exclude=zz&exclude=a%20b&verbose", 200,
         "[+]informer-sync ok\n[+]leader excluded: ok\nwarn: some health checks cannot be "
         "excluded: no matches for \"a b\",\"zz\"\nreadyz check passed\n"},
        {"/readyz/informer-sync", 200, "ok"},
        {"/readyz/leader", 500, "internal server error: not leading\n"},
        {"/readyz/ping", 404, "404 page not found\n"},  // checks given: no ping
    };
    for (const auto& r : rows) {
        INFO(r.target);
        const auto res = m.serve(make_request(r.target));
        CHECK(res.status == r.status);
        CHECK(res.body == r.body);
        if (r.status != 404) {
            CHECK(res.content_type == "text/plain; charset=utf-8");
        }
    }
    // Checks are evaluated on every probe.
    state["leader"] = std::nullopt;
    CHECK(m.serve(make_request("/readyz")).body == "ok");
    CHECK(m.serve(make_request("/readyz")).find_header("X-Content-Type-Options") == "nosniff");
    state["informer-sync"] = "2 informers not started yet";
    CHECK(m.serve(make_request("/readyz")).status == 500);
}

TEST_CASE("server.status_bodies_match_upstream") {
    auto req = make_request("/metrics");
    const auto forbidden = forbidden_response(req, "system:anonymous", "get", "");
    CHECK(forbidden.status == 403);
    CHECK(forbidden.content_type == "application/json");
    CHECK(forbidden.body ==
          R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
          R"("message":"forbidden: User \"system:anonymous\" cannot get path \"/metrics\"",)"
          R"("reason":"Forbidden","details":{},"code":403})"
          "\n");
    const auto with_reason = forbidden_response(req, "bob", "delete", "no RBAC policy matched");
    CHECK(with_reason.body.find(
              R"("message":"forbidden: User \"bob\" cannot delete path \"/metrics\": no RBAC )"
              R"(policy matched")") != std::string::npos);
    // curl and browsers get indented JSON, as apiserver's isPrettyPrint decides.
    const auto pretty = unauthorized_response(make_request("/metrics", "curl/8.5.0"));
    CHECK(pretty.status == 401);
    CHECK(pretty.body ==
          "{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  "
          "\"status\": \"Failure\",\n  \"message\": \"Unauthorized\",\n  \"reason\": "
          "\"Unauthorized\",\n  \"code\": 401\n}\n");
    CHECK(unauthorized_response(make_request("/metrics?pretty=false", "curl/8")).body ==
          R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
          R"("message":"Unauthorized","reason":"Unauthorized","code":401})"
          "\n");
    // HTML-significant characters never reach the body raw.
    const auto odd = forbidden_response(make_request("/a%3Cb%3E"), "x<y>", "get", "");
    // Sanitized to entities, whose '&' Go's JSON encoder then escapes.
    CHECK(odd.body.find(R"(User \"x\u0026lt;y\u0026gt;\")") != std::string::npos);
    CHECK(odd.body.find('<') == std::string::npos);
    const auto internal = internal_error_response(make_request("/metrics?x=1"), "boom");
    CHECK(internal.status == 500);
    CHECK(internal.body == "Internal Server Error: \"/metrics?x=1\": boom\n");
}

TEST_CASE("server.text_helpers") {
    CHECK(go_quote("a\"b\\c\n\x01") == R"("a\"b\\c\n\x01")");
    CHECK(go_quote("h\xc3\xa9") == "\"h\xc3\xa9\"");
    CHECK(go_quote("\xff") == R"("\xff")");
    CHECK(percent_decode("%2Fa%20b") == "/a b");
    CHECK_FALSE(percent_decode("%2").has_value());
    CHECK_FALSE(percent_decode("%zz").has_value());
    CHECK(query_values("a=1&b=2&a=x+y&a=%41", "a") == std::vector<std::string>{"1", "x y", "A"});
    CHECK(query_has("verbose&x=1", "verbose"));
    CHECK_FALSE(query_has("verbose2", "verbose"));
    CHECK_FALSE(split_target("healthz").has_value());
    CHECK_FALSE(split_target("/a%zz").has_value());
    CHECK(split_target("http://h:1?q=1") == std::pair<std::string, std::string>{"/", "q=1"});
    CHECK(http_date().ends_with(" GMT"));
}

}  // namespace
}  // namespace multisched::server
