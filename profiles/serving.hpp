// SPDX-License-Identifier: Apache-2.0
// The daemon's secure port, as kube-scheduler serves it (cmd/kube-scheduler/app/server.go):
// HTTPS on --bind-address:--secure-port with delegated authentication (TokenReview, client
// certificates) and authorization (SubjectAccessReview), serving /healthz, /livez, /readyz,
// /metrics (GET; DELETE resets) and /configz, and multisched's /debug/explain?pod=NS/NAME (the
// last attempt's explanation of a pending pod, JSON) and /mutate-pods when profile routing is
// configured. Health paths and /mutate-pods are always allowed; the rest need authorization.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/client/api_client.hpp"
#include "core/metrics/registry.hpp"
#include "core/scheduler/explanation_store.hpp"
#include "core/server/delegation.hpp"
#include "core/server/healthz.hpp"
#include "core/server/secure_server.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::profiles {

// The secure-serving, authentication and authorization flags.
struct serving_config {
    bool enabled = true;  // --secure-port=0 turns serving (and authn/authz) off
    server::serving_options serving;
    server::delegated_authentication_config authentication;
    std::string authentication_kubeconfig;  // "": in-cluster when available, else no TokenReview
    std::string authorization_kubeconfig;   // "": in-cluster when available, else only always-allow
    std::vector<std::string> always_allow_paths = {"/healthz", "/readyz", "/livez"};
    std::chrono::milliseconds authz_allow_ttl{std::chrono::seconds(10)};
    std::chrono::milliseconds authz_deny_ttl{std::chrono::seconds(10)};
};

// Where the endpoints get their answers. Called on the io_context's thread.
struct serving_sources {
    // /healthz and /livez checks beyond ping (e.g. leader election), and /readyz checks.
    std::vector<server::health_check> health;
    std::vector<server::health_check> ready;
    // The /configz body (a JSON object).
    std::function<std::string()> configz;
    metrics::registry* metrics = nullptr;
    // enableProfiling: PUT /debug/flags/v sets the log verbosity (upstream also serves Go's
    // /debug/pprof there, which has no equivalent in this process).
    bool debug_flags = false;
    // The profile-routing admission webhook (POST /mutate-pods); null: not served. Its path is
    // always allowed: kube-apiserver calls webhooks without credentials.
    std::function<server::response(const server::request&)> mutate_pods;
    // What GET /debug/explain?pod=NS/NAME answers from; null: not served.
    const scheduler::explanation_store* explanations = nullptr;
};

// GET /debug/explain?pod=NS/NAME: 200 with the explanation as JSON (explanation.hpp), 404 when
// none is kept for that pod, 400 without a well-formed `pod`.
server::response explain_response(const server::request& req,
                                  const scheduler::explanation_store& store);

// PUT /debug/flags/v as component-base's StringFlagPutHandler(GlogSetter): the body is the new
// -v level; 200 "successfully set klog.logging.verbosity to N", 400 for a body that is not an
// unsigned 32-bit number, 406 "unsupported http method" for other methods.
server::response put_verbosity(const server::request& req);

class secure_serving {
  public:
    // Builds the authentication and authorization clients, the handler chain and the server, and
    // listens. Errors name the flag or file at fault, or the address that could not be bound.
    static task<result<std::unique_ptr<secure_serving>>> start(asio::any_io_executor ex,
                                                               serving_config cfg,
                                                               serving_sources sources);
    ~secure_serving();

    // Serves (and keeps the client CA fresh when it comes from the ConfigMap) until stop().
    task<void> run();
    void stop();
    std::uint16_t port() const;

  private:
    secure_serving() = default;

    std::unique_ptr<client::api_client> authn_client_;
    std::unique_ptr<client::api_client> authz_client_;
    server::delegated_authentication authn_;
    std::unique_ptr<server::secure_server> server_;
    bool stopped_ = false;
};

}  // namespace multisched::profiles
