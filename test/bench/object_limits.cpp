// SPDX-License-Identifier: Apache-2.0
// multisched_object_limits: objects at and beyond the apiserver's limits, in doubling sizes, to
// show that handling them grows linearly (or n log n), never quadratically. For each case and
// size n: parse + decode the Pod (api::decode_pod), derive its pod_info, add it to a node and
// run the check a Filter would (host-port conflicts, nodeSelector match, the pod's own
// selectors). Prints a markdown table with the time per size and its ratio to the previous size:
// about 2 for linear work, 4 would be quadratic. Results in docs/reliability.md.
//
//   build/multisched_object_limits [--max-shift K]   (sizes base << 0 .. base << K, default 5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/api/decode.hpp"
#include "core/api/selectors.hpp"
#include "core/framework/node_info.hpp"
#include "core/json/json.hpp"

namespace multisched::bench {
namespace {

using clock = std::chrono::steady_clock;

// A Pod's JSON around `metadata_extra` (members after name/namespace/uid, with a leading comma)
// and `spec_extra` (members of spec, each followed by a comma).
std::string pod_json(const std::string& metadata_extra, const std::string& spec_extra) {
    return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","namespace":"default",)"
           R"("uid":"u-big")" +
           metadata_extra + R"(},"spec":{)" + spec_extra +
           R"("containers":[{"name":"c","image":"i"}]}})";
}

std::string reversed_labels(std::size_t n) {
    std::string s = R"(,"labels":{)";
    for (std::size_t i = n; i-- > 0;) {
        s += fmt::format(R"("example.com/k{:07}":"v{}"{})", i, i, i == 0 ? "" : ",");
    }
    return s + "}";
}

std::string containers_with_ports(std::size_t n) {
    std::string s = R"("containers":[)";
    for (std::size_t i = 0; i < n; ++i) {
        s += fmt::format(
            R"({{"name":"c{}","image":"i","ports":[{{"containerPort":{},"hostPort":{}}}]}}{})", i,
            1000 + i, 1000 + i, i + 1 == n ? "" : ",");
    }
    return s + "],";
}

std::string anti_affinity_terms(std::size_t n) {
    std::string s =
        R"("affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[)";
    for (std::size_t i = 0; i < n; ++i) {
        s += fmt::format(
            R"({{"labelSelector":{{"matchExpressions":[{{"key":"app","operator":"In","values":["a{}","b"]}}]}},)"
            R"("topologyKey":"zone{}"}}{})",
            i, i, i + 1 == n ? "" : ",");
    }
    return s + "]}},";
}

struct sized_case {
    std::string name;
    std::size_t base;  // n at shift 0
    std::string unit;  // what n counts
    std::function<std::string(std::size_t)> text;
};

// Decodes the pod and does what a scheduling cycle does with it. Returns the number of port
// conflicts and selector matches found (kept so the work is not optimized away), or -1 when the
// pod does not parse or decode.
long handle(const std::string& text) {
    auto doc = json::document::parse(text);
    if (!doc) {
        std::fprintf(stderr, "parse: %s\n", doc.error().message.c_str());
        return -1;
    }
    auto pod = api::decode_pod(doc->root());
    if (!pod) {
        std::fprintf(stderr, "decode: %s\n", pod.error().message.c_str());
        return -1;
    }
    auto shared = std::make_shared<const api::pod>(std::move(*pod));
    auto info = framework::make_pod_info(shared);
    framework::node_info node("n1");
    node.add_pod(info);
    long found = 0;
    for (const auto& c : shared->containers) {
        for (const auto& p : c.ports) {
            found += node.used_ports().conflicts(p.host_ip, p.protocol, p.host_port) ? 1 : 0;
        }
    }
    found += api::matches_node_selector(shared->node_selector, shared->meta.labels) ? 1 : 0;
    for (const auto& t : info->required_anti_affinity) {
        found += t.selector != nullptr && api::matches_valid(*t.selector, shared->meta.labels);
    }
    return found;
}

}  // namespace
}  // namespace multisched::bench

int main(int argc, char** argv) {
    using namespace multisched::bench;
    int max_shift = 5;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--max-shift" && i + 1 < argc) {
            max_shift = std::atoi(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: %s [--max-shift K]\n", argv[0]);
            return 2;
        }
    }
    const std::vector<sized_case> cases = {
        {"labels in reverse key order", 1024, "labels",
         [](std::size_t n) { return pod_json(reversed_labels(n), ""); }},
        {"one long label value, matched by nodeSelector", 8192, "bytes",
         [](std::size_t n) {
             const std::string v(n, 'v');
             return pod_json(fmt::format(R"(,"labels":{{"big":"{}"}})", v),
                             fmt::format(R"("nodeSelector":{{"big":"{}"}},)", v));
         }},
        {"annotations (skipped by the decoder)", 8192, "bytes",
         [](std::size_t n) {
             return pod_json(fmt::format(R"(,"annotations":{{"a":"{}"}})", std::string(n, 'a')),
                             "");
         }},
        {"containers with a host port each", 128, "containers",
         [](std::size_t n) { return pod_json("", containers_with_ports(n)); }},
        {"required anti-affinity terms", 128, "terms",
         [](std::size_t n) { return pod_json("", anti_affinity_terms(n)); }},
    };
    long checksum = 0;  // printed at the end, so no work is optimized away
    fmt::print("| case | n | JSON bytes | µs | ratio to n/2 |\n|---|---:|---:|---:|---:|\n");
    for (const auto& c : cases) {
        double previous = 0;
        for (int shift = 0; shift <= max_shift; ++shift) {
            const std::size_t n = c.base << shift;
            const std::string text = c.text(n);
            // Best of 5: the least disturbed run.
            double best = 0;
            for (int rep = 0; rep < 5; ++rep) {
                const auto t0 = clock::now();
                const long found = handle(text);
                if (found < 0) {
                    std::fprintf(stderr, "%s, n=%zu: failed\n", c.name.c_str(), n);
                    return 1;
                }
                checksum += found;
                const double us =
                    std::chrono::duration<double, std::micro>(clock::now() - t0).count();
                best = rep == 0 ? us : std::min(best, us);
            }
            fmt::print("| {} | {} {} | {} | {:.0f} | {} |\n", c.name, n, c.unit, text.size(), best,
                       previous > 0 ? fmt::format("{:.2f}", best / previous) : "");
            previous = best;
        }
    }
    fmt::print("\n(ports in conflict and selectors matched, summed over all runs: {})\n", checksum);
    return 0;
}
