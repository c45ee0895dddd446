// SPDX-License-Identifier: Apache-2.0
#include "core/server/authentication.hpp"

#include <algorithm>
#include <cctype>

#include <boost/beast/core/string.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/json/json.hpp"
#include "core/util/check.hpp"
#include "core/util/log.hpp"

namespace multisched::server {
namespace {

constexpr std::string_view kTokenReviewPath = "/apis/authentication.k8s.io/v1/tokenreviews";

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The token of an "Authorization: Bearer <token>" header, as apiserver's bearertoken
// authenticator splits it; empty when there is none.
std::string bearer_token(std::string_view header) {
    const auto first = header.find_first_not_of(" \t");
    const auto last = header.find_last_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    header = header.substr(first, last - first + 1);
    const auto space = header.find(' ');
    if (space == std::string_view::npos || lower(header.substr(0, space)) != "bearer") {
        return {};
    }
    const auto rest = header.substr(space + 1);
    return std::string(rest.substr(0, rest.find(' ')));
}

// First non-empty value among `names` (http.Header.Get of each in turn).
std::string first_value(const credentials& creds, const std::vector<std::string>& names) {
    for (const auto& name : names) {
        for (const auto& [k, v] : creds.headers) {
            if (boost::beast::iequals(k, name)) {
                if (!v.empty()) {
                    return v;
                }
                break;  // Get looks at the first value only
            }
        }
    }
    return {};
}

void add_authenticated_group(user_info& user) {
    if (!user.in_group(kAuthenticatedGroup) && !user.in_group(kUnauthenticatedGroup)) {
        user.groups.emplace_back(kAuthenticatedGroup);
    }
}

user_info parse_review_user(json::value u) {
    user_info user;
    user.name = std::string(u["username"].as_string());
    user.uid = std::string(u["uid"].as_string());
    u["groups"].for_each_item([&](json::value g) { user.groups.emplace_back(g.as_string()); });
    u["extra"].for_each_member([&](std::string_view key, json::value values) {
        auto& out = user.extra[std::string(key)];
        values.for_each_item([&](json::value v) { out.emplace_back(v.as_string()); });
    });
    return user;
}

}  // namespace

credentials credentials_from(const request& req) {
    credentials creds;
    creds.authorization = std::string(req.header(http::field::authorization));
    creds.peer_certs = req.peer_certs;
    for (const auto& field : req.message) {
        creds.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    return creds;
}

task<result<std::optional<user_info>>> review_token(client::api_client* client, std::string token,
                                                    std::chrono::milliseconds timeout,
                                                    webhook_retry retry) {
    json::writer w;
    w.begin_object()
        .field("apiVersion", "authentication.k8s.io/v1")
        .field("kind", "TokenReview")
        .key("spec")
        .begin_object()
        .field("token", token)
        .end_object()
        .end_object();
    auto body = co_await post_review(client, std::string(kTokenReviewPath), w.str(), timeout, retry,
                                     "TokenReview");
    if (!body) {
        co_return body.error();
    }
    auto doc = json::document::parse(*body);
    if (!doc) {
        co_return error{{}, "TokenReview: " + doc.error().message};
    }
    const auto status = doc->root()["status"];
    if (!status["authenticated"].as_bool()) {
        if (const auto why = status["error"].as_string(); !why.empty()) {
            co_return error{{}, "TokenReview: " + std::string(why)};
        }
        co_return std::optional<user_info>();
    }
    co_return std::optional<user_info>(parse_review_user(status["user"]));
}

delegating_authenticator::delegating_authenticator(authentication_options opts)
    : opts_(std::move(opts)), token_cache_(opts_.cache_capacity) {
    // A per-process key: cache keys reveal nothing about tokens, even in a core dump.
    hmac_key_.resize(32);
    MS_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(hmac_key_.data()), 32) == 1,
             "no randomness for the token cache key");
}

result<std::shared_ptr<delegating_authenticator>> delegating_authenticator::create(
    authentication_options opts) {
    auto client_ca = opts.client_ca_pem;
    auto request_header = opts.request_header;
    std::shared_ptr<delegating_authenticator> self(new delegating_authenticator(std::move(opts)));
    if (auto r = self->set_client_ca(client_ca); !r) {
        return r.error();
    }
    if (auto r = self->set_request_header(std::move(request_header)); !r) {
        return r.error();
    }
    return self;
}

result<void> delegating_authenticator::set_client_ca(const std::string& pem) {
    if (pem.empty()) {
        client_ca_.reset();
        client_ca_pem_.clear();
        return {};
    }
    auto bundle = ca_bundle::from_pem(pem);
    if (!bundle) {
        return bundle.error();
    }
    client_ca_ = std::move(*bundle);
    client_ca_pem_ = pem;
    return {};
}

