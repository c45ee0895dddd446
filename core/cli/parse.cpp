// SPDX-License-Identifier: Apache-2.0
// kube-scheduler's flag set and its Go-style (pflag) parsing. The flag table below is the one
// place a flag is declared: name, group, type, default, help and how its value is stored.
// argv is first normalised to `--name=value` tokens (pflag rules: bare booleans, shorthands,
// `--name value`), then Boost.ProgramOptions checks the names and collects repeated values, and
// each value is converted here so that errors read like pflag's.
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <variant>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "core/cli/options.hpp"

namespace multisched::cli {
namespace {

namespace po = boost::program_options;

// Returns the conversion error, or nullopt when the value was stored. `first` is true for the
// first occurrence of the flag (list flags replace their default then, and append afterwards).
using setter = std::function<std::optional<std::string>(options&, const std::string&, bool first)>;

struct flag_spec {
    std::string_view group;
    std::string_view name;
    char shorthand;         // '\0' = none
    std::string_view type;  // shown in help: string, int, duration, strings, ...
    bool takes_no_value;    // pflag NoOptDefVal: bare `--name` means `--name=true`
    std::string_view def;   // default as shown in help ("" = not shown)
    std::string_view help;
    setter set;
};

std::string parse_error(std::string_view func, std::string_view s, std::string_view why) {
    return fmt::format("strconv.{}: parsing \"{}\": {}", func, s, why);
}

std::optional<bool> go_bool(std::string_view s) {
    if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") {
        return true;
    }
    if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
        return false;
    }
    return std::nullopt;
}

// strconv.ParseInt(s, 0, bits).
std::variant<std::int64_t, std::string> go_int(const std::string& s, int bits) {
    std::string_view body = s;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        body.remove_prefix(1);
    }
    if (body.empty() || !std::isdigit(static_cast<unsigned char>(body[0]))) {
        return parse_error("ParseInt", s, "invalid syntax");
    }
    std::string text = s;
    int base = 10;
    if (body.size() > 1 && body[0] == '0') {
        const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(body[1])));
        const auto prefix = static_cast<std::size_t>(s.size() - body.size());
        if (p == 'x' || p == 'o' || p == 'b') {
            base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
            text = s.substr(0, prefix) + std::string(body.substr(2));
        } else {
            base = 8;
        }
    }
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, base);
    if (end == text.c_str() || *end != '\0') {
        return parse_error("ParseInt", s, "invalid syntax");
    }
    const long long lo = bits == 64 ? std::numeric_limits<long long>::min() : -(1LL << (bits - 1));
    const long long hi =
        bits == 64 ? std::numeric_limits<long long>::max() : (1LL << (bits - 1)) - 1;
    if (errno == ERANGE || v < lo || v > hi) {
        return parse_error("ParseInt", s, "value out of range");
    }
    return static_cast<std::int64_t>(v);
}

template <class Proj>
setter string_flag(Proj proj) {
    return [proj](options& o, const std::string& v, bool) -> std::optional<std::string> {
        proj(o) = v;
        return std::nullopt;
    };
}

template <class Proj>
setter bool_flag(Proj proj) {
    return [proj](options& o, const std::string& v, bool) -> std::optional<std::string> {
        const auto b = go_bool(v);
        if (!b) {
            return parse_error("ParseBool", v, "invalid syntax");
        }
        proj(o) = *b;
        return std::nullopt;
    };
}

template <class Proj>
setter int_flag(Proj proj, int bits) {
    return [proj, bits](options& o, const std::string& v, bool) -> std::optional<std::string> {
        auto r = go_int(v, bits);
        if (auto* err = std::get_if<std::string>(&r)) {
            return *err;
        }
        proj(o) = static_cast<std::remove_reference_t<decltype(proj(o))>>(std::get<0>(r));
        return std::nullopt;
    };
}

template <class Proj>
setter float_flag(Proj proj) {
    return [proj](options& o, const std::string& v, bool) -> std::optional<std::string> {
        errno = 0;
        char* end = nullptr;
        const float f = std::strtof(v.c_str(), &end);
        if (v.empty() || end != v.c_str() + v.size() ||
            std::isspace(static_cast<unsigned char>(v[0]))) {
            return parse_error("ParseFloat", v, "invalid syntax");
        }
        if (errno == ERANGE && std::isinf(f)) {
            return parse_error("ParseFloat", v, "value out of range");
        }
        proj(o) = f;
        return std::nullopt;
    };
}

