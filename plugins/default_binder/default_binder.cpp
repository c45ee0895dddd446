// SPDX-License-Identifier: Apache-2.0
#include "plugins/default_binder/default_binder.hpp"

#include <fmt/format.h>

#include "core/api/encode.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::default_binder {

std::string_view default_binder::name() const {
    return names::kDefaultBinder;
}

std::string binding_target(const api::pod& pod) {
    return fmt::format("/api/v1/namespaces/{}/pods/{}/binding", pod.meta.ns, pod.meta.name);
}

task<framework::status> default_binder::bind(std::shared_ptr<framework::cycle_state> /*state*/,
                                             std::shared_ptr<const framework::pod_info> pod,
                                             std::string node) {
    client::http_request req;
    req.method = boost::beast::http::verb::post;
    req.target = binding_target(*pod->pod);
    req.body = api::binding_body(*pod->pod, node);
    auto res = co_await client_.send(std::move(req));
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
