// SPDX-License-Identifier: Apache-2.0
#include "core/client/write_fence.hpp"

namespace multisched::client {
namespace {

class fenced_client final : public api_client {
  public:
    fenced_client(std::unique_ptr<api_client> inner,
                  std::function<std::optional<std::string>()> refusal)
        : inner_(std::move(inner)), refusal_(std::move(refusal)) {}

    task<result<http_response>> send(http_request req) override {
        if (writes(req.method)) {
            if (auto reason = refusal_()) {
                co_return error{kNotSent, "not sent: " + *reason};
            }
        }
        co_return co_await inner_->send(std::move(req));
    }

    task<result<std::unique_ptr<watch_stream>>> watch(
        std::string target, std::chrono::milliseconds idle_timeout) override {
        return inner_->watch(std::move(target), idle_timeout);
    }

  private:
    std::unique_ptr<api_client> inner_;
    std::function<std::optional<std::string>()> refusal_;
};

}  // namespace

bool writes(boost::beast::http::verb method) {
    using boost::beast::http::verb;
    return method != verb::get && method != verb::head && method != verb::options;
}

std::unique_ptr<api_client> write_fenced(std::unique_ptr<api_client> inner,
                                         std::function<std::optional<std::string>()> refusal) {
    return std::make_unique<fenced_client>(std::move(inner), std::move(refusal));
}

}  // namespace multisched::client
