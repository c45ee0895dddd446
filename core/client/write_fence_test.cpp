// SPDX-License-Identifier: Apache-2.0
#include "core/client/write_fence.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::client {
namespace {

using boost::beast::http::verb;

TEST_CASE("write_fence.writes_refused_while_the_fence_is_down") {
    struct row {
        verb method;
        bool fence_up;  // a reason to refuse
        bool sent;
    };
    const std::vector<row> rows = {
        {verb::get, true, true},      {verb::head, true, true},  {verb::options, true, true},
        {verb::post, true, false},    {verb::put, true, false},  {verb::patch, true, false},
        {verb::delete_, true, false}, {verb::post, false, true}, {verb::delete_, false, true},
    };
    for (const auto& r : rows) {
        INFO(boost::beast::http::to_string(r.method) << (r.fence_up ? " fenced" : " open"));
        asio::io_context ioc;
        auto inner = std::make_unique<testing::fake_api_client>();
        auto* fake = inner.get();
        int asked = 0;
        auto fenced = write_fenced(std::move(inner), [&]() -> std::optional<std::string> {
            ++asked;
            if (r.fence_up) {
                return "this instance does not hold the lease";
            }
            return std::nullopt;
        });
        http_request req;
        req.method = r.method;
        req.target = "/api/v1/namespaces/ns/pods/p/binding";
        auto res = testing::run(ioc, fenced->send(std::move(req)));
        CHECK(fake->requests.size() == (r.sent ? 1U : 0U));
        CHECK(res.has_value() == r.sent);
        if (!r.sent) {
            REQUIRE(!res.has_value());
            CHECK(res.error().message == "not sent: this instance does not hold the lease");
            CHECK(res.error().code == kNotSent);
        }
        CHECK(asked == (writes(r.method) ? 1 : 0));  // reads never consult the fence
    }
}

}  // namespace
}  // namespace multisched::client
