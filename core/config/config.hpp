// SPDX-License-Identifier: Apache-2.0
// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): types, strict decoding, upstream
// defaulting (SetDefaults_KubeSchedulerConfiguration + mergePlugins), upstream validation
// (ValidateKubeSchedulerConfiguration) and encoding back to YAML.
//
// Life of a config: load_config_file / decode_config (decode + defaults, like upstream's
// LoadConfigFromFile) -> command-line overrides (core/cli) -> validate_config -> framework.
// Plugin args stay YAML here: core does not know the plugins. Defaulting of pluginConfig args
// goes through an args_defaulter that the caller builds from the plugin registry.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/util/result.hpp"

namespace multisched::config {

inline constexpr std::string_view kApiVersionV1 = "kubescheduler.config.k8s.io/v1";
inline constexpr std::string_view kApiVersionV1beta3 = "kubescheduler.config.k8s.io/v1beta3";
inline constexpr std::string_view kApiVersionV1beta2 = "kubescheduler.config.k8s.io/v1beta2";
inline constexpr std::string_view kKind = "KubeSchedulerConfiguration";
inline constexpr std::string_view kDefaultSchedulerName = "default-scheduler";
inline constexpr std::string_view kDefaultContentType = "application/vnd.kubernetes.protobuf";
// Config files larger than this are refused before parsing.
inline constexpr std::size_t kMaxConfigFileBytes = 32 * 1024 * 1024;

using duration = std::chrono::nanoseconds;

// Where a field's value came from: a 1-based line/column in the config source, or a command-line
// flag ("--leader-elect-lease-duration"). All zero/empty when the value is a default.
struct field_origin {
    int line = 0;
    int column = 0;
    std::string flag;
};

// An immutable YAML value with value-like assignment. YAML::Node::operator= writes through to
// every handle sharing the node; this wrapper rebinds instead, so configs copy like values.
class raw_yaml {
  public:
    raw_yaml() = default;
    explicit raw_yaml(const YAML::Node& node) : node_(node) {}
    raw_yaml(const raw_yaml&) = default;
    raw_yaml& operator=(const raw_yaml& other) {
        node_.reset(other.node_);
        return *this;
    }
    // The node; null when absent. Never index it with non-const operator[] (that inserts).
    const YAML::Node& node() const { return node_; }
    bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }

  private:
    YAML::Node node_;
};

// Structural equality of two YAML values (maps compare as unordered key sets, scalars by text).
bool yaml_equal(const YAML::Node& a, const YAML::Node& b);

// One entry of PluginSet.enabled / .disabled. `weight` is only meaningful for Score (0 = unset).
struct plugin {
    std::string name;
    std::int32_t weight = 0;
    field_origin origin;

    friend bool operator==(const plugin& a, const plugin& b) {
        return a.name == b.name && a.weight == b.weight;
    }
};

struct plugin_set {
    std::vector<plugin> enabled;
    std::vector<plugin> disabled;  // only names matter; "*" disables every default
    friend bool operator==(const plugin_set&, const plugin_set&) = default;
};

// Plugins per extension point, in upstream field order.
struct plugins {
    plugin_set pre_enqueue;
    plugin_set queue_sort;
    plugin_set pre_filter;
    plugin_set filter;
    plugin_set post_filter;
    plugin_set pre_score;
    plugin_set score;
    plugin_set reserve;
    plugin_set permit;
    plugin_set pre_bind;
    plugin_set bind;
    plugin_set post_bind;
    plugin_set multi_point;
    friend bool operator==(const plugins&, const plugins&) = default;
};

// The YAML field name of each extension point and its member, in upstream order.
struct extension_point_field {
    std::string_view name;
    plugin_set plugins::*member;
};
inline constexpr std::array<extension_point_field, 13> kExtensionPoints = {{
    {"preEnqueue", &plugins::pre_enqueue},
    {"queueSort", &plugins::queue_sort},
    {"preFilter", &plugins::pre_filter},
    {"filter", &plugins::filter},
    {"postFilter", &plugins::post_filter},
    {"preScore", &plugins::pre_score},
    {"score", &plugins::score},
    {"reserve", &plugins::reserve},
    {"permit", &plugins::permit},
    {"preBind", &plugins::pre_bind},
    {"bind", &plugins::bind},
    {"postBind", &plugins::post_bind},
    {"multiPoint", &plugins::multi_point},
}};

