// SPDX-License-Identifier: Apache-2.0
#include "core/client/rate_limit.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace multisched::client {

token_bucket::token_bucket(double qps, int burst, clock::time_point now)
    : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_), last_(now) {}

void token_bucket::refill(clock::time_point now) {
    if (now > last_) {
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
        last_ = now;
    }
}

bool token_bucket::try_take(clock::time_point now) {
    if (qps_ <= 0) {
        return true;
    }
    refill(now);
    if (tokens_ < 1) {
        return false;
    }
    tokens_ -= 1;
    return true;
}

std::chrono::nanoseconds token_bucket::reserve(clock::time_point now) {
    if (qps_ <= 0) {
        return std::chrono::nanoseconds(0);
    }
    refill(now);
    tokens_ -= 1;
    if (tokens_ >= 0) {
        return std::chrono::nanoseconds(0);
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(-tokens_ / qps_ * 1e9));
}

namespace {

class rate_limited_client final : public api_client {
  public:
    rate_limited_client(std::unique_ptr<api_client> inner, double qps, int burst)
        : inner_(std::move(inner)), bucket_(qps, burst) {}

    task<result<http_response>> send(http_request req) override {
        if (auto ok = co_await wait_for_token(); !ok) {
            co_return ok.error();
        }
        co_return co_await inner_->send(std::move(req));
    }

    task<result<std::unique_ptr<watch_stream>>> watch(
        std::string target, std::chrono::milliseconds idle_timeout) override {
        if (auto ok = co_await wait_for_token(); !ok) {
            co_return ok.error();
        }
        co_return co_await inner_->watch(std::move(target), idle_timeout);
    }

  private:
    task<result<void>> wait_for_token() {
        const auto wait = bucket_.reserve();
        if (wait.count() == 0) {
            co_return result<void>{};
        }
        asio::steady_timer t(co_await asio::this_coro::executor, wait);
        if (auto [ec] = co_await t.async_wait(use_task); ec) {
            co_return error{ec, "cancelled while waiting for the client rate limiter"};
        }
        co_return result<void>{};
    }

    std::unique_ptr<api_client> inner_;
    token_bucket bucket_;
};

}  // namespace

std::unique_ptr<api_client> rate_limited(std::unique_ptr<api_client> inner, double qps, int burst) {
    return std::make_unique<rate_limited_client>(std::move(inner), qps, burst);
}

}  // namespace multisched::client
