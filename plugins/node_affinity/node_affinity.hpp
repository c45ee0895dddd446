// SPDX-License-Identifier: Apache-2.0
// NodeAffinity: keeps pods on nodes that match their nodeSelector and required node affinity and
// prefers nodes matching their preferred terms (upstream plugins/nodeaffinity, v1.30).
// Extension points: PreFilter (narrows to metadata.name terms), Filter, PreScore, Score
// (+NormalizeScore), EnqueueExtensions.
// Args (NodeAffinityArgs): addedAffinity{required..., preferred...}, applied to every pod.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/api/selectors.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"
#include "plugins/node_affinity/args.hpp"

namespace multisched::plugins::node_affinity {

inline constexpr std::string_view kPreFilterStateKey = "PreFilterNodeAffinity";
inline constexpr std::string_view kPreScoreStateKey = "PreScoreNodeAffinity";
inline constexpr std::string_view kErrReasonPod =
    "node(s) didn't match Pod's node affinity/selector";
inline constexpr std::string_view kErrReasonEnforced =
    "node(s) didn't match scheduler-enforced node affinity";
inline constexpr std::string_view kErrReasonConflict = "pod affinity terms conflict";

// upstream nodeaffinity.RequiredNodeAffinity: the pod's nodeSelector AND its required terms.
class required_node_affinity {
  public:
    explicit required_node_affinity(const api::pod& pod);
    // Parse errors of invalid terms are ignored, as upstream Filter does.
    bool matches(const api::node& n) const;

  private:
    std::optional<api::label_map> node_selector_;  // nullopt: no nodeSelector
    std::optional<api::node_selector> terms_;      // nullopt: no required affinity
};

class node_affinity final : public framework::pre_filter_plugin,
                            public framework::filter_plugin,
                            public framework::pre_score_plugin,
                            public framework::score_plugin,
                            public framework::enqueue_extensions {
  public:
    explicit node_affinity(const node_affinity_args& args);

    std::string_view name() const override;
    // Skip when the pod has no nodeSelector, no required affinity and no addedAffinity.required.
    // Otherwise stores the required affinity; when every required term has metadata.name In
    // requirements, narrows the nodes to those names, or rejects (UnschedulableAndUnresolvable
    // "pod affinity terms conflict") when the terms leave no name at all.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;
    // UnschedulableAndUnresolvable when addedAffinity.required or the pod's nodeSelector /
    // required terms do not match; Error when the node object is missing.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;
    // Skip when neither the pod nor addedAffinity has preferred terms; Error on invalid terms.
    framework::status pre_score(framework::cycle_state& state, const framework::pod_info& pod,
                                std::span<const framework::node_info* const> nodes) override;
    // The sum of the weights of the matching preferred terms (pod's and addedAffinity's).
    framework::status score(framework::cycle_state& state, const framework::pod_info& pod,
                            const framework::node_info& node, std::int64_t& score) override;
    bool has_normalize() const override { return true; }
    // DefaultNormalizeScore(kMaxNodeScore, reverse=false).
    framework::status normalize_score(framework::cycle_state& state, const framework::pod_info& pod,
                                      std::span<const framework::node_info* const> nodes,
                                      std::span<std::int64_t> scores) override;
    std::vector<framework::cluster_event> events_to_register() const override;

  private:
    std::optional<api::node_selector> added_node_selector_;
    std::optional<api::preferred_terms> added_pref_terms_;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::node_affinity
