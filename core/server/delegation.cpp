// SPDX-License-Identifier: Apache-2.0
#include "core/server/delegation.hpp"

#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/client/file_util.hpp"
#include "core/server/client_cert.hpp"
#include "core/util/log.hpp"

namespace multisched::server {
namespace {

// The front-proxy settings from the flags.
request_header_options request_header_from_flags(const delegated_authentication_config& cfg,
                                                 std::string ca_pem) {
    request_header_options rh;
    rh.client_ca_pem = std::move(ca_pem);
    rh.allowed_names = cfg.requestheader_allowed_names;
    rh.username_headers = cfg.requestheader_username_headers;
    rh.uid_headers = cfg.requestheader_uid_headers;
    rh.group_headers = cfg.requestheader_group_headers;
    rh.extra_headers_prefix = cfg.requestheader_extra_headers_prefix;
    return rh;
}

// The front-proxy settings from the ConfigMap (empty CA: front-proxy authentication stays off).
request_header_options request_header_from_config_map(const authentication_config_map& cm) {
    request_header_options rh;
    rh.client_ca_pem = cm.requestheader_client_ca.value_or("");
    rh.allowed_names = cm.requestheader_allowed_names;
    rh.username_headers = cm.requestheader_username_headers;
    rh.uid_headers = cm.requestheader_uid_headers;
    rh.group_headers = cm.requestheader_group_headers;
    rh.extra_headers_prefix = cm.requestheader_extra_headers_prefix;
    return rh;
}

}  // namespace

task<result<delegated_authentication>> configure_delegated_authentication(
    delegated_authentication_config cfg, client::api_client* client) {
    authentication_options opts;
    opts.token_review_client = client;
    opts.cache_ttl = cfg.cache_ttl;
    opts.token_review_timeout = cfg.timeout;
    delegated_authentication out;
    const bool lookup = !cfg.skip_lookup && client != nullptr;
    if (!cfg.client_ca_file.empty()) {
        auto pem = client::read_whole_file(cfg.client_ca_file);
        if (!pem) {
            co_return error{{}, "unable to load client CA provider: " + pem.error().message};
        }
        opts.client_ca_pem = std::move(*pem);
        out.request_client_certificate = true;
    } else if (!cfg.skip_lookup && client == nullptr) {
        MS_LOG_WARN(
            "No authentication-kubeconfig provided in order to lookup client-ca-file in "
            "configmap/extension-apiserver-authentication in kube-system, so client certificate "
            "authentication won't work.");
    }
    std::optional<authentication_config_map> cm;
    if (lookup && (cfg.client_ca_file.empty() || cfg.requestheader_client_ca_file.empty())) {
        auto fetched = co_await fetch_authentication_config_map(client, cfg.timeout);
        if (fetched) {
            cm = std::move(*fetched);
        } else if (cfg.tolerate_lookup_failure || !cfg.requestheader_client_ca_file.empty()) {
            // (Only the front-proxy lookup is subject to the flag; the client CA is retried.)
            MS_LOG_ERROR("Error looking up in-cluster authentication configuration: {}",
                         fetched.error().message);
            MS_LOG_ERROR(
                "Continuing without authentication configuration. This may treat all requests "
                "as anonymous.");
            MS_LOG_ERROR(
                "To require authentication configuration lookup to succeed, set "
                "--authentication-tolerate-lookup-failure=false");
        } else {
            co_return error{{},
                            "unable to load configmap based request-header-client-ca-file: " +
                                fetched.error().message};
        }
    }
    if (cfg.client_ca_file.empty() && lookup) {
        // Upstream's ConfigMap CA controller: the CA may appear later; keep_client_ca_fresh.
        out.client_ca_from_config_map = true;
        out.request_client_certificate = true;
        opts.client_ca_pem = cm ? cm->client_ca.value_or("") : "";
    }
    if (!cfg.requestheader_client_ca_file.empty()) {
        auto pem = client::read_whole_file(cfg.requestheader_client_ca_file);
        if (!pem) {
            co_return error{
                {},
                "unable to create request header authentication config: " + pem.error().message};
        }
        opts.request_header = request_header_from_flags(cfg, std::move(*pem));
    } else if (cm) {
        opts.request_header = request_header_from_config_map(*cm);
    } else {
        opts.request_header.client_ca_pem.clear();
    }
    out.request_client_certificate |= !opts.request_header.client_ca_pem.empty();
    auto authn = delegating_authenticator::create(std::move(opts));
    if (!authn) {
        co_return authn.error();
    }
    out.authenticator = std::move(*authn);
    co_return out;
}

task<void> keep_client_ca_fresh(std::shared_ptr<delegating_authenticator> authn,
                                client::api_client* client, std::chrono::milliseconds period) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(period);
        auto [ec] = co_await timer.async_wait(use_task);
        if (ec) {
            co_return;  // cancelled
        }
        auto cm = co_await fetch_authentication_config_map(client, std::chrono::seconds(10));
        if (!cm) {
            MS_LOG_WARN("client CA from the ConfigMap: {}", cm.error().message);
            continue;
        }
        const auto pem = cm->client_ca.value_or("");
        if (pem == authn->client_ca_pem()) {
            continue;
        }
        if (auto set = authn->set_client_ca(pem); !set) {
            MS_LOG_WARN("client CA from the ConfigMap: {}", set.error().message);
            continue;
        }
        MS_LOG_INFO(
            "Loaded a new client CA bundle from configmap/extension-apiserver-authentication");
    }
}

}  // namespace multisched::server
