// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/schedule_pod.hpp"

#include <algorithm>
#include <map>

namespace multisched::scheduler {
namespace {

constexpr std::size_t kMinFeasibleNodesToFind = 100;
constexpr std::int32_t kMinFeasibleNodesPercentageToFind = 5;

void add_rejector(std::vector<std::string>& rejectors, const std::string& plugin) {
    if (!plugin.empty() &&
        std::find(rejectors.begin(), rejectors.end(), plugin) == rejectors.end()) {
        rejectors.push_back(plugin);
    }
}

}  // namespace

std::size_t select_host(std::span<const std::int64_t> totals, std::mt19937_64& rng) {
    std::size_t best = 0;
    std::size_t count = 1;
    for (std::size_t i = 1; i < totals.size(); ++i) {
        if (totals[i] > totals[best]) {
            best = i;
            count = 1;
        } else if (totals[i] == totals[best]) {
            ++count;
            if (std::uniform_int_distribution<std::size_t>(0, count - 1)(rng) == 0) {
                best = i;
            }
        }
    }
    return best;
}

std::size_t num_feasible_nodes_to_find(std::int32_t percentage, std::size_t num_all_nodes) {
    if (num_all_nodes < kMinFeasibleNodesToFind) {
        return num_all_nodes;
    }
    if (percentage <= 0) {
        percentage = std::max<std::int32_t>(
            static_cast<std::int32_t>(50 - static_cast<std::int64_t>(num_all_nodes) / 125),
            kMinFeasibleNodesPercentageToFind);
    }
    if (percentage >= 100) {
        return num_all_nodes;
    }
    const std::size_t n = num_all_nodes * static_cast<std::size_t>(percentage) / 100;
    return std::max(n, kMinFeasibleNodesToFind);
}

std::string fit_error_message(std::size_t num_all_nodes, const std::string& pre_filter_message,
                              std::span<const framework::node_status> statuses,
                              const std::string& post_filter_message) {
    std::string msg = "0/" + std::to_string(num_all_nodes) + " nodes are available:";
    if (!pre_filter_message.empty()) {
        msg += " " + pre_filter_message + ".";
    } else {
        // With a PreFilter rejection every node carries the same status: no histogram then
        // (k/k #110529).
        std::map<std::string, std::size_t, std::less<>> histogram;
        for (const auto& s : statuses) {
            for (std::size_t i = 0; i < s.verdict.reason_count(); ++i) {
                const std::string_view reason = s.verdict.reason(i);
                if (auto it = histogram.find(reason); it != histogram.end()) {
                    ++it->second;
                } else {
                    histogram.emplace(std::string(reason), 1);
                }
            }
        }
        std::vector<std::string> parts;
        parts.reserve(histogram.size());
        for (const auto& [reason, count] : histogram) {
            parts.push_back(std::to_string(count) + " " + reason);
        }
        std::sort(parts.begin(), parts.end());
        if (!parts.empty()) {
            msg += " ";
            for (std::size_t i = 0; i < parts.size(); ++i) {
                msg += (i == 0 ? "" : ", ") + parts[i];
            }
            msg += ".";
        }
    }
    if (!post_filter_message.empty()) {
        msg += " " + post_filter_message;  // already a sentence (upstream FitError.Error)
    }
    return msg;
}

bool find_feasible_nodes(framework::framework& fw, framework::cycle_state& state,
                         const framework::pod_info& pod,
                         std::span<framework::node_info* const> nodes, algorithm_state& algo,
                         filter_outcome& f, schedule_result& out, bool with_extenders) {
    const std::span<const framework::node_info* const> all(nodes.data(), nodes.size());

    // PreFilter.
    framework::pre_filter_result narrowed;
    framework::status pre = fw.run_pre_filter(state, pod, all, narrowed);
    if (!pre.is_success()) {
        if (!pre.is_rejected()) {
            out.failure = pre;
            out.message = pre.message();
            return false;
        }
        f.pre_filter_message = pre.message();
        add_rejector(out.rejector_plugins, pre.plugin());
        f.statuses.reserve(nodes.size());
        for (const auto* n : nodes) {
            f.statuses.push_back({n, pre});
        }
        return true;
    }
    // Nodes outside a PreFilterResult are unresolvable for this pod.
    std::vector<framework::node_info*> candidates;
    if (narrowed.node_names) {
        std::string plugins;
        for (const auto& p : narrowed.from_plugins) {
            plugins += (plugins.empty() ? "" : " ") + p;
            add_rejector(out.rejector_plugins, p);
        }
        const framework::status absent(framework::code::unschedulable_and_unresolvable,
                                       "node(s) didn't satisfy plugin(s) [" + plugins + "]");
        for (auto* n : nodes) {
            if (narrowed.node_names->contains(n->name())) {
                candidates.push_back(n);
            } else {
                f.statuses.push_back({n, absent});
            }
        }
    }
    const std::span<framework::node_info* const> scan =
        narrowed.node_names ? std::span<framework::node_info* const>(candidates) : nodes;

    // Filter over a rotating window: stop once enough feasible nodes were found.
    std::size_t want = num_feasible_nodes_to_find(
        fw.percentage_of_nodes_to_score().value_or(algo.global_percentage_of_nodes_to_score),
        scan.size());
    if (!fw.has_score_plugins() && !with_extenders) {
        want = 1;
    }
    f.feasible.reserve(std::min(want, scan.size()));
    const std::size_t start = scan.empty() ? 0 : algo.next_start_node_index % scan.size();
    const auto filter_start = std::chrono::steady_clock::now();
    std::size_t processed = 0;
    for (; processed < scan.size() && f.feasible.size() < want; ++processed) {
        const framework::node_info* n = scan[(start + processed) % scan.size()];
        framework::status s = fw.run_filter_with_nominated_pods(state, pod, *n);
        if (s.is_success()) {
            f.feasible.push_back(n);
            continue;
        }
        if (!s.is_rejected()) {
            fw.observe_filter(s.code(), filter_start);
            out.failure = s;
            out.message = s.message();
            return false;
        }
        add_rejector(out.rejector_plugins, s.plugin());
        f.statuses.push_back({n, std::move(s)});
    }
    fw.observe_filter(framework::code::success, filter_start);
    algo.next_start_node_index = (algo.next_start_node_index + processed) % nodes.size();
    out.evaluated_nodes = processed;
    return true;
}

void fail_unschedulable(framework::framework& fw, framework::cycle_state& state,
                        const framework::pod_info& pod, std::size_t num_all_nodes,
                        const filter_outcome& f, schedule_result& out) {
    framework::post_filter_result post_result;
    std::string post_filter_message;
    if (!fw.plugins().post_filter.empty()) {
        framework::status post = fw.run_post_filter(state, pod, f.statuses, post_result);
        if (post.is_success() || post.is_rejected()) {
            out.nominated_node_name = post_result.nominated_node_name;
        }
        post_filter_message = post.message();
    }
    out.failure = framework::status(framework::code::unschedulable, std::vector<std::string>{});
    if (!f.pre_filter_message.empty() && !f.statuses.empty()) {
        out.rejections.push_back({"", f.statuses.front().verdict});
    } else {
        out.rejections.reserve(f.statuses.size());
        for (const auto& s : f.statuses) {
            out.rejections.push_back({s.node->name(), s.verdict});
        }
    }
    out.message =
        fit_error_message(num_all_nodes, f.pre_filter_message, f.statuses, post_filter_message);
}

bool score_nodes(framework::framework& fw, framework::cycle_state& state,
                 const framework::pod_info& pod,
                 const std::vector<const framework::node_info*>& feasible,
                 std::vector<std::int64_t>& totals, schedule_result& out) {
    framework::status ps = fw.run_pre_score(state, pod, feasible);
    if (!ps.is_success()) {
        out.failure = ps;
        out.message = ps.message();
        return false;
    }
    totals.assign(feasible.size(), 0);
    framework::status sc = fw.run_score(state, pod, feasible, totals);
    if (!sc.is_success()) {
        out.failure = sc;
        out.message = sc.message();
        return false;
    }
    return true;
}

schedule_result schedule_pod(framework::framework& fw, framework::cycle_state& state,
                             const framework::pod_info& pod,
                             std::span<framework::node_info* const> nodes, algorithm_state& algo) {
    schedule_result out;
    if (nodes.empty()) {
        out.failure = framework::status::error(std::string(kNoNodesAvailable));
        out.message = std::string(kNoNodesAvailable);
        return out;
    }
    filter_outcome& f = algo.scratch;
    f.clear();
    if (!find_feasible_nodes(fw, state, pod, nodes, algo, f, out)) {
        return out;
    }
    out.feasible_nodes = f.feasible.size();
    if (f.feasible.empty()) {
        fail_unschedulable(fw, state, pod, nodes.size(), f, out);
        return out;
    }
    if (f.feasible.size() == 1) {
        out.node = f.feasible.front()->name();
        return out;
    }
    std::vector<std::int64_t> totals;
    if (!score_nodes(fw, state, pod, f.feasible, totals, out)) {
        return out;
    }
    out.node = f.feasible[select_host(totals, algo.rng)]->name();
    return out;
}

}  // namespace multisched::scheduler
