// SPDX-License-Identifier: Apache-2.0
// kube-scheduler's command line (cmd/kube-scheduler/app/options), parsed Go-style: `--flag=value`,
// `--flag value`, bare booleans (`--leader-elect`, `--leader-elect=false`), `-v=4` / `-v 4` /
// `--v=4`, `_` and `-` interchangeable in names, `--` ends flags. Every upstream flag is accepted;
// most are only stored for now. effective_config() applies upstream's precedence (ApplyTo).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/util/result.hpp"

namespace multisched::cli {

using config::duration;

struct options {
    // misc
    std::string config_file;      // --config
    std::string write_config_to;  // --write-config-to
    std::string master;           // --master: overrides the kubeconfig's server (caller applies)
    // --routing-config (multisched's own): the profile-routing rules served at /mutate-pods.
    std::string routing_config;

    // secure serving
    std::string bind_address = "0.0.0.0";
    int secure_port = 10259;  // 0 disables HTTPS serving
    std::string cert_dir;
    std::string tls_cert_file;
    std::string tls_private_key_file;
    std::vector<std::string> tls_cipher_suites;
    std::string tls_min_version;
    std::vector<std::string> tls_sni_cert_key;  // raw "cert,key[:domain,...]" values
    int http2_max_streams_per_connection = 0;
    bool permit_port_sharing = false;
    bool permit_address_sharing = false;

    // authentication
    std::string authentication_kubeconfig;
    bool authentication_skip_lookup = false;
    duration authentication_token_webhook_cache_ttl = std::chrono::seconds(10);
    bool authentication_tolerate_lookup_failure = true;
    std::string client_ca_file;
    std::string requestheader_client_ca_file;
    std::vector<std::string> requestheader_allowed_names;
    std::vector<std::string> requestheader_username_headers = {"x-remote-user"};
    std::vector<std::string> requestheader_group_headers = {"x-remote-group"};
    std::vector<std::string> requestheader_extra_headers_prefix = {"x-remote-extra-"};
    std::vector<std::string> requestheader_uid_headers;

    // authorization
    std::string authorization_kubeconfig;
    std::vector<std::string> authorization_always_allow_paths = {"/healthz", "/readyz", "/livez"};
    duration authorization_webhook_cache_authorized_ttl = std::chrono::seconds(10);
    duration authorization_webhook_cache_unauthorized_ttl = std::chrono::seconds(10);

    // deprecated: ignored when --config is given
    std::string kubeconfig;
    float kube_api_qps = 50;
    std::int32_t kube_api_burst = 100;
    std::string kube_api_content_type = std::string(config::kDefaultContentType);
    bool profiling = true;
    bool contention_profiling = true;
    std::string lock_object_name = "kube-scheduler";
    std::string lock_object_namespace = "kube-system";
    // deprecated but still the only way to set it; applied with or without --config
    duration pod_max_in_unschedulable_pods_duration = std::chrono::minutes(5);

    // leader election (override the config file only when explicitly set)
    config::leader_election_config leader_election;

    // feature gates
    std::map<std::string, bool> feature_gates;
    std::vector<std::string> emulated_version;

    // metrics
    std::string show_hidden_metrics_for_version;
    std::map<std::string, std::string> allow_metric_labels;
    std::string allow_metric_labels_manifest;
    std::vector<std::string> disabled_metrics;

    // logs
    int verbosity = 0;  // -v
    std::string vmodule;
    std::string logging_format = "text";  // text | json
    duration log_flush_frequency = std::chrono::seconds(5);
    bool log_text_split_stream = false;
    std::string log_text_info_buffer_size = "0";
    bool log_json_split_stream = false;
    std::string log_json_info_buffer_size = "0";

    // global
    bool help = false;     // -h/--help: print usage_text() and exit 0
    bool version = false;  // --version[=true|raw]: print version_text() and exit 0
    bool version_raw = false;

    // Long names of the flags given on the command line (pflag's Changed).
    std::set<std::string, std::less<>> changed;

    bool is_changed(std::string_view flag) const { return changed.contains(flag); }
    // True when the caller should print help or the version and exit with status 0.
    bool should_exit() const { return help || version; }
};

// Parses argv (argv[0] is the program). Errors name the flag, as pflag does:
// `unknown flag: --foo`, `invalid argument "abc" for "--secure-port" flag: ...`,
// `flag needs an argument: --config`; the caller prints the message and exits non-zero.
result<options> parse_command_line(int argc, const char* const* argv);
inline result<options> parse_command_line(int argc, char** argv) {
    return parse_command_line(argc, const_cast<const char* const*>(argv));
}

// Flag help grouped like upstream ("Misc flags:", "Secure serving flags:", ...).
std::string usage_text(std::string_view program = "multisched");
// "multisched v0.1.0 (kube-scheduler compatible)" for version "0.1.0" (or "v0.1.0").
std::string version_text(std::string_view version);

// The config kube-scheduler would run (options.go ApplyTo): with --config, the decoded file
// with only explicitly set leader-election flags on top (deprecated client/profiling flags are
// ignored with a warning); without it, the defaults plus deprecated and leader-election flags.
// The result is validated; errors name file:line:col and field, or the overriding flag.
// `defaulter` fills each profile's pluginConfig with defaulted args (plugins::make_args_defaulter).
result<config::scheduler_config> effective_config(const options& opts,
                                                  const config::args_defaulter& defaulter = {});

// The explicitly set flags that --config makes ineffective, one warning line each
// ("--kubeconfig is ignored because --config is set"); empty without --config.
std::vector<std::string> ignored_flag_warnings(const options& opts);

// --write-config-to: writes config::to_yaml(cfg) to `path`.
result<void> write_config_file(const std::string& path, const config::scheduler_config& cfg);

}  // namespace multisched::cli
