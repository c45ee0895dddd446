// SPDX-License-Identifier: Apache-2.0
// multisched: the daemon's entry point. Parses kube-scheduler's command line, builds the
// effective KubeSchedulerConfiguration and runs the scheduler (profiles/daemon.hpp); or, as
// `multisched simulate ...`, runs a simulation (profiles/simulate_command.hpp); `multisched
// explain NS/POD ...` explains a live cluster's pending pod (profiles/explain_command.hpp).
#include <cstdio>
#include <string_view>

#include "core/cli/options.hpp"
#include "core/util/log.hpp"
#include "plugins/registry.hpp"
#include "profiles/daemon.hpp"
#include "profiles/explain_command.hpp"
#include "profiles/simulate_command.hpp"

#ifndef MULTISCHED_VERSION
#define MULTISCHED_VERSION "0.0.0"
#endif

namespace {

// The secure-serving, authentication and authorization flags as the daemon takes them.
multisched::profiles::serving_config serving_config_from(const multisched::cli::options& o) {
    multisched::profiles::serving_config s;
    s.enabled = o.secure_port != 0;
    s.serving.bind_address = o.bind_address;
    s.serving.port = static_cast<std::uint16_t>(o.secure_port);
    s.serving.tls_cert_file = o.tls_cert_file;
    s.serving.tls_private_key_file = o.tls_private_key_file;
    s.serving.cert_dir = o.cert_dir;
    s.serving.tls_min_version = o.tls_min_version;
    s.serving.reuse_port = o.permit_port_sharing;
    auto& a = s.authentication;
    a.client_ca_file = o.client_ca_file;
    a.requestheader_client_ca_file = o.requestheader_client_ca_file;
    a.requestheader_allowed_names = o.requestheader_allowed_names;
    a.requestheader_username_headers = o.requestheader_username_headers;
    a.requestheader_uid_headers = o.requestheader_uid_headers;
    a.requestheader_group_headers = o.requestheader_group_headers;
    a.requestheader_extra_headers_prefix = o.requestheader_extra_headers_prefix;
    a.skip_lookup = o.authentication_skip_lookup;
    a.tolerate_lookup_failure = o.authentication_tolerate_lookup_failure;
    a.cache_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
        o.authentication_token_webhook_cache_ttl);
    s.authentication_kubeconfig = o.authentication_kubeconfig;
    s.authorization_kubeconfig = o.authorization_kubeconfig;
    s.always_allow_paths = o.authorization_always_allow_paths;
    s.authz_allow_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
        o.authorization_webhook_cache_authorized_ttl);
    s.authz_deny_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
        o.authorization_webhook_cache_unauthorized_ttl);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace multisched;
    if (argc > 1 && std::string_view(argv[1]) == "simulate") {
        return profiles::run_simulate_command({argv + 2, static_cast<std::size_t>(argc - 2)});
    }
    if (argc > 1 && std::string_view(argv[1]) == "explain") {
        return profiles::run_explain_command({argv + 2, static_cast<std::size_t>(argc - 2)});
    }
    auto opts = cli::parse_command_line(argc, argv);
    if (!opts) {
        std::fprintf(stderr, "Error: %s\nRun '%s --help' for usage.\n",
                     opts.error().message.c_str(), argv[0]);
        return 1;
    }
    if (opts->help) {
        std::fputs(cli::usage_text().c_str(), stdout);
        return 0;
    }
    if (opts->version) {
        std::printf("%s\n", cli::version_text(MULTISCHED_VERSION).c_str());
        return 0;
    }
    log::init(opts->verbosity,
              opts->logging_format == "json" ? log::format::json : log::format::text);
    for (const auto& warning : cli::ignored_flag_warnings(*opts)) {
        MS_LOG_WARN("{}", warning);
    }
    const auto defaulter = plugins::make_args_defaulter();
    auto cfg = cli::effective_config(*opts, defaulter);
    if (!cfg) {
        MS_LOG_ERROR("invalid configuration: {}", cfg.error().message);
        return 1;
    }
    if (!opts->write_config_to.empty()) {
        auto written = cli::write_config_file(opts->write_config_to, *cfg);
        if (!written) {
            MS_LOG_ERROR("{}", written.error().message);
            return 1;
        }
        MS_LOG_INFO("wrote configuration to {}", opts->write_config_to);
        return 0;
    }
    profiles::daemon_options daemon;
    daemon.master = opts->master;
    daemon.unschedulable_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        opts->pod_max_in_unschedulable_pods_duration);
    if (!opts->config_file.empty()) {
        // Edits of --config are applied while running, read exactly as at start-up.
        daemon.config_file = opts->config_file;
        daemon.reload_config = [o = *opts, defaulter] {
            return cli::effective_config(o, defaulter);
        };
    }
    daemon.routing_config = opts->routing_config;
    daemon.version = MULTISCHED_VERSION;
    daemon.show_hidden_metrics_for_version = opts->show_hidden_metrics_for_version;
    daemon.disabled_metrics = opts->disabled_metrics;
    daemon.serving = serving_config_from(*opts);
    MS_LOG_INFO("multisched {} starting", MULTISCHED_VERSION);
    return profiles::run_daemon(*cfg, daemon);
}
