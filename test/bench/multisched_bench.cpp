// SPDX-License-Identifier: Apache-2.0
// multisched_bench: the in-process scheduling algorithm over synthetic clusters, one thread.
// Builds the default profile as the daemon does (defaulted KubeSchedulerConfiguration ->
// profile_set::build with the in-tree registry over a cache::cache), fills the cache, then runs
// the synchronous part of scheduler::schedule_one for each pending pod: schedule_pod, assume the
// result in the cache, Reserve and Permit. Nothing is bound and the api_client is never called.
//
// Each (scenario, nodes) pair runs twice on a fresh cluster with the same seed: once untimed
// per plugin (decisions/s), once with a plugin_profiler set (time per plugin per extension
// point). Prints markdown tables. Not a test: it asserts nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "core/cache/cache.hpp"
#include "core/config/config.hpp"
#include "core/scheduler/schedule_pod.hpp"
#include "core/scheduler/scheduler.hpp"
#include "plugins/registry.hpp"
#include "profiles/profile_set.hpp"
#include "test/bench/synthetic_cluster.hpp"
#include "test/util/fake_api_client.hpp"

namespace multisched::bench {
namespace {

namespace po = boost::program_options;
using clock = std::chrono::steady_clock;

struct options {
    std::vector<std::size_t> nodes;
    std::vector<scenario> scenarios;
    std::size_t pods = 0;  // 0: the scenario's default
    std::int32_t percentage = 0;
    std::size_t existing_pods_per_node = 2;
    std::size_t zones = 0;
    std::uint64_t seed = 1;
    bool profile = true;
};

// Sums plugin call durations by (extension point, plugin).
class profile_sink final : public framework::plugin_profiler {
  public:
    struct entry {
        clock::duration total{};
        std::uint64_t calls = 0;
    };
    void observe(framework::extension_point point, const framework::plugin& p,
                 framework::code /*result*/, clock::duration elapsed) override {
        auto& e = entries_[{point, p.name()}];
        e.total += elapsed;
        ++e.calls;
    }
    const std::map<std::pair<framework::extension_point, std::string_view>, entry>& entries()
        const {
        return entries_;
    }

