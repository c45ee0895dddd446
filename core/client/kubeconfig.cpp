// SPDX-License-Identifier: Apache-2.0
// kubeconfig and in-cluster loading (client-go's clientcmd and rest.InClusterConfig, reduced).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <yaml-cpp/yaml.h>

#include "core/client/file_util.hpp"
#include "core/client/rest_config.hpp"
#include "core/util/log.hpp"

namespace multisched::client {
namespace {

// An error of the kubeconfig at `file`, at `field` (empty: the whole file).
error config_error(const std::string& file, std::string_view field, std::string_view what) {
    if (field.empty()) {
        return error{{}, fmt::format("kubeconfig {}: {}", file, what)};
    }
    return error{{}, fmt::format("kubeconfig {}: {}: {}", file, field, what)};
}

// YAML::Node converts from anything, so its result needs the error spelled out.
result<YAML::Node> node_error(error e) {
    return result<YAML::Node>(boost::system::in_place_error, std::move(e));
}

// Decodes standard base64, ignoring whitespace and line breaks; nullopt when malformed.
std::optional<std::string> decode_base64(std::string_view in) {
    std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(),
                                                                        &EVP_ENCODE_CTX_free);
    if (!ctx || in.size() > static_cast<std::size_t>(INT32_MAX / 2)) {
        return std::nullopt;
    }
    EVP_DecodeInit(ctx.get());
    std::string out(in.size() / 4 * 3 + 8, '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    int n = 0;
    if (EVP_DecodeUpdate(ctx.get(), dst, &n, reinterpret_cast<const unsigned char*>(in.data()),
                         static_cast<int>(in.size())) < 0) {
        return std::nullopt;
    }
    int total = n;
    if (EVP_DecodeFinal(ctx.get(), dst + total, &n) < 0) {
        return std::nullopt;
    }
    out.resize(static_cast<std::size_t>(total + n));
    return out;
}

// Counts the PEM certificates in `pem` (0 when none parse).
int count_pem_certificates(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    int count = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        X509_free(cert);
        ++count;
    }
    ERR_clear_error();  // the loop ends on a "no start line" error
    return count;
}

bool has_pem_private_key(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    ERR_clear_error();
    if (key == nullptr) {
        return false;
    }
    EVP_PKEY_free(key);
    return true;
}

// Reads one kubeconfig document: `file` for messages, `dir` to resolve relative paths.
class kubeconfig_reader {
  public:
    kubeconfig_reader(std::string file, YAML::Node root)
        : file_(std::move(file)),
          dir_(std::filesystem::path(file_).parent_path()),
          root_(std::move(root)) {}

    result<rest_config> read() {
        auto context_name = scalar(root_, "current-context", "current-context");
        if (!context_name) {
            return context_name.error();
        }
        if (!*context_name || (*context_name)->empty()) {
            return config_error(file_, "", "current-context is not set");
        }
        auto context = named_entry("contexts", **context_name, "context");
        if (!context) {
            return context.error();
        }
        const std::string ctx_field = fmt::format("contexts[{}].context", **context_name);
        auto cluster_name = scalar(*context, "cluster", ctx_field + ".cluster");
        if (!cluster_name) {
            return cluster_name.error();
        }
        if (!*cluster_name || (*cluster_name)->empty()) {
            return config_error(file_, ctx_field + ".cluster", "not set");
        }
        auto user_name = scalar(*context, "user", ctx_field + ".user");
        if (!user_name) {
            return user_name.error();
        }
        rest_config config;
        if (auto r = read_cluster(**cluster_name, ctx_field + ".cluster", config); !r) {
            return r.error();
        }
        if (*user_name && !(*user_name)->empty()) {
            if (auto r = read_user(**user_name, ctx_field + ".user", config); !r) {
                return r.error();
            }
        }
        return config;
    }

