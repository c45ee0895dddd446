// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_resources_balanced_allocation/node_resources_balanced_allocation.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "plugins/helper/args.hpp"
#include "plugins/helper/resources.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::node_resources_balanced_allocation {
namespace {

constexpr std::string_view kPlugin = names::kNodeResourcesBalancedAllocation;

struct pre_score_state final : framework::cycle_state::cloneable<pre_score_state> {
    std::vector<std::int64_t> pod_requests;
};

result<resource_spec> read_resource(const YAML::Node& node, const std::string& path) {
    if (auto ok = helper::check_keys(node, kPlugin, path, {"name", "weight"}); !ok) {
        return ok.error();
    }
    resource_spec spec;
    spec.weight = 0;
    if (node && node["name"]) {
        auto name = helper::read_scalar<std::string>(node["name"], kPlugin, path + ".name");
        if (!name) {
            return name.error();
        }
        spec.name = std::move(*name);
    }
    if (node && node["weight"]) {
        auto w = helper::read_scalar<std::int64_t>(node["weight"], kPlugin, path + ".weight");
        if (!w) {
            return w.error();
        }
        spec.weight = *w;
    }
    // SetDefaults_NodeResourcesBalancedAllocationArgs: an unset or zero weight becomes 1.
    if (spec.weight == 0) {
        spec.weight = 1;
    }
    return spec;
}

}  // namespace

result<balanced_allocation_args> parse_args(const YAML::Node& args) {
    balanced_allocation_args out;
    if (auto ok = helper::check_keys(args, kPlugin, "", {"resources"}); !ok) {
        return ok.error();
    }
    const YAML::Node list = args.IsDefined() && !args.IsNull() ? args["resources"] : YAML::Node();
    if (list.IsDefined() && !list.IsNull()) {
        if (!list.IsSequence()) {
            return helper::args_error(kPlugin, "resources: expected a list");
        }
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto path = fmt::format("resources[{}]", i);
            auto spec = read_resource(list[i], path);
            if (!spec) {
                return spec.error();
            }
            // validation_pluginargs.go: names unique, every weight exactly 1.
            const bool seen = std::any_of(out.resources.begin(), out.resources.end(),
                                          [&](const auto& r) { return r.name == spec->name; });
            if (seen) {
                return helper::args_error(
                    kPlugin, fmt::format("{}.name: Duplicate value: \"{}\"", path, spec->name));
            }
            if (spec->weight != 1) {
                return helper::args_error(
                    kPlugin,
                    fmt::format("{}.weight: Invalid value: {}: must be 1", path, spec->weight));
            }
            out.resources.push_back(std::move(*spec));
        }
    }
    if (out.resources.empty()) {
        out.resources = {{std::string(api::kResourceCPU), 1},
                         {std::string(api::kResourceMemory), 1}};
    }
    return out;
}

std::int64_t balanced_score(std::span<const std::int64_t> requested,
                            std::span<const std::int64_t> allocatable) {
    // The requested share of each resource the node has; computed twice rather than stored, so
    // that scoring a node allocates nothing.
    const auto fraction = [&](std::size_t i) {
        return std::min(1.0,
                        static_cast<double>(requested[i]) / static_cast<double>(allocatable[i]));
    };
    double total = 0;
    std::size_t count = 0;
    std::array<double, 2> first_two{};
    for (std::size_t i = 0; i < requested.size(); ++i) {
        if (allocatable[i] == 0) {
            continue;
        }
        const double f = fraction(i);
        if (count < first_two.size()) {
            first_two[count] = f;
        }
        total += f;
        ++count;
    }
    double std_dev = 0;
    // Two resources (the common case): std is half the distance between the fractions.
    if (count == 2) {
        std_dev = std::abs((first_two[0] - first_two[1]) / 2);
    } else if (count > 2) {
        const double n = static_cast<double>(count);
        const double mean = total / n;
        double sum = 0;
        for (std::size_t i = 0; i < requested.size(); ++i) {
            if (allocatable[i] != 0) {
                const double f = fraction(i);
                sum += (f - mean) * (f - mean);
            }
        }
        std_dev = std::sqrt(sum / n);
    }
    // Go's int64(float64) truncates toward zero, as static_cast does.
    return static_cast<std::int64_t>((1 - std_dev) * static_cast<double>(framework::kMaxNodeScore));
}

node_resources_balanced_allocation::node_resources_balanced_allocation(
    balanced_allocation_args args)
    : resources_(std::move(args.resources)) {}

std::string_view node_resources_balanced_allocation::name() const {
    return names::kNodeResourcesBalancedAllocation;
}

std::vector<std::int64_t> node_resources_balanced_allocation::pod_requests(
    const framework::pod_info& pod) const {
    std::vector<std::int64_t> out;
    out.reserve(resources_.size());
    for (const auto& r : resources_) {
        if (r.name == api::kResourceCPU) {
            out.push_back(pod.requests.milli_cpu);
        } else if (r.name == api::kResourceMemory) {
            out.push_back(pod.requests.memory);
        } else if (r.name == api::kResourceEphemeralStorage) {
            out.push_back(pod.requests.ephemeral_storage);
        } else if (r.name == api::kResourcePods) {
            out.push_back(pod.requests.pods);
        } else {
            out.push_back(pod.requests.scalar_value(r.name));
        }
    }
    return out;
}

std::int64_t node_resources_balanced_allocation::score_node(
    const framework::node_info& node, std::span<const std::int64_t> pod_requests) const {
    helper::resource_scratch scratch(resources_.size());
    const auto requested = scratch.requested();
    const auto allocatable = scratch.allocatable();
    for (std::size_t i = 0; i < resources_.size(); ++i) {
        const auto ar = helper::resource_on_node(node, resources_[i].name, pod_requests[i],
                                                 /*use_requested=*/true);
        allocatable[i] = ar.allocatable;
        requested[i] = ar.requested;
    }
    return balanced_score(requested, allocatable);
}

framework::status node_resources_balanced_allocation::pre_score(
    framework::cycle_state& state, const framework::pod_info& pod,
    std::span<const framework::node_info* const> /*nodes*/) {
    auto s = std::make_unique<pre_score_state>();
    s->pod_requests = pod_requests(pod);
    state.write(kPreScoreStateKey, std::move(s));
    return {};
}

framework::status node_resources_balanced_allocation::score(framework::cycle_state& state,
                                                            const framework::pod_info& pod,
                                                            const framework::node_info& node,
                                                            std::int64_t& score) {
    if (const auto* s = state.read<pre_score_state>(kPreScoreStateKey)) {
        score = score_node(node, s->pod_requests);
        return {};
    }
    score = score_node(node, pod_requests(pod));
    return {};
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& /*h*/) {
    auto parsed = parse_args(args);
    if (!parsed) {
        return parsed.error();
    }
    return std::unique_ptr<framework::plugin>(
        std::make_unique<node_resources_balanced_allocation>(std::move(*parsed)));
}

}  // namespace multisched::plugins::node_resources_balanced_allocation
