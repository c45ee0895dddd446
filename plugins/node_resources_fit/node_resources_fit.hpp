// SPDX-License-Identifier: Apache-2.0
// NodeResourcesFit: rejects nodes without room for the pod's requests and scores nodes by
// allocation (upstream plugins/noderesources/fit.go, v1.30-v1.33).
// Extension points: PreFilter, Filter, PreScore, Score, EnqueueExtensions.
// Args (NodeResourcesFitArgs): ignoredResources, ignoredResourceGroups,
//   scoringStrategy{type LeastAllocated|MostAllocated|RequestedToCapacityRatio, resources, shape}.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"
#include "plugins/node_resources_fit/args.hpp"
#include "plugins/node_resources_fit/scorer.hpp"

namespace multisched::plugins::node_resources_fit {

inline constexpr std::string_view kPreFilterStateKey = "PreFilterNodeResourcesFit";
inline constexpr std::string_view kPreScoreStateKey = "PreScoreNodeResourcesFit";

// One resource the node lacks (upstream InsufficientResource).
struct insufficient_resource {
    std::string resource_name;
    std::string reason;  // "Too many pods", "Insufficient cpu", "Insufficient example.com/gpu"
    std::int64_t requested = 0;
    std::int64_t used = 0;
    std::int64_t capacity = 0;
    bool operator==(const insufficient_resource&) const = default;
};

class node_resources_fit final : public framework::pre_filter_plugin,
                                 public framework::filter_plugin,
                                 public framework::pre_score_plugin,
                                 public framework::score_plugin,
                                 public framework::enqueue_extensions {
  public:
    explicit node_resources_fit(fit_args args);

    std::string_view name() const override;
    // Stores the pod's requests for Filter; never narrows the node set.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;
    // Unschedulable with one reason per insufficient resource; Error if PreFilter did not run.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;
    // Stores the pod's per-resource requests for Score.
    framework::status pre_score(framework::cycle_state& state, const framework::pod_info& pod,
                                std::span<const framework::node_info* const> nodes) override;
    framework::status score(framework::cycle_state& state, const framework::pod_info& pod,
                            const framework::node_info& node, std::int64_t& score) override;
    std::vector<framework::cluster_event> events_to_register() const override;

    // upstream fitsRequest: what `node` lacks for a pod with these requests.
    std::vector<insufficient_resource> fits_request(const api::resource_list& pod_request,
                                                    const framework::node_info& node) const;

  private:
    std::set<std::string, std::less<>> ignored_resources_;
    std::set<std::string, std::less<>> ignored_resource_groups_;
    scorer scorer_;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::node_resources_fit
