// SPDX-License-Identifier: Apache-2.0
#include "core/client/observed.hpp"

#include <chrono>

namespace multisched::client {
namespace {

using clock = std::chrono::steady_clock;

class observed_client final : public api_client {
  public:
    observed_client(std::unique_ptr<api_client> inner,
                    std::shared_ptr<const request_observer> observer)
        : inner_(std::move(inner)), observer_(std::move(observer)) {}

    task<result<http_response>> send(http_request req) override {
        const auto method = req.method;
        const auto start = clock::now();
        auto res = co_await inner_->send(std::move(req));
        report(method, res ? res->status : res.error().http_status, start);
        co_return res;
    }

    task<result<std::unique_ptr<watch_stream>>> watch(
        std::string target, std::chrono::milliseconds idle_timeout) override {
        const auto start = clock::now();
        auto res = co_await inner_->watch(std::move(target), idle_timeout);
        report(boost::beast::http::verb::get, res ? 200U : res.error().http_status, start);
        co_return res;
    }

  private:
    void report(boost::beast::http::verb method, unsigned status, clock::time_point start) const {
        if (observer_ && *observer_) {
            (*observer_)(
                {method, status, std::chrono::duration<double>(clock::now() - start).count()});
        }
    }

    std::unique_ptr<api_client> inner_;
    std::shared_ptr<const request_observer> observer_;
};

}  // namespace

std::unique_ptr<api_client> observed(std::unique_ptr<api_client> inner,
                                     std::shared_ptr<const request_observer> observer) {
    return std::make_unique<observed_client>(std::move(inner), std::move(observer));
}

}  // namespace multisched::client
