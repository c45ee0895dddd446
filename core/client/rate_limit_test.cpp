// SPDX-License-Identifier: Apache-2.0
#include "core/client/rate_limit.hpp"

#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::client {
namespace {

using namespace std::chrono_literals;
using clock = token_bucket::clock;

TEST_CASE("rate_limit.token_bucket_as_x_time_rate") {
    // qps 10, burst 3: three at once, then one every 100 ms, waiters queued behind each other.
    const auto t0 = clock::time_point{} + 1h;
    token_bucket b(10, 3, t0);
    struct step {
        std::chrono::milliseconds at;
        std::chrono::milliseconds wait;
    };
    const std::vector<step> steps = {
        {0ms, 0ms},    {0ms, 0ms},    {0ms, 0ms},  // the burst
        {0ms, 100ms},  {0ms, 200ms},               // reserved ahead, in order
        {250ms, 50ms},                             // 2.5 tokens back, 2 already promised
        {1000ms, 0ms}, {1000ms, 0ms},              // refilled (capped at the burst)
    };
    for (const auto& s : steps) {
        INFO("at " << s.at.count() << "ms");
        const auto got = b.reserve(t0 + s.at);
        CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(got + 500us) == s.wait);
    }
}

TEST_CASE("rate_limit.try_take_drops_instead_of_waiting") {
    const auto t0 = clock::time_point{} + std::chrono::hours(1);
    token_bucket b(10, 2, t0);
    struct step {
        std::chrono::milliseconds at;
        bool taken;
    };
    // Two saved up, then one per 100 ms; a refused try costs nothing.
    const std::vector<step> steps = {{0ms, true},   {0ms, true},   {0ms, false},
                                     {50ms, false}, {100ms, true}, {100ms, false},
                                     {350ms, true}, {350ms, true}, {350ms, false}};
    for (const auto& s : steps) {
        INFO("at " << s.at.count() << "ms");
        CHECK(b.try_take(t0 + s.at) == s.taken);
    }
    token_bucket unlimited(0, 1, t0);
    CHECK(unlimited.try_take(t0));
    CHECK(unlimited.try_take(t0));
}

TEST_CASE("rate_limit.unlimited_when_qps_is_not_positive") {
    token_bucket b(0, 1);
    for (int i = 0; i < 1000; ++i) {
        REQUIRE(b.reserve().count() == 0);
    }
}

TEST_CASE("rate_limit.client_waits_for_tokens") {
    asio::io_context ioc;
    auto fake = std::make_unique<testing::fake_api_client>();
    auto* seen = fake.get();
    auto limited = rate_limited(std::move(fake), 200, 2);  // 5 ms per request after the burst
    const auto start = clock::now();
    for (int i = 0; i < 6; ++i) {
        http_request req;
        req.target = "/api/v1/nodes/n" + std::to_string(i);
        auto res = testing::run(ioc, limited->send(std::move(req)));
        REQUIRE(res.has_value());
    }
    // 2 free, then 4 × 5 ms.
    CHECK(clock::now() - start >= 19ms);
    REQUIRE(seen->requests.size() == 6);
    CHECK(seen->requests[5].target == "/api/v1/nodes/n5");
}

}  // namespace
}  // namespace multisched::client
