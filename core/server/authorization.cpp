// SPDX-License-Identifier: Apache-2.0
#include "core/server/authorization.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "core/json/json.hpp"
#include "core/util/go_quote.hpp"
#include "core/util/log.hpp"

namespace multisched::server {
namespace {

constexpr std::string_view kSubjectAccessReviewPath =
    "/apis/authorization.k8s.io/v1/subjectaccessreviews";

std::string_view trim_slash(std::string_view p) {
    return p.starts_with('/') ? p.substr(1) : p;
}

// A short cache key for a request body: its SHA-256.
std::string digest(std::string_view text) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace

result<path_matcher> path_matcher::create(const std::vector<std::string>& paths) {
    path_matcher m;
    for (const auto& raw : paths) {
        const auto p = trim_slash(raw);
        if (p.empty()) {
            m.exact_.emplace_back();  // matches "/"
            continue;
        }
        if (p.substr(0, p.size() - 1).find('*') != std::string_view::npos) {
            return error{{}, fmt::format("only trailing * allowed in {}", go_quote(p))};
        }
        if (p.ends_with('*')) {
            m.prefixes_.emplace_back(p.substr(0, p.size() - 1));
        } else {
            m.exact_.emplace_back(p);
        }
    }
    return m;
}

bool path_matcher::matches(std::string_view path) const {
    const auto p = trim_slash(path);
    return std::find(exact_.begin(), exact_.end(), p) != exact_.end() ||
           std::any_of(prefixes_.begin(), prefixes_.end(),
                       [&](const std::string& prefix) { return p.starts_with(prefix); });
}

std::string subject_access_review_body(const authz_attributes& attrs) {
    json::writer w;
    w.begin_object()
        .field("apiVersion", "authorization.k8s.io/v1")
        .field("kind", "SubjectAccessReview")
        .key("spec")
        .begin_object();
    w.key("nonResourceAttributes")
        .begin_object()
        .field("path", attrs.path)
        .field("verb", attrs.verb)
        .end_object();
    w.field("user", attrs.user.name);
    if (!attrs.user.groups.empty()) {
        w.key("groups").begin_array();
        for (const auto& g : attrs.user.groups) {
            w.string(g);
        }
        w.end_array();
    }
    if (!attrs.user.extra.empty()) {
        w.key("extra").begin_object();
        for (const auto& [k, values] : attrs.user.extra) {
            w.key(k).begin_array();
            for (const auto& v : values) {
                w.string(v);
            }
            w.end_array();
        }
        w.end_object();
    }
    if (!attrs.user.uid.empty()) {
        w.field("uid", attrs.user.uid);
    }
    w.end_object().end_object();
    return w.str();
}

delegating_authorizer::delegating_authorizer(authorization_options opts, path_matcher paths)
    : opts_(std::move(opts)), paths_(std::move(paths)), cache_(opts_.cache_capacity) {}

result<std::shared_ptr<delegating_authorizer>> delegating_authorizer::create(
    authorization_options opts) {
    auto paths = path_matcher::create(opts.always_allow_paths);
    if (!paths) {
        return paths.error();
    }
    if (opts.sar_client == nullptr) {
        MS_LOG_WARN(
            "No authorization-kubeconfig provided, so SubjectAccessReview of authorization tokens "
            "won't work.");
    }
    return std::shared_ptr<delegating_authorizer>(
        new delegating_authorizer(std::move(opts), std::move(*paths)));
}

std::chrono::steady_clock::time_point delegating_authorizer::now() const {
    return opts_.clock ? opts_.clock() : std::chrono::steady_clock::now();
}

task<authz_result> delegating_authorizer::authorize(authz_attributes attrs) {
    for (const auto& group : opts_.always_allow_groups) {
        if (attrs.user.in_group(group)) {
            co_return authz_result{decision::allow, {}, std::nullopt};
        }
    }
    if (paths_.matches(attrs.path)) {
        co_return authz_result{decision::allow, {}, std::nullopt};
    }
    if (opts_.sar_client == nullptr) {
        co_return authz_result{};
    }
    co_return co_await subject_access_review(std::move(attrs));
}

task<authz_result> delegating_authorizer::subject_access_review(authz_attributes attrs) {
    auto body = subject_access_review_body(attrs);
    const auto key = digest(body);
    review answer;
    if (const auto* hit = cache_.get(key, now())) {
        answer = *hit;
    } else {
        auto reply = co_await post_review(opts_.sar_client, std::string(kSubjectAccessReviewPath),
                                          std::move(body), opts_.timeout, opts_.retry,
                                          "SubjectAccessReview");
        if (!reply) {
            MS_LOG_ERROR("Failed to make webhook authorizer request: {}", reply.error().message);
            co_return authz_result{decision::no_opinion, {}, reply.error().message};
        }
        auto doc = json::document::parse(*reply);
        if (!doc) {
            co_return authz_result{
                decision::no_opinion, {}, "SubjectAccessReview: " + doc.error().message};
        }
        const auto status = doc->root()["status"];
        answer.allowed = status["allowed"].as_bool();
        answer.denied = status["denied"].as_bool();
        answer.reason = std::string(status["reason"].as_string());
        cache_.put(key, answer, answer.allowed ? opts_.allow_cache_ttl : opts_.deny_cache_ttl,
                   now());
    }
    if (answer.allowed && answer.denied) {
        co_return authz_result{
            decision::deny, answer.reason,
            "webhook subject access review returned both allow and deny response"};
    }
    if (answer.denied) {
        co_return authz_result{decision::deny, answer.reason, std::nullopt};
    }
    if (answer.allowed) {
        co_return authz_result{decision::allow, answer.reason, std::nullopt};
    }
    co_return authz_result{decision::no_opinion, answer.reason, std::nullopt};
}

}  // namespace multisched::server