template <class Proj>
setter duration_flag(Proj proj) {
    return [proj](options& o, const std::string& v, bool) -> std::optional<std::string> {
        auto d = config::parse_duration(v);
        if (!d) {
            return d.error().message;
        }
        proj(o) = *d;
        return std::nullopt;
    };
}

template <class Proj>
setter ip_flag(Proj proj) {
    return [proj](options& o, const std::string& v, bool) -> std::optional<std::string> {
        unsigned char buf[16];
        if (inet_pton(AF_INET, v.c_str(), buf) != 1 && inet_pton(AF_INET6, v.c_str(), buf) != 1) {
            return fmt::format("failed to parse IP: \"{}\"", v);
        }
        proj(o) = v;
        return std::nullopt;
    };
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    if (s.empty()) {
        return out;
    }
    std::size_t start = 0;
    while (true) {
        const auto pos = s.find(sep, start);
        out.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) {
            return out;
        }
        start = pos + 1;
    }
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) {
        return {};
    }
    return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

// pflag stringSlice (comma separated; the first use replaces the default, later uses append).
template <class Proj>
setter slice_flag(Proj proj) {
    return [proj](options& o, const std::string& v, bool first) -> std::optional<std::string> {
        auto& out = proj(o);
        if (first) {
            out.clear();
        }
        for (auto& item : split(v, ',')) {
            out.push_back(std::move(item));
        }
        return std::nullopt;
    };
}

// pflag stringArray: each use appends the whole value.
template <class Proj>
setter array_flag(Proj proj) {
    return [proj](options& o, const std::string& v, bool first) -> std::optional<std::string> {
        auto& out = proj(o);
        if (first) {
            out.clear();
        }
        out.push_back(v);
        return std::nullopt;
    };
}

// component-base feature gates: "A=true,B=false"; uses merge.
setter feature_gate_flag() {
    return [](options& o, const std::string& v, bool) -> std::optional<std::string> {
        for (const auto& item : split(v, ',')) {
            const std::string kv = trim(item);
            if (kv.empty()) {
                continue;
            }
            const auto eq = kv.find('=');
            if (eq == std::string::npos) {
                return fmt::format("missing bool value for {}", kv);
            }
            const std::string key = trim(kv.substr(0, eq));
            const std::string val = trim(kv.substr(eq + 1));
            const auto b = go_bool(val);
            if (!b) {
                return fmt::format("invalid value of {}={}, err: {}", key, val,
                                   parse_error("ParseBool", val, "invalid syntax"));
            }
            o.feature_gates[key] = *b;
        }
        return std::nullopt;
    };
}

// pflag stringToString: "k=v,k2=v2"; the first use replaces the default, later uses merge.
setter metric_labels_flag() {
    return [](options& o, const std::string& v, bool first) -> std::optional<std::string> {
        if (first) {
            o.allow_metric_labels.clear();
        }
        for (const auto& kv : split(v, ',')) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos) {
                return fmt::format("{} must be formatted as key=value", kv);
            }
            o.allow_metric_labels[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        return std::nullopt;
    };
}

setter logging_format_flag() {
    return [](options& o, const std::string& v, bool) -> std::optional<std::string> {
        if (v != "text" && v != "json") {
            return fmt::format("Unsupported log format \"{}\" (supported: text, json)", v);
        }
        o.logging_format = v;
        return std::nullopt;
    };
}

setter version_flag() {
    return [](options& o, const std::string& v, bool) -> std::optional<std::string> {
        if (v == "raw") {
            o.version = true;
            o.version_raw = true;
            return std::nullopt;
        }
        const auto b = go_bool(v);
        if (!b) {
            return parse_error("ParseBool", v, "invalid syntax");
        }
        o.version = *b;
        return std::nullopt;
    };
}

#define MS_FIELD(member)       \
    [](options & o) -> auto& { \
        return o.member;       \
    }

