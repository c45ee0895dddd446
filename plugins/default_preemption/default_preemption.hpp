// SPDX-License-Identifier: Apache-2.0
// DefaultPreemption: when no node fits a pod, finds the node where evicting the fewest and least
// important lower-priority pods makes it fit, nominates the pod there and deletes those victims
// (upstream plugins/defaultpreemption + framework/preemption, v1.30, synchronous preemption).
// Extension points: PostFilter only (no EnqueueExtensions, as upstream).
// Args (DefaultPreemptionArgs): minCandidateNodesPercentage (10), minCandidateNodesAbsolute (100).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/api/storage_types.hpp"
#include "core/cache/object_store.hpp"
#include "core/client/api_client.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"
#include "plugins/default_preemption/args.hpp"

namespace multisched::plugins::default_preemption {

inline constexpr std::string_view kMessagePrefix = "preemption: ";
inline constexpr std::string_view kNotHelpful = "Preemption is not helpful for scheduling";
inline constexpr std::string_view kNoVictims = "No preemption victims found for incoming pod";
inline constexpr std::string_view kNoCandidate = "no candidate node for preemption";
inline constexpr std::string_view kTerminatingVictim =
    "not eligible due to a terminating pod on the nominated node.";
inline constexpr std::string_view kNoNodes = "no nodes available";
// The DisruptionTarget condition set on victims before they are deleted.
inline constexpr std::string_view kDisruptionTarget = "DisruptionTarget";
inline constexpr std::string_view kReasonPreemptionByScheduler = "PreemptionByScheduler";

using pod_ptr = std::shared_ptr<const framework::pod_info>;
using pdb_ptr = std::shared_ptr<const api::pod_disruption_budget>;

// A node where the preemptor fits once `victims` (most important first) are gone (upstream
// Candidate / Victims).
using candidate = framework::preemption_candidate;

// What SelectVictimsOnNode decided for one node: success with the victims, a rejection (the
// preemptor cannot fit there even without them) or an error.
struct node_victims {
    framework::status status;
    std::vector<pod_ptr> victims;
    std::int64_t num_pdb_violations = 0;
};

struct dry_run_result {
    // Non-violating candidates first, then violating ones, in visiting order.
    std::vector<candidate> candidates;
    // The verdict of each visited node that is not a candidate (node points at the original).
    std::vector<framework::node_status> statuses;
    // Messages of the Error verdicts among `statuses`, in visiting order.
    std::vector<std::string> errors;
};

// upstream util.MoreImportantPod: higher priority, then earlier start (creationTimestamp, as the
// object model has no status.startTime; an unset one counts as "now", i.e. latest).
bool more_important_pod(const api::pod& a, const api::pod& b);

// The PodDisruptionBudgets preemption can use: upstream filterPodsWithPDBViolation ignores those
// with an invalid, nil or empty selector (they match nothing there).
std::vector<pdb_ptr> usable_pdbs(const cache::cluster_objects& objects);

// upstream filterPodsWithPDBViolation over `pods` (already sorted): a pod violates when some
// matching budget in its namespace, not listing it in disruptedPods, has run out of allowed
// disruptions counting the pods before it. Both outputs keep the input order.
std::pair<std::vector<pod_ptr>, std::vector<pod_ptr>> split_by_pdb_violation(
    std::span<const pod_ptr> pods, std::span<const pdb_ptr> pdbs);

// upstream pickOneNodeForPreemption: fewest PDB violations, lowest highest-priority victim,
// smallest sum of (shifted) priorities, fewest victims, latest start of the highest-priority
// victims, then the first. Null when `candidates` is empty.
const candidate* select_candidate(std::span<const candidate> candidates);

// The side effects of a preemption decision, run in the scheduler's write task group.
struct preparation {
    std::string profile;  // the preemptor's scheduler name, for the condition message
    std::shared_ptr<const api::pod> preemptor;
    std::string node;
    std::vector<std::shared_ptr<const api::pod>> victims;
    // Lower-priority pods nominated to `node` whose nomination is to be cleared.
    std::vector<std::shared_ptr<const api::pod>> clear_nominations;
};

// upstream prepareCandidate: for each victim, PATCH its status with the DisruptionTarget
// condition, DELETE it (404 on either: already gone, fine) and record a Preempted event; the
// first other failure is logged and stops the remaining work. Then clears the nominations.
// `client` and `h` must outlive the task (the handle lives as long as its profile).
task<void> prepare_candidate(client::api_client& client, framework::handle& h, preparation p);

// Strategic-merge patch adding the DisruptionTarget condition (merged by type).
std::string disruption_target_patch(std::string_view message, std::string_view now_rfc3339);
// Strategic-merge patch clearing status.nominatedNodeName.
std::string clear_nomination_patch();

class default_preemption final : public framework::preemption_plugin {
  public:
    // `seed` feeds the random offset of the dry run (GetOffsetAndNumCandidates).
    default_preemption(const default_preemption_args& args, framework::handle& h,
                       std::uint32_t seed = std::random_device{}());

