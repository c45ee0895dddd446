// SPDX-License-Identifier: Apache-2.0
#include <filesystem>
#include <fstream>
#include <stdlib.h>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>

#include "core/client/rest_config.hpp"
#include "test/util/test_pki.hpp"

namespace multisched::client {
namespace {

namespace fs = std::filesystem;

// A fresh directory under /tmp, removed with its contents at scope exit.
class temp_dir {
  public:
    temp_dir() {
        std::string pattern = (fs::temp_directory_path() / "kubeconfig_test.XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    // Writes `contents` to `name` inside the directory and returns the full path.
    std::string write(const std::string& name, const std::string& contents) const {
        const fs::path p = path_ / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << contents;
        return p.string();
    }
    std::string path(const std::string& name) const { return (path_ / name).string(); }

  private:
    fs::path path_;
};

std::string base64(const std::string& in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// A kubeconfig with one cluster "c", one user "admin" and context "ctx" → c/admin.
std::string kubeconfig(const std::string& cluster_fields, const std::string& user_fields,
                       const std::string& current = "ctx") {
    return fmt::format(R"(apiVersion: v1
kind: Config
current-context: {}
clusters:
- name: c
  cluster:
{}
contexts:
- name: ctx
  context:
    cluster: c
    user: admin
users:
- name: admin
  user:
{}
)",
                       current, cluster_fields, user_fields);
}

struct pki_files {
    testing::test_ca ca = testing::make_test_ca();
    testing::pem_pair client =
        testing::issue_cert(ca, "admin", testing::cert_usage::client, "", "system:masters");
};

// Go's url.URL.Host: the Host header and the request metrics' host label.
TEST_CASE("kubeconfig.url_host") {
    struct row {
        std::string scheme, host, port, want;
    };
    for (const row& r : std::vector<row>{{"https", "10.0.0.1", "6443", "10.0.0.1:6443"},
                                         {"https", "api.example", "443", "api.example"},
                                         {"http", "api.example", "80", "api.example"},
                                         {"http", "api.example", "443", "api.example:443"},
                                         {"https", "::1", "6443", "[::1]:6443"},
                                         {"https", "fd00::1", "443", "[fd00::1]"}}) {
        rest_config c;
        c.scheme = r.scheme;
        c.host = r.host;
        c.port = r.port;
        CHECK(url_host(c) == r.want);
    }
}

TEST_CASE("kubeconfig.files_relative_to_kubeconfig") {
    temp_dir dir;
    pki_files pki;
    dir.write("pki/ca.crt", pki.ca.pem.cert_pem);
    dir.write("pki/admin.crt", pki.client.cert_pem);
    dir.write("pki/admin.key", pki.client.key_pem);
    const std::string path =
        dir.write("conf/kubeconfig", kubeconfig("    server: https://127.0.0.1:6443\n"
                                                "    certificate-authority: ../pki/ca.crt",
                                                "    client-certificate: ../pki/admin.crt\n"
                                                "    client-key: ../pki/admin.key\n"
                                                "    token: abc"));
    auto config = load_kubeconfig(path);
    REQUIRE(config.has_value());
    CHECK(config->scheme == "https");
    CHECK(config->host == "127.0.0.1");
    CHECK(config->port == "6443");
    CHECK(config->base_path.empty());
    CHECK(config->ca_pem == pki.ca.pem.cert_pem);
    CHECK(config->client_cert_pem == pki.client.cert_pem);
    CHECK(config->client_key_pem == pki.client.key_pem);
    CHECK(config->token == "abc");
    CHECK(config->token_file.empty());
    CHECK_FALSE(config->insecure_skip_tls_verify);
}

TEST_CASE("kubeconfig.data_wins_over_file") {
    temp_dir dir;
    pki_files pki;
    // The files named next to the data do not exist: they must not even be read.
    const std::string path =
        dir.write("kubeconfig",
                  kubeconfig(fmt::format("    server: https://api.example:443\n"
                                         "    certificate-authority: missing-ca.crt\n"
                                         "    certificate-authority-data: {}",
                                         base64(pki.ca.pem.cert_pem)),
                             fmt::format("    client-certificate: missing.crt\n"
                                         "    client-certificate-data: {}\n"
                                         "    client-key: missing.key\n"
                                         "    client-key-data: {}",
                                         base64(pki.client.cert_pem), base64(pki.client.key_pem))));
    auto config = load_kubeconfig(path);
    REQUIRE(config.has_value());
    CHECK(config->host == "api.example");
    CHECK(config->port == "443");
    CHECK(config->ca_pem == pki.ca.pem.cert_pem);
    CHECK(config->client_cert_pem == pki.client.cert_pem);
    CHECK(config->client_key_pem == pki.client.key_pem);
}

TEST_CASE("kubeconfig.token_file_and_tls_options") {
    temp_dir dir;
    const std::string token_path = dir.write("token", "  s3cret-token\n");
    const std::string path =
        dir.write("kubeconfig", kubeconfig("    server: https://[::1]:6443/prefix/\n"
                                           "    insecure-skip-tls-verify: true\n"
                                           "    tls-server-name: kubernetes.default",
                                           "    token: ignored\n"
                                           "    tokenFile: token"));
    auto config = load_kubeconfig(path);
    REQUIRE(config.has_value());
    CHECK(config->host == "::1");
    CHECK(config->port == "6443");
    CHECK(config->base_path == "/prefix");
    CHECK(config->insecure_skip_tls_verify);
    CHECK(config->tls_server_name == "kubernetes.default");
    CHECK(config->token == "s3cret-token");
    CHECK(config->token_file == token_path);
}

TEST_CASE("kubeconfig.server_url") {
    struct row {
        std::string server;
        bool ok;
        std::string scheme, host, port, base_path;
    };
    const std::vector<row> rows = {
        {"https://10.0.0.1:6443", true, "https", "10.0.0.1", "6443", ""},
        {"https://api.example", true, "https", "api.example", "443", ""},
        {"http://localhost:8080", true, "http", "localhost", "8080", ""},
        {"http://localhost", true, "http", "localhost", "80", ""},
        {"https://[fd00::1]:6443", true, "https", "fd00::1", "6443", ""},
        {"https://[::1]", true, "https", "::1", "443", ""},
        {"https://h:6443/k8s/clusters/c-1/", true, "https", "h", "6443", "/k8s/clusters/c-1"},
        {"ftp://h", false, "", "", "", ""},
        {"h:6443", false, "", "", "", ""},
        {"https://", false, "", "", "", ""},
        {"https://h:0", false, "", "", "", ""},
        {"https://h:99999", false, "", "", "", ""},
        {"https://h:64x", false, "", "", "", ""},
        {"https://[::1:6443", false, "", "", "", ""},
        {"https://user@h", false, "", "", "", ""},
        {"https://h?x=1", false, "", "", "", ""},
    };
    for (const auto& r : rows) {
        INFO(r.server);
        auto url = parse_server_url(r.server);
        REQUIRE(url.has_value() == r.ok);
        if (!r.ok) {
            CHECK_THAT(url.error().message, Catch::Contains(r.server));
            continue;
        }
        CHECK(url->scheme == r.scheme);
        CHECK(url->host == r.host);
        CHECK(url->port == r.port);
        CHECK(url->base_path == r.base_path);
    }
}

TEST_CASE("kubeconfig.errors_name_file_and_field") {
    temp_dir dir;
    pki_files pki;
    const std::string good_cluster = "    server: https://127.0.0.1:6443";
    const std::string path = dir.path("kubeconfig");
    struct row {
        std::string name;
        std::string contents;
        std::string message;  // exact, after "kubeconfig <path>: "
    };
    const std::vector<row> rows = {
        {"missing key file",
         kubeconfig(good_cluster, fmt::format("    client-certificate-data: {}\n"
                                              "    client-key: key.pem",
                                              base64(pki.client.cert_pem))),
         fmt::format("users[admin].user.client-key: cannot read {}: No such file or directory",
                     dir.path("key.pem"))},
        {"no current-context", kubeconfig(good_cluster, "    token: t", "\"\""),
         "current-context is not set"},
        {"unknown context", kubeconfig(good_cluster, "    token: t", "other"),
         "no entry named \"other\" in contexts"},
        {"unknown cluster",
         "current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: gone\n",
         "contexts[x].context.cluster: no cluster named \"gone\" in clusters"},
        {"unknown user",
         "current-context: x\nclusters:\n- name: c\n  cluster:\n    server: https://h\n"
         "contexts:\n- name: x\n  context:\n    cluster: c\n    user: nobody\n",
         "contexts[x].context.user: no user named \"nobody\" in users"},
        {"no server", kubeconfig("    insecure-skip-tls-verify: true", "    token: t"),
         "clusters[c].cluster.server: not set"},
        {"bad server", kubeconfig("    server: ftp://h", "    token: t"),
         "clusters[c].cluster.server: \"ftp://h\": scheme must be https or http"},
        {"exec plugin",
         kubeconfig(good_cluster, "    exec:\n      command: aws\n      apiVersion: v1"),
         "users[admin].user.exec: exec credential plugins are not supported"},
        {"auth provider", kubeconfig(good_cluster, "    auth-provider:\n      name: gcp"),
         "users[admin].user.auth-provider: auth providers are not supported"},
        {"basic auth", kubeconfig(good_cluster, "    username: u\n    password: p"),
         "users[admin].user.username: basic authentication is not supported"},
        {"bad base64",
         kubeconfig(good_cluster + "\n    certificate-authority-data: '!!notbase64!!'",
                    "    token: t"),
         "clusters[c].cluster.certificate-authority-data: invalid base64"},
        {"ca not PEM",
         kubeconfig(good_cluster + "\n    certificate-authority-data: " + base64("hello"),
                    "    token: t"),
         "clusters[c].cluster.certificate-authority: no PEM certificate found"},
        {"cert without key",
         kubeconfig(good_cluster, "    client-certificate-data: " + base64(pki.client.cert_pem)),
         "users[admin].user: client-certificate given without client-key"},
        {"key not PEM",
         kubeconfig(good_cluster, fmt::format("    client-certificate-data: {}\n"
                                              "    client-key-data: {}",
                                              base64(pki.client.cert_pem), base64("junk"))),
         "users[admin].user.client-key: no PEM private key found"},
        {"insecure with CA",
         kubeconfig(good_cluster +
                        "\n    insecure-skip-tls-verify: true\n"
                        "    certificate-authority-data: " +
                        base64(pki.ca.pem.cert_pem),
                    "    token: t"),
         "clusters[c].cluster.insecure-skip-tls-verify: cannot be combined with a certificate "
         "authority"},
        {"insecure not bool",
         kubeconfig(good_cluster + "\n    insecure-skip-tls-verify: maybe", "    token: t"),
         "clusters[c].cluster.insecure-skip-tls-verify: must be true or false"},
        {"token file missing", kubeconfig(good_cluster, "    tokenFile: /nonexistent/token"),
         "users[admin].user.tokenFile: cannot read /nonexistent/token: No such file or "
         "directory"},
        {"server not a string", kubeconfig("    server: [a, b]", "    token: t"),
         "clusters[c].cluster.server: must be a string"},
        {"not a mapping", "- a\n- b\n", "not a YAML mapping"},
        {"yaml syntax", "current-context: [unclosed\n",
         "line 2, column 1: end of sequence flow not found"},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        dir.write("kubeconfig", r.contents);
        auto config = load_kubeconfig(path);
        REQUIRE_FALSE(config.has_value());
        CHECK(config.error().message == fmt::format("kubeconfig {}: {}", path, r.message));
        CHECK(config.error().message.find('\n') == std::string::npos);
    }
}

TEST_CASE("kubeconfig.missing_file") {
    auto config = load_kubeconfig("/nonexistent/kubeconfig");
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message ==
          "kubeconfig /nonexistent/kubeconfig: cannot read /nonexistent/kubeconfig: No such file "
          "or directory");
}

TEST_CASE("kubeconfig.in_cluster") {
    temp_dir dir;
    pki_files pki;
    ::unsetenv("KUBERNETES_SERVICE_HOST");
    ::unsetenv("KUBERNETES_SERVICE_PORT");
    auto outside = in_cluster_config(dir.path("sa"));
    REQUIRE_FALSE(outside.has_value());
    CHECK(outside.error().message == "not running in a cluster: KUBERNETES_SERVICE_HOST unset");

    ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    auto no_token = in_cluster_config(dir.path("sa"));
    REQUIRE_FALSE(no_token.has_value());
    CHECK_THAT(no_token.error().message, Catch::Contains(dir.path("sa/token")));

    const std::string token_path = dir.write("sa/token", "tok\n");
    dir.write("sa/ca.crt", pki.ca.pem.cert_pem);
    auto config = in_cluster_config(dir.path("sa"));
    ::unsetenv("KUBERNETES_SERVICE_HOST");
    ::unsetenv("KUBERNETES_SERVICE_PORT");
    REQUIRE(config.has_value());
    CHECK(config->scheme == "https");
    CHECK(config->host == "fd00::1");
    CHECK(config->port == "443");
    CHECK(config->token == "tok");
    CHECK(config->token_file == token_path);
    CHECK(config->ca_pem == pki.ca.pem.cert_pem);
}

}  // namespace
}  // namespace multisched::client
