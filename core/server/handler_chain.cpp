// SPDX-License-Identifier: Apache-2.0
#include "core/server/handler_chain.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <optional>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include "core/server/status.hpp"
#include "core/util/go_quote.hpp"
#include "core/util/log.hpp"

namespace multisched::server {
namespace {

std::string lowercase_method(const request& req) {
    std::string verb(req.message.method_string());
    std::transform(verb.begin(), verb.end(), verb.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return verb;
}

// What the -v=3 request log line and the panic log need, kept before the request moves on.
struct request_summary {
    std::string method;
    std::string target;
    std::string user_agent;
    std::string remote;
};

request_summary summarize(const request& req) {
    return {std::string(req.message.method_string()), std::string(req.target()),
            std::string(req.header(http::field::user_agent)), req.remote_address};
}

}  // namespace

handler_chain::handler_chain(std::shared_ptr<const mux> routes,
                             std::shared_ptr<authenticator> authn,
                             std::shared_ptr<authorizer> authz)
    : routes_(std::move(routes)), authn_(std::move(authn)), authz_(std::move(authz)) {}

task<response> handler_chain::filter(request req) {
    if (authn_) {
        auto user = co_await authn_->authenticate(credentials_from(req));
        if (!user) {
            MS_LOG_V(4, "Unable to authenticate the request {}: {}", go_quote(req.target()),
                     user.error().message);
            co_return unauthorized_response(req);
        }
        req.user = std::move(*user);
    }
    if (authz_) {
        authz_attributes attrs;
        attrs.user = req.user;
        attrs.verb = lowercase_method(req);
        attrs.path = req.path;
        const auto verdict = co_await authz_->authorize(std::move(attrs));
        if (verdict.verdict != decision::allow) {
            if (verdict.error) {
                co_return internal_error_response(req, *verdict.error);
            }
            MS_LOG_V(4, "Forbidden URI={} reason={}", go_quote(req.target()),
                     go_quote(verdict.reason));
            co_return forbidden_response(req, req.user.name, lowercase_method(req), verdict.reason);
        }
    }
    co_return routes_->serve(req);
}

task<response> handler_chain::serve(request req) {
    const auto start = std::chrono::steady_clock::now();
    const auto summary = summarize(req);
    std::optional<response> res;
    try {
        res = co_await filter(std::move(req));
        if (res->find_header("Cache-Control").empty()) {
            res->headers.emplace_back("Cache-Control", "no-cache, private");
        }
    } catch (const boost::system::system_error& e) {
        // Cancellation (server stop) unwinds through here; the answer will not be sent.
        if (e.code() != asio::error::operation_aborted) {
            MS_LOG_ERROR("apiserver panic'd method={} URI={}: {}", summary.method,
                         go_quote(summary.target), e.what());
        }
        res = panic_response();
    } catch (const std::exception& e) {
        MS_LOG_ERROR("apiserver panic'd method={} URI={}: {}", summary.method,
                     go_quote(summary.target), e.what());
        res = panic_response();
    } catch (...) {
        MS_LOG_ERROR("apiserver panic'd method={} URI={}", summary.method,
                     go_quote(summary.target));
        res = panic_response();
    }
    const auto latency = std::chrono::steady_clock::now() - start;
    MS_LOG_V(3, "\"HTTP\" verb=\"{}\" URI={} latency=\"{}us\" userAgent={} srcIP=\"{}\" resp={}",
             summary.method, go_quote(summary.target),
             std::chrono::duration_cast<std::chrono::microseconds>(latency).count(),
             go_quote(summary.user_agent), summary.remote, res->status);
    co_return std::move(*res);
}

}  // namespace multisched::server
