// SPDX-License-Identifier: Apache-2.0
// multisched: the daemon's entry point. Parses kube-scheduler's command line, builds the
// effective KubeSchedulerConfiguration and runs the scheduler (profiles/daemon.hpp).
#include <cstdio>

#include "core/cli/options.hpp"
#include "core/util/log.hpp"
#include "plugins/registry.hpp"
#include "profiles/daemon.hpp"

#ifndef MULTISCHED_VERSION
#define MULTISCHED_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
    using namespace multisched;
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
    if (cfg->leader_election.leader_elect) {
        MS_LOG_WARN(
            "leader election is not implemented yet: this instance schedules "
            "unconditionally; run a single instance");
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
    MS_LOG_INFO("multisched {} starting", MULTISCHED_VERSION);
    return profiles::run_daemon(*cfg, daemon);
}