std::vector<flag_spec> make_flag_table() {
    return {
        // misc
        {"Misc", "config", 0, "string", false, "", "The path to the configuration file.",
         string_flag(MS_FIELD(config_file))},
        {"Misc", "master", 0, "string", false, "",
         "The address of the Kubernetes API server (overrides any value in kubeconfig)",
         string_flag(MS_FIELD(master))},
        {"Misc", "routing-config", 0, "string", false, "",
         "multisched: the profile-routing rules file (kind ProfileRouting). When set, the "
         "secure port serves the /mutate-pods admission webhook, which sets spec.schedulerName "
         "of new pods from these rules; the file is reloaded when it changes.",
         string_flag(MS_FIELD(routing_config))},
        {"Misc", "write-config-to", 0, "string", false, "",
         "If set, write the configuration values to this file and exit.",
         string_flag(MS_FIELD(write_config_to))},
        // secure serving
        {"Secure serving", "bind-address", 0, "ip", false, "0.0.0.0",
         "The IP address on which to listen for the --secure-port port. If blank or an "
         "unspecified address (0.0.0.0 or ::), all interfaces and IP address families will be "
         "used.",
         ip_flag(MS_FIELD(bind_address))},
        {"Secure serving", "cert-dir", 0, "string", false, "",
         "The directory where the TLS certs are located. If --tls-cert-file and "
         "--tls-private-key-file are provided, this flag will be ignored.",
         string_flag(MS_FIELD(cert_dir))},
        {"Secure serving", "http2-max-streams-per-connection", 0, "int", false, "",
         "The limit that the server gives to clients for the maximum number of streams in an "
         "HTTP/2 connection. Zero means to use golang's default.",
         int_flag(MS_FIELD(http2_max_streams_per_connection), 64)},
        {"Secure serving", "permit-address-sharing", 0, "", true, "",
         "If true, SO_REUSEADDR will be used when binding the port.",
         bool_flag(MS_FIELD(permit_address_sharing))},
        {"Secure serving", "permit-port-sharing", 0, "", true, "",
         "If true, SO_REUSEPORT will be used when binding the port.",
         bool_flag(MS_FIELD(permit_port_sharing))},
        {"Secure serving", "secure-port", 0, "int", false, "10259",
         "The port on which to serve HTTPS with authentication and authorization. If 0, don't "
         "serve HTTPS at all.",
         int_flag(MS_FIELD(secure_port), 64)},
        {"Secure serving", "tls-cert-file", 0, "string", false, "",
         "File containing the default x509 Certificate for HTTPS.",
         string_flag(MS_FIELD(tls_cert_file))},
        {"Secure serving", "tls-cipher-suites", 0, "strings", false, "",
         "Comma-separated list of cipher suites for the server.",
         slice_flag(MS_FIELD(tls_cipher_suites))},
        {"Secure serving", "tls-min-version", 0, "string", false, "",
         "Minimum TLS version supported. Possible values: VersionTLS12, VersionTLS13",
         string_flag(MS_FIELD(tls_min_version))},
        {"Secure serving", "tls-private-key-file", 0, "string", false, "",
         "File containing the default x509 private key matching --tls-cert-file.",
         string_flag(MS_FIELD(tls_private_key_file))},
        {"Secure serving", "tls-sni-cert-key", 0, "namedCertKey", false, "[]",
         "A pair of x509 certificate and private key file paths, optionally suffixed with a list "
         "of domain patterns. May be given multiple times.",
         array_flag(MS_FIELD(tls_sni_cert_key))},
        // authentication
        {"Authentication", "authentication-kubeconfig", 0, "string", false, "",
         "kubeconfig file pointing at the 'core' kubernetes server with enough rights to create "
         "tokenreviews.authentication.k8s.io. This is optional.",
         string_flag(MS_FIELD(authentication_kubeconfig))},
        {"Authentication", "authentication-skip-lookup", 0, "", true, "",
         "If false, the authentication-kubeconfig will be used to lookup missing authentication "
         "configuration from the cluster.",
         bool_flag(MS_FIELD(authentication_skip_lookup))},
        {"Authentication", "authentication-token-webhook-cache-ttl", 0, "duration", false, "10s",
         "The duration to cache responses from the webhook token authenticator.",
         duration_flag(MS_FIELD(authentication_token_webhook_cache_ttl))},
        {"Authentication", "authentication-tolerate-lookup-failure", 0, "", true, "true",
         "If true, failures to look up missing authentication configuration from the cluster are "
         "not considered fatal.",
         bool_flag(MS_FIELD(authentication_tolerate_lookup_failure))},
        {"Authentication", "client-ca-file", 0, "string", false, "",
         "If set, any request presenting a client certificate signed by one of the authorities "
         "in the client-ca-file is authenticated with an identity corresponding to the "
         "CommonName of the client certificate.",
         string_flag(MS_FIELD(client_ca_file))},
        {"Authentication", "requestheader-allowed-names", 0, "strings", false, "",
         "List of client certificate common names to allow to provide usernames in headers.",
         slice_flag(MS_FIELD(requestheader_allowed_names))},
        {"Authentication", "requestheader-client-ca-file", 0, "string", false, "",
         "Root certificate bundle to use to verify client certificates on incoming requests "
         "before trusting usernames in headers.",
         string_flag(MS_FIELD(requestheader_client_ca_file))},
        {"Authentication", "requestheader-extra-headers-prefix", 0, "strings", false,
         "[x-remote-extra-]", "List of request header prefixes to inspect.",
         slice_flag(MS_FIELD(requestheader_extra_headers_prefix))},
        {"Authentication", "requestheader-group-headers", 0, "strings", false, "[x-remote-group]",
         "List of request headers to inspect for groups.",
         slice_flag(MS_FIELD(requestheader_group_headers))},
        {"Authentication", "requestheader-uid-headers", 0, "strings", false, "",
         "List of request headers to inspect for UIDs.",
         slice_flag(MS_FIELD(requestheader_uid_headers))},
        {"Authentication", "requestheader-username-headers", 0, "strings", false, "[x-remote-user]",
         "List of request headers to inspect for usernames.",
         slice_flag(MS_FIELD(requestheader_username_headers))},
        // authorization
        {"Authorization", "authorization-always-allow-paths", 0, "strings", false,
         "[/healthz,/readyz,/livez]",
         "A list of HTTP paths to skip during authorization, i.e. these are authorized without "
         "contacting the 'core' kubernetes server.",
         slice_flag(MS_FIELD(authorization_always_allow_paths))},
        {"Authorization", "authorization-kubeconfig", 0, "string", false, "",
         "kubeconfig file pointing at the 'core' kubernetes server with enough rights to create "
         "subjectaccessreviews.authorization.k8s.io. This is optional.",
         string_flag(MS_FIELD(authorization_kubeconfig))},
        {"Authorization", "authorization-webhook-cache-authorized-ttl", 0, "duration", false, "10s",
         "The duration to cache 'authorized' responses from the webhook authorizer.",
         duration_flag(MS_FIELD(authorization_webhook_cache_authorized_ttl))},
        {"Authorization", "authorization-webhook-cache-unauthorized-ttl", 0, "duration", false,
         "10s", "The duration to cache 'unauthorized' responses from the webhook authorizer.",
         duration_flag(MS_FIELD(authorization_webhook_cache_unauthorized_ttl))},
        // deprecated
        {"Deprecated", "contention-profiling", 0, "", true, "true",
         "DEPRECATED: enable lock contention profiling, if profiling is enabled. This parameter "
         "is ignored if a config file is specified in --config.",
         bool_flag(MS_FIELD(contention_profiling))},
        {"Deprecated", "kube-api-burst", 0, "int32", false, "100",
         "DEPRECATED: burst to use while talking with kubernetes apiserver. This parameter is "
         "ignored if a config file is specified in --config.",
         int_flag(MS_FIELD(kube_api_burst), 32)},
        {"Deprecated", "kube-api-content-type", 0, "string", false,
         "\"application/vnd.kubernetes.protobuf\"",
         "DEPRECATED: content type of requests sent to apiserver. This parameter is ignored if a "
         "config file is specified in --config.",
         string_flag(MS_FIELD(kube_api_content_type))},
        {"Deprecated", "kube-api-qps", 0, "float32", false, "50",
         "DEPRECATED: QPS to use while talking with kubernetes apiserver. This parameter is "
         "ignored if a config file is specified in --config.",
         float_flag(MS_FIELD(kube_api_qps))},
        {"Deprecated", "kubeconfig", 0, "string", false, "",
         "DEPRECATED: path to kubeconfig file with authorization and master location "
         "information. This parameter is ignored if a config file is specified in --config.",
         string_flag(MS_FIELD(kubeconfig))},
        {"Deprecated", "lock-object-name", 0, "string", false, "\"kube-scheduler\"",
         "DEPRECATED: define the name of the lock object. Will be removed in favor of "
         "leader-elect-resource-name. Has no effect.",
         string_flag(MS_FIELD(lock_object_name))},
        {"Deprecated", "lock-object-namespace", 0, "string", false, "\"kube-system\"",
         "DEPRECATED: define the namespace of the lock object. Will be removed in favor of "
         "leader-elect-resource-namespace. Has no effect.",
         string_flag(MS_FIELD(lock_object_namespace))},
        {"Deprecated", "pod-max-in-unschedulable-pods-duration", 0, "duration", false, "5m0s",
         "DEPRECATED: the maximum time a pod can stay in unschedulablePods. If a pod stays in "
         "unschedulablePods for longer than this value, the pod will be moved from "
         "unschedulablePods to backoffQ or activeQ.",
         duration_flag(MS_FIELD(pod_max_in_unschedulable_pods_duration))},
        {"Deprecated", "profiling", 0, "", true, "true",
         "DEPRECATED: enable profiling via web interface host:port/debug/pprof/. This parameter "
         "is ignored if a config file is specified in --config.",
         bool_flag(MS_FIELD(profiling))},
        // leader election
        {"Leader election", "leader-elect", 0, "", true, "true",
         "Start a leader election client and gain leadership before executing the main loop. "
         "Enable this when running replicated components for high availability.",
         bool_flag(MS_FIELD(leader_election.leader_elect))},
        {"Leader election", "leader-elect-lease-duration", 0, "duration", false, "15s",
         "The duration that non-leader candidates will wait after observing a leadership renewal "
         "until attempting to acquire leadership of a led but unrenewed leader slot.",
         duration_flag(MS_FIELD(leader_election.lease_duration))},
        {"Leader election", "leader-elect-renew-deadline", 0, "duration", false, "10s",
         "The interval between attempts by the acting master to renew a leadership slot before "
         "it stops leading. This must be less than the lease duration.",
         duration_flag(MS_FIELD(leader_election.renew_deadline))},
        {"Leader election", "leader-elect-resource-lock", 0, "string", false, "\"leases\"",
         "The type of resource object that is used for locking during leader election. "
         "Supported options are 'leases'.",
         string_flag(MS_FIELD(leader_election.resource_lock))},
        {"Leader election", "leader-elect-resource-name", 0, "string", false, "\"kube-scheduler\"",
         "The name of resource object that is used for locking during leader election.",
         string_flag(MS_FIELD(leader_election.resource_name))},
        {"Leader election", "leader-elect-resource-namespace", 0, "string", false,
         "\"kube-system\"",
         "The namespace of resource object that is used for locking during leader election.",
         string_flag(MS_FIELD(leader_election.resource_namespace))},
        {"Leader election", "leader-elect-retry-period", 0, "duration", false, "2s",
         "The duration the clients should wait between attempting acquisition and renewal of a "
         "leadership.",
         duration_flag(MS_FIELD(leader_election.retry_period))},
        // feature gate
        {"Feature gate", "emulated-version", 0, "strings", false, "",
         "The versions different components emulate their capabilities (APIs, features, ...) "
         "of. Stored only.",
         slice_flag(MS_FIELD(emulated_version))},
        {"Feature gate", "feature-gates", 0, "mapStringBool", false, "",
         "A set of key=value pairs that describe feature gates for alpha/experimental "
         "features.",
         feature_gate_flag()},
        // metrics
        {"Metrics", "allow-metric-labels", 0, "stringToString", false, "[]",
         "The map from metric-label to value allow-list of this label.", metric_labels_flag()},
        {"Metrics", "allow-metric-labels-manifest", 0, "string", false, "",
         "The path to the manifest file that contains the allow-list mapping.",
         string_flag(MS_FIELD(allow_metric_labels_manifest))},
        {"Metrics", "disabled-metrics", 0, "strings", false, "",
         "This flag provides an escape hatch for misbehaving metrics.",
         slice_flag(MS_FIELD(disabled_metrics))},
        {"Metrics", "show-hidden-metrics-for-version", 0, "string", false, "",
         "The previous version for which you want to show hidden metrics.",
         string_flag(MS_FIELD(show_hidden_metrics_for_version))},
        // logs
        {"Logs", "log-flush-frequency", 0, "duration", false, "5s",
         "Maximum number of seconds between log flushes",
         duration_flag(MS_FIELD(log_flush_frequency))},
        {"Logs", "log-json-info-buffer-size", 0, "quantity", false, "",
         "[Alpha] In JSON format with split output streams, the info messages can be buffered.",
         string_flag(MS_FIELD(log_json_info_buffer_size))},
        {"Logs", "log-json-split-stream", 0, "", true, "",
         "[Alpha] In JSON format, write error messages to stderr and info messages to stdout.",
         bool_flag(MS_FIELD(log_json_split_stream))},
        {"Logs", "log-text-info-buffer-size", 0, "quantity", false, "",
         "[Alpha] In text format with split output streams, the info messages can be buffered.",
         string_flag(MS_FIELD(log_text_info_buffer_size))},
        {"Logs", "log-text-split-stream", 0, "", true, "",
         "[Alpha] In text format, write error messages to stderr and info messages to stdout.",
         bool_flag(MS_FIELD(log_text_split_stream))},
        {"Logs", "logging-format", 0, "string", false, "\"text\"",
         "Sets the log format. Permitted formats: \"json\", \"text\".", logging_format_flag()},
        {"Logs", "v", 'v', "Level", false, "", "number for the log level verbosity",
         int_flag(MS_FIELD(verbosity), 32)},
        {"Logs", "vmodule", 0, "pattern=N,...", false, "",
         "comma-separated list of pattern=N settings for file-filtered logging (only works for "
         "text log format)",
         string_flag(MS_FIELD(vmodule))},
        // global
        {"Global", "help", 'h', "", true, "", "help for multisched", bool_flag(MS_FIELD(help))},
        {"Global", "version", 0, "version[=true]", true, "",
         "--version, --version=raw prints version information and quits", version_flag()},
    };
}