  private:
    // The scalar `key` of `node`; nullopt when absent or null, an error when not a scalar.
    result<std::optional<std::string>> scalar(const YAML::Node& node, const char* key,
                                              const std::string& field) {
        const YAML::Node value = node[key];
        if (!value.IsDefined() || value.IsNull()) {
            return std::optional<std::string>{};
        }
        if (!value.IsScalar()) {
            return config_error(file_, field, "must be a string");
        }
        return std::optional<std::string>{value.Scalar()};
    }

    // The `inner` map of the entry named `name` in the list `list` (clusters, contexts, users).
    result<YAML::Node> named_entry(const char* list, const std::string& name, const char* inner) {
        const YAML::Node entries = root_[list];
        if (entries.IsDefined() && !entries.IsNull() && !entries.IsSequence()) {
            return node_error(config_error(file_, list, "must be a list"));
        }
        if (entries.IsSequence()) {
            for (const YAML::Node& entry : entries) {
                const YAML::Node entry_name = entry["name"];
                if (!entry.IsMap() || !entry_name.IsScalar() || entry_name.Scalar() != name) {
                    continue;
                }
                const YAML::Node value = entry[inner];
                if (!value.IsMap()) {
                    return node_error(config_error(file_,
                                                   fmt::format("{}[{}].{}", list, name, inner),
                                                   "missing or not a mapping"));
                }
                return value;
            }
        }
        return node_error(
            config_error(file_, "", fmt::format("no entry named \"{}\" in {}", name, list)));
    }

    // The contents of an optional `*-data` (base64) / file pair; `*-data` wins. Empty when neither.
    result<std::string> data_or_file(const YAML::Node& node, const std::string& prefix,
                                     const char* data_key, const char* file_key) {
        const std::string data_field = prefix + "." + data_key;
        auto data = scalar(node, data_key, data_field);
        if (!data) {
            return data.error();
        }
        if (*data && !(*data)->empty()) {
            auto decoded = decode_base64(**data);
            if (!decoded) {
                return config_error(file_, data_field, "invalid base64");
            }
            return std::move(*decoded);
        }
        const std::string file_field = prefix + "." + file_key;
        auto path = scalar(node, file_key, file_field);
        if (!path) {
            return path.error();
        }
        if (!*path || (*path)->empty()) {
            return std::string{};
        }
        return read_path(**path, file_field);
    }

    result<std::string> read_path(const std::string& path, const std::string& field) {
        const std::string resolved = resolve(path);
        auto contents = read_whole_file(resolved);
        if (!contents) {
            return config_error(file_, field, contents.error().message);
        }
        return std::move(*contents);
    }

    std::string resolve(const std::string& path) const {
        std::filesystem::path p(path);
        if (p.is_absolute() || dir_.empty()) {
            return path;
        }
        return (dir_ / p).string();
    }

    result<void> read_cluster(const std::string& name, const std::string& ref_field,
                              rest_config& config) {
        auto cluster = named_entry("clusters", name, "cluster");
        if (!cluster) {
            return config_error(file_, ref_field,
                                fmt::format("no cluster named \"{}\" in clusters", name));
        }
        const std::string prefix = fmt::format("clusters[{}].cluster", name);
        auto server = scalar(*cluster, "server", prefix + ".server");
        if (!server) {
            return server.error();
        }
        if (!*server || (*server)->empty()) {
            return config_error(file_, prefix + ".server", "not set");
        }
        auto url = parse_server_url(**server);
        if (!url) {
            return config_error(file_, prefix + ".server", url.error().message);
        }
        config.scheme = url->scheme;
        config.host = url->host;
        config.port = url->port;
        config.base_path = url->base_path;

        if (const YAML::Node proxy = (*cluster)["proxy-url"];
            proxy.IsDefined() && !proxy.IsNull()) {
            return config_error(file_, prefix + ".proxy-url", "proxies are not supported");
        }
        const YAML::Node insecure = (*cluster)["insecure-skip-tls-verify"];
        if (insecure.IsDefined() && !insecure.IsNull()) {
            bool value = false;
            if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value)) {
                return config_error(file_, prefix + ".insecure-skip-tls-verify",
                                    "must be true or false");
            }
            config.insecure_skip_tls_verify = value;
        }
        auto sni = scalar(*cluster, "tls-server-name", prefix + ".tls-server-name");
        if (!sni) {
            return sni.error();
        }
        config.tls_server_name = sni->value_or("");