// pluginConfig entry. `args` is kept raw: each plugin owns a strict parser for its args.
struct plugin_config {
    std::string name;
    raw_yaml args;
    field_origin origin;
};

struct profile_config {
    std::string scheduler_name;
    std::optional<std::int32_t> percentage_of_nodes_to_score;  // overrides the global value
    config::plugins plugins;  // after defaulting: merged with default_plugins()
    std::vector<config::plugin_config> plugin_config;
};

struct client_connection_config {
    std::string kubeconfig;  // "" = in-cluster
    float qps = 50;
    std::int32_t burst = 100;
    std::string content_type = std::string(kDefaultContentType);
    std::string accept_content_types;
};

// extenders[].tlsConfig (k8s.io/kube-scheduler/extender/v1 ExtenderTLSConfig). The *_data
// members hold the decoded bytes; YAML carries them base64-encoded, as Go's []byte.
struct extender_tls_config {
    bool insecure = false;
    std::string server_name;
    std::string cert_file;
    std::string key_file;
    std::string ca_file;
    std::string cert_data;
    std::string key_data;
    std::string ca_data;
    friend bool operator==(const extender_tls_config&, const extender_tls_config&) = default;
};

// extenders[].managedResources[]: an extended resource the extender manages.
struct extender_managed_resource {
    std::string name;
    bool ignored_by_scheduler = false;
    friend bool operator==(const extender_managed_resource&,
                           const extender_managed_resource&) = default;
};

// The timeout upstream's HTTP extender client uses when httpTimeout is 0 (NewHTTPExtender's
// DefaultExtenderTimeout). Config defaulting leaves httpTimeout at 0, as upstream does.
inline constexpr duration kDefaultExtenderHttpTimeout = std::chrono::seconds(5);

// One entry of `extenders` (kubescheduler.config.k8s.io/v1 Extender). A verb left empty means the
// extender does not implement that call.
struct extender_config {
    std::string url_prefix;
    std::string filter_verb;
    std::string preempt_verb;
    std::string prioritize_verb;
    std::int64_t weight = 0;  // multiplies prioritize scores; must be > 0 with prioritizeVerb
    std::string bind_verb;    // at most one extender may bind
    bool enable_https = false;
    std::optional<extender_tls_config> tls_config;
    duration http_timeout = duration::zero();  // 0 = kDefaultExtenderHttpTimeout
    bool node_cache_capable = false;
    std::vector<extender_managed_resource> managed_resources;
    bool ignorable = false;  // errors and timeouts do not fail scheduling
    friend bool operator==(const extender_config&, const extender_config&) = default;
};

struct leader_election_config {
    bool leader_elect = true;
    duration lease_duration = std::chrono::seconds(15);
    duration renew_deadline = std::chrono::seconds(10);
    duration retry_period = std::chrono::seconds(2);
    std::string resource_lock = "leases";
    std::string resource_name = "kube-scheduler";
    std::string resource_namespace = "kube-system";
};

// A KubeSchedulerConfiguration. Member initialisers are the upstream defaults, so a
// default-constructed value plus set_defaults() is what kube-scheduler runs without --config.
struct scheduler_config {
    std::string api_version = std::string(kApiVersionV1);  // as written in the source
    std::int32_t parallelism = 16;
    std::optional<std::int32_t> percentage_of_nodes_to_score;  // defaulted to 0 (adaptive)
    std::int64_t pod_initial_backoff_seconds = 1;
    std::int64_t pod_max_backoff_seconds = 10;
    client_connection_config client_connection;
    leader_election_config leader_election;
    bool enable_profiling = true;
    bool enable_contention_profiling = true;
    bool delay_cache_until_active = false;
    std::vector<profile_config> profiles;
    // Decoded and validated as upstream; multisched then rejects a non-empty list (validation).
    std::vector<extender_config> extenders;

    // For messages: the file name ("" when built in code) and the origin of every decoded field,
    // keyed by field path ("profiles[1].plugins.score"). Plugin entries carry their own origin.
    std::string source_name;
    std::map<std::string, field_origin, std::less<>> origins;
};

// One decoding or validation failure, formatted as "<file>:<line>:<col>: <path>: <detail>".
struct field_error {
    field_origin origin;
    std::string path;
    std::string detail;
};

// One line per error; the origin prefix is "<source>:<line>:<col>: " for file positions,
// "flag <name>: " for flags, "<source>: " when only the source is known, else nothing.
std::string format_errors(std::string_view source_name, const std::vector<field_error>& errors);

