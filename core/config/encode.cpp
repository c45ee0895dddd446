// SPDX-License-Identifier: Apache-2.0
// Encodes a (defaulted) config as kubescheduler.config.k8s.io/v1 YAML, fields in upstream struct
// order. Empty plugin sets and lists are omitted, as `omitempty` does for the lists.
#include "core/config/config.hpp"
#include "core/config/extenders.hpp"

namespace multisched::config {
namespace {

void emit_plugin_list(YAML::Emitter& out, std::string_view key, const std::vector<plugin>& list,
                      bool with_weight) {
    if (list.empty()) {
        return;
    }
    out << YAML::Key << std::string(key) << YAML::Value << YAML::BeginSeq;
    for (const auto& p : list) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << p.name;
        if (with_weight && p.weight != 0) {
            out << YAML::Key << "weight" << YAML::Value << p.weight;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void emit_profile(YAML::Emitter& out, const profile_config& p) {
    out << YAML::BeginMap;
    out << YAML::Key << "schedulerName" << YAML::Value << p.scheduler_name;
    if (p.percentage_of_nodes_to_score) {
        out << YAML::Key << "percentageOfNodesToScore" << YAML::Value
            << *p.percentage_of_nodes_to_score;
    }
    out << YAML::Key << "plugins" << YAML::Value << YAML::BeginMap;
    for (const auto& ep : kExtensionPoints) {
        const plugin_set& set = p.plugins.*ep.member;
        if (set.enabled.empty() && set.disabled.empty()) {
            continue;
        }
        out << YAML::Key << std::string(ep.name) << YAML::Value << YAML::BeginMap;
        emit_plugin_list(out, "enabled", set.enabled, true);
        emit_plugin_list(out, "disabled", set.disabled, false);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
    if (!p.plugin_config.empty()) {
        out << YAML::Key << "pluginConfig" << YAML::Value << YAML::BeginSeq;
        for (const auto& pc : p.plugin_config) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << pc.name;
            if (!pc.args.is_null()) {
                out << YAML::Key << "args" << YAML::Value << pc.args.node();
            }
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
}

}  // namespace

std::string to_yaml(const scheduler_config& cfg) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "apiVersion" << YAML::Value << std::string(kApiVersionV1);
    out << YAML::Key << "kind" << YAML::Value << std::string(kKind);
    out << YAML::Key << "parallelism" << YAML::Value << cfg.parallelism;

    const auto& le = cfg.leader_election;
    out << YAML::Key << "leaderElection" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "leaderElect" << YAML::Value << le.leader_elect;
    out << YAML::Key << "leaseDuration" << YAML::Value << format_duration(le.lease_duration);
    out << YAML::Key << "renewDeadline" << YAML::Value << format_duration(le.renew_deadline);
    out << YAML::Key << "retryPeriod" << YAML::Value << format_duration(le.retry_period);
    out << YAML::Key << "resourceLock" << YAML::Value << le.resource_lock;
    out << YAML::Key << "resourceName" << YAML::Value << le.resource_name;
    out << YAML::Key << "resourceNamespace" << YAML::Value << le.resource_namespace;
    out << YAML::EndMap;

    const auto& cc = cfg.client_connection;
    out << YAML::Key << "clientConnection" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "kubeconfig" << YAML::Value << cc.kubeconfig;
    out << YAML::Key << "acceptContentTypes" << YAML::Value << cc.accept_content_types;
    out << YAML::Key << "contentType" << YAML::Value << cc.content_type;
    out << YAML::Key << "qps" << YAML::Value << cc.qps;
    out << YAML::Key << "burst" << YAML::Value << cc.burst;
    out << YAML::EndMap;

    out << YAML::Key << "enableProfiling" << YAML::Value << cfg.enable_profiling;
    out << YAML::Key << "enableContentionProfiling" << YAML::Value
        << cfg.enable_contention_profiling;
    if (cfg.percentage_of_nodes_to_score) {
        out << YAML::Key << "percentageOfNodesToScore" << YAML::Value
            << *cfg.percentage_of_nodes_to_score;
    }
    out << YAML::Key << "podInitialBackoffSeconds" << YAML::Value
        << cfg.pod_initial_backoff_seconds;
    out << YAML::Key << "podMaxBackoffSeconds" << YAML::Value << cfg.pod_max_backoff_seconds;

    out << YAML::Key << "profiles" << YAML::Value << YAML::BeginSeq;
    for (const auto& p : cfg.profiles) {
        emit_profile(out, p);
    }
    out << YAML::EndSeq;
    if (!cfg.extenders.empty()) {  // omitempty
        out << YAML::Key << "extenders" << YAML::Value;
        emit_extenders(out, cfg.extenders);
    }
    out << YAML::Key << "delayCacheUntilActive" << YAML::Value << cfg.delay_cache_until_active;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace multisched::config
