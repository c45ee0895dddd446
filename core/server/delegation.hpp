// SPDX-License-Identifier: Apache-2.0
// kube-scheduler's DelegatingAuthenticationOptions.ApplyTo: where the client CA and the
// front-proxy settings come from. Flags win (--client-ca-file, --requestheader-client-ca-file
// and friends); without them, unless --authentication-skip-lookup, they are read from the
// kube-system/extension-apiserver-authentication ConfigMap through the authentication client. A
// failed front-proxy lookup is tolerated with --authentication-tolerate-lookup-failure (default
// true: the server starts and unauthenticated requests are anonymous); a client CA that is not
// there yet is only a warning, and keep_client_ca_fresh() keeps retrying, as upstream's
// ConfigMap CA controller does.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/client/api_client.hpp"
#include "core/server/authentication.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::server {

// The authentication flags (defaults as kube-scheduler's).
struct delegated_authentication_config {
    std::string client_ca_file;                // --client-ca-file
    std::string requestheader_client_ca_file;  // --requestheader-client-ca-file
    std::vector<std::string> requestheader_allowed_names;
    std::vector<std::string> requestheader_username_headers = {"x-remote-user"};
    std::vector<std::string> requestheader_uid_headers;
    std::vector<std::string> requestheader_group_headers = {"x-remote-group"};
    std::vector<std::string> requestheader_extra_headers_prefix = {"x-remote-extra-"};
    bool skip_lookup = false;             // --authentication-skip-lookup
    bool tolerate_lookup_failure = true;  // --authentication-tolerate-lookup-failure
    std::chrono::milliseconds cache_ttl{std::chrono::seconds(10)};  // ...-token-webhook-cache-ttl
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};    // TokenRequestTimeout
};

struct delegated_authentication {
    std::shared_ptr<delegating_authenticator> authenticator;
    // The client CA comes from the ConfigMap: run keep_client_ca_fresh() for the daemon's life.
    bool client_ca_from_config_map = false;
    // Put into serving_options.request_client_certificate (upstream asks for client
    // certificates whenever a client CA source exists).
    bool request_client_certificate = false;
};

// Builds the authenticator. `client` is the --authentication-kubeconfig client (null when there
// is none: bearer tokens are then ignored and nothing is looked up); it must outlive the result.
// Errors: unreadable or invalid CA files, and a failed lookup when it is not tolerated.
task<result<delegated_authentication>> configure_delegated_authentication(
    delegated_authentication_config cfg, client::api_client* client);

// Re-reads the ConfigMap every `period` and installs a changed client-ca-file. Runs until
// cancelled (returns then); failures are logged and retried at the next period.
task<void> keep_client_ca_fresh(std::shared_ptr<delegating_authenticator> authn,
                                client::api_client* client,
                                std::chrono::milliseconds period = std::chrono::minutes(1));

}  // namespace multisched::server
