// SPDX-License-Identifier: Apache-2.0
#include "plugins/default_binder/default_binder.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "core/api/encode.hpp"
#include "core/client/write_fence.hpp"
#include "core/json/json.hpp"
#include "core/util/log.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::default_binder {

std::string_view default_binder::name() const {
    return names::kDefaultBinder;
}

std::string binding_target(const api::pod& pod) {
    return fmt::format("/api/v1/namespaces/{}/pods/{}/binding", pod.meta.ns, pod.meta.name);
}

namespace {

// An answer after which the Binding may or may not have been applied. A request the write
// fence refused was not sent: it was not applied.
bool ambiguous(const result<client::http_response>& res) {
    if (!res) {
        return res.error().code != client::kNotSent;
    }
    return res->status == 409 || res->status >= 500;
}

}  // namespace

task<bool> default_binder::bound_to(const api::pod& pod, const std::string& node) {
    auto backoff = confirm_backoff_;
    for (int attempt = 0; attempt < kConfirmAttempts; ++attempt) {
        if (attempt > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor, backoff);
            co_await timer.async_wait(use_task);
            backoff *= 2;
        }
        client::http_request req;
        req.target = fmt::format("/api/v1/namespaces/{}/pods/{}", pod.meta.ns, pod.meta.name);
        req.timeout = kConfirmTimeout;
        auto res = co_await client_.send(std::move(req));
        if (!res || res->status == 429 || res->status >= 500) {
            MS_LOG_V(2, "reading pod {} back after its binding: {}", pod.key(),
                     res ? fmt::format("HTTP {}", res->status) : res.error().message);
            continue;
        }
        if (res->status != 200) {
            co_return false;  // gone (404), or not ours to read
        }
        auto doc = json::document::parse(res->body);
        if (!doc) {
            continue;
        }
        const auto root = doc->root();
        const bool same_pod = root["metadata"]["uid"].as_string() == pod.meta.uid;
        const bool same_node = root["spec"]["nodeName"].as_string() == node;
        co_return (same_pod && same_node);
    }
    co_return false;
}

task<framework::status> default_binder::bind(std::shared_ptr<framework::cycle_state> /*state*/,
                                             std::shared_ptr<const framework::pod_info> pod,
                                             std::string node) {
    client::http_request req;
    req.method = boost::beast::http::verb::post;
    req.target = binding_target(*pod->pod);
    req.body = api::binding_body(*pod->pod, node);
    auto res = co_await client_.send(std::move(req));
    if (ambiguous(res) && co_await bound_to(*pod->pod, node)) {
        MS_LOG_V(2, "pod {} is bound to node {}, read back after its Binding's answer: {}",
                 pod->pod->key(), node,
                 res ? fmt::format("HTTP {}", res->status) : res.error().message);
        co_return framework::status{};
    }
    if (!res) {
        co_return framework::status::error(fmt::format("binding pod {} to node {}: {}",
                                                       pod->pod->key(), node, res.error().message));
    }
    if (res->status == 200 || res->status == 201) {
        co_return framework::status{};
    }
    std::string_view body = res->body;
    co_return framework::status::error(
        fmt::format("binding rejected: {} {}", res->status, body.substr(0, kBodyExcerpt)));
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& /*args*/, framework::handle& h) {
    return std::unique_ptr<framework::plugin>(std::make_unique<default_binder>(h.client()));
}

}  // namespace multisched::plugins::default_binder