  private:
    std::map<std::pair<framework::extension_point, std::string_view>, entry> entries_;
};

struct run_result {
    std::size_t attempted = 0;
    std::size_t scheduled = 0;
    std::size_t evaluated_nodes = 0;  // summed over cycles
    std::size_t feasible_nodes = 0;
    clock::duration elapsed{};
    std::chrono::nanoseconds cpu{};  // this thread's CPU time over the same span
};

// CPU time of the calling thread: on a shared machine it leaves out the time other processes
// held the core, which wall-clock figures include.
std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

std::size_t default_pods(scenario s, std::size_t nodes) {
    switch (s) {
        case scenario::pod_anti_affinity:
            return std::min<std::size_t>(2000, nodes);  // one pod per node at most
        case scenario::topology_spreading:
            return 5000;
        default:
            return 10000;
    }
}

config::scheduler_config default_config(const options& o) {
    config::scheduler_config cfg;
    cfg.percentage_of_nodes_to_score = o.percentage;
    config::set_defaults(cfg, plugins::make_args_defaulter());
    if (auto valid = config::validate_config(cfg); !valid) {
        throw std::runtime_error(valid.error().message);
    }
    return cfg;
}

run_result run_once(const options& o, scenario s, std::size_t nodes,
                    framework::plugin_profiler* profiler) {
    const config::scheduler_config cfg = default_config(o);
    // Declared before the profiles, which hold references to them.
    cache::cache cache;
    testing::fake_api_client client;
    fill_cache(cache, {nodes, o.zones, o.existing_pods_per_node});
    const auto registry = plugins::make_in_tree_registry();
    auto built = profiles::profile_set::build(cfg, registry, client, cache);
    if (!built) {
        throw std::runtime_error(built.error().message);
    }
    auto fw = built->find(config::kDefaultSchedulerName);
    fw->set_profiler(profiler);
    scheduler::algorithm_state algo;
    algo.global_percentage_of_nodes_to_score = cfg.percentage_of_nodes_to_score.value_or(0);
    algo.rng.seed(o.seed);
    const auto pods = make_pending_pods(s, o.pods != 0 ? o.pods : default_pods(s, nodes));

    run_result r;
    const auto cpu_start = thread_cpu_time();
    const auto start = clock::now();
    for (const auto& info : pods) {
        auto state = std::make_shared<framework::cycle_state>();
        scheduler::schedule_result result =
            scheduler::schedule_pod(*fw, *state, *info, cache.nodes(), algo);
        ++r.attempted;
        r.evaluated_nodes += result.evaluated_nodes;
        r.feasible_nodes += result.feasible_nodes;
        if (result.node.empty()) {
            continue;
        }
        if (!cache.assume_pod(scheduler::assumed_pod(*info, result.node), result.node)) {
            continue;
        }
        std::chrono::milliseconds timeout{0};
        std::vector<std::string> waiting;
        framework::status st = fw->run_reserve(*state, *info, result.node);
        if (st.is_success()) {
            st = fw->run_permit(*state, *info, result.node, timeout, waiting);
        }
        if (!st.is_success()) {
            fw->run_unreserve(*state, *info, result.node);
            cache.forget_pod(info->pod->meta.uid);
            continue;
        }
        ++r.scheduled;
    }
    r.elapsed = clock::now() - start;
    r.cpu = thread_cpu_time() - cpu_start;
    fw->set_profiler(nullptr);
    return r;
}

// What one timed plugin call adds to its own figure: about one steady_clock::now().
double clock_overhead_ns() {
    constexpr int kReads = 100000;
    const auto start = clock::now();
    for (int i = 0; i < kReads - 1; ++i) {
        static_cast<void>(clock::now());
    }
    return std::chrono::duration<double, std::nano>(clock::now() - start).count() / kReads;
}

double micros(clock::duration d) {
    return std::chrono::duration<double, std::micro>(d).count();
}

void print_profile(const profile_sink& sink, const run_result& r) {
    std::vector<std::pair<std::string, profile_sink::entry>> rows;
    clock::duration in_plugins{};
    for (const auto& [key, e] : sink.entries()) {
        rows.emplace_back(
            fmt::format("| {} | {} ",
                        framework::kExtensionPointNames[static_cast<std::size_t>(key.first)],
                        key.second),
            e);
        in_plugins += e.total;
    }
    const double cycles = static_cast<double>(std::max<std::size_t>(r.attempted, 1));
    fmt::print("\n| point | plugin | calls/cycle | µs/cycle |\n|---|---|---:|---:|\n");
    for (const auto& [label, e] : rows) {
        fmt::print("{}| {:.1f} | {:.2f} |\n", label, static_cast<double>(e.calls) / cycles,
                   micros(e.total) / cycles);
    }
    fmt::print("| (all plugins) | | | {:.2f} |\n", micros(in_plugins) / cycles);
    fmt::print("| (cycle, profiled) | | | {:.2f} |\n\n", micros(r.elapsed) / cycles);
    fmt::print("Each timed call includes about {:.0f} ns of clock reading.\n\n",
               clock_overhead_ns());
}

int run(const options& o) {
    struct summary_row {
        scenario s;
        std::size_t nodes;
        run_result r;
    };
    std::vector<summary_row> summary;
    for (const scenario s : o.scenarios) {
        for (const std::size_t nodes : o.nodes) {
            const run_result r = run_once(o, s, nodes, nullptr);
            summary.push_back({s, nodes, r});
            fmt::print(stderr, "{} {} nodes: {} pods in {:.3f} s\n", scenario_name(s), nodes,
                       r.attempted, std::chrono::duration<double>(r.elapsed).count());
            if (!o.profile) {
                continue;
            }
            profile_sink sink;
            const run_result profiled = run_once(o, s, nodes, &sink);
            fmt::print("### {} — {} nodes, per plugin (profiled run)\n", scenario_name(s), nodes);
            print_profile(sink, profiled);
        }
    }
    fmt::print(
        "### Summary (unprofiled runs)\n\n| scenario | nodes | pods | scheduled | decisions/s | "
        "µs/decision | decisions/CPU-s | CPU µs/decision | nodes evaluated/cycle | "
        "feasible/cycle |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& [s, nodes, r] : summary) {
        const double seconds = std::chrono::duration<double>(r.elapsed).count();
        const double cycles = static_cast<double>(std::max<std::size_t>(r.attempted, 1));
        const double cpu_seconds = std::chrono::duration<double>(r.cpu).count();
        fmt::print("| {} | {} | {} | {} | {:.0f} | {:.1f} | {:.0f} | {:.1f} | {:.0f} | {:.0f} |\n",
                   scenario_name(s), nodes, r.attempted, r.scheduled,
                   static_cast<double>(r.attempted) / seconds, micros(r.elapsed) / cycles,
                   static_cast<double>(r.attempted) / cpu_seconds, micros(r.cpu) / cycles,
                   static_cast<double>(r.evaluated_nodes) / cycles,
                   static_cast<double>(r.feasible_nodes) / cycles);
    }
    return 0;
}

// Comma-separated list; each item converted by `convert` (false: invalid).
template <class T, class F>
bool split_list(const std::string& text, std::vector<T>& out, F convert) {
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t end = std::min(text.find(',', pos), text.size());
        T v{};
        if (!convert(text.substr(pos, end - pos), v)) {
            return false;
        }
        out.push_back(v);
        pos = end + 1;
    }
    return !out.empty();
}

}  // namespace
}  // namespace multisched::bench