#undef MS_FIELD

const flag_spec* find_long(const std::vector<flag_spec>& table, std::string_view name) {
    for (const auto& f : table) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

const flag_spec* find_short(const std::vector<flag_spec>& table, char c) {
    for (const auto& f : table) {
        if (f.shorthand != 0 && f.shorthand == c) {
            return &f;
        }
    }
    return nullptr;
}

std::string display_name(const flag_spec& f) {
    if (f.shorthand != 0) {
        return fmt::format("-{}, --{}", f.shorthand, f.name);
    }
    return fmt::format("--{}", f.name);
}

error cli_error(std::string message) {
    return error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
}

std::string basename_of(const char* argv0) {
    if (argv0 == nullptr) {
        return "multisched";
    }
    const std::string_view s = argv0;
    const auto slash = s.find_last_of('/');
    return std::string(slash == std::string_view::npos ? s : s.substr(slash + 1));
}

// pflag tokenisation into canonical `--name=value` tokens.
result<std::vector<std::string>> normalise(const std::vector<flag_spec>& table, int argc,
                                           const char* const* argv) {
    std::vector<std::string> tokens;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i] == nullptr ? "" : argv[i];
        if (arg == "--") {
            for (++i; i < argc; ++i) {
                positional.emplace_back(argv[i] == nullptr ? "" : argv[i]);
            }
            break;
        }
        if (arg.size() > 2 && arg.starts_with("--")) {
            const auto eq = arg.find('=');
            std::string name = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
            std::replace(name.begin(), name.end(), '_', '-');  // cliflag.WordSepNormalizeFunc
            const flag_spec* f = find_long(table, name);
            if (f == nullptr || name.starts_with("-")) {
                return cli_error(fmt::format("unknown flag: --{}", name));
            }
            if (eq != std::string::npos) {
                tokens.push_back(fmt::format("--{}={}", name, arg.substr(eq + 1)));
            } else if (f->takes_no_value) {
                tokens.push_back(fmt::format("--{}=true", name));
            } else if (i + 1 < argc && argv[i + 1] != nullptr) {
                tokens.push_back(fmt::format("--{}={}", name, argv[++i]));
            } else {
                return cli_error(fmt::format("flag needs an argument: --{}", name));
            }
            continue;
        }
        if (arg.size() > 1 && arg[0] == '-' && arg != "--") {
            // Shorthands: -h, -v=4, -v4, -v 4 (and combined booleans such as -hv=3).
            std::string_view rest = std::string_view(arg).substr(1);
            while (!rest.empty()) {
                const flag_spec* f = find_short(table, rest[0]);
                if (f == nullptr) {
                    return cli_error(
                        fmt::format("unknown shorthand flag: '{}' in {}", rest[0], arg));
                }
                const std::string_view after = rest.substr(1);
                if (!after.empty() && after[0] == '=') {
                    tokens.push_back(fmt::format("--{}={}", f->name, after.substr(1)));
                    break;
                }
                if (f->takes_no_value) {
                    tokens.push_back(fmt::format("--{}=true", f->name));
                    rest = after;
                    continue;
                }
                if (!after.empty()) {
                    tokens.push_back(fmt::format("--{}={}", f->name, after));
                } else if (i + 1 < argc && argv[i + 1] != nullptr) {
                    tokens.push_back(fmt::format("--{}={}", f->name, argv[++i]));
                } else {
                    return cli_error(
                        fmt::format("flag needs an argument: '{}' in {}", rest[0], arg));
                }
                break;
            }
            continue;
        }
        positional.push_back(arg);
    }
    // kube-scheduler's cobra command: any non-empty positional argument is an error.
    const bool any = std::any_of(positional.begin(), positional.end(),
                                 [](const std::string& a) { return !a.empty(); });
    if (any) {
        std::string list;
        for (const auto& a : positional) {
            list += fmt::format("{}\"{}\"", list.empty() ? "" : " ", a);
        }
        return cli_error(fmt::format("\"{}\" does not take any arguments, got [{}]",
                                     basename_of(argc > 0 ? argv[0] : nullptr), list));
    }
    return tokens;
}