result<void> delegating_authenticator::set_request_header(request_header_options opts) {
    if (opts.client_ca_pem.empty()) {
        request_header_ca_.reset();
    } else {
        auto bundle = ca_bundle::from_pem(opts.client_ca_pem);
        if (!bundle) {
            return error{{}, "requestheader " + bundle.error().message};
        }
        request_header_ca_ = std::move(*bundle);
    }
    opts_.request_header = std::move(opts);
    return {};
}

std::chrono::steady_clock::time_point delegating_authenticator::now() const {
    return opts_.clock ? opts_.clock() : std::chrono::steady_clock::now();
}

delegating_authenticator::outcome delegating_authenticator::check_request_header(
    const credentials& creds) const {
    const auto& rh = opts_.request_header;
    if (!request_header_ca_ || !creds.peer_certs) {
        return {};
    }
    if (auto verified = request_header_ca_->verify_client(*creds.peer_certs); !verified) {
        return {outcome::failed, {}, verified.error().message};
    }
    const auto cn = common_name(creds.peer_certs->leaf.get());
    if (!rh.allowed_names.empty() &&
        std::find(rh.allowed_names.begin(), rh.allowed_names.end(), cn) == rh.allowed_names.end()) {
        return {outcome::failed,
                {},
                fmt::format("x509: subject with cn={} is not in the allowed list", cn)};
    }
    outcome out;
    out.user.name = first_value(creds, rh.username_headers);
    if (out.user.name.empty()) {
        return {};
    }
    out.kind = outcome::ok;
    out.user.uid = first_value(creds, rh.uid_headers);
    for (const auto& name : rh.group_headers) {
        for (const auto& [k, v] : creds.headers) {
            if (boost::beast::iequals(k, name) && !v.empty()) {
                out.user.groups.push_back(v);
            }
        }
    }
    for (const auto& [k, v] : creds.headers) {
        const auto key = lower(k);
        for (const auto& prefix : rh.extra_headers_prefix) {
            if (key.size() > prefix.size() && key.starts_with(lower(prefix))) {
                const auto tail = key.substr(prefix.size());
                out.user.extra[percent_decode(tail).value_or(tail)].push_back(v);
            }
        }
    }
    return out;
}

delegating_authenticator::outcome delegating_authenticator::check_client_cert(
    const credentials& creds) const {
    if (!client_ca_ || !creds.peer_certs) {
        return {};
    }
    if (auto verified = client_ca_->verify_client(*creds.peer_certs); !verified) {
        return {outcome::failed, {}, verified.error().message};
    }
    auto user = user_from_certificate(creds.peer_certs->leaf.get());
    if (!user) {
        return {};
    }
    return {outcome::ok, std::move(*user), {}};
}

std::string delegating_authenticator::token_key(std::string_view token) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), hmac_key_.data(), static_cast<int>(hmac_key_.size()),
         reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &len);
    return std::string(reinterpret_cast<const char*>(mac), len);
}

task<delegating_authenticator::outcome> delegating_authenticator::check_token(std::string token) {
    const auto key = token_key(token);
    if (const auto* hit = token_cache_.get(key, now())) {
        if (hit->ok) {
            co_return outcome{outcome::ok, hit->user, {}};
        }
        co_return outcome{outcome::failed, {}, "invalid bearer token"};
    }
    auto reviewed = co_await review_token(opts_.token_review_client, std::move(token),
                                          opts_.token_review_timeout, opts_.retry);
    if (!reviewed) {
        co_return outcome{outcome::failed, {}, reviewed.error().message};  // not cached
    }
    token_record record;
    record.ok = reviewed->has_value();
    if (record.ok) {
        record.user = **reviewed;
    }
    token_cache_.put(key, record, opts_.cache_ttl, now());
    if (!record.ok) {
        co_return outcome{outcome::failed, {}, "invalid bearer token"};
    }
    co_return outcome{outcome::ok, std::move(record.user), {}};
}

task<result<user_info>> delegating_authenticator::authenticate(credentials creds) {
    std::vector<std::string> errors;
    for (auto check : {&delegating_authenticator::check_request_header,
                       &delegating_authenticator::check_client_cert}) {
        auto out = (this->*check)(creds);
        if (out.kind == outcome::ok) {
            add_authenticated_group(out.user);
            co_return std::move(out.user);
        }
        if (out.kind == outcome::failed) {
            errors.push_back(std::move(out.error));
        }
    }
    if (opts_.token_review_client != nullptr) {
        if (auto token = bearer_token(creds.authorization); !token.empty()) {
            auto out = co_await check_token(std::move(token));
            if (out.kind == outcome::ok) {
                add_authenticated_group(out.user);
                co_return std::move(out.user);
            }
            errors.push_back(std::move(out.error));
        }
    }
    if (!errors.empty()) {
        co_return error{{}, fmt::format("{}", fmt::join(errors, ", "))};
    }
    if (!opts_.anonymous) {
        co_return error{{}, "no credentials and anonymous access is disabled"};
    }
    user_info anonymous;
    anonymous.name = std::string(kAnonymousUser);
    anonymous.groups.emplace_back(kUnauthenticatedGroup);
    co_return anonymous;
}

}  // namespace multisched::server
