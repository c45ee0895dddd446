// SPDX-License-Identifier: Apache-2.0
// Upstream validation: pkg/scheduler/apis/config/validation/validation.go
// (ValidateKubeSchedulerConfiguration) and component-base's ValidateClientConnectionConfiguration
// / ValidateLeaderElectionConfiguration. Messages follow apimachinery's field.Error strings.
// Plugin args are validated by each plugin's args parser, not here.
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/config/config.hpp"
#include "core/config/extenders.hpp"

namespace multisched::config {
namespace {

// Plugins removed from KubeSchedulerConfiguration, per version (upstream invalidPluginsByVersion).
struct invalid_plugins {
    std::string_view version;
    std::array<std::string_view, 4> names;
};
constexpr invalid_plugins kInvalidPluginsByVersion[] = {
    {kApiVersionV1, {"AzureDiskLimits", "CinderLimits", "EBSLimits", "GCEPDLimits"}},
};

// Go's %q for the characters that matter in config values.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    out += '"';
    return out;
}

std::string set_text(const plugin_set& s) {
    std::string enabled;
    for (const auto& p : s.enabled) {
        enabled += enabled.empty() ? p.name : ", " + p.name;
    }
    std::string disabled;
    for (const auto& p : s.disabled) {
        disabled += disabled.empty() ? p.name : ", " + p.name;
    }
    return fmt::format("{{enabled: [{}], disabled: [{}]}}", enabled, disabled);
}

std::string yaml_text(const raw_yaml& y) {
    if (y.is_null()) {
        return "null";
    }
    YAML::Emitter out;
    out << YAML::Flow << y.node();
    std::string s = out.c_str();
    if (s.size() > 80) {
        s = s.substr(0, 80) + "...";
    }
    return s;
}

// Upstream isPluginInvalid: the version a plugin name became invalid in, or "" if it is valid.
std::string_view invalid_in_version(std::string_view api_version, std::string_view name) {
    for (const auto& entry : kInvalidPluginsByVersion) {
        for (const auto n : entry.names) {
            if (n == name) {
                return entry.version;
            }
        }
        if (api_version == entry.version) {
            break;
        }
    }
    return {};
}

class validator {
  public:
    validator(const scheduler_config& cfg, const args_defaulter& defaulter)
        : cfg_(cfg), defaulter_(defaulter) {}

    std::vector<field_error> run();

  private:
    // Origin of `path`, or of its nearest recorded ancestor.
    field_origin origin(std::string path) const {
        while (!path.empty()) {
            if (auto it = cfg_.origins.find(path); it != cfg_.origins.end()) {
                return it->second;
            }
            const auto cut = path.find_last_of(".[");
            path = cut == std::string::npos ? std::string() : path.substr(0, cut);
        }
        return {};
    }
    void add(std::string path, std::string detail) {
        errors_.push_back({origin(path), std::move(path), std::move(detail)});
    }
    void add_at(field_origin at, std::string path, std::string detail) {
        if (at.line == 0 && at.flag.empty()) {
            at = origin(path);
        }
        errors_.push_back({std::move(at), std::move(path), std::move(detail)});
    }
    void required(std::string path) { add(std::move(path), "Required value"); }
    template <class V>
    void invalid(std::string path, const V& value, std::string_view why) {
        add(std::move(path), fmt::format("Invalid value: {}: {}", value, why));
    }

    void client_connection();
    void leader_election();
    void percentage(const std::string& path, const std::optional<std::int32_t>& value);
    void profile(std::size_t i, const profile_config& p);
    void common_queue_sort();

    // The plugin's own parser over pluginConfig args (a throwing parser counts as invalid args).
    void check_args(const plugin_config& pc, std::string path) {
        try {
            const auto checked = defaulter_(pc.name, pc.args.node());
            if (checked && !checked->has_value()) {
                add_at(pc.origin, std::move(path), checked->error().message);
            }
        } catch (const std::exception& e) {
            add_at(pc.origin, std::move(path), fmt::format("invalid args: {}", e.what()));
        }
    }