        auto ca =
            data_or_file(*cluster, prefix, "certificate-authority-data", "certificate-authority");
        if (!ca) {
            return ca.error();
        }
        if (!ca->empty()) {
            if (count_pem_certificates(*ca) == 0) {
                return config_error(file_, prefix + ".certificate-authority",
                                    "no PEM certificate found");
            }
            if (config.insecure_skip_tls_verify) {
                return config_error(file_, prefix + ".insecure-skip-tls-verify",
                                    "cannot be combined with a certificate authority");
            }
        }
        config.ca_pem = std::move(*ca);
        return {};
    }

    result<void> read_user(const std::string& name, const std::string& ref_field,
                           rest_config& config) {
        auto user = named_entry("users", name, "user");
        if (!user) {
            return config_error(file_, ref_field,
                                fmt::format("no user named \"{}\" in users", name));
        }
        const std::string prefix = fmt::format("users[{}].user", name);
        static constexpr std::pair<const char*, const char*> kUnsupported[] = {
            {"exec", "exec credential plugins are not supported"},
            {"auth-provider", "auth providers are not supported"},
            {"username", "basic authentication is not supported"},
            {"password", "basic authentication is not supported"},
            {"as", "impersonation is not supported"},
        };
        for (const auto& [key, why] : kUnsupported) {
            if (const YAML::Node v = (*user)[key]; v.IsDefined() && !v.IsNull()) {
                return config_error(file_, prefix + "." + key, why);
            }
        }

        auto cert = data_or_file(*user, prefix, "client-certificate-data", "client-certificate");
        if (!cert) {
            return cert.error();
        }
        auto key = data_or_file(*user, prefix, "client-key-data", "client-key");
        if (!key) {
            return key.error();
        }
        if (cert->empty() != key->empty()) {
            return config_error(file_, prefix,
                                cert->empty() ? "client-key given without client-certificate"
                                              : "client-certificate given without client-key");
        }
        if (!cert->empty() && count_pem_certificates(*cert) == 0) {
            return config_error(file_, prefix + ".client-certificate", "no PEM certificate found");
        }
        if (!key->empty() && !has_pem_private_key(*key)) {
            return config_error(file_, prefix + ".client-key", "no PEM private key found");
        }
        config.client_cert_pem = std::move(*cert);
        config.client_key_pem = std::move(*key);

        auto token = scalar(*user, "token", prefix + ".token");
        if (!token) {
            return token.error();
        }
        config.token = token->value_or("");
        auto token_file = scalar(*user, "tokenFile", prefix + ".tokenFile");
        if (!token_file) {
            return token_file.error();
        }
        if (*token_file && !(*token_file)->empty()) {
            // As client-go: the file wins over `token` and is re-read while running.
            auto contents = read_path(**token_file, prefix + ".tokenFile");
            if (!contents) {
                return contents.error();
            }
            config.token = trim_token(*contents);
            config.token_file = resolve(**token_file);
        }
        return {};
    }

    std::string file_;
    std::filesystem::path dir_;
    YAML::Node root_;
};

}  // namespace

std::string url_host(const rest_config& config) {
    const bool default_port = (config.scheme == "https" && config.port == "443") ||
                              (config.scheme == "http" && config.port == "80");
    const bool ipv6 = config.host.find(':') != std::string::npos;
    const std::string host = ipv6 ? fmt::format("[{}]", config.host) : config.host;
    return default_port ? host : fmt::format("{}:{}", host, config.port);
}

