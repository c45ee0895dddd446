// SPDX-License-Identifier: Apache-2.0
#include "core/extender/http_extender.hpp"

#include <string_view>
#include <utility>

#include <boost/beast/http/verb.hpp>
#include <fmt/format.h>

#include "core/client/file_util.hpp"

namespace multisched::extender {
namespace {

// `data` when set, else the contents of `file` (client-go's dataFromSliceOrFile).
result<std::string> data_or_file(const std::string& data, const std::string& file,
                                 std::string_view field) {
    if (!data.empty() || file.empty()) {
        return data;
    }
    auto contents = client::read_whole_file(file);
    if (!contents) {
        return error{contents.error().code,
                     fmt::format("tlsConfig.{}: {}", field, contents.error().message)};
    }
    return contents;
}

error named(std::string_view extender, const error& e) {
    return error{e.code, fmt::format("extender {}: {}", extender, e.message), e.http_status};
}

// Whether any entry of `requests` is named in `managed`.
bool requests_any(const api::container& c, const std::set<std::string, std::less<>>& managed) {
    for (const auto& [name, value] : c.requests.scalar) {
        if (managed.contains(name)) {
            return true;
        }
    }
    return (c.has_cpu_request && managed.contains(api::kResourceCPU)) ||
           (c.has_memory_request && managed.contains(api::kResourceMemory)) ||
           (c.requests.ephemeral_storage != 0 &&
            managed.contains(api::kResourceEphemeralStorage)) ||
           (c.requests.pods != 0 && managed.contains(api::kResourcePods));
}

}  // namespace

result<client::rest_config> extender_rest_config(const config::extender_config& config) {
    auto url = client::parse_server_url(config.url_prefix);
    if (!url) {
        return error{
            {}, fmt::format("extender {}: urlPrefix: {}", config.url_prefix, url.error().message)};
    }
    client::rest_config rc;
    rc.scheme = url->scheme;
    rc.host = url->host;
    rc.port = url->port;
    rc.base_path = url->base_path;
    bool has_ca = false;
    if (config.tls_config) {
        const config::extender_tls_config& tls = *config.tls_config;
        rc.insecure_skip_tls_verify = tls.insecure;
        rc.tls_server_name = tls.server_name;
        has_ca = !tls.ca_data.empty() || !tls.ca_file.empty();
        auto ca = data_or_file(tls.ca_data, tls.ca_file, "caFile");
        auto cert = data_or_file(tls.cert_data, tls.cert_file, "certFile");
        auto key = data_or_file(tls.key_data, tls.key_file, "keyFile");
        for (const auto* part : {&ca, &cert, &key}) {
            if (!*part) {
                return named(config.url_prefix, part->error());
            }
        }
        rc.ca_pem = std::move(*ca);
        rc.client_cert_pem = std::move(*cert);
        rc.client_key_pem = std::move(*key);
    }
    if (config.enable_https && !has_ca) {
        rc.insecure_skip_tls_verify = true;
    }
    if (rc.insecure_skip_tls_verify && has_ca) {
        return error{{},
                     fmt::format("extender {}: specifying a root certificates file with the "
                                 "insecure flag is not allowed",
                                 config.url_prefix)};
    }
    return rc;
}

result<std::unique_ptr<http_extender>> http_extender::create(
    asio::any_io_executor ex, const config::extender_config& config) {
    auto rc = extender_rest_config(config);
    if (!rc) {
        return rc.error();
    }
    auto client = client::create_api_client(std::move(ex), std::move(*rc));
    if (!client) {
        return named(config.url_prefix, client.error());
    }
    return std::make_unique<http_extender>(config, std::move(*client));
}

http_extender::http_extender(const config::extender_config& config,
                             std::unique_ptr<client::api_client> client)
    : config_(config),
      timeout_(std::chrono::ceil<std::chrono::milliseconds>(
          config.http_timeout == config::duration::zero() ? config::kDefaultExtenderHttpTimeout
                                                          : config.http_timeout)),
      client_(std::move(client)) {
    for (const auto& r : config_.managed_resources) {
        managed_.insert(r.name);
    }
}

bool http_extender::is_interested(const api::pod& pod) const {
    if (managed_.empty()) {
        return true;
    }
    for (const auto* list : {&pod.containers, &pod.init_containers}) {
        for (const auto& c : *list) {
            if (requests_any(c, managed_)) {
                return true;
            }
        }
    }
    return false;
}

std::vector<std::string> http_extender::node_names(const std::vector<node_ptr>& nodes) const {
    std::vector<std::string> names;
    names.reserve(nodes.size());
    for (const auto& n : nodes) {
        if (n) {
            names.push_back(n->meta.name);
        }
    }
    return names;
}

task<result<std::string>> http_extender::send(std::string verb, std::string body) {
    client::http_request req;
    req.method = boost::beast::http::verb::post;
    req.target = "/" + verb;
    req.body = std::move(body);
    req.content_type = "application/json";
    req.timeout = timeout_;
    auto res = co_await client_->send(std::move(req));
    if (!res) {
        co_return error{res.error().code,
                        fmt::format("extender {}: {}: {}", name(), verb, res.error().message)};
    }
    if (res->status != 200) {
        std::string_view prefix = config_.url_prefix;
        while (!prefix.empty() && prefix.back() == '/') {
            prefix.remove_suffix(1);
        }
        co_return error{{},
                        fmt::format("failed {} with extender at URL {}/{}, code {}", verb, prefix,
                                    verb, res->status),
                        res->status};
    }
    co_return std::move(res->body);
}

task<result<filter_outcome>> http_extender::filter(pod_ptr pod, std::vector<node_ptr> nodes) {
    std::vector<std::string> names = node_names(nodes);
    if (!is_filter()) {
        filter_outcome all;
        all.feasible = std::move(names);
        co_return all;
    }
    std::string body = encode_extender_args(*pod, nodes, node_cache_capable());
    auto answer = co_await send(config_.filter_verb, std::move(body));
    if (!answer) {
        co_return answer.error();
    }
    auto decoded = decode_filter_result(name(), *answer);
    if (!decoded) {
        co_return decoded.error();
    }
    co_return resolve_filter_result(name(), std::move(*decoded), names, node_cache_capable());
}

task<result<prioritize_outcome>> http_extender::prioritize(pod_ptr pod,
                                                           std::vector<node_ptr> nodes) {
    prioritize_outcome out;
    if (!is_prioritizer()) {
        for (auto& n : node_names(nodes)) {
            host_priority zero;
            zero.host = std::move(n);
            out.scores.push_back(std::move(zero));
        }
        co_return out;
    }
    std::string body = encode_extender_args(*pod, nodes, node_cache_capable());
    auto answer = co_await send(config_.prioritize_verb, std::move(body));
    if (!answer) {
        co_return answer.error();
    }
    auto decoded = decode_host_priority_list(name(), *answer);
    if (!decoded) {
        co_return decoded.error();
    }
    out.scores = std::move(*decoded);
    out.weight = weight();
    co_return out;
}

task<result<void>> http_extender::bind(pod_ptr pod, std::string node) {
    if (!is_binder()) {
        co_return error{{}, "unexpected empty bindVerb in extender"};
    }
    std::string body = encode_binding_args(*pod, node);
    auto answer = co_await send(config_.bind_verb, std::move(body));
    if (!answer) {
        co_return answer.error();
    }
    auto message = decode_binding_result(name(), *answer);
    if (!message) {
        co_return message.error();
    }
    if (!message->empty()) {
        co_return error{{}, std::move(*message)};
    }
    co_return result<void>();
}

task<result<victims_map>> http_extender::process_preemption(pod_ptr pod, victims_map candidates,
                                                            node_lookup lookup) {
    if (!supports_preemption()) {
        co_return error{{},
                        fmt::format("preempt verb is not defined for extender {} but run into "
                                    "ProcessPreemption",
                                    name())};
    }
    std::string body = encode_preemption_args(*pod, candidates, node_cache_capable());
    auto answer = co_await send(config_.preempt_verb, std::move(body));
    if (!answer) {
        co_return answer.error();
    }
    auto decoded = decode_preemption_result(name(), *answer);
    if (!decoded) {
        co_return decoded.error();
    }
    co_return resolve_victims(name(), *decoded, lookup);
}

}  // namespace multisched::extender
