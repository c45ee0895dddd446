// SPDX-License-Identifier: Apache-2.0
// TaintToleration: rejects nodes with a NoSchedule/NoExecute taint the pod does not tolerate and
// prefers nodes with fewer untolerated PreferNoSchedule taints (upstream plugins/tainttoleration).
// Extension points: Filter, PreScore, Score (+NormalizeScore), EnqueueExtensions.
// Args: none (ignored).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::taint_toleration {

inline constexpr std::string_view kPreScoreStateKey = "PreScoreTaintToleration";

class taint_toleration final : public framework::filter_plugin,
                               public framework::pre_score_plugin,
                               public framework::score_plugin,
                               public framework::enqueue_extensions {
  public:
    std::string_view name() const override;
    // UnschedulableAndUnresolvable "node(s) had untolerated taint {key: value}" for the first
    // NoSchedule/NoExecute taint no toleration matches; Error when the node object is missing.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;
    // Stores the pod's tolerations that can match PreferNoSchedule taints. Always succeeds.
    framework::status pre_score(framework::cycle_state& state, const framework::pod_info& pod,
                                std::span<const framework::node_info* const> nodes) override;
    // The number of the node's PreferNoSchedule taints the pod does not tolerate (raw, before
    // normalize_score). Error if PreScore did not run or the node object is missing.
    framework::status score(framework::cycle_state& state, const framework::pod_info& pod,
                            const framework::node_info& node, std::int64_t& score) override;
    bool has_normalize() const override { return true; }
    // Reversed linear scale onto [0, kMaxNodeScore]: fewest untolerated taints → 100.
    framework::status normalize_score(framework::cycle_state& state, const framework::pod_info& pod,
                                      std::span<const framework::node_info* const> nodes,
                                      std::span<std::int64_t> scores) override;
    std::vector<framework::cluster_event> events_to_register() const override;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::taint_toleration
