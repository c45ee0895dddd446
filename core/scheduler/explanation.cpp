// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/explanation.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/util/text_table.hpp"

namespace multisched::scheduler {
namespace {

node_verdict verdict_of(std::string node, const framework::status& s) {
    return {std::move(node), s.plugin(), std::string(framework::code_name(s.code())), s.reasons()};
}

void sort_rejected(std::vector<node_verdict>& v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.node < b.node; });
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? "" : ", ") + p;
    }
    return out;
}

}  // namespace

explanation explain_pod(framework::framework& fw, const framework::pod_info& pod,
                        std::span<framework::node_info* const> nodes) {
    explanation e;
    e.pod = pod.pod->key();
    e.uid = pod.pod->meta.uid;
    e.profile = fw.profile_name();
    e.nodes = nodes.size();
    framework::cycle_state state;
    state.what_if = true;

    const std::span<const framework::node_info* const> all(nodes.data(), nodes.size());
    framework::pre_filter_result narrowed;
    const framework::status pre = fw.run_pre_filter(state, pod, all, narrowed);
    if (!pre.is_success()) {
        if (pre.is_rejected()) {
            e.pre_filter_plugin = pre.plugin();
            e.pre_filter_message = pre.message();
        } else {
            e.error = pre.message();
        }
        return e;
    }
    std::string narrowing;
    for (const auto& p : narrowed.from_plugins) {
        narrowing += (narrowing.empty() ? "" : " ") + p;
    }
    std::vector<const framework::node_info*> feasible;
    for (const auto* n : nodes) {
        if (narrowed.node_names && !narrowed.node_names->contains(n->name())) {
            // As schedule_pod reports nodes outside a PreFilterResult.
            e.rejected.push_back(
                {n->name(),
                 narrowing,
                 std::string(framework::code_name(framework::code::unschedulable_and_unresolvable)),
                 {"node(s) didn't satisfy plugin(s) [" + narrowing + "]"}});
            continue;
        }
        const framework::status s = fw.run_filter_with_nominated_pods(state, pod, *n);
        if (s.is_success()) {
            feasible.push_back(n);
        } else if (s.is_rejected()) {
            e.rejected.push_back(verdict_of(n->name(), s));
        } else {
            e.error = s.message();
            return e;
        }
    }
    sort_rejected(e.rejected);
    e.feasible_count = feasible.size();
    if (feasible.empty()) {
        return e;
    }

    std::vector<std::int64_t> totals(feasible.size(), 0);
    std::vector<framework::plugin_scores> breakdown;
    if (fw.has_score_plugins()) {
        framework::status s = fw.run_pre_score(state, pod, feasible);
        if (s.is_success()) {
            s = fw.run_score(state, pod, feasible, totals, &breakdown);
        }
        if (!s.is_success()) {
            e.error = s.message();
            return e;
        }
    }
    e.feasible.reserve(feasible.size());
    for (std::size_t i = 0; i < feasible.size(); ++i) {
        node_ranking r{feasible[i]->name(), totals[i], {}};
        for (const auto& p : breakdown) {
            r.terms.push_back(
                {p.plugin, p.weight, p.raw[i], p.normalized.empty() ? p.raw[i] : p.normalized[i]});
        }
        e.feasible.push_back(std::move(r));
    }
    std::sort(e.feasible.begin(), e.feasible.end(), [](const auto& a, const auto& b) {
        return a.total != b.total ? a.total > b.total : a.node < b.node;
    });
    return e;
}

explanation explain_attempt(const std::string& profile, const framework::pod_info& pod,
                            std::size_t num_nodes, const schedule_result& result) {
    explanation e;
    e.pod = pod.pod->key();
    e.uid = pod.pod->meta.uid;
    e.profile = profile;
    e.nodes = num_nodes;
    e.node = result.node;
    e.feasible_count = result.feasible_nodes;
    if (!result.node.empty()) {
        e.every_node = result.evaluated_nodes >= num_nodes;
        e.message = "placed on " + result.node;
        return e;
    }
    e.message = result.message;
    if (!result.failure.is_rejected()) {
        e.error = result.message;
        return e;
    }
    for (const auto& r : result.rejections) {
        if (r.node.empty()) {  // PreFilter: every node
            e.pre_filter_plugin = r.verdict.plugin();
            e.pre_filter_message = r.verdict.message();
            continue;
        }
        e.rejected.push_back(verdict_of(r.node, r.verdict));
    }
    sort_rejected(e.rejected);
    return e;
}

