// SPDX-License-Identifier: Apache-2.0
// Upstream defaulting: pkg/scheduler/apis/config/v1/defaults.go (SetDefaults_KubeScheduler-
// Configuration, setDefaults_KubeSchedulerProfile) and default_plugins.go (getDefaultPlugins,
// mergePlugins, mergePluginSet).
#include <set>
#include <unordered_map>

#include "core/config/config.hpp"

namespace multisched::config {
namespace {

struct default_plugin {
    std::string_view name;
    std::int32_t weight;  // 0 = no weight (not a Score plugin)
};

// Upstream getDefaultPlugins() MultiPoint list (v1.30), in upstream order and with upstream
// weights: every default plugin but DynamicResources, whose feature gate is off in v1.30.
// clang-format off
constexpr default_plugin kDefaultMultiPoint[] = {
    {"SchedulingGates", 0},
    {"PrioritySort", 0},
    {"NodeUnschedulable", 0},
    {"NodeName", 0},
    {"TaintToleration", 3},
    {"NodeAffinity", 2},
    {"NodePorts", 0},
    {"NodeResourcesFit", 1},
    {"VolumeRestrictions", 0},
    {"NodeVolumeLimits", 0},
    {"VolumeBinding", 0},
    {"VolumeZone", 0},
    {"PodTopologySpread", 2},
    {"InterPodAffinity", 2},
    {"DefaultPreemption", 0},
    {"NodeResourcesBalancedAllocation", 1},
    {"ImageLocality", 1},
    {"DefaultBinder", 0},
};
// clang-format on

constexpr std::int32_t kDefaultPercentageOfNodesToScore = 0;  // 0 = adaptive
constexpr float kDefaultQps = 50;
constexpr std::int32_t kDefaultBurst = 100;

void set_leader_election_defaults(leader_election_config& le) {
    // The scheduler sets "leases" before component-base's RecommendedDefault..., which would
    // otherwise pick "endpoints"; zero durations mean unset in component-base's v1alpha1 types.
    const leader_election_config defaults;
    if (le.resource_lock.empty()) {
        le.resource_lock = defaults.resource_lock;
    }
    if (le.resource_namespace.empty()) {
        le.resource_namespace = defaults.resource_namespace;
    }
    if (le.resource_name.empty()) {
        le.resource_name = defaults.resource_name;
    }
    if (le.lease_duration == duration::zero()) {
        le.lease_duration = defaults.lease_duration;
    }
    if (le.renew_deadline == duration::zero()) {
        le.renew_deadline = defaults.renew_deadline;
    }
    if (le.retry_period == duration::zero()) {
        le.retry_period = defaults.retry_period;
    }
}

}  // namespace

plugins default_plugins() {
    plugins out;
    for (const auto& p : kDefaultMultiPoint) {
        out.multi_point.enabled.push_back(plugin{std::string(p.name), p.weight, {}});
    }
    return out;
}

plugin_set merge_plugin_set(const plugin_set& defaults, const plugin_set& custom) {
    plugin_set out;
    std::set<std::string, std::less<>> disabled;
    for (const auto& p : custom.disabled) {
        out.disabled.push_back(plugin{p.name, 0, p.origin});
        disabled.insert(p.name);
    }
    // With MultiPoint the defaults may disable some points of a plugin they enable elsewhere.
    for (const auto& p : defaults.disabled) {
        out.disabled.push_back(plugin{p.name, 0, p.origin});
        disabled.insert(p.name);
    }
    // name -> index of the last custom entry with that name (later entries overwrite).
    std::unordered_map<std::string, std::size_t> custom_index;
    for (std::size_t i = 0; i < custom.enabled.size(); ++i) {
        custom_index[custom.enabled[i].name] = i;
    }
    std::vector<bool> replaced(custom.enabled.size(), false);
    if (!disabled.contains("*")) {
        for (const auto& def : defaults.enabled) {
            if (disabled.contains(def.name)) {
                continue;
            }
            // A default that is explicitly re-configured is updated in place to keep its order.
            if (auto it = custom_index.find(def.name); it != custom_index.end()) {
                out.enabled.push_back(custom.enabled[it->second]);
                replaced[it->second] = true;
                continue;
            }
            out.enabled.push_back(def);
        }
    }
    // Custom plugins that replaced no default are appended; duplicates stay and are rejected
    // when the framework is built.
    for (std::size_t i = 0; i < custom.enabled.size(); ++i) {
        if (!replaced[i]) {
            out.enabled.push_back(custom.enabled[i]);
        }
    }
    return out;
}

plugins merge_plugins(const plugins& defaults, const plugins& custom) {
    plugins out;
    for (const auto& ep : kExtensionPoints) {
        out.*ep.member = merge_plugin_set(defaults.*ep.member, custom.*ep.member);
    }
    return out;
}

std::vector<std::string> enabled_plugin_names(const plugins& p) {
    std::set<std::string> names;  // std::string's < is Go's bytewise order
    for (const auto& ep : kExtensionPoints) {
        for (const auto& pl : (p.*ep.member).enabled) {
            names.insert(pl.name);
        }
    }
    return {names.begin(), names.end()};
}

void set_plugin_config_defaults(profile_config& profile, const args_defaulter& defaulter) {
    if (!defaulter) {
        return;
    }
    // The defaulted args, or nullopt when `plugin` has none or its args are invalid. A plugin's
    // parser may throw on odd YAML (a non-scalar key): that counts as invalid too.
    const auto defaulted = [&](const std::string& plugin,
                               const YAML::Node& args) -> std::optional<raw_yaml> {
        try {
            auto r = defaulter(plugin, args);
            if (r && r->has_value()) {
                return raw_yaml(**r);
            }
        } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): invalid args
        }
        return std::nullopt;
    };
    std::set<std::string, std::less<>> existing;
    for (auto& pc : profile.plugin_config) {
        existing.insert(pc.name);
        if (auto args = defaulted(pc.name, pc.args.node())) {
            pc.args = *args;
        }
    }
    for (const auto& name : enabled_plugin_names(profile.plugins)) {
        if (existing.contains(name)) {
            continue;
        }
        if (auto args = defaulted(name, YAML::Node())) {
            plugin_config pc;
            pc.name = name;
            pc.args = *args;
            profile.plugin_config.push_back(std::move(pc));
        }
    }
}

void set_defaults(scheduler_config& cfg, const args_defaulter& defaulter) {
    if (cfg.profiles.empty()) {
        cfg.profiles.emplace_back();
    }
    // Only a single profile gets a default name; validation requires names for the others.
    // A name explicitly set to "" in the source (it has an origin) is left for validation.
    if (cfg.profiles.size() == 1 && cfg.profiles[0].scheduler_name.empty() &&
        !cfg.origins.contains("profiles[0].schedulerName")) {
        cfg.profiles[0].scheduler_name = std::string(kDefaultSchedulerName);
    }
    const plugins defaults = default_plugins();
    for (auto& profile : cfg.profiles) {
        profile.plugins = merge_plugins(defaults, profile.plugins);
        set_plugin_config_defaults(profile, defaulter);
    }
    if (!cfg.percentage_of_nodes_to_score) {
        cfg.percentage_of_nodes_to_score = kDefaultPercentageOfNodesToScore;
    }
    auto& cc = cfg.client_connection;
    if (cc.content_type.empty()) {
        cc.content_type = std::string(kDefaultContentType);
    }
    if (cc.qps == 0) {
        cc.qps = kDefaultQps;
    }
    if (cc.burst == 0) {
        cc.burst = kDefaultBurst;
    }
    set_leader_election_defaults(cfg.leader_election);
}

}  // namespace multisched::config
