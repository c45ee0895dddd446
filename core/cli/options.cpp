// SPDX-License-Identifier: Apache-2.0
// Upstream precedence between --config and flags (cmd/kube-scheduler/app/options/options.go:
// ApplyTo, ApplyDeprecated, ApplyLeaderElectionTo).
#include "core/cli/options.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace multisched::cli {
namespace {

// Deprecated flags that --config makes ineffective.
constexpr std::string_view kConfigIgnoredFlags[] = {
    "kubeconfig", "kube-api-qps",         "kube-api-burst",   "kube-api-content-type",
    "profiling",  "contention-profiling", "lock-object-name", "lock-object-namespace",
};

void mark_flag(config::scheduler_config& cfg, std::string_view field, std::string_view flag) {
    cfg.origins[std::string(field)] = config::field_origin{0, 0, fmt::format("--{}", flag)};
}

// ApplyLeaderElectionTo: only explicitly set flags override the config.
void apply_leader_election(const options& o, config::scheduler_config& cfg) {
    auto& le = cfg.leader_election;
    const auto& f = o.leader_election;
    struct entry {
        std::string_view flag;
        std::string_view field;
        void (*apply)(config::leader_election_config&, const config::leader_election_config&);
    };
    static constexpr entry kEntries[] = {
        {"leader-elect", "leaderElection.leaderElect",
         [](auto& to, const auto& from) { to.leader_elect = from.leader_elect; }},
        {"leader-elect-lease-duration", "leaderElection.leaseDuration",
         [](auto& to, const auto& from) { to.lease_duration = from.lease_duration; }},
        {"leader-elect-renew-deadline", "leaderElection.renewDeadline",
         [](auto& to, const auto& from) { to.renew_deadline = from.renew_deadline; }},
        {"leader-elect-retry-period", "leaderElection.retryPeriod",
         [](auto& to, const auto& from) { to.retry_period = from.retry_period; }},
        {"leader-elect-resource-lock", "leaderElection.resourceLock",
         [](auto& to, const auto& from) { to.resource_lock = from.resource_lock; }},
        {"leader-elect-resource-name", "leaderElection.resourceName",
         [](auto& to, const auto& from) { to.resource_name = from.resource_name; }},
        {"leader-elect-resource-namespace", "leaderElection.resourceNamespace",
         [](auto& to, const auto& from) { to.resource_namespace = from.resource_namespace; }},
    };
    for (const auto& e : kEntries) {
        if (o.is_changed(e.flag)) {
            e.apply(le, f);
            mark_flag(cfg, e.field, e.flag);
        }
    }
}

// ApplyDeprecated: only without --config, only explicitly set flags.
void apply_deprecated(const options& o, config::scheduler_config& cfg) {
    if (o.is_changed("profiling")) {
        cfg.enable_profiling = o.profiling;
        mark_flag(cfg, "enableProfiling", "profiling");
    }
    if (o.is_changed("contention-profiling")) {
        cfg.enable_contention_profiling = o.contention_profiling;
        mark_flag(cfg, "enableContentionProfiling", "contention-profiling");
    }
    auto& cc = cfg.client_connection;
    if (o.is_changed("kubeconfig")) {
        cc.kubeconfig = o.kubeconfig;
        mark_flag(cfg, "clientConnection.kubeconfig", "kubeconfig");
    }
    if (o.is_changed("kube-api-content-type")) {
        cc.content_type = o.kube_api_content_type;
        mark_flag(cfg, "clientConnection.contentType", "kube-api-content-type");
    }
    if (o.is_changed("kube-api-qps")) {
        cc.qps = o.kube_api_qps;
        mark_flag(cfg, "clientConnection.qps", "kube-api-qps");
    }
    if (o.is_changed("kube-api-burst")) {
        cc.burst = o.kube_api_burst;
        mark_flag(cfg, "clientConnection.burst", "kube-api-burst");
    }
}

}  // namespace

std::string version_text(std::string_view version) {
    const std::string_view v = version.starts_with('v') ? version.substr(1) : version;
    return fmt::format("multisched v{} (kube-scheduler compatible)", v);
}

std::vector<std::string> ignored_flag_warnings(const options& opts) {
    std::vector<std::string> out;
    if (opts.config_file.empty()) {
        return out;
    }
    for (const auto flag : kConfigIgnoredFlags) {
        if (opts.is_changed(flag)) {
            out.push_back(
                fmt::format("--{} is ignored because --config is set; set it in the "
                            "configuration file instead",
                            flag));
        }
    }
    return out;
}

result<config::scheduler_config> effective_config(const options& opts,
                                                  const config::args_defaulter& defaulter) {
    config::scheduler_config cfg;
    if (opts.config_file.empty()) {
        config::set_defaults(cfg, defaulter);
        apply_deprecated(opts, cfg);
        apply_leader_election(opts, cfg);
    } else {
        auto loaded = config::load_config_file(opts.config_file, defaulter);
        if (!loaded) {
            return loaded.error();
        }
        cfg = std::move(*loaded);
        apply_leader_election(opts, cfg);
    }
    if (auto valid = config::validate_config(cfg, defaulter); !valid) {
        return valid.error();
    }
    return cfg;
}

result<void> write_config_file(const std::string& path, const config::scheduler_config& cfg) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        return error{std::error_code(errno, std::generic_category()),
                     fmt::format("open {}: {}", path, std::strerror(errno))};
    }
    out << config::to_yaml(cfg);
    out.flush();
    if (!out) {
        return error{std::make_error_code(std::errc::io_error), fmt::format("write {}", path)};
    }
    return {};
}

}  // namespace multisched::cli
