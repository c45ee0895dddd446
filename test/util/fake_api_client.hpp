// SPDX-License-Identifier: Apache-2.0
// An in-memory api_client for unit tests: records every request and answers from a rule list
// (first rule whose method and target prefix match), else 200 "{}". Requests can be held back
// until the test releases them. Watches are not supported.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
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

    std::vector<client::http_request> requests;  // in the order they were answered
    std::vector<rule> rules;
    // When not empty: requests whose target contains it wait, in arrival order, until
    // release_held() lets them through (and only then are recorded and answered).
    std::string hold_matching;

    std::size_t held() const { return held_.size(); }
    // Lets the `n` oldest held requests through.
    void release_held(std::size_t n = SIZE_MAX) {
        for (; n > 0 && !held_.empty(); --n) {
            held_.front()->cancel();
            held_.pop_front();
        }
    }

    task<result<client::http_response>> send(client::http_request req) override {
        // Complete asynchronously, like the real client.
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        if (!hold_matching.empty() && req.target.find(hold_matching) != std::string::npos) {
            asio::steady_timer gate(co_await asio::this_coro::executor,
                                    asio::steady_timer::time_point::max());
            held_.push_back(&gate);
            struct unhold {  // a frame destroyed while held leaves the queue
                std::deque<asio::steady_timer*>& q;
                asio::steady_timer* t;
                ~unhold() { q.erase(std::remove(q.begin(), q.end(), t), q.end()); }
            } guard{held_, &gate};
            co_await gate.async_wait(use_task);
        }
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

  private:
    std::deque<asio::steady_timer*> held_;
};

}  // namespace multisched::testing
