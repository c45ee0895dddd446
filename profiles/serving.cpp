// SPDX-License-Identifier: Apache-2.0
#include "profiles/serving.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/this_coro.hpp>

#include "core/client/rest_config.hpp"
#include "core/server/authorization.hpp"
#include "core/server/handler_chain.hpp"
#include "core/server/mux.hpp"
#include "core/util/log.hpp"
#include "core/util/task_group.hpp"
#include "profiles/routing.hpp"

namespace multisched::profiles {
namespace {

namespace http = boost::beast::http;

// The client for an authn/authz kubeconfig flag: the file, else in-cluster, else none (upstream's
// RemoteKubeConfigFileOptional: serving works, delegation does not).
result<std::unique_ptr<client::api_client>> delegation_client(asio::any_io_executor ex,
                                                              const std::string& kubeconfig,
                                                              std::string_view flag,
                                                              std::string_view purpose) {
    auto rc =
        kubeconfig.empty() ? client::in_cluster_config() : client::load_kubeconfig(kubeconfig);
    if (!rc) {
        if (!kubeconfig.empty()) {
            return error{{}, fmt::format("--{} {}: {}", flag, kubeconfig, rc.error().message)};
        }
        MS_LOG_WARN("No {} provided, so {} won't work.", flag, purpose);
        return std::unique_ptr<client::api_client>();
    }
    rc->user_agent = "multisched/v0.1.0 scheduler";
    auto made = client::create_api_client(std::move(ex), std::move(*rc));
    if (!made) {
        return error{{}, fmt::format("--{}: {}", flag, made.error().message)};
    }
    return std::move(*made);
}

std::shared_ptr<server::mux> routes(const serving_sources& sources) {
    auto m = std::make_shared<server::mux>();
    server::install_health_checks(*m, "/healthz", sources.health);
    server::install_health_checks(*m, "/livez", sources.health);
    server::install_health_checks(*m, "/readyz", sources.ready);
    if (auto* reg = sources.metrics) {
        m->handle("/metrics",
                  [reg](const server::request& req) {
                      server::response res;
                      if (req.method() == http::verb::delete_) {
                          reg->reset();  // HandlerWithReset
                          return res;
                      }
                      res.content_type = "text/plain; version=0.0.4; charset=utf-8";
                      res.body = reg->expose();
                      return res;
                  },
                  {http::verb::get, http::verb::delete_});
    }
    if (sources.debug_flags) {
        m->handle("/debug/flags/v", put_verbosity);
    }
    if (sources.mutate_pods) {
        m->handle(std::string(kMutatePodsPath), sources.mutate_pods, {http::verb::post});
    }
    if (const auto* store = sources.explanations) {
        m->handle("/debug/explain",
                  [store](const server::request& req) { return explain_response(req, *store); },
                  {http::verb::get});
    }
    if (sources.configz) {
        m->handle("/configz",
                  [configz = sources.configz](const server::request&) {
                      server::response res;
                      res.content_type = "application/json";
                      res.body = configz();
                      return res;
                  },
                  {http::verb::get});
    }
    return m;
}

}  // namespace

server::response explain_response(const server::request& req,
                                  const scheduler::explanation_store& store) {
    const auto values = server::query_values(req.raw_query, "pod");
    const auto slash = values.size() == 1 ? values.front().find('/') : std::string::npos;
    if (slash == std::string::npos || slash == 0 || slash + 1 == values.front().size() ||
        values.front().find('/', slash + 1) != std::string::npos) {
        return server::response::error_text(
            400,
            "want one query parameter pod=NAMESPACE/NAME, e.g. /debug/explain?pod=default/web-0");
    }
    const std::string& key = values.front();
    const auto e = store.find(key);
    if (e == nullptr) {
        return server::response::error_text(
            404, fmt::format("no explanation kept for pod {}: this instance has not attempted it "
                             "(it is bound, deleted, not ours, or not attempted yet; a standby "
                             "instance schedules nothing), or it was evicted to bound memory",
                             key));
    }
    server::response res;
    res.content_type = "application/json";
    res.body = scheduler::explanation_json(*e) + "\n";
    return res;
}

server::response put_verbosity(const server::request& req) {
    // component-base's writePlainText: Content-Type text/plain, the message without a newline.
    const auto plain = [](unsigned status, std::string text) {
        server::response res;
        res.status = status;
        res.content_type = "text/plain";
        res.body = std::move(text);
        return res;
    };
    if (req.method() != http::verb::put) {
        return plain(406, "unsupported http method");
    }
    // klog's Level.Set: strconv.ParseUint(value, 10, 32).
    const std::string& value = req.message.body();
    std::uint32_t level = 0;
    const char* const last = value.data() + value.size();
    const auto [end, ec] = std::from_chars(value.data(), last, level);
    if (value.empty() || ec != std::errc() || end != last) {
        const bool digits = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
            return c >= '0' && c <= '9';
        });
        return plain(400,
                     fmt::format("failed set klog.logging.verbosity {}: strconv.ParseUint: "
                                 "parsing \"{}\": {}",
                                 value, value, digits ? "value out of range" : "invalid syntax"));
    }
    log::set_verbosity(static_cast<int>(std::min<std::uint32_t>(level, 1'000'000)));
    MS_LOG_INFO("log verbosity set to {} through /debug/flags/v", level);
    return plain(200, "successfully set klog.logging.verbosity to " + value);
}

