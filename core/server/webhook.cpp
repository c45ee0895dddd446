// SPDX-License-Identifier: Apache-2.0
#include "core/server/webhook.hpp"

#include <variant>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <fmt/format.h>

#include "core/util/backoff.hpp"

namespace multisched::server {
namespace {

using steady_clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool retriable_status(unsigned status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string excerpt(std::string_view body) {
    constexpr std::size_t kMax = 256;
    return std::string(body.substr(0, kMax)) + (body.size() > kMax ? "..." : "");
}

}  // namespace

task<result<client::http_response>> send_with_deadline(client::api_client* client,
                                                       client::http_request req) {
    using namespace asio::experimental::awaitable_operators;
    const auto timeout = req.timeout;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto outcome = co_await (client->send(std::move(req)) || timer.async_wait(use_task));
    if (outcome.index() == 1) {
        co_return error{boost::beast::error::timeout,
                        fmt::format("no answer within {}ms", timeout.count())};
    }
    co_return std::move(std::get<0>(outcome));
}

task<result<std::string>> post_review(client::api_client* client, std::string target,
                                      std::string body, milliseconds timeout, webhook_retry retry,
                                      std::string what) {
    const auto deadline = steady_clock::now() + timeout;
    backoff::params params;
    params.initial = retry.initial;
    params.max = timeout;
    params.factor = retry.factor;
    params.jitter = retry.jitter;
    backoff delays(params);
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (int attempt = 1;; ++attempt) {
        const auto left = std::chrono::ceil<milliseconds>(deadline - steady_clock::now());
        if (left <= milliseconds(0)) {
            co_return error{boost::beast::error::timeout,
                            fmt::format("{}: no answer within {}ms", what, timeout.count())};
        }
        client::http_request req;
        req.method = boost::beast::http::verb::post;
        req.target = target;
        req.body = body;
        req.timeout = left;
        auto res = co_await send_with_deadline(client, std::move(req));
        error failure;
        bool again = true;
        if (!res && res.error().code == boost::beast::error::timeout) {
            failure = error{res.error().code,
                            fmt::format("{}: no answer within {}ms", what, timeout.count())};
        } else if (!res) {
            failure = error{res.error().code, fmt::format("{}: {}", what, res.error().message)};
        } else if (res->status >= 200 && res->status < 300) {
            co_return std::move(res->body);
        } else {
            failure = error{{},
                            fmt::format("{}: the apiserver answered {}: {}", what, res->status,
                                        excerpt(res->body)),
                            res->status};
            again = retriable_status(res->status);
        }
        if (!again || attempt >= retry.steps) {
            co_return failure;
        }
        const auto delay = delays.next();
        if (steady_clock::now() + delay >= deadline) {
            co_return failure;
        }
        pause.expires_after(delay);
        auto [ec] = co_await pause.async_wait(use_task);
        if (ec) {
            co_return failure;  // cancelled: the connection is going away
        }
    }
}

}  // namespace multisched::server
