// SPDX-License-Identifier: Apache-2.0
// PodTopologySpread internals shared by filtering and scoring (upstream podtopologyspread/
// common.go, v1.30): parsed constraints, per-domain pod counts, the two critical paths, and the
// node inclusion policies. Exposed in a header so the tests can inspect the cycle state.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/api/selectors.hpp"
#include "core/api/types.hpp"
#include "core/framework/cycle_state.hpp"
#include "core/framework/node_info.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::pod_topology_spread {

inline constexpr std::string_view kDoNotSchedule = "DoNotSchedule";
inline constexpr std::string_view kScheduleAnyway = "ScheduleAnyway";
inline constexpr std::string_view kPolicyHonor = "Honor";
inline constexpr std::string_view kPolicyIgnore = "Ignore";
inline constexpr std::string_view kLabelHostname = "kubernetes.io/hostname";
inline constexpr std::string_view kLabelTopologyZone = "topology.kubernetes.io/zone";

// Heterogeneous hashing so that maps keyed by std::string are probed with a string_view.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};
// Topology value -> number of matching pods, one map per constraint.
using domain_counts = std::unordered_map<std::string, std::int64_t, string_hash, std::equal_to<>>;
using name_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;

// upstream topologySpreadConstraint: a TopologySpreadConstraint with its selector resolved.
struct spread_constraint {
    std::int32_t max_skew = 0;
    std::string topology_key;
    // The effective selector (labelSelector AND matchLabelKeys, or the default selector);
    // nullopt is labels.Nothing() (an absent labelSelector): it matches no pod.
    std::optional<api::label_selector> selector;
    std::int32_t min_domains = 1;     // minDomains, 1 when unset
    bool honor_node_affinity = true;  // nodeAffinityPolicy unset or "Honor"
    bool honor_node_taints = false;   // nodeTaintsPolicy "Honor"
    bool is_hostname = false;         // topology_key == kubernetes.io/hostname
    // The node memo key of this constraint's count_matching in the incoming pod's namespace
    // (framework::memo_keys); 0: counted afresh on every node.
    std::uint64_t memo_key = 0;
    // The node memo key of where topology_key sits in a node's labels (topology_value); 0: looked
    // up afresh on every node.
    std::uint64_t label_memo_key = 0;

    // labels.Selector.Matches.
    bool selects(const api::label_map& labels) const {
        return selector && api::matches_valid(*selector, labels);
    }
    // labels.Selector.Empty(): a present selector without requirements (matches everything).
    bool selector_empty() const {
        return selector && selector->match_labels.empty() && selector->match_expressions.empty();
    }
};

// upstream filterTopologySpreadConstraints: the constraints of `source` whose whenUnsatisfiable is
// `action`, each selector ANDed with the pod's values of matchLabelKeys (keys the pod lacks are
// ignored; an absent labelSelector stays absent). An invalid labelSelector is an error.
result<std::vector<spread_constraint>> filter_constraints(
    std::span<const api::topology_spread_constraint> source, const api::label_map& pod_labels,
    std::string_view action);

// upstream countPodsMatchSelector: pods on a node that are in namespace `ns`, not terminating and
// selected by `c`. An empty selector counts nothing.
std::int64_t count_matching(const std::vector<std::shared_ptr<const framework::pod_info>>& pods,
                            const spread_constraint& c, std::string_view ns);
// The same over `node`'s pods, remembered in the node's memo under c.memo_key (when set): a
// cycle recounts only the nodes whose pods changed since the count was remembered.
std::int64_t count_matching(const framework::node_info& node, const spread_constraint& c,
                            std::string_view ns);
// The text memo keys are made from: the namespace and the constraint's selector.
std::string memo_text(const spread_constraint& c, std::string_view ns);
// The memo text of a node's label position for `topology_key`.
std::string label_memo_text(std::string_view topology_key);
// The node's value of c.topology_key (null when the node lacks the label, or has no Node),
// through the node's memo when c.label_memo_key is set: a node's labels change only with
// set_node, which forgets the memo.
const std::string* topology_value(const framework::node_info& node, const spread_constraint& c);