int main(int argc, char** argv) {
    using namespace multisched::bench;
    options o;
    std::string nodes = "500,5000,15000";
    std::string scenarios = "SchedulingBasic,NodeAffinity,PodAntiAffinity,TopologySpreading";
    po::options_description desc("multisched_bench options");
    desc.add_options()("help,h", "this help")("nodes", po::value(&nodes)->default_value(nodes),
                                              "cluster sizes, comma-separated")(
        "pods", po::value(&o.pods)->default_value(0),
        "pods per run (0: SchedulingBasic/NodeAffinity 10000, PodAntiAffinity min(2000, nodes), "
        "TopologySpreading 5000)")("scenario", po::value(&scenarios)->default_value(scenarios),
                                   "scenarios, comma-separated")(
        "percentage", po::value(&o.percentage)->default_value(0),
        "percentageOfNodesToScore (0: adaptive, as the daemon's default)")(
        "existing-pods-per-node", po::value(&o.existing_pods_per_node)->default_value(2),
        "plain running pods per node")("zones", po::value(&o.zones)->default_value(0),
                                       "zones (0: clamp(nodes / 500, 3, 10))")(
        "seed", po::value(&o.seed)->default_value(1), "seed of the node selection RNG")(
        "no-profile", po::bool_switch(), "skip the per-plugin profiled runs");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "multisched_bench: " << e.what() << "\n" << desc;
        return 2;
    }
    if (vm.count("help") != 0) {
        std::cout << desc;
        return 0;
    }
    o.profile = !vm["no-profile"].as<bool>();
    const bool nodes_ok = split_list(nodes, o.nodes, [](const std::string& s, std::size_t& v) {
        try {
            v = std::stoul(s);
            return v > 0;
        } catch (const std::exception&) {
            return false;
        }
    });
    const bool scenarios_ok =
        split_list(scenarios, o.scenarios,
                   [](const std::string& s, scenario& v) { return parse_scenario(s, v); });
    if (!nodes_ok || !scenarios_ok) {
        std::cerr << "multisched_bench: invalid --nodes or --scenario\n" << desc;
        return 2;
    }
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::cerr << "multisched_bench: " << e.what() << "\n";
        return 1;
    }
}
