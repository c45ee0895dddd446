// SPDX-License-Identifier: Apache-2.0
#include "profiles/simulate_command.hpp"

#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "core/cli/options.hpp"
#include "core/util/log.hpp"
#include "plugins/registry.hpp"
#include "profiles/command_flags.hpp"
#include "profiles/simulation.hpp"

namespace multisched::profiles {
namespace {

constexpr std::string_view kUsage =
    "Usage: multisched simulate --config FILE --cluster SNAPSHOT [--output table|json] "
    "[--seed N] [--explain NS/POD] [-v N]\n"
    "\n"
    "Schedules the snapshot's pending pods with the configuration's profiles, in-process, with no\n"
    "cluster: SNAPSHOT is what `kubectl get nodes,pods,pv,pvc,storageclasses,csinodes,pdb -A -o\n"
    "yaml` prints (YAML or JSON). Prints where each pending pod goes, or why it cannot, and the\n"
    "nodes' requests afterwards.\n"
    "\n"
    "  --config FILE     a KubeSchedulerConfiguration, as the daemon reads it\n"
    "  --cluster FILE    the snapshot\n"
    "  --output FORMAT   table (default) or json\n"
    "  --seed N          seed of the random tie-breaks and of preemption's candidate offset\n"
    "                    (default 1): same seed, same placements\n"
    "  --explain NS/POD  also explain that pending pod's last attempt: every node's Filter\n"
    "                    verdict, and each Score plugin's scores of the feasible nodes\n"
    "  -v N              log verbosity (default 0)\n";

struct simulate_flags : run_flags {
    std::string cluster;
    std::string explain;
};

int fail(const std::string& message) {
    return command_error("simulate", message);
}

// Flags as `--name value` or `--name=value`. Returns an error message, or "".
std::string parse_flags(std::span<char* const> args, simulate_flags& f) {
    std::vector<std::string> positional;
    const auto own = [&f](std::string_view name,
                          const std::string& value) -> std::optional<std::string> {
        if (name == "cluster") {
            f.cluster = value;
        } else if (name == "explain") {
            if (!valid_pod_key(value)) {
                return "--explain: \"" + value + "\" is not NAMESPACE/NAME";
            }
            f.explain = value;
        } else {
            return std::nullopt;
        }
        return "";
    };
    if (std::string bad = parse_run_flags(args, f, own, positional); !bad.empty() || f.help) {
        return bad;
    }
    if (!positional.empty()) {
        return "unexpected argument \"" + positional.front() + "\"";
    }
    if (f.config.empty()) {
        return "--config is required";
    }
    if (f.cluster.empty()) {
        return "--cluster is required";
    }
    return "";
}

}  // namespace

result<std::string> simulate_files(const std::string& config_path, const std::string& cluster_path,
                                   const std::string& output, std::uint64_t seed,
                                   const std::string& explain) {
    cli::options o;
    o.config_file = config_path;
    auto cfg = cli::effective_config(o, plugins::make_args_defaulter());
    if (!cfg) {
        return error{{}, "invalid configuration: " + cfg.error().message};
    }
    auto loaded = snapshot::load_snapshot_file(cluster_path);
    if (!loaded) {
        return loaded.error();
    }
    simulation_options so;
    so.seed = seed;
    so.explain = explain;
    auto report = simulate(*cfg, loaded->snapshot, so);
    if (!report) {
        return report.error();
    }
    report->problems.insert(report->problems.begin(), loaded->problems.begin(),
                            loaded->problems.end());
    return output == "json" ? format_json(*report) : format_table(*report);
}

int run_simulate_command(std::span<char* const> args) {
    simulate_flags f;
    if (std::string bad = parse_flags(args, f); !bad.empty()) {
        return fail(bad);
    }
    if (f.help) {
        std::fputs(kUsage.data(), stdout);
        return 0;
    }
    log::init(f.verbosity);
    auto out = simulate_files(f.config, f.cluster, f.output, f.seed, f.explain);
    if (!out) {
        return fail(out.error().message);
    }
    std::fputs(out->c_str(), stdout);
    return 0;
}

}  // namespace multisched::profiles
