// SPDX-License-Identifier: Apache-2.0
// An in-memory api_client for unit tests: records every request and answers from a rule list
// (first rule whose method and target prefix match), else 200 "{}". Watches are not supported.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/verb.hpp>

#include "core/client/api_client.hpp"

namespace multisched::testing {

class fake_api_client final : public client::api_client {
  public:
    struct rule {
        boost::beast::http::verb method;
        std::string target_prefix;
        unsigned status;
        std::string body;
    };

    std::vector<client::http_request> requests;
    std::vector<rule> rules;

    task<result<client::http_response>> send(client::http_request req) override {
        // Complete asynchronously, like the real client.
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        requests.push_back(req);
        for (const auto& r : rules) {
            if (r.method == req.method && req.target.rfind(r.target_prefix, 0) == 0) {
                co_return client::http_response{r.status, r.body, std::nullopt};
            }
        }
        co_return client::http_response{200, "{}", std::nullopt};
    }

    task<result<std::unique_ptr<client::watch_stream>>> watch(std::string,
                                                              std::chrono::milliseconds) override {
        co_return error{{}, "fake_api_client: watch is not supported"};
    }

    // Requests whose target contains `needle`.
    std::vector<client::http_request> matching(std::string_view needle) const {
        std::vector<client::http_request> out;
        for (const auto& r : requests) {
            if (r.target.find(needle) != std::string::npos) {
                out.push_back(r);
            }
        }
        return out;
    }
};

}  // namespace multisched::testing
