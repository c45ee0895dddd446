// SPDX-License-Identifier: Apache-2.0
// Delegated authentication, as kube-scheduler configures apiserver's DelegatingAuthenticator:
// front-proxy request headers (client certificate from --requestheader-client-ca-file, allowed
// CNs, X-Remote-User/-Group/-Extra-*), then a client certificate verified against the client CA
// (user = CN, groups = O), then a bearer token checked with a TokenReview (answers cached for
// --authentication-token-webhook-cache-ttl, keyed by an HMAC of the token). The first mechanism
// that succeeds wins and "system:authenticated" is added to its groups; when one failed and none
// succeeded the request is rejected (401); with no credential at all the user is
// system:anonymous (group system:unauthenticated), unless anonymous access is off (then 401).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/client/api_client.hpp"
#include "core/server/client_cert.hpp"
#include "core/server/expiring_cache.hpp"
#include "core/server/http_types.hpp"
#include "core/server/webhook.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::server {

// What the authenticators read, copied out of the request.
struct credentials {
    std::string authorization;                                 // the Authorization header
    std::shared_ptr<const peer_certificates> peer_certs;       // null: no client certificate
    std::vector<std::pair<std::string, std::string>> headers;  // every header, for front-proxy
};
credentials credentials_from(const request& req);

class authenticator {
  public:
    virtual ~authenticator() = default;
    // The user behind `creds`, or an error (the request gets 401; the message is only logged).
    // Never throws for apiserver trouble, and returns within its configured deadline.
    virtual task<result<user_info>> authenticate(credentials creds) = 0;
};

// Front-proxy authentication (--requestheader-*). Off while client_ca_pem is empty.
struct request_header_options {
    std::string client_ca_pem;
    std::vector<std::string> allowed_names;  // empty: any CN the CA signed
    std::vector<std::string> username_headers = {"x-remote-user"};
    std::vector<std::string> uid_headers;
    std::vector<std::string> group_headers = {"x-remote-group"};
    std::vector<std::string> extra_headers_prefix = {"x-remote-extra-"};
};

struct authentication_options {
    bool anonymous = true;
    std::string client_ca_pem;  // empty: client certificates are not authenticated
    request_header_options request_header;
    // TokenReview client (--authentication-kubeconfig); null: bearer tokens are ignored, as
    // upstream without a token authenticator. Must outlive the authenticator.
    client::api_client* token_review_client = nullptr;
    std::chrono::milliseconds cache_ttl{std::chrono::seconds(10)};
    std::chrono::milliseconds token_review_timeout{std::chrono::seconds(10)};
    webhook_retry retry;
    std::size_t cache_capacity = 4096;
    std::function<std::chrono::steady_clock::time_point()> clock;  // null: steady_clock::now
};

class delegating_authenticator final : public authenticator {
  public:
    // Errors: a CA bundle that is not valid PEM.
    static result<std::shared_ptr<delegating_authenticator>> create(authentication_options opts);

    task<result<user_info>> authenticate(credentials creds) override;

    // Replace the client CA bundle ("" turns client-certificate authentication off), e.g. after
    // re-reading the ConfigMap. Existing connections' next requests use the new bundle.
    result<void> set_client_ca(const std::string& pem);
    result<void> set_request_header(request_header_options opts);

    // The client CA bundle in force ("" when client certificates are not authenticated).
    const std::string& client_ca_pem() const { return client_ca_pem_; }
    std::size_t cached_tokens() const { return token_cache_.size(); }

  private:
    struct outcome {
        enum {
            no_opinion,
            ok,
            failed
        } kind = no_opinion;
        user_info user;
        std::string error;
    };
    struct token_record {
        bool ok = false;
        user_info user;
    };

    explicit delegating_authenticator(authentication_options opts);
    outcome check_request_header(const credentials& creds) const;
    outcome check_client_cert(const credentials& creds) const;
    task<outcome> check_token(std::string token);
    std::string token_key(std::string_view token) const;
    std::chrono::steady_clock::time_point now() const;

    authentication_options opts_;
    std::optional<ca_bundle> client_ca_;
    std::string client_ca_pem_;
    std::optional<ca_bundle> request_header_ca_;
    expiring_cache<token_record> token_cache_;
    std::string hmac_key_;
};

// The TokenReview answer for one token (exposed for tests): the user when authenticated,
// std::nullopt when the apiserver said "not authenticated" without an error, an error otherwise
// (transport trouble, non-2xx, a malformed body, or status.error).
task<result<std::optional<user_info>>> review_token(client::api_client* client, std::string token,
                                                    std::chrono::milliseconds timeout,
                                                    webhook_retry retry);

}  // namespace multisched::server
