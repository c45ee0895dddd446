// SPDX-License-Identifier: Apache-2.0
// The two renderings of a simulation report: an aligned table for people, JSON for tools.
#include <algorithm>

#include <fmt/format.h>

#include "core/json/json.hpp"
#include "core/util/text_table.hpp"
#include "profiles/simulation.hpp"

namespace multisched::profiles {
namespace {

// Whole cores ("4"), else millicores ("1500m").
std::string cpu_text(std::int64_t milli) {
    return milli % 1000 == 0 ? std::to_string(milli / 1000) : fmt::format("{}m", milli);
}

// Binary units, rounded down to the largest that keeps an integer ("1536Mi", "16Gi").
std::string memory_text(std::int64_t bytes) {
    static constexpr std::pair<std::int64_t, std::string_view> kUnits[] = {
        {1LL << 40, "Ti"}, {1LL << 30, "Gi"}, {1LL << 20, "Mi"}, {1LL << 10, "Ki"}};
    for (const auto& [size, unit] : kUnits) {
        if (bytes != 0 && bytes % size == 0) {
            return fmt::format("{}{}", bytes / size, unit);
        }
    }
    return std::to_string(bytes);
}

}  // namespace

std::string format_table(const simulation_report& report) {
    std::vector<std::vector<std::string>> pods{{"POD", "PROFILE", "RESULT"}};
    for (const auto& p : report.pods) {
        std::string result = p.node.empty() ? p.message : p.node;
        if (!p.nominated.empty()) {
            result += " (nominated to " + p.nominated + ")";
        }
        pods.push_back({p.pod, p.profile, result});
    }
    std::vector<std::vector<std::string>> nodes{{"NODE", "CPU", "MEMORY", "PODS"}};
    for (const auto& n : report.nodes) {
        nodes.push_back({n.node,
                         cpu_text(n.cpu_requested_milli) + "/" + cpu_text(n.cpu_allocatable_milli),
                         memory_text(n.memory_requested) + "/" + memory_text(n.memory_allocatable),
                         fmt::format("{}/{}", n.pods, n.pods_allocatable)});
    }
    std::string out = util::aligned_columns(pods) + "\n" + util::aligned_columns(nodes);
    if (!report.evicted.empty()) {
        out += "\nEvicted by preemption:\n";
        for (const auto& e : report.evicted) {
            out += "  " + e + "\n";
        }
    }
    if (!report.problems.empty()) {
        out += "\nProblems:\n";
        for (const auto& p : report.problems) {
            out += "  " + p + "\n";
        }
    }
    if (report.explanation) {
        out += "\n" + scheduler::format_explanation(*report.explanation);
    }
    return out;
}

std::string format_json(const simulation_report& report) {
    json::writer w;
    w.begin_object().key("pods").begin_array();
    for (const auto& p : report.pods) {
        w.begin_object().field("pod", p.pod).field("profile", p.profile);
        if (!p.node.empty()) {
            w.field("node", p.node);
        }
        if (!p.message.empty()) {
            w.field("message", p.message);
        }
        if (!p.nominated.empty()) {
            w.field("nominatedNode", p.nominated);
        }
        w.end_object();
    }
    w.end_array().key("nodes").begin_array();
    for (const auto& n : report.nodes) {
        w.begin_object().field("node", n.node);
        w.key("cpuRequestedMillis").integer(n.cpu_requested_milli);
        w.key("cpuAllocatableMillis").integer(n.cpu_allocatable_milli);
        w.key("memoryRequested").integer(n.memory_requested);
        w.key("memoryAllocatable").integer(n.memory_allocatable);
        w.key("pods").integer(n.pods);
        w.key("podsAllocatable").integer(n.pods_allocatable);
        w.end_object();
    }
    w.end_array().key("evicted").begin_array();
    for (const auto& e : report.evicted) {
        w.string(e);
    }
    w.end_array().key("problems").begin_array();
    for (const auto& p : report.problems) {
        w.string(p);
    }
    w.end_array();
    if (report.explanation) {
        w.key("explanation");
        scheduler::write_explanation(w, *report.explanation);
    }
    w.end_object();
    return w.str() + "\n";
}

}  // namespace multisched::profiles