    std::string_view name() const override;
    // upstream Preempt, messages prefixed with "preemption: ". Success: the victims' deletion is
    // handed to handle::spawn_write and result.nominated_node_name is the chosen node.
    // Unschedulable with "" in the result when no node can be made to fit; Unschedulable or Error
    // with the pod's current nomination in the result when preemption was not attempted.
    framework::status post_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                  std::span<const framework::node_status> statuses,
                                  framework::post_filter_result& result) override;
    // The halves of post_filter (framework::preemption_plugin): Preempt up to DryRunPreemption,
    // then SelectCandidate and prepareCandidate. Extenders may narrow the candidates between.
    std::optional<framework::status> find_candidates(
        framework::cycle_state& state, const framework::pod_info& pod,
        std::span<const framework::node_status> statuses, framework::post_filter_result& result,
        std::vector<candidate>& candidates) override;
    framework::status choose_candidate(const framework::pod_info& pod,
                                       std::span<const candidate> candidates,
                                       framework::post_filter_result& result) override;
    std::string_view message_prefix() const override { return kMessagePrefix; }

    // upstream PodEligibleToPreemptOthers: "" when `pod` may preempt, else the reason.
    // `nominated_status` is the Filter verdict of its nominated node (null: none).
    std::string not_eligible_reason(const api::pod& pod, std::string_view nominated_node,
                                    const framework::status* nominated_status);
    // upstream calculateNumCandidates / GetOffsetAndNumCandidates (num_nodes > 0).
    std::int32_t num_candidates(std::int32_t num_nodes) const;
    std::pair<std::int32_t, std::int32_t> offset_and_num_candidates(std::int32_t num_nodes);
    // upstream SelectVictimsOnNode. `state` and `node` are the caller's copies and are modified.
    node_victims select_victims_on_node(framework::cycle_state& state,
                                        const framework::pod_info& pod, framework::node_info& node,
                                        std::span<const pdb_ptr> pdbs);
    // upstream DryRunPreemption: visits potential_nodes from `offset` (wrapping) on copies of the
    // nodes and of `state`, stopping once there is a non-violating candidate and at least
    // `num_candidates` in all. Each candidate list keeps at most `num_candidates`.
    dry_run_result dry_run_preemption(const framework::cycle_state& state,
                                      const framework::pod_info& pod,
                                      std::span<const framework::node_info* const> potential_nodes,
                                      std::span<const pdb_ptr> pdbs, std::int32_t offset,
                                      std::int32_t num_candidates);

  private:
    std::optional<framework::status> find(framework::cycle_state& state,
                                          const framework::pod_info& pod,
                                          std::span<const framework::node_status> statuses,
                                          framework::post_filter_result& result,
                                          std::vector<candidate>& candidates);
    // Spawns the side effects of preempting `best` for `pod`.
    void prepare(const framework::pod_info& pod, const candidate& best);

    default_preemption_args args_;
    framework::handle& handle_;
    std::mt19937 rng_;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::default_preemption