secure_serving::~secure_serving() = default;

task<result<std::unique_ptr<secure_serving>>> secure_serving::start(asio::any_io_executor ex,
                                                                    serving_config cfg,
                                                                    serving_sources sources) {
    std::unique_ptr<secure_serving> s(new secure_serving());
    auto authn_client =
        delegation_client(ex, cfg.authentication_kubeconfig, "authentication-kubeconfig",
                          "token authentication and the client-ca-file lookup");
    if (!authn_client) {
        co_return authn_client.error();
    }
    s->authn_client_ = std::move(*authn_client);
    auto authz_client =
        delegation_client(ex, cfg.authorization_kubeconfig, "authorization-kubeconfig",
                          "SubjectAccessReview of authorization tokens");
    if (!authz_client) {
        co_return authz_client.error();
    }
    s->authz_client_ = std::move(*authz_client);

    auto authn = co_await server::configure_delegated_authentication(cfg.authentication,
                                                                     s->authn_client_.get());
    if (!authn) {
        co_return authn.error();
    }
    s->authn_ = std::move(*authn);
    server::authorization_options az;
    az.always_allow_paths = cfg.always_allow_paths;
    if (sources.mutate_pods) {
        az.always_allow_paths.emplace_back(kMutatePodsPath);
    }
    az.sar_client = s->authz_client_.get();
    az.allow_cache_ttl = cfg.authz_allow_ttl;
    az.deny_cache_ttl = cfg.authz_deny_ttl;
    auto authz = server::delegating_authorizer::create(std::move(az));
    if (!authz) {
        co_return error{{}, "--authorization-always-allow-paths: " + authz.error().message};
    }

    auto chain = std::make_shared<server::handler_chain>(routes(sources), s->authn_.authenticator,
                                                         std::move(*authz));
    cfg.serving.request_client_certificate = s->authn_.request_client_certificate;
    auto srv = server::secure_server::create(ex, cfg.serving, std::move(chain));
    if (!srv) {
        co_return srv.error();
    }
    s->server_ = std::move(*srv);
    if (auto listening = s->server_->listen(); !listening) {
        co_return listening.error();
    }
    MS_LOG_INFO("serving securely on {}:{}", cfg.serving.bind_address, s->server_->port());
    co_return s;
}

task<void> secure_serving::run() {
    // Stopping is normal: the wind-down below must not throw because the caller cancelled us.
    co_await asio::this_coro::throw_if_cancelled(false);
    task_group refresh(co_await asio::this_coro::executor, "client-ca");
    if (authn_.client_ca_from_config_map) {
        refresh.spawn(server::keep_client_ca_fresh(authn_.authenticator, authn_client_.get()));
    }
    co_await server_->run();
    refresh.cancel();
    co_await refresh.wait();
}

void secure_serving::stop() {
    if (!stopped_ && server_) {
        stopped_ = true;
        server_->stop();
    }
}

std::uint16_t secure_serving::port() const {
    return server_ ? server_->port() : 0;
}

}  // namespace multisched::profiles
