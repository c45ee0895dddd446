// SPDX-License-Identifier: Apache-2.0
#include "profiles/simulate_command.hpp"

#include <charconv>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "core/cli/options.hpp"
#include "core/util/log.hpp"
#include "plugins/registry.hpp"
#include "profiles/simulation.hpp"

namespace multisched::profiles {
namespace {

constexpr std::string_view kUsage =
    "Usage: multisched simulate --config FILE --cluster SNAPSHOT [--output table|json] "
    "[--seed N] [-v N]\n"
    "\n"
    "Schedules the snapshot's pending pods with the configuration's profiles, in-process, with no\n"
    "cluster: SNAPSHOT is what `kubectl get nodes,pods,pv,pvc,storageclasses,csinodes,pdb -A -o\n"
    "yaml` prints (YAML or JSON). Prints where each pending pod goes, or why it cannot, and the\n"
    "nodes' requests afterwards.\n"
    "\n"
    "  --config FILE     a KubeSchedulerConfiguration, as the daemon reads it\n"
    "  --cluster FILE    the snapshot\n"
    "  --output FORMAT   table (default) or json\n"
    "  --seed N          seed of the random tie-breaks (default 1): same seed, same placements\n"
    "  -v N              log verbosity (default 0)\n";

struct simulate_flags {
    std::string config;
    std::string cluster;
    std::string output = "table";
    std::uint64_t seed = 1;
    int verbosity = 0;
    bool help = false;
};

int fail(const std::string& message) {
    std::fprintf(stderr, "Error: %s\nRun 'multisched simulate --help' for usage.\n",
                 message.c_str());
    return 1;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// Flags as `--name value` or `--name=value`. Returns an error message, or "".
std::string parse_flags(std::span<char* const> args, simulate_flags& f) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            f.help = true;
            continue;
        }
        if (!arg.starts_with("-")) {
            return "unexpected argument \"" + std::string(arg) + "\"";
        }
        std::string_view name = arg.substr(arg.starts_with("--") ? 2 : 1);
        std::string value;
        if (const auto eq = name.find('='); eq != std::string_view::npos) {
            value = std::string(name.substr(eq + 1));
            name = name.substr(0, eq);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return "flag needs an argument: " + std::string(arg);
        }
        if (name == "config") {
            f.config = value;
        } else if (name == "cluster") {
            f.cluster = value;
        } else if (name == "output" || name == "o") {
            if (value != "table" && value != "json") {
                return "--output: \"" + value + "\" is not one of table, json";
            }
            f.output = value;
        } else if (name == "seed") {
            if (!parse_number(value, f.seed)) {
                return "--seed: \"" + value + "\" is not an unsigned integer";
            }
        } else if (name == "v" || name == "verbosity") {
            if (!parse_number(value, f.verbosity) || f.verbosity < 0) {
                return "-v: \"" + value + "\" is not a non-negative integer";
            }
        } else {
            return "unknown flag: " + std::string(arg);
        }
    }
    if (!f.help && f.config.empty()) {
        return "--config is required";
    }
    if (!f.help && f.cluster.empty()) {
        return "--cluster is required";
    }
    return "";
}

}  // namespace

result<std::string> simulate_files(const std::string& config_path, const std::string& cluster_path,
                                   const std::string& output, std::uint64_t seed) {
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
    auto report = simulate(*cfg, loaded->snapshot, so);
    if (!report) {
        return report.error();
    }
    report->problems = std::move(loaded->problems);
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
    auto out = simulate_files(f.config, f.cluster, f.output, f.seed);
    if (!out) {
        return fail(out.error().message);
    }
    std::fputs(out->c_str(), stdout);
    return 0;
}

}  // namespace multisched::profiles
