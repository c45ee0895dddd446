// SPDX-License-Identifier: Apache-2.0
// The observing decorator: one observation per exchange, with the method and the status (0
// without a response), only once an observer is installed in the slot.
#include "core/client/observed.hpp"

#include <catch2/catch.hpp>

#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::client {
namespace {

using verb = boost::beast::http::verb;

TEST_CASE("observed.reports_each_exchange_once_installed") {
    asio::io_context ioc;
    auto fake = std::make_unique<testing::fake_api_client>();
    fake->rules = {{verb::post, "/api/v1/namespaces/d/pods/p/binding", 201, "{}"},
                   {verb::get, "/api/v1/nodes/gone", 404, "{}"}};
    auto slot = std::make_shared<request_observer>();
    auto c = observed(std::move(fake), slot);
    const auto send = [&](verb method, std::string target) {
        http_request req;
        req.method = method;
        req.target = std::move(target);
        return testing::run(ioc, c->send(std::move(req)));
    };

    // No observer yet: nothing to report to, and the request still goes through.
    REQUIRE(send(verb::get, "/api/v1/nodes").has_value());

    std::vector<request_outcome> seen;
    *slot = [&](const request_outcome& o) { seen.push_back(o); };
    auto bound = send(verb::post, "/api/v1/namespaces/d/pods/p/binding");
    REQUIRE(bound.has_value());
    CHECK(bound->status == 201);
    REQUIRE(send(verb::get, "/api/v1/nodes/gone").has_value());
    CHECK_FALSE(testing::run(ioc, c->watch("/api/v1/pods?watch=1", std::chrono::seconds(1)))
                    .has_value());  // the fake refuses watches: no response

    struct want {
        verb method;
        unsigned status;
    };
    const std::vector<want> expected = {{verb::post, 201}, {verb::get, 404}, {verb::get, 0}};
    REQUIRE(seen.size() == expected.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        INFO(i);
        CHECK(seen[i].method == expected[i].method);
        CHECK(seen[i].status == expected[i].status);
        CHECK(seen[i].seconds >= 0);
    }
}

}  // namespace
}  // namespace multisched::client
