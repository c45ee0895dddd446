// SPDX-License-Identifier: Apache-2.0
// PodTopologySpread: spreads pods over topology domains by their topologySpreadConstraints, or
// by the profile's default constraints for pods without any (upstream plugins/podtopologyspread,
// v1.30). Extension points: PreFilter (+AddPod/RemovePod), Filter (DoNotSchedule), PreScore,
// Score (+NormalizeScore) (ScheduleAnyway), EnqueueExtensions.
// Args (PodTopologySpreadArgs): defaultConstraints, defaultingType (System | List).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/memo_keys.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"
#include "plugins/pod_topology_spread/args.hpp"
#include "plugins/pod_topology_spread/common.hpp"

namespace multisched::plugins::pod_topology_spread {

inline constexpr std::string_view kPreFilterStateKey = "PreFilterPodTopologySpread";
inline constexpr std::string_view kPreScoreStateKey = "PreScorePodTopologySpread";
inline constexpr std::string_view kErrReasonConstraintsNotMatch =
    "node(s) didn't match pod topology spread constraints";
inline constexpr std::string_view kErrReasonNodeLabelNotMatch =
    "node(s) didn't match pod topology spread constraints (missing required label)";

class pod_topology_spread final : public framework::pre_filter_plugin,
                                  public framework::pre_filter_extensions,
                                  public framework::filter_plugin,
                                  public framework::pre_score_plugin,
                                  public framework::score_plugin,
                                  public framework::enqueue_extensions {
  public:
    // `args` must be valid (parse_args). `h` outlives the plugin: all_nodes() for PreScore,
    // default_selector() for default constraints.
    pod_topology_spread(const pod_topology_spread_args& args, framework::handle& h);

    std::string_view name() const override;

    // Counts the pods matching each DoNotSchedule constraint per domain over `nodes` (every node
    // of the cluster). Skip when the pod has none; Error on an invalid labelSelector.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;
    framework::pre_filter_extensions* extensions() override { return this; }
    // upstream updateWithPod with delta +1 / -1. Error when PreFilter state is missing.
    framework::status add_pod(framework::cycle_state& state, const framework::pod_info& pod,
                              const framework::pod_info& other,
                              const framework::node_info& node) override;
    framework::status remove_pod(framework::cycle_state& state, const framework::pod_info& pod,
                                 const framework::pod_info& other,
                                 const framework::node_info& node) override;
    // UnschedulableAndUnresolvable when the node lacks a topology key; Unschedulable when
    // placing the pod there would exceed a maxSkew; Error without PreFilter state.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;

    // Counts the pods matching each ScheduleAnyway constraint per domain of the feasible
    // `nodes`, over handle.all_nodes(). Skip when the cluster is empty or the pod has none.
    framework::status pre_score(framework::cycle_state& state, const framework::pod_info& pod,
                                std::span<const framework::node_info* const> nodes) override;
    // Weighted matching-pod count of the node's domains (lower is better until normalised).
    framework::status score(framework::cycle_state& state, const framework::pod_info& pod,
                            const framework::node_info& node, std::int64_t& score) override;
    bool has_normalize() const override { return true; }
    // Reversed min-max to 0..100; ignored nodes get 0.
    framework::status normalize_score(framework::cycle_state& state, const framework::pod_info& pod,
                                      std::span<const framework::node_info* const> nodes,
                                      std::span<std::int64_t> scores) override;

    std::vector<framework::cluster_event> events_to_register() const override;

  private:
    // upstream getConstraints / buildDefaultConstraints: the pod's constraints for `action`, or
    // the default constraints with the pod's default selector when it has none.
    result<std::vector<spread_constraint>> constraints_for(const api::pod& pod,
                                                           std::string_view action) const;
    // Gives each constraint the memo key of its count in namespace `ns` (count_matching).
    void assign_memo_keys(std::vector<spread_constraint>& constraints, std::string_view ns);
    // upstream updateWithPod: `other` counted (delta 1) or uncounted (-1) on `node`.
    framework::status update_with_pod(framework::cycle_state& state, const api::pod& preemptor,
                                      const api::pod& other, const framework::node_info& node,
                                      std::int64_t delta) const;

    framework::handle* handle_;
    std::vector<api::topology_spread_constraint> default_constraints_;
    bool system_defaulted_ = false;
    framework::memo_keys memo_keys_;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::pod_topology_spread
