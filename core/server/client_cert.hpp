// SPDX-License-Identifier: Apache-2.0
// Client certificates: the chain a TLS client presented, verification against a CA bundle (the
// --client-ca-file or --requestheader-client-ca-file roots), the certificate → user conversion
// of apiserver's x509 authenticator, and the read of kube-system/extension-apiserver-
// authentication, where kube-apiserver publishes those bundles for delegated authentication.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/client/api_client.hpp"
#include "core/server/http_types.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::server {

struct peer_certificates {
    std::shared_ptr<X509> leaf;
    std::vector<std::shared_ptr<X509>> intermediates;  // as sent after the leaf
};

// The chain the client of `ssl` sent in its (finished) handshake; null when it sent none.
std::shared_ptr<const peer_certificates> capture_peer_certificates(SSL* ssl);

// A chain from PEM (leaf first), for tests and tools. Error on bad or empty PEM.
result<std::shared_ptr<const peer_certificates>> peer_certificates_from_pem(std::string_view pem);

// A set of trusted roots (and intermediates: a chain may end at any bundled certificate, as Go's
// x509 Verify allows).
class ca_bundle {
  public:
    // Error when the PEM is malformed or holds no certificate.
    static result<ca_bundle> from_pem(std::string_view pem);

    // Verifies `chain` for client authentication (extended key usage clientAuth or none) at the
    // current time. The error reads "verifying certificate SN=<serial> failed: <reason>".
    result<void> verify_client(const peer_certificates& chain) const;
    std::size_t size() const { return count_; }

  private:
    std::shared_ptr<X509_STORE> store_;
    std::size_t count_ = 0;
};

// apiserver's CommonNameUserConversion: name = subject CN, groups = subject O values, extra
// "authentication.kubernetes.io/credential-id" = "X509SHA256=<hex of the DER>". nullopt when the
// CN is empty (the authenticator then has no opinion).
std::optional<user_info> user_from_certificate(X509* leaf);

// The subject CN of `cert` ("" when none).
std::string common_name(X509* cert);

// What kube-apiserver publishes in kube-system/extension-apiserver-authentication.
struct authentication_config_map {
    std::optional<std::string> client_ca;                // key client-ca-file
    std::optional<std::string> requestheader_client_ca;  // key requestheader-client-ca-file
    std::vector<std::string> requestheader_allowed_names;
    std::vector<std::string> requestheader_username_headers;
    std::vector<std::string> requestheader_uid_headers;
    std::vector<std::string> requestheader_group_headers;
    std::vector<std::string> requestheader_extra_headers_prefix;
};

inline constexpr std::string_view kAuthenticationConfigMapPath =
    "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication";

// GETs the ConfigMap through `client` (which must outlive the call) within `timeout`. A missing
// ConfigMap (404) gives an empty result; other answers (403 without the
// extension-apiserver-authentication-reader binding, 5xx, transport errors, a timeout) are
// errors the caller tolerates or not (--authentication-tolerate-lookup-failure).
task<result<authentication_config_map>> fetch_authentication_config_map(
    client::api_client* client, std::chrono::milliseconds timeout);

// Parses the ConfigMap JSON (exposed for tests).
result<authentication_config_map> parse_authentication_config_map(std::string_view json_text);

}  // namespace multisched::server
