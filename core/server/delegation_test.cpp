// SPDX-License-Identifier: Apache-2.0
// Where delegated authentication gets its client CA and front-proxy settings: flags, the
// extension-apiserver-authentication ConfigMap, tolerated and fatal lookup failures, refresh.
#include "core/server/delegation.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "core/json/json.hpp"
#include "core/util/task_group.hpp"
#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"
#include "test/util/test_pki.hpp"

namespace multisched::server {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using multisched::testing::cert_usage;
using multisched::testing::fake_api_client;
using multisched::testing::issue_cert;
using multisched::testing::make_test_ca;

std::string config_map(const std::string& client_ca, const std::string& proxy_ca) {
    json::writer w;
    w.begin_object().key("data").begin_object();
    if (!client_ca.empty()) {
        w.field("client-ca-file", client_ca);
    }
    if (!proxy_ca.empty()) {
        w.field("requestheader-client-ca-file", proxy_ca);
        w.field("requestheader-allowed-names", R"(["front-proxy-client"])");
        w.field("requestheader-username-headers", R"(["X-Remote-User"])");
        w.field("requestheader-group-headers", R"(["X-Remote-Group"])");
    }
    w.end_object().end_object();
    return w.str();
}

credentials cert_credentials(const multisched::testing::pem_pair& cert,
                             std::vector<std::pair<std::string, std::string>> headers = {}) {
    credentials c;
    c.peer_certs = peer_certificates_from_pem(cert.cert_pem).value();
    c.headers = std::move(headers);
    return c;
}

TEST_CASE("server.delegation_from_flags") {
    asio::io_context ioc;
    const auto ca = make_test_ca("flag-ca");
    const auto path = std::filesystem::temp_directory_path() /
                      ("multisched-client-ca-" + std::to_string(::getpid()) + ".crt");
    std::ofstream(path) << ca.pem.cert_pem;
    fake_api_client apiserver;
    delegated_authentication_config cfg;
    cfg.client_ca_file = path.string();
    cfg.skip_lookup = true;
    auto configured =
        multisched::testing::run(ioc, configure_delegated_authentication(cfg, &apiserver));
    REQUIRE(configured.has_value());
    CHECK(configured->request_client_certificate);
    CHECK_FALSE(configured->client_ca_from_config_map);
    CHECK(apiserver.requests.empty());  // skip-lookup
    auto user = multisched::testing::run(
        ioc, configured->authenticator->authenticate(
                 cert_credentials(issue_cert(ca, "alice", cert_usage::client))));
    REQUIRE(user.has_value());
    CHECK(user->name == "alice");

    cfg.client_ca_file = (path.string() + ".missing");
    auto missing =
        multisched::testing::run(ioc, configure_delegated_authentication(cfg, &apiserver));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().message.starts_with("unable to load client CA provider"));
    std::filesystem::remove(path);

    // No authentication kubeconfig: nothing to look up, tokens ignored, no client certs asked.
    delegated_authentication_config none;
    auto bare = multisched::testing::run(ioc, configure_delegated_authentication(none, nullptr));
    REQUIRE(bare.has_value());
    CHECK_FALSE(bare->request_client_certificate);
    CHECK(bare->authenticator->client_ca_pem().empty());
}

TEST_CASE("server.delegation_from_the_config_map") {
    asio::io_context ioc;
    const auto ca = make_test_ca("cluster-ca");
    const auto proxy_ca = make_test_ca("front-proxy-ca");
    fake_api_client apiserver;
    apiserver.rules.push_back({verb::get, std::string(kAuthenticationConfigMapPath), 200,
                               config_map(ca.pem.cert_pem, proxy_ca.pem.cert_pem)});
    auto configured = multisched::testing::run(
        ioc, configure_delegated_authentication(delegated_authentication_config{}, &apiserver));
    REQUIRE(configured.has_value());
    CHECK(configured->client_ca_from_config_map);
    CHECK(configured->request_client_certificate);
    CHECK(configured->authenticator->client_ca_pem() == ca.pem.cert_pem);
    CHECK(apiserver.requests.size() == 1);
    auto& authn = *configured->authenticator;
    auto viewer = multisched::testing::run(
        ioc, authn.authenticate(
                 cert_credentials(issue_cert(proxy_ca, "front-proxy-client", cert_usage::client),
                                  {{"X-Remote-User", "viewer"}, {"X-Remote-Group", "readers"}})));
    REQUIRE(viewer.has_value());
    CHECK(viewer->name == "viewer");
    CHECK(viewer->groups == std::vector<std::string>{"readers", "system:authenticated"});
    auto direct = multisched::testing::run(
        ioc, authn.authenticate(cert_credentials(issue_cert(ca, "node", cert_usage::client))));
    REQUIRE(direct.has_value());
    CHECK(direct->name == "node");
}

TEST_CASE("server.delegation_lookup_failures") {
    asio::io_context ioc;
    fake_api_client forbidden;
    forbidden.rules.push_back({verb::get, "/api/v1/namespaces/kube-system", 403, "{}"});
    delegated_authentication_config cfg;
    auto tolerated =
        multisched::testing::run(ioc, configure_delegated_authentication(cfg, &forbidden));
    REQUIRE(tolerated.has_value());
    CHECK(tolerated->authenticator->client_ca_pem().empty());
    CHECK(tolerated->client_ca_from_config_map);  // retried by keep_client_ca_fresh
    auto anonymous =
        multisched::testing::run(ioc, tolerated->authenticator->authenticate(credentials{}));
    REQUIRE(anonymous.has_value());
    CHECK(anonymous->name == "system:anonymous");

    cfg.tolerate_lookup_failure = false;
    auto fatal = multisched::testing::run(ioc, configure_delegated_authentication(cfg, &forbidden));
    REQUIRE_FALSE(fatal.has_value());
    CHECK(fatal.error().message.find("request-header-client-ca-file") != std::string::npos);
}

TEST_CASE("server.delegation_refreshes_the_client_ca") {
    asio::io_context ioc;
    const auto ca = make_test_ca("late-ca");
    fake_api_client apiserver;
    apiserver.rules.push_back({verb::get, std::string(kAuthenticationConfigMapPath), 404, "{}"});
    auto configured = multisched::testing::run(
        ioc, configure_delegated_authentication(delegated_authentication_config{}, &apiserver));
    REQUIRE(configured.has_value());
    auto authn = configured->authenticator;
    CHECK(authn->client_ca_pem().empty());
    task_group group(ioc.get_executor(), "refresh");
    group.spawn(keep_client_ca_fresh(authn, &apiserver, 20ms));
    // The CA appears in the ConfigMap; the loop installs it.
    apiserver.rules.front() = {verb::get, std::string(kAuthenticationConfigMapPath), 200,
                               config_map(ca.pem.cert_pem, "")};
    multisched::testing::run(ioc, [&]() -> task<void> {
        for (int i = 0; i < 200 && authn->client_ca_pem().empty(); ++i) {
            asio::steady_timer t(ioc, 10ms);
            co_await t.async_wait(use_task);
        }
    }());
    CHECK(authn->client_ca_pem() == ca.pem.cert_pem);
    const auto fetches = apiserver.requests.size();
    group.cancel();
    multisched::testing::run(ioc, group.wait(), 2s);
    CHECK(group.size() == 0);
    CHECK(apiserver.requests.size() == fetches);
}

}  // namespace
}  // namespace multisched::server
