// SPDX-License-Identifier: Apache-2.0
#include "profiles/explain_command.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "core/cli/options.hpp"
#include "core/client/rest_config.hpp"
#include "core/config/config.hpp"
#include "core/json/json.hpp"
#include "core/util/log.hpp"
#include "plugins/registry.hpp"
#include "profiles/cluster_list.hpp"
#include "profiles/command_flags.hpp"
#include "profiles/simulation.hpp"

namespace multisched::profiles {
namespace {

constexpr std::string_view kUsage =
    "Usage: multisched explain NAMESPACE/NAME [--kubeconfig FILE] [--config FILE]\n"
    "                          [--output table|json] [--seed N] [--request-timeout DURATION] "
    "[-v N]\n"
    "\n"
    "Explains why a pending pod is not scheduled, or where it would go: reads the cluster once\n"
    "(LIST, no watch), attempts the pod in-process with the configuration's profiles and prints\n"
    "every node's Filter verdict and the feasible nodes' scores. Writes nothing to the cluster.\n"
    "A running multisched serves the same for its own attempts at /debug/explain?pod=NS/NAME.\n"
    "\n"
    "  --kubeconfig FILE         default: $KUBECONFIG, ~/.kube/config, else in-cluster\n"
    "  --config FILE             the scheduler's KubeSchedulerConfiguration (default: the\n"
    "                            default profile only)\n"
    "  --output FORMAT           table (default) or json\n"
    "  --seed N                  seed of the random tie-breaks (default 1)\n"
    "  --request-timeout DURATION  deadline of each LIST request (default 30s)\n"
    "  -v N                      log verbosity (default 0)\n";

struct explain_flags : run_flags {
    std::string pod;
    std::string kubeconfig;
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
};

int fail(const std::string& message) {
    return command_error("explain", message);
}

std::string parse_flags(std::span<char* const> args, explain_flags& f) {
    std::vector<std::string> positional;
    const auto own = [&f](std::string_view name,
                          const std::string& value) -> std::optional<std::string> {
        if (name == "kubeconfig") {
            f.kubeconfig = value;
        } else if (name == "request-timeout") {
            auto d = config::parse_duration(value);
            if (!d || *d <= std::chrono::nanoseconds::zero()) {
                return "--request-timeout: \"" + value + "\" is not a positive duration";
            }
            f.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
        } else {
            return std::nullopt;
        }
        return "";
    };
    if (std::string bad = parse_run_flags(args, f, own, positional); !bad.empty() || f.help) {
        return bad;
    }
    if (positional.size() != 1) {
        return positional.empty()
                   ? "which pod? NAMESPACE/NAME is required"
                   : "one pod at a time: unexpected argument \"" + positional[1] + "\"";
    }
    f.pod = positional.front();
    if (!valid_pod_key(f.pod)) {
        return "\"" + f.pod + "\" is not NAMESPACE/NAME";
    }
    return "";
}

// --kubeconfig, $KUBECONFIG (its first file), ~/.kube/config, else in-cluster.
result<client::rest_config> cluster_config(const std::string& flag) {
    if (!flag.empty()) {
        return client::load_kubeconfig(flag);
    }
    if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
        std::string first(env);
        first = first.substr(0, first.find(':'));
        return client::load_kubeconfig(first);
    }
    if (const char* home = std::getenv("HOME"); home != nullptr) {
        const std::string path = std::string(home) + "/.kube/config";
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) {
            return client::load_kubeconfig(path);
        }
    }
    auto in_cluster = client::in_cluster_config();
    if (!in_cluster) {
        return error{{},
                     "no kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not in a "
                     "cluster: " +
                         in_cluster.error().message};
    }
    return in_cluster;
}

}  // namespace

result<std::string> explain_in_snapshot(const config::scheduler_config& cfg,
                                        const snapshot::cluster_snapshot& cluster,
                                        const std::string& pod, const std::string& output,
                                        std::uint64_t seed, std::vector<std::string> problems) {
    simulation_options so;
    so.seed = seed;
    so.explain = pod;
    so.only_explained = true;
    auto report = simulate(cfg, cluster, so);
    if (!report) {
        return report.error();
    }
    if (!report->explanation) {
        // The simulation says why: no such pod, bound already, or not attempted (its row).
        std::string why = report->problems.empty() ? "not attempted" : report->problems.back();
        for (const auto& row : report->pods) {
            if (row.pod == pod && !row.message.empty()) {
                why += ": " + row.message;
            }
        }
        return error{{}, why};
    }
    problems.insert(problems.end(), report->problems.begin(), report->problems.end());
    if (output == "json") {
        json::writer w;
        w.begin_object().key("explanation");
        scheduler::write_explanation(w, *report->explanation);
        w.key("problems").begin_array();
        for (const auto& p : problems) {
            w.string(p);
        }
        w.end_array().end_object();
        return w.str() + "\n";
    }
    std::string out = scheduler::format_explanation(*report->explanation);
    if (!problems.empty()) {
        out += "\nProblems:\n";
        for (const auto& p : problems) {
            out += "  " + p + "\n";
        }
    }
    return out;
}

int run_explain_command(std::span<char* const> args) {
    explain_flags f;
    if (std::string bad = parse_flags(args, f); !bad.empty()) {
        return fail(bad);
    }
    if (f.help) {
        std::fputs(kUsage.data(), stdout);
        return 0;
    }
    log::init(f.verbosity);
    cli::options o;
    o.config_file = f.config;
    auto cfg = cli::effective_config(o, plugins::make_args_defaulter());
    if (!cfg) {
        return fail("invalid configuration: " + cfg.error().message);
    }
    auto rc = cluster_config(f.kubeconfig);
    if (!rc) {
        return fail(rc.error().message);
    }
    rc->user_agent = "multisched/v0.1.0 explain";
    asio::io_context ioc;
    auto client = client::create_api_client(ioc.get_executor(), std::move(*rc));
    if (!client) {
        return fail(client.error().message);
    }
    cluster_list_options lo;
    lo.request_timeout = f.request_timeout;
    result<cluster_list> listed = error{{}, "not listed"};
    asio::co_spawn(
        ioc, [&]() -> task<void> { listed = co_await list_cluster(**client, lo); }, asio::detached);
    ioc.run();
    if (!listed) {
        return fail(listed.error().message);
    }
    auto loaded = snapshot::load_snapshot(listed->text, "the cluster");
    if (!loaded) {
        return fail(loaded.error().message);
    }
    MS_LOG_V(1, "read {} in {} requests", snapshot::describe(loaded->snapshot), listed->requests);
    std::vector<std::string> problems = std::move(listed->problems);
    problems.insert(problems.end(), loaded->problems.begin(), loaded->problems.end());
    auto out =
        explain_in_snapshot(*cfg, loaded->snapshot, f.pod, f.output, f.seed, std::move(problems));
    if (!out) {
        return fail(out.error().message);
    }
    std::fputs(out->c_str(), stdout);
    return 0;
}

}  // namespace multisched::profiles
