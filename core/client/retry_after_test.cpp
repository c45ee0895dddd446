// SPDX-License-Identifier: Apache-2.0
#include "core/client/retry_after.hpp"

#include <deque>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include "test/util/task_runner.hpp"

namespace multisched::client {
namespace {

using namespace std::chrono_literals;

// Answers from a script, one entry per request (an empty optional: a transport error); records
// every request it saw.
class scripted_client final : public api_client {
  public:
    std::deque<std::optional<http_response>> script;
    std::vector<http_request> seen;

    task<result<http_response>> send(http_request req) override {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        seen.push_back(req);
        auto next = script.front();
        script.pop_front();
        if (!next) {
            co_return error{{}, "connection refused"};
        }
        co_return *next;
    }
    task<result<std::unique_ptr<watch_stream>>> watch(std::string,
                                                      std::chrono::milliseconds) override {
        co_return error{{}, "not supported"};
    }
};

http_response answer(unsigned status, std::optional<std::chrono::seconds> retry_after = {}) {
    http_response r;
    r.status = status;
    r.body = "{}";
    r.retry_after = retry_after;
    return r;
}

}  // namespace

TEST_CASE("retry_after.retries_only_what_the_server_asks_to_retry") {
    struct test_case {
        std::string name;
        std::vector<std::optional<http_response>> script;
        int max_retries;
        std::optional<unsigned> want_status;  // nullopt: the transport error
        std::size_t want_requests;
    };
    const auto ra0 = std::chrono::seconds(0);
    const std::vector<test_case> cases = {
        {"429 with Retry-After, then 200", {answer(429, ra0), answer(200)}, 10, 200, 2},
        {"503 twice, then 201", {answer(503, ra0), answer(503, ra0), answer(201)}, 10, 201, 3},
        {"500 without Retry-After is returned", {answer(500)}, 10, 500, 1},
        {"404 with Retry-After is not a retry signal", {answer(404, ra0)}, 10, 404, 1},
        {"gives up after max_retries with the last answer",
         {answer(429, ra0), answer(429, ra0), answer(429, ra0), answer(429, ra0)},
         3,
         429,
         4},
        {"transport errors are returned at once", {std::nullopt}, 10, std::nullopt, 1},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        asio::io_context ioc;
        auto fake = std::make_unique<scripted_client>();
        auto* script = fake.get();
        script->script.assign(tc.script.begin(), tc.script.end());
        retry_after_policy policy;
        policy.max_retries = tc.max_retries;
        auto client = honour_retry_after(std::move(fake), policy);
        http_request req;
        req.method = boost::beast::http::verb::post;
        req.target = "/api/v1/namespaces/d/pods/p/binding";
        req.body = R"({"kind":"Binding"})";
        const auto res = testing::run(ioc, client->send(std::move(req)));
        REQUIRE(res.has_value() == tc.want_status.has_value());
        if (tc.want_status) {
            CHECK(res->status == *tc.want_status);
        }
        REQUIRE(script->seen.size() == tc.want_requests);
        for (const auto& sent : script->seen) {  // every try is the same request
            CHECK(sent.method == boost::beast::http::verb::post);
            CHECK(sent.body == R"({"kind":"Binding"})");
        }
    }
}

TEST_CASE("retry_after.no_retry_past_the_request_timeout") {
    // Retry-After 2 s on a request with a 1 s timeout: the answer comes back at once.
    asio::io_context ioc;
    auto fake = std::make_unique<scripted_client>();
    auto* script = fake.get();
    fake->script = {answer(429, std::chrono::seconds(2)), answer(200)};
    auto client = honour_retry_after(std::move(fake));
    http_request req;
    req.target = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler";
    req.timeout = std::chrono::seconds(1);
    const auto res = testing::run(ioc, client->send(std::move(req)), std::chrono::seconds(1));
    REQUIRE(res.has_value());
    CHECK(res->status == 429);
    CHECK(script->seen.size() == 1);
}

TEST_CASE("retry_after.long_waits_are_capped") {
    // An hour-long Retry-After is waited max_wait (0 here): without the cap the run would time
    // out instead of returning the second answer.
    asio::io_context ioc;
    auto fake = std::make_unique<scripted_client>();
    fake->script = {answer(429, std::chrono::hours(1)), answer(200)};
    retry_after_policy policy;
    policy.max_wait = std::chrono::seconds(0);
    auto client = honour_retry_after(std::move(fake), policy);
    http_request req;
    req.target = "/api/v1/nodes";
    const auto res = testing::run(ioc, client->send(std::move(req)), std::chrono::seconds(5));
    REQUIRE(res.has_value());
    CHECK(res->status == 200);
}

}  // namespace multisched::client