std::string wrap(std::string_view text, std::size_t indent, std::size_t width) {
    std::string out;
    std::size_t col = indent;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(' ', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const auto word = text.substr(start, end - start);
        if (col > indent && col + 1 + word.size() > width) {
            out += '\n' + std::string(indent, ' ');
            col = indent;
        } else if (col > indent) {
            out += ' ';
            ++col;
        }
        out += word;
        col += word.size();
        start = end + 1;
    }
    return out;
}

}  // namespace

result<options> parse_command_line(int argc, const char* const* argv) {
    const std::vector<flag_spec> table = make_flag_table();
    auto tokens = normalise(table, argc, argv);
    if (!tokens) {
        return tokens.error();
    }
    po::options_description desc;
    for (const auto& f : table) {
        desc.add_options()(std::string(f.name).c_str(),
                           po::value<std::vector<std::string>>()->composing());
    }
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(*tokens)
                      .options(desc)
                      .style(po::command_line_style::allow_long |
                             po::command_line_style::long_allow_adjacent)
                      .run(),
                  vm);
    } catch (const po::error& e) {
        return cli_error(e.what());  // not expected: names were checked while normalising
    }
    options opts;
    for (const auto& f : table) {
        const std::string name(f.name);
        if (vm.count(name) == 0) {
            continue;
        }
        const auto& values = vm[name].as<std::vector<std::string>>();
        for (std::size_t k = 0; k < values.size(); ++k) {
            if (auto err = f.set(opts, values[k], k == 0)) {
                return cli_error(fmt::format("invalid argument \"{}\" for \"{}\" flag: {}",
                                             values[k], display_name(f), *err));
            }
        }
        opts.changed.insert(name);
    }
    return opts;
}