    const scheduler_config& cfg_;
    const args_defaulter& defaulter_;
    std::vector<field_error> errors_;
};

void validator::client_connection() {
    if (cfg_.client_connection.burst < 0) {
        invalid("clientConnection.burst", cfg_.client_connection.burst, "must be non-negative");
    }
}

void validator::leader_election() {
    const auto& le = cfg_.leader_election;
    if (!le.leader_elect) {
        return;
    }
    if (le.lease_duration <= duration::zero()) {
        invalid("leaderElection.leaseDuration", format_duration(le.lease_duration),
                "must be greater than zero");
    }
    if (le.renew_deadline <= duration::zero()) {
        invalid("leaderElection.renewDeadline", format_duration(le.renew_deadline),
                "must be greater than zero");
    }
    if (le.retry_period <= duration::zero()) {
        invalid("leaderElection.retryPeriod", format_duration(le.retry_period),
                "must be greater than zero");
    }
    if (le.lease_duration <= le.renew_deadline) {
        // Upstream reports the renew deadline as the value here.
        invalid("leaderElection.leaseDuration", format_duration(le.renew_deadline),
                "must be greater than `RenewDeadline`");
    }
    if (le.resource_lock.empty()) {
        required("leaderElection.resourceLock");
    }
    if (le.resource_namespace.empty()) {
        required("leaderElection.resourceNamespace");
    }
    if (le.resource_name.empty()) {
        required("leaderElection.resourceName");
    }
}

void validator::percentage(const std::string& path, const std::optional<std::int32_t>& value) {
    if (value && (*value < 0 || *value > 100)) {
        invalid(path, *value, "not in valid range [0-100]");
    }
}

void validator::profile(std::size_t i, const profile_config& p) {
    const std::string path = fmt::format("profiles[{}]", i);
    if (p.scheduler_name.empty()) {
        required(path + ".schedulerName");
    }
    percentage(path + ".percentageOfNodesToScore", p.percentage_of_nodes_to_score);
    for (const auto& ep : kExtensionPoints) {
        const plugin_set& set = p.plugins.*ep.member;
        for (std::size_t j = 0; j < set.enabled.size(); ++j) {
            const plugin& pl = set.enabled[j];
            const std::string ppath = fmt::format("{}.plugins.{}.enabled[{}]", path, ep.name, j);
            // Upstream checks removed names at every point but MultiPoint.
            const auto version = invalid_in_version(cfg_.api_version, pl.name);
            if (!version.empty() && ep.member != &plugins::multi_point) {
                add_at(pl.origin, ppath,
                       fmt::format("Invalid value: {}: was invalid in version {} "
                                   "(KubeSchedulerConfiguration is version {})",
                                   quote(pl.name), quote(version), quote(cfg_.api_version)));
            }
            // multisched: upstream lets a negative weight through to the framework.
            if (pl.weight < 0) {
                add_at(pl.origin, ppath + ".weight",
                       fmt::format("Invalid value: {}: must be non-negative", pl.weight));
            }
        }
    }
    std::set<std::string, std::less<>> seen;
    for (std::size_t j = 0; j < p.plugin_config.size(); ++j) {
        const auto& pc = p.plugin_config[j];
        const std::string cpath = fmt::format("{}.pluginConfig[{}]", path, j);
        if (!seen.insert(pc.name).second) {
            add_at(pc.origin, cpath, fmt::format("Duplicate value: {}", quote(pc.name)));
        }
        if (defaulter_) {
            check_args(pc, cpath + ".args");
        }
        if (const auto version = invalid_in_version(cfg_.api_version, pc.name); !version.empty()) {
            add_at(pc.origin, cpath,
                   fmt::format("Invalid value: {}: was invalid in version {} "
                               "(KubeSchedulerConfiguration is version {})",
                               quote(pc.name), quote(version), quote(cfg_.api_version)));
        }
    }
}

// Upstream validateCommonQueueSort: every profile must share profile 0's QueueSort set and args.
void validator::common_queue_sort() {
    const auto& profiles = cfg_.profiles;
    const plugin_set& canon = profiles[0].plugins.queue_sort;
    std::string queue_sort_name;
    if (!canon.enabled.empty()) {
        queue_sort_name = canon.enabled[0].name;
    }
    if (canon.enabled.size() > 1) {
        // Upstream spells the field "Enabled" here.
        invalid("profiles[0].plugins.queueSort.Enabled", canon.enabled.size(),
                "only one queue sort plugin can be enabled");
    }
    raw_yaml canon_args;
    for (const auto& pc : profiles[0].plugin_config) {
        if (!queue_sort_name.empty() && pc.name == queue_sort_name) {
            canon_args = pc.args;
        }
    }
    for (std::size_t i = 1; i < profiles.size(); ++i) {
        const plugin_set& curr = profiles[i].plugins.queue_sort;
        if (!(curr == canon)) {
            invalid(fmt::format("profiles[{}].plugins.queueSort", i), set_text(curr),
                    "must be the same for all profiles");
        }
        for (const auto& pc : profiles[i].plugin_config) {
            if (pc.name == queue_sort_name && !yaml_equal(canon_args.node(), pc.args.node())) {
                add_at(pc.origin, fmt::format("profiles[{}].pluginConfig.args", i),
                       fmt::format("Invalid value: {}: queueSort must be the same for all "
                                   "profiles",
                                   yaml_text(pc.args)));
            }
        }
    }
}

std::vector<field_error> validator::run() {
    client_connection();
    leader_election();
    if (cfg_.leader_election.leader_elect && cfg_.leader_election.resource_lock != "leases") {
        invalid("leaderElection.resourceLock", quote(cfg_.leader_election.resource_lock),
                "resourceLock value must be \"leases\"");
    }
    if (cfg_.parallelism <= 0) {
        invalid("parallelism", cfg_.parallelism, "should be an integer value greater than zero");
    }
    if (cfg_.profiles.empty()) {
        required("profiles");
    } else {
        std::map<std::string, std::size_t, std::less<>> existing;
        for (std::size_t i = 0; i < cfg_.profiles.size(); ++i) {
            const auto& p = cfg_.profiles[i];
            profile(i, p);
            if (existing.contains(p.scheduler_name)) {
                add(fmt::format("profiles[{}].schedulerName", i),
                    fmt::format("Duplicate value: {}", quote(p.scheduler_name)));
            }
            existing[p.scheduler_name] = i;
        }
        common_queue_sort();
    }
    percentage("percentageOfNodesToScore", cfg_.percentage_of_nodes_to_score);
    if (cfg_.pod_initial_backoff_seconds <= 0) {
        invalid("podInitialBackoffSeconds", cfg_.pod_initial_backoff_seconds,
                "must be greater than 0");
    }
    if (cfg_.pod_max_backoff_seconds < cfg_.pod_initial_backoff_seconds) {
        invalid("podMaxBackoffSeconds", cfg_.pod_max_backoff_seconds,
                "must be greater than or equal to PodInitialBackoffSeconds");
    }
    for (auto& [path, detail] : validate_extenders(cfg_.extenders)) {
        add(std::move(path), std::move(detail));
    }
    return std::move(errors_);
}

}  // namespace

std::vector<field_error> validate(const scheduler_config& cfg, const args_defaulter& defaulter) {
    return validator(cfg, defaulter).run();
}

result<void> validate_config(const scheduler_config& cfg, const args_defaulter& defaulter) {
    const auto errors = validate(cfg, defaulter);
    if (errors.empty()) {
        return {};
    }
    return error{std::make_error_code(std::errc::invalid_argument),
                 format_errors(cfg.source_name, errors)};
}

}  // namespace multisched::config