std::string format_explanation(const explanation& e) {
    std::string out = fmt::format("Pod {} (profile {}): ", e.pod, e.profile);
    out += !e.node.empty() ? "placed on " + e.node : !e.message.empty() ? e.message : "not placed";
    out += "\n";
    if (!e.error.empty()) {
        out += "  stopped by an error: " + e.error + "\n";
    }
    if (!e.pre_filter_plugin.empty() || !e.pre_filter_message.empty()) {
        out += fmt::format("\nPreFilter rejected the pod on all {} nodes: {}: {}\n", e.nodes,
                           e.pre_filter_plugin, e.pre_filter_message);
        return out;
    }
    if (!e.rejected.empty()) {
        out += fmt::format("\nFilter rejected {} of {} nodes:\n", e.rejected.size(), e.nodes);
        std::vector<std::vector<std::string>> rows{{"NODE", "PLUGIN", "REASON"}};
        for (const auto& r : e.rejected) {
            rows.push_back({r.node, r.plugin, joined(r.reasons)});
        }
        out += util::aligned_columns(rows, "  ");
    }
    if (!e.feasible.empty()) {
        out += fmt::format("\nFeasible nodes, best first ({}):\n", e.feasible.size());
        std::vector<std::vector<std::string>> rows{
            {"NODE", "TOTAL", "PLUGIN", "RAW", "NORMALIZED", "WEIGHT", "WEIGHTED"}};
        for (const auto& n : e.feasible) {
            rows.push_back({n.node, std::to_string(n.total)});
            for (const auto& t : n.terms) {
                rows.push_back({"", "", t.plugin, std::to_string(t.raw),
                                std::to_string(t.normalized), std::to_string(t.weight),
                                std::to_string(t.weighted())});
            }
        }
        out += util::aligned_columns(rows, "  ");
    } else if (e.feasible_count > 0) {
        out += fmt::format("\n{} feasible node(s) found{}\n", e.feasible_count,
                           e.every_node ? "" : " (the search stopped at enough of them)");
    }
    return out;
}

void write_explanation(json::writer& w, const explanation& e) {
    const auto optional_field = [&w](std::string_view key, const std::string& value) {
        if (!value.empty()) {
            w.field(key, value);
        }
    };
    w.begin_object().field("pod", e.pod);
    optional_field("uid", e.uid);
    w.field("profile", e.profile);
    w.key("nodes").integer(static_cast<std::int64_t>(e.nodes));
    w.key("everyNode").boolean(e.every_node);
    optional_field("node", e.node);
    optional_field("message", e.message);
    optional_field("error", e.error);
    optional_field("attemptedAt", e.attempted_at);
    if (!e.pre_filter_plugin.empty() || !e.pre_filter_message.empty()) {
        w.key("preFilter").begin_object();
        w.field("plugin", e.pre_filter_plugin).field("message", e.pre_filter_message);
        w.end_object();
    }
    w.key("rejected").begin_array();
    for (const auto& r : e.rejected) {
        w.begin_object().field("node", r.node).field("plugin", r.plugin).field("code", r.code);
        w.key("reasons").begin_array();
        for (const auto& reason : r.reasons) {
            w.string(reason);
        }
        w.end_array().end_object();
    }
    w.end_array();
    w.key("feasibleCount").integer(static_cast<std::int64_t>(e.feasible_count));
    w.key("feasible").begin_array();
    for (const auto& n : e.feasible) {
        w.begin_object().field("node", n.node).key("total").integer(n.total);
        w.key("scores").begin_array();
        for (const auto& t : n.terms) {
            w.begin_object().field("plugin", t.plugin);
            w.key("weight").integer(t.weight).key("raw").integer(t.raw);
            w.key("normalized").integer(t.normalized).key("weighted").integer(t.weighted());
            w.end_object();
        }
        w.end_array().end_object();
    }
    w.end_array().end_object();
}

std::string explanation_json(const explanation& e) {
    json::writer w;
    write_explanation(w, e);
    return w.str();
}

}  // namespace multisched::scheduler