std::string usage_text(std::string_view program) {
    const std::vector<flag_spec> table = make_flag_table();
    constexpr std::size_t kHelpColumn = 48;
    constexpr std::size_t kWidth = 100;
    std::string out = fmt::format(
        "{} is a drop-in replacement for kube-scheduler that serves several scheduling "
        "profiles from one process.\n\nUsage:\n  {} [flags]\n",
        program, program);
    std::string_view group;
    for (const auto& f : table) {
        if (f.group != group) {
            group = f.group;
            out += fmt::format("\n{} flags:\n\n", group);
        }
        std::string left = f.shorthand != 0 ? fmt::format("  -{}, --{}", f.shorthand, f.name)
                                            : fmt::format("      --{}", f.name);
        if (!f.type.empty()) {
            left += fmt::format(" {}", f.type);
        }
        std::string help(f.help);
        if (!f.def.empty()) {
            help += fmt::format(" (default {})", f.def);
        }
        if (left.size() + 2 > kHelpColumn) {
            out += left + '\n' + std::string(kHelpColumn, ' ');
        } else {
            out += left + std::string(kHelpColumn - left.size(), ' ');
        }
        out += wrap(help, kHelpColumn, kWidth) + '\n';
    }
    return out;
}

}  // namespace multisched::cli
