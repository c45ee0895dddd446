// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_resources_fit/node_resources_fit.hpp"

#include "plugins/helper/resources.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::node_resources_fit {
namespace {

struct pre_filter_state final : framework::cycle_state::cloneable<pre_filter_state> {
    api::resource_list requests;
};

struct pre_score_state final : framework::cycle_state::cloneable<pre_score_state> {
    std::vector<std::int64_t> pod_requests;
};

bool requests_nothing(const api::resource_list& r) {
    return r.milli_cpu == 0 && r.memory == 0 && r.ephemeral_storage == 0 && r.scalar.empty();
}

}  // namespace

node_resources_fit::node_resources_fit(fit_args args)
    : ignored_resources_(args.ignored_resources.begin(), args.ignored_resources.end()),
      ignored_resource_groups_(args.ignored_resource_groups.begin(),
                               args.ignored_resource_groups.end()),
      scorer_(args.type, std::move(args.resources), args.shape) {}

std::string_view node_resources_fit::name() const {
    return names::kNodeResourcesFit;
}

framework::status node_resources_fit::pre_filter(
    framework::cycle_state& state, const framework::pod_info& pod,
    std::span<const framework::node_info* const> /*nodes*/,
    framework::pre_filter_result& /*result*/) {
    auto s = std::make_unique<pre_filter_state>();
    s->requests = pod.requests;
    state.write(kPreFilterStateKey, std::move(s));
    return {};
}

framework::status node_resources_fit::filter(framework::cycle_state& state,
                                             const framework::pod_info& /*pod*/,
                                             const framework::node_info& node) {
    const auto* s = state.read<pre_filter_state>(kPreFilterStateKey);
    if (s == nullptr) {
        return framework::status::error(
            "error reading \"PreFilterNodeResourcesFit\" from cycleState: not found");
    }
    auto insufficient = fits_request(s->requests, node);
    if (insufficient.empty()) {
        return {};
    }
    // Every insufficient resource is reported. Code: always Unschedulable, as v1.30-v1.33. Since
    // v1.34 (k/k PR #131345) upstream answers UnschedulableAndUnresolvable when a request exceeds
    // the node's whole allocatable (preemption cannot help there); we keep the v1.33 behaviour.
    std::vector<std::string> reasons;
    reasons.reserve(insufficient.size());
    for (auto& r : insufficient) {
        reasons.push_back(std::move(r.reason));
    }
    return {framework::code::unschedulable, std::move(reasons)};
}

std::vector<insufficient_resource> node_resources_fit::fits_request(
    const api::resource_list& pod_request, const framework::node_info& node) const {
    std::vector<insufficient_resource> out;
    static const api::resource_list kEmpty;
    const auto& alloc = node.node() != nullptr ? node.node()->allocatable : kEmpty;
    const auto& used = node.requested();

    const auto pods = static_cast<std::int64_t>(node.pods().size());
    if (pods + 1 > alloc.pods) {
        out.push_back({std::string(api::kResourcePods), "Too many pods", 1, pods, alloc.pods});
    }
    if (requests_nothing(pod_request)) {
        return out;
    }
    // A resource the pod does not request is never insufficient, even on an overcommitted node.
    auto check = [&](std::string_view name, std::int64_t req, std::int64_t in_use,
                     std::int64_t capacity) {
        if (req > 0 && req > capacity - in_use) {
            out.push_back(
                {std::string(name), "Insufficient " + std::string(name), req, in_use, capacity});
        }
    };
    check(api::kResourceCPU, pod_request.milli_cpu, used.milli_cpu, alloc.milli_cpu);
    check(api::kResourceMemory, pod_request.memory, used.memory, alloc.memory);
    check(api::kResourceEphemeralStorage, pod_request.ephemeral_storage, used.ephemeral_storage,
          alloc.ephemeral_storage);
    for (const auto& [name, quantity] : pod_request.scalar) {
        if (quantity == 0) {
            continue;
        }
        // ignoredResources / ignoredResourceGroups apply to extended resources only.
        if (helper::is_extended_resource_name(name)) {
            const auto group = std::string_view(name).substr(0, name.find('/'));
            if (ignored_resources_.contains(name) || ignored_resource_groups_.contains(group)) {
                continue;
            }
        }
        check(name, quantity, used.scalar_value(name), alloc.scalar_value(name));
    }
    return out;
}

framework::status node_resources_fit::pre_score(
    framework::cycle_state& state, const framework::pod_info& pod,
    std::span<const framework::node_info* const> /*nodes*/) {
    auto s = std::make_unique<pre_score_state>();
    s->pod_requests = scorer_.pod_requests(pod);
    state.write(kPreScoreStateKey, std::move(s));
    return {};
}

framework::status node_resources_fit::score(framework::cycle_state& state,
                                            const framework::pod_info& pod,
                                            const framework::node_info& node, std::int64_t& score) {
    score = 0;
    if (scorer_.resources().empty()) {
        return framework::status::error("resources not found");
    }
    // As upstream: without PreScore state the requests are computed here.
    if (const auto* s = state.read<pre_score_state>(kPreScoreStateKey)) {
        score = scorer_.score(node, s->pod_requests);
        return {};
    }
    score = scorer_.score(node, scorer_.pod_requests(pod));
    return {};
}

// Upstream without queueing hints (v1.30/v1.31 default): Pod Delete and Node
// Add|UpdateNodeAllocatable|UpdateNodeTaint|UpdateNodeLabel (taint/label only because Node/Add can
// be missed by the queue pre-check, #109437). Only deleting an assigned pod frees resources; the
// UpdatePodScaleDown event belongs to InPlacePodVerticalScaling, which we do not model.
std::vector<framework::cluster_event> node_resources_fit::events_to_register() const {
    using framework::cluster_event;
    using framework::event_resource;
    return {
        cluster_event{event_resource::assigned_pod, framework::action_delete},
        cluster_event{event_resource::node, framework::action_add |
                                                framework::action_update_node_allocatable |
                                                framework::action_update_node_taint |
                                                framework::action_update_node_label},
    };
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& /*h*/) {
    auto parsed = parse_args(args);
    if (!parsed) {
        return parsed.error();
    }
    return std::unique_ptr<framework::plugin>(
        std::make_unique<node_resources_fit>(std::move(*parsed)));
}

}  // namespace multisched::plugins::node_resources_fit
