// SPDX-License-Identifier: Apache-2.0
// Delegated authorization, as kube-scheduler configures apiserver's DelegatingAuthorizer: a
// union of (1) the privileged groups (system:masters: allow), (2) the always-allow paths
// (--authorization-always-allow-paths, default /healthz,/readyz,/livez; exact paths, or a prefix
// with a trailing '*'), (3) a SubjectAccessReview of the non-resource request {path, verb =
// lowercased method} when an authorization client is configured, answers cached 10 s allowed /
// 10 s denied. The first allow or deny wins; nothing → no opinion → 403. A SubjectAccessReview
// that fails (apiserver error, timeout) gives an error: the chain answers 500, as upstream.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/client/api_client.hpp"
#include "core/server/expiring_cache.hpp"
#include "core/server/http_types.hpp"
#include "core/server/webhook.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::server {

enum class decision {
    allow,
    deny,
    no_opinion
};

// A non-resource request (kube-scheduler resolves every path as non-resource).
struct authz_attributes {
    user_info user;
    std::string verb;  // lowercased HTTP method: "get", "post", ...
    std::string path;
};

struct authz_result {
    decision verdict = decision::no_opinion;
    std::string reason;                // shown in the 403 message when not empty
    std::optional<std::string> error;  // evaluation failed: 500 unless allowed
};

class authorizer {
  public:
    virtual ~authorizer() = default;
    // Never throws for apiserver trouble; returns within its configured deadline.
    virtual task<authz_result> authorize(authz_attributes attrs) = 0;
};

struct authorization_options {
    std::vector<std::string> always_allow_paths = {"/healthz", "/readyz", "/livez"};
    std::vector<std::string> always_allow_groups = {std::string(kMastersGroup)};
    // SubjectAccessReview client (--authorization-kubeconfig); null: only the two rules above
    // can allow. Must outlive the authorizer.
    client::api_client* sar_client = nullptr;
    std::chrono::milliseconds allow_cache_ttl{std::chrono::seconds(10)};
    std::chrono::milliseconds deny_cache_ttl{std::chrono::seconds(10)};
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    webhook_retry retry;
    std::size_t cache_capacity = 8192;
    std::function<std::chrono::steady_clock::time_point()> clock;  // null: steady_clock::now
};

// apiserver's path authorizer rules: leading '/' ignored, a '*' only as the last character.
class path_matcher {
  public:
    // Error `only trailing * allowed in "<path>"`.
    static result<path_matcher> create(const std::vector<std::string>& paths);
    bool matches(std::string_view path) const;

  private:
    std::vector<std::string> exact_;
    std::vector<std::string> prefixes_;
};

class delegating_authorizer final : public authorizer {
  public:
    static result<std::shared_ptr<delegating_authorizer>> create(authorization_options opts);
    task<authz_result> authorize(authz_attributes attrs) override;
    std::size_t cached_reviews() const { return cache_.size(); }

  private:
    struct review {
        bool allowed = false;
        bool denied = false;
        std::string reason;
    };
    delegating_authorizer(authorization_options opts, path_matcher paths);
    task<authz_result> subject_access_review(authz_attributes attrs);
    std::chrono::steady_clock::time_point now() const;

    authorization_options opts_;
    path_matcher paths_;
    expiring_cache<review> cache_;
};

// The SubjectAccessReview request body for `attrs` (exposed for tests).
std::string subject_access_review_body(const authz_attributes& attrs);

}  // namespace multisched::server
