// SPDX-License-Identifier: Apache-2.0
#include "core/client/retry_after.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/util/log.hpp"

namespace multisched::client {

std::optional<std::chrono::seconds> retry_after_of(const http_response& res) {
    if (res.status != 429 && res.status < 500) {
        return std::nullopt;
    }
    return res.retry_after;
}

namespace {

class retry_after_client final : public api_client {
  public:
    retry_after_client(std::unique_ptr<api_client> inner, retry_after_policy policy)
        : inner_(std::move(inner)), policy_(policy) {}

    task<result<http_response>> send(http_request req) override {
        // req.timeout bounds the whole exchange, retries and waits included (client-go checks
        // the request's context before each retry).
        const auto deadline = std::chrono::steady_clock::now() + req.timeout;
        for (int retries = 0;; ++retries) {
            http_request attempt = req;
            attempt.timeout = std::chrono::ceil<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            auto res = co_await inner_->send(std::move(attempt));
            if (!res || retries >= policy_.max_retries) {
                co_return res;
            }
            const auto wait = retry_after_of(*res);
            if (!wait) {
                co_return res;
            }
            const auto delay = std::min(*wait, policy_.max_wait);
            if (std::chrono::steady_clock::now() + delay >= deadline) {
                co_return res;  // no time left for another try
            }
            MS_LOG_V(4, "{} {}: HTTP {}, retrying in {}s (retry {} of {})",
                     std::string(boost::beast::http::to_string(req.method)), req.target,
                     res->status, delay.count(), retries + 1, policy_.max_retries);
            if (delay.count() > 0) {
                asio::steady_timer t(co_await asio::this_coro::executor, delay);
                if (auto [ec] = co_await t.async_wait(use_task); ec) {
                    co_return res;  // cancelled: the answer we have
                }
            }
        }
    }

    task<result<std::unique_ptr<watch_stream>>> watch(
        std::string target, std::chrono::milliseconds idle_timeout) override {
        // A refused watch is an error value; the reflector's backoff handles it.
        co_return co_await inner_->watch(std::move(target), idle_timeout);
    }

  private:
    std::unique_ptr<api_client> inner_;
    retry_after_policy policy_;
};

}  // namespace

std::unique_ptr<api_client> honour_retry_after(std::unique_ptr<api_client> inner,
                                               retry_after_policy policy) {
    return std::make_unique<retry_after_client>(std::move(inner), policy);
}

}  // namespace multisched::client