// Defaults the args of one pluginConfig entry of `plugin` (upstream scheme.Default on the
// registered <plugin>Args type). Returns nullopt when the plugin has no args type (out-of-tree or
// argument-less: the entry is kept as written and none is appended); an error when the args are
// invalid; else the defaulted args as upstream serialises them (v1, with apiVersion and kind).
// `args` is null for a plugin without an entry. Must not keep references to `args`.
using args_defaulter = std::function<std::optional<result<YAML::Node>>(std::string_view plugin,
                                                                       const YAML::Node& args)>;

// --- decode.cpp ------------------------------------------------------------------------------

// Reads, strictly decodes and defaults a config file (upstream LoadConfigFromFile). Does not
// validate: command-line overrides come first. Every decoding error is reported at once.
// `defaulter` (empty = none) defaults pluginConfig args, see set_defaults.
result<scheduler_config> load_config_file(const std::string& path,
                                          const args_defaulter& defaulter = {});
// Same for text already in memory; `source_name` prefixes messages (e.g. the file path).
result<scheduler_config> decode_config(std::string_view yaml_text, std::string_view source_name,
                                       const args_defaulter& defaulter = {});

// Go duration strings ("15s", "1m30s", "100ms", "-1.5h", "0"), as time.ParseDuration.
// On failure the error message is Go's ("time: invalid duration \"abc\"").
result<duration> parse_duration(std::string_view text);
// As Go's time.Duration.String(): "15s", "1m30s", "1h0m0s", "100ms", "0s".
std::string format_duration(duration d);

// --- defaults.cpp ----------------------------------------------------------------------------

// Upstream's default MultiPoint plugins restricted to those multisched implements, in upstream
// order with upstream weights (QueueSort etc. come from MultiPoint expansion in the framework).
plugins default_plugins();
// mergePluginSet: disabled = custom.disabled + defaults.disabled; defaults survive unless
// disabled (or "*" is disabled); a default that custom re-enables is replaced in place by the
// last custom entry of that name; other custom entries are appended in order (duplicates kept).
plugin_set merge_plugin_set(const plugin_set& defaults, const plugin_set& custom);
plugins merge_plugins(const plugins& defaults, const plugins& custom);
// SetDefaults_KubeSchedulerConfiguration. Call once on a freshly decoded or constructed config:
// no profiles -> one profile; a single profile with no schedulerName (absent from the source)
// -> "default-scheduler"; zero qps/burst/durations and empty strings -> defaults; each profile's
// plugins := merge_plugins(default_plugins(), plugins); then, with a `defaulter`,
// set_plugin_config_defaults on each profile.
void set_defaults(scheduler_config& cfg, const args_defaulter& defaulter = {});
// Upstream pluginsNames: the names enabled at any extension point (MultiPoint included), each
// once, sorted as Go sorts strings (bytewise).
std::vector<std::string> enabled_plugin_names(const plugins& p);
// Upstream setDefaults_KubeSchedulerProfile's pluginConfig half, on an already merged profile:
// every entry's args are replaced by defaulter(name, args) when that gives a value (nullopt or an
// error leave the entry as written: validation or the plugin reports the error); then, for each
// name of enabled_plugin_names() without an entry, defaulter(name, null) is appended when it
// gives a value. Appended entries have no origin. An empty defaulter does nothing.
void set_plugin_config_defaults(profile_config& profile, const args_defaulter& defaulter);

// --- validate.cpp ----------------------------------------------------------------------------

// ValidateKubeSchedulerConfiguration (+ component-base client connection / leader election
// rules, validateExtenders) plus multisched's own limits (non-negative weights; last, a non-empty
// extenders list is refused: HTTP extenders are not implemented). Empty = valid.
// With a `defaulter`, each pluginConfig entry's args are checked by the plugin's own parser too
// (upstream validates every <Plugin>Args here), reported at the entry's line and column as
// "profiles[i].pluginConfig[j].args: <the plugin's message>".
std::vector<field_error> validate(const scheduler_config& cfg,
                                  const args_defaulter& defaulter = {});
// validate() folded into a result whose message is format_errors(...).
result<void> validate_config(const scheduler_config& cfg, const args_defaulter& defaulter = {});

// --- encode.cpp ------------------------------------------------------------------------------

// The config as kubescheduler.config.k8s.io/v1 YAML (for --write-config-to and /configz).
std::string to_yaml(const scheduler_config& cfg);

}  // namespace multisched::config