result<server_url> parse_server_url(std::string_view server) {
    server_url url;
    const auto scheme_end = server.find("://");
    if (scheme_end == std::string_view::npos) {
        return error{{}, fmt::format("\"{}\": expected https://host[:port]", server)};
    }
    url.scheme = std::string(server.substr(0, scheme_end));
    if (url.scheme != "https" && url.scheme != "http") {
        return error{{}, fmt::format("\"{}\": scheme must be https or http", server)};
    }
    std::string_view rest = server.substr(scheme_end + 3);
    const auto path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    if (path_start != std::string_view::npos) {
        std::string_view path = rest.substr(path_start);
        if (path.front() != '/') {
            return error{{}, fmt::format("\"{}\": query and fragment are not allowed", server)};
        }
        while (!path.empty() && path.back() == '/') {
            path.remove_suffix(1);
        }
        url.base_path = std::string(path);
    }
    if (authority.find('@') != std::string_view::npos) {
        return error{{}, fmt::format("\"{}\": user information is not allowed", server)};
    }
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return error{{}, fmt::format("\"{}\": unterminated '[' in host", server)};
        }
        url.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return error{{}, fmt::format("\"{}\": unexpected text after ']'", server)};
            }
            port = after.substr(1);
        }
    } else {
        const auto colon = authority.find(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
        }
    }
    if (url.host.empty()) {
        return error{{}, fmt::format("\"{}\": no host", server)};
    }
    if (port.empty()) {
        url.port = url.scheme == "https" ? "443" : "80";
    } else {
        const bool digits = port.find_first_not_of("0123456789") == std::string_view::npos;
        if (!digits || port.size() > 5 || std::stoul(std::string(port)) > 65535 ||
            std::stoul(std::string(port)) == 0) {
            return error{{}, fmt::format("\"{}\": invalid port \"{}\"", server, port)};
        }
        url.port = std::string(port);
    }
    return url;
}

result<rest_config> load_kubeconfig(const std::string& path) {
    auto text = read_whole_file(path);
    if (!text) {
        return config_error(path, "", text.error().message);
    }
    return parse_kubeconfig(*text, path);
}

result<rest_config> parse_kubeconfig(std::string_view text, const std::string& path) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        return config_error(
            path, "",
            fmt::format("line {}, column {}: {}", e.mark.line + 1, e.mark.column + 1, e.msg));
    }
    if (!root.IsMap()) {
        return config_error(path, "", "not a YAML mapping");
    }
    try {
        return kubeconfig_reader(path, root).read();
    } catch (const YAML::Exception& e) {
        // Only reached on shapes the reader does not expect (e.g. a list where a map belongs).
        return config_error(
            path, "",
            fmt::format("line {}, column {}: {}", e.mark.line + 1, e.mark.column + 1, e.msg));
    }
}

result<rest_config> in_cluster_config(const std::string& sa_dir) {
    const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
    if (host == nullptr || *host == '\0') {
        return error{{}, "not running in a cluster: KUBERNETES_SERVICE_HOST unset"};
    }
    const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
    if (port == nullptr || *port == '\0') {
        return error{{}, "not running in a cluster: KUBERNETES_SERVICE_PORT unset"};
    }
    rest_config config;
    config.scheme = "https";
    config.host = host;
    config.port = port;
    const std::string token_path = sa_dir + "/token";
    auto token = read_whole_file(token_path);
    if (!token) {
        return error{{}, fmt::format("in-cluster config: {}", token.error().message)};
    }
    config.token = trim_token(*token);
    config.token_file = token_path;
    const std::string ca_path = sa_dir + "/ca.crt";
    auto ca = read_whole_file(ca_path);
    if (!ca || count_pem_certificates(*ca) == 0) {
        // As client-go: a missing or bad CA file is logged and the system trust store is used.
        MS_LOG_ERROR("in-cluster config: {}: {}", ca_path,
                     ca ? std::string("no PEM certificate found") : ca.error().message);
        return config;
    }
    config.ca_pem = std::move(*ca);
    return config;
}

}  // namespace multisched::client
