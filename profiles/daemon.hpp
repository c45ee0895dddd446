// SPDX-License-Identifier: Apache-2.0
// The running scheduler process: one io_context, one apiserver client, one shared cache and queue,
// the profiles built from the configuration, informers for pods and nodes, and the scheduling
// loop. Returns the process exit code: 0 after SIGTERM/SIGINT, non-zero on a start-up failure
// (reported as one line naming the file or field at fault).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/util/result.hpp"
#include "profiles/serving.hpp"

namespace multisched::profiles {

struct daemon_options {
    // --master: overrides the kubeconfig's server (https://host:port).
    std::string master;
    // How long start-up keeps trying to reach kube-apiserver before giving up.
    std::chrono::seconds connect_timeout{15};
    // How long SIGTERM waits for in-flight bindings before cancelling them.
    std::chrono::seconds shutdown_grace{10};
    // --pod-max-in-unschedulable-pods-duration.
    std::chrono::milliseconds unschedulable_timeout{std::chrono::minutes(5)};
    // --config, watched for changes when `reload_config` is set; `reload_config` reads it again
    // with the command line's overrides and validates it, as at start-up.
    std::string config_file;
    std::function<result<config::scheduler_config>()> reload_config;
    // How long the config directory must stay quiet before a reload (editors write in bursts).
    std::chrono::milliseconds reload_debounce{500};
    // --routing-config: the profile-routing rules served at /mutate-pods ("": not served).
    std::string routing_config;
    // The secure port (--secure-port, TLS and delegated authn/authz flags).
    serving_config serving;
    // multisched_build_info{version}.
    std::string version;
    // --show-hidden-metrics-for-version and --disabled-metrics.
    std::string show_hidden_metrics_for_version;
    std::vector<std::string> disabled_metrics;
};

int run_daemon(const config::scheduler_config& cfg, const daemon_options& opts);

}  // namespace multisched::profiles
