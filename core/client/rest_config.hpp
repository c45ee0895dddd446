// SPDX-License-Identifier: Apache-2.0
// How to reach and authenticate to kube-apiserver, from a kubeconfig or the in-cluster
// environment (client-go's rest.Config, reduced to what multisched uses).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace multisched::client {

struct rest_config {
    std::string scheme = "https";  // "https" or "http"
    std::string host;              // DNS name or IP (IPv6 without brackets)
    std::string port = "443";
    std::string base_path;  // path prefix of `server`, usually empty

    // TLS. PEM contents, already read from files (`*-data` wins over the file, as client-go).
    bool insecure_skip_tls_verify = false;
    std::string ca_pem;  // empty: the system trust store
    std::string client_cert_pem;
    std::string client_key_pem;
    std::string tls_server_name;  // SNI and verification name; empty: `host`

    // Bearer token. When token_file is set it is re-read every `token_reload` and wins.
    std::string token;
    std::string token_file;
    std::chrono::seconds token_reload{60};

    std::string user_agent = "multisched/scheduler";
    // Request/response exchanges in flight at once, each on its own keep-alive connection; more
    // wait in arrival order within their deadline (watches are not counted). Not in a kubeconfig.
    std::size_t max_connections = 32;
};

// The parts of a kubeconfig `server` URL: scheme://host[:port][/path]. `host` has no brackets
// (IPv6 "[::1]:6443" gives host "::1"); `port` defaults to 443 (https) or 80 (http); a trailing
// '/' of the path is dropped.
struct server_url {
    std::string scheme;
    std::string host;
    std::string port;
    std::string base_path;
};

// Parses `server`; the error message says what is wrong with it (no field or file name).
result<server_url> parse_server_url(std::string_view server);

// The server's host as Go's url.URL.Host gives it: brackets around an IPv6 address, the port only
// when it is not the scheme's default. The Host header, and the `host` label of client-go's
// request metrics.
std::string url_host(const rest_config& config);

// Loads `path` (a kubeconfig), honouring current-context, server, certificate-authority(-data),
// client-certificate(-data), client-key(-data), token, tokenFile, insecure-skip-tls-verify,
// tls-server-name. Relative file paths are relative to the kubeconfig's directory. Errors name
// the file and the field.
result<rest_config> load_kubeconfig(const std::string& path);
// The same for a kubeconfig's text already read from `path` (relative file references resolve
// against its directory; errors name it).
result<rest_config> parse_kubeconfig(std::string_view text, const std::string& path);

// The in-cluster config: KUBERNETES_SERVICE_HOST/PORT, the service-account token file (re-read
// periodically) and ca.crt under `sa_dir`.
result<rest_config> in_cluster_config(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

}  // namespace multisched::client