// upstream nodeLabelsMatchSpreadConstraints: every topology key is a label of the node.
bool has_all_keys(const api::label_map& labels, std::span<const spread_constraint> constraints);

// The incoming pod's view of which nodes count for a constraint (upstream
// matchNodeInclusionPolicies): nodeSelector + required node affinity (parse errors ignored), and
// its tolerations of NoSchedule / NoExecute taints. Built once per cycle.
class node_inclusion {
  public:
    explicit node_inclusion(const api::pod& pod);
    bool affinity_matches(const api::node& n) const;
    bool taints_tolerated(const api::node& n) const;

  private:
    const api::pod* pod_;
    std::optional<api::node_selector> required_;  // nullopt: no required node affinity
};

// One node's inclusion verdicts, each evaluated at most once however many constraints ask.
class node_check {
  public:
    node_check(const node_inclusion& inclusion, const api::node& n) : incl_(inclusion), node_(n) {}
    bool matches(const spread_constraint& c) {
        if (c.honor_node_affinity) {
            if (affinity_ < 0) {
                affinity_ = incl_.affinity_matches(node_) ? 1 : 0;
            }
            if (affinity_ == 0) {
                return false;
            }
        }
        if (c.honor_node_taints) {
            if (taints_ < 0) {
                taints_ = incl_.taints_tolerated(node_) ? 1 : 0;
            }
            if (taints_ == 0) {
                return false;
            }
        }
        return true;
    }

  private:
    const node_inclusion& incl_;
    const api::node& node_;
    int affinity_ = -1;
    int taints_ = -1;
};

// The count of domain `value`, created at 0 when new (the only allocation: a new domain).
inline std::int64_t& domain_count(domain_counts& counts, std::string_view value) {
    auto it = counts.find(value);
    if (it == counts.end()) {
        it = counts.emplace(std::string(value), 0).first;
    }
    return it->second;
}

// The count of domain `value`, 0 when absent.
inline std::int64_t count_of(const domain_counts& counts, std::string_view value) {
    auto it = counts.find(value);
    return it == counts.end() ? 0 : it->second;
}

// upstream criticalPaths: [0] always holds the smallest count; [1] is >= [0] but not
// necessarily the second smallest. Enough for preemption, which changes one node at a time.
struct critical_paths {
    struct path {
        std::string value;
        std::int64_t num;
    };
    static constexpr std::int64_t kUnset = 2147483647;  // math.MaxInt32
    std::array<path, 2> paths{path{{}, kUnset}, path{{}, kUnset}};

    void update(std::string_view value, std::int64_t num);
};

// Written by PreFilter when the pod has DoNotSchedule constraints; read by Filter and updated by
// AddPod / RemovePod. Counts are indexed by constraint.
struct pre_filter_state final : framework::cycle_state::cloneable<pre_filter_state> {
    std::vector<spread_constraint> constraints;
    std::vector<domain_counts> counts;
    std::vector<critical_paths> paths;
    std::vector<char> self_match;  // whether each selector matches the incoming pod itself

    // upstream minMatchNum: the global minimum, 0 while fewer than minDomains domains exist.
    std::int64_t min_match(std::size_t i) const {
        return counts[i].size() < static_cast<std::size_t>(constraints[i].min_domains)
                   ? 0
                   : paths[i].paths[0].num;
    }
};

// Written by PreScore when the pod has ScheduleAnyway constraints; read by Score and
// NormalizeScore. Hostname constraints have no counts: Score counts the node's own pods.
struct pre_score_state final : framework::cycle_state::cloneable<pre_score_state> {
    std::vector<spread_constraint> constraints;
    std::vector<domain_counts> counts;
    std::vector<double> weights;  // topologyNormalizingWeight per constraint
    name_set ignored_nodes;       // feasible nodes lacking a topology key: score 0
};

}  // namespace multisched::plugins::pod_topology_spread
