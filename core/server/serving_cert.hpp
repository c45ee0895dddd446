// SPDX-License-Identifier: Apache-2.0
// The serving certificate and the server-side TLS context.
// Without --tls-cert-file/--tls-private-key-file kube-scheduler serves an in-memory self-signed
// pair made by MaybeDefaultWithSelfSignedCerts("localhost", nil, [127.0.0.1]): client-go's
// GenerateSelfSignedCertKey, i.e. a CA "localhost-ca@<unix time>" and a serving certificate
// "localhost@<unix time>" it signs, RSA 2048, SHA-256, valid from one hour ago for one year, SANs
// DNS:localhost and IP:127.0.0.1, served as the chain serving cert + CA.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "core/util/result.hpp"

namespace multisched::server {

struct serving_cert {
    std::string cert_chain_pem;  // serving certificate first, then its issuers
    std::string key_pem;
    std::string ca_pem;  // the generated CA (self-signed pairs only), for clients to pin
};

// client-go's GenerateSelfSignedCertKey(host, alternate_ips, alternate_dns): `host` becomes a DNS
// SAN, or an IP SAN when it is an IP literal; alternate IPs and names are added after it.
// Errors carry OpenSSL's reason (or name an unparsable IP).
result<serving_cert> generate_self_signed_cert(const std::string& host,
                                               const std::vector<std::string>& alternate_ips,
                                               const std::vector<std::string>& alternate_dns);

// --tls-min-version: "VersionTLS10" .. "VersionTLS13" to OpenSSL's version constant; "" is
// upstream's default, TLS 1.2.
result<int> parse_tls_min_version(std::string_view name);

struct tls_server_config {
    std::string cert_chain_pem;
    std::string key_pem;
    int min_version = 0;  // OpenSSL constant; 0 = TLS 1.2
    // Ask clients for a certificate without requiring or verifying one in the handshake (Go's
    // tls.RequestClientCert): the x509 authenticators verify it per request.
    bool request_client_certificate = false;
};

// A TLS server context: the given chain and key (checked to match), minimum version, no
// compression, no ALPN (HTTP/1.1 only: upstream also offers h2, we do not).
result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const tls_server_config& config);

}  // namespace multisched::server
