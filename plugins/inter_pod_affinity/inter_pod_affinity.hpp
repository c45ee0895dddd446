// SPDX-License-Identifier: Apache-2.0
// InterPodAffinity: keeps pods with (or away from) the pods their required pod (anti-)affinity
// terms select, honours existing pods' required anti-affinity, and scores nodes by preferred
// terms both ways (upstream plugins/interpodaffinity, v1.30).
// Extension points: PreFilter (+ AddPod/RemovePod), Filter, PreScore, Score (+NormalizeScore),
// EnqueueExtensions. Args (InterPodAffinityArgs): hardPodAffinityWeight,
// ignorePreferredTermsOfExistingPods.
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
#include "plugins/inter_pod_affinity/args.hpp"
#include "plugins/inter_pod_affinity/state.hpp"
#include "plugins/inter_pod_affinity/terms.hpp"

namespace multisched::plugins::inter_pod_affinity {

inline constexpr std::string_view kErrReasonExistingAntiAffinityRulesNotMatch =
    "node(s) didn't satisfy existing pods anti-affinity rules";
inline constexpr std::string_view kErrReasonAffinityRulesNotMatch =
    "node(s) didn't match pod affinity rules";
inline constexpr std::string_view kErrReasonAntiAffinityRulesNotMatch =
    "node(s) didn't match pod anti-affinity rules";

class inter_pod_affinity final : public framework::pre_filter_plugin,
                                 public framework::pre_filter_extensions,
                                 public framework::filter_plugin,
                                 public framework::pre_score_plugin,
                                 public framework::score_plugin,
                                 public framework::enqueue_extensions {
  public:
    // `h` must outlive the plugin (namespace labels, all_nodes() for PreScore).
    inter_pod_affinity(const inter_pod_affinity_args& args, framework::handle& h);

    std::string_view name() const override;

    // Counts, over `nodes`, the existing pods whose required anti-affinity matches the pod and
    // the pods matching the pod's required (anti-)affinity. UnschedulableAndUnresolvable
    // "parsing pod: ..." on invalid selectors; Skip when the pod has no required terms and no
    // existing anti-affinity term matches it.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;
    framework::pre_filter_extensions* extensions() override { return this; }
    // Update the PreFilter counts for `other` placed on / taken off `node` (upstream
    // updateWithPod). Error when PreFilter state is missing.
    framework::status add_pod(framework::cycle_state& state, const framework::pod_info& pod,
                              const framework::pod_info& other,
                              const framework::node_info& node) override;
    framework::status remove_pod(framework::cycle_state& state, const framework::pod_info& pod,
                                 const framework::pod_info& other,
                                 const framework::node_info& node) override;

    // UnschedulableAndUnresolvable "node(s) didn't match pod affinity rules", Unschedulable
    // "node(s) didn't match pod anti-affinity rules" or "node(s) didn't satisfy existing pods
    // anti-affinity rules", checked in this order. Error without PreFilter state or node object.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;

    // Sums term weights per topology pair over handle::all_nodes() (only nodes hosting pods with
    // affinity unless the pod has preferred terms). Skip when there is nothing to score (or the
    // pod has no preferred terms and ignorePreferredTermsOfExistingPods is set); Error on
    // invalid selectors.
    framework::status pre_score(framework::cycle_state& state, const framework::pod_info& pod,
                                std::span<const framework::node_info* const> nodes) override;
    // The sum of the node's topology pair scores; may be negative.
    framework::status score(framework::cycle_state& state, const framework::pod_info& pod,
                            const framework::node_info& node, std::int64_t& score) override;
    bool has_normalize() const override { return true; }
    // Min-max scaling to [0, kMaxNodeScore] (all equal: all 0).
    framework::status normalize_score(framework::cycle_state& state, const framework::pod_info& pod,
                                      std::span<const framework::node_info* const> nodes,
                                      std::span<std::int64_t> scores) override;

    // Assigned pod add/update/delete; node add and label update.
    std::vector<framework::cluster_event> events_to_register() const override;

  private:
    framework::status update_with_pod(framework::cycle_state& state, const framework::pod_info& pod,
                                      const framework::pod_info& other,
                                      const framework::node_info& node, std::int64_t delta);

    inter_pod_affinity_args args_;
    framework::handle& handle_;
    pod_counter counter_;  // per-node counts of the incoming pod's terms
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::inter_pod_affinity
