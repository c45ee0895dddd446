// SPDX-License-Identifier: Apache-2.0
// The dry run: upstream DryRunPreemption, SelectVictimsOnNode, filterPodsWithPDBViolation and
// util.MoreImportantPod.
#include <algorithm>
#include <iterator>

#include "core/api/selectors.hpp"
#include "core/framework/framework.hpp"
#include "plugins/default_preemption/default_preemption.hpp"

namespace multisched::plugins::default_preemption {
namespace {

using framework::code;
using framework::status;

std::int32_t priority_of(const api::pod& p) {
    return p.priority.value_or(0);
}

// Start times are RFC 3339 strings of one format, so they order as text; "" is "now" (latest).
bool started_before(const std::string& a, const std::string& b) {
    return !a.empty() && (b.empty() || a < b);
}

// upstream AsStatus(status.AsError()): any failure of an extension becomes an Error.
status as_error(status s) {
    return s.is_success() ? s : status::error(s.message());
}

node_victims failed(status s) {
    node_victims out;
    out.status = std::move(s);
    return out;
}

}  // namespace

bool more_important_pod(const api::pod& a, const api::pod& b) {
    const std::int32_t pa = priority_of(a);
    const std::int32_t pb = priority_of(b);
    if (pa != pb) {
        return pa > pb;
    }
    return started_before(a.meta.creation_timestamp, b.meta.creation_timestamp);
}

std::vector<pdb_ptr> usable_pdbs(const cache::cluster_objects& objects) {
    std::vector<pdb_ptr> out;
    for (const auto& [key, pdb] : objects.pdbs.items()) {
        if (!pdb->selector) {
            continue;  // nil selector: matches nothing
        }
        const api::label_selector& sel = *pdb->selector;
        if (sel.match_labels.empty() && sel.match_expressions.empty()) {
            continue;  // empty selector: upstream preemption treats it as matching nothing
        }
        if (!api::label_selector_errors(sel, "").empty()) {
            continue;  // invalid selector: matches nothing
        }
        out.push_back(pdb);
    }
    return out;
}

std::pair<std::vector<pod_ptr>, std::vector<pod_ptr>> split_by_pdb_violation(
    std::span<const pod_ptr> pods, std::span<const pdb_ptr> pdbs) {
    std::vector<std::int32_t> allowed;
    allowed.reserve(pdbs.size());
    for (const auto& pdb : pdbs) {
        allowed.push_back(pdb->disruptions_allowed);
    }
    std::pair<std::vector<pod_ptr>, std::vector<pod_ptr>> out;
    for (const auto& info : pods) {
        const api::pod& p = *info->pod;
        bool violated = false;
        // A pod without labels matches no budget.
        for (std::size_t i = 0; i < pdbs.size() && !p.meta.labels.empty(); ++i) {
            const auto& pdb = *pdbs[i];
            if (pdb.meta.ns != p.meta.ns || !api::matches_valid(*pdb.selector, p.meta.labels)) {
                continue;
            }
            // Listed in disruptedPods: the apiserver already counted its eviction.
            if (std::find(pdb.disrupted_pods.begin(), pdb.disrupted_pods.end(), p.meta.name) !=
                pdb.disrupted_pods.end()) {
                continue;
            }
            if (--allowed[i] < 0) {
                violated = true;
            }
        }
        (violated ? out.first : out.second).push_back(info);
    }
    return out;
}

node_victims default_preemption::select_victims_on_node(framework::cycle_state& state,
                                                        const framework::pod_info& pod,
                                                        framework::node_info& node,
                                                        std::span<const pdb_ptr> pdbs) {
    if (handle_.profile_framework() == nullptr) {
        return failed(status::error("the profile's framework is not built"));
    }
    framework::framework& fw = *handle_.profile_framework();
    const auto remove = [&](const pod_ptr& v) {
        if (!node.remove_pod(v->pod->meta.uid)) {
            return status::error("pod " + v->pod->key() + " is not on node " + node.name());
        }
        return as_error(fw.run_pre_filter_remove_pod(state, pod, *v, node));
    };
    const auto add = [&](const pod_ptr& v) {
        node.add_pod(v);
        return as_error(fw.run_pre_filter_add_pod(state, pod, *v, node));
    };

    // First remove every lower-priority pod and check that the preemptor fits then.
    const std::int32_t priority = priority_of(*pod.pod);
    std::vector<pod_ptr> potential;
    for (const auto& p : node.pods()) {
        if (priority_of(*p->pod) < priority) {
            potential.push_back(p);
        }
    }
    for (const auto& v : potential) {
        if (status s = remove(v); !s.is_success()) {
            return failed(std::move(s));
        }
    }
    if (potential.empty()) {
        return failed(status(code::unschedulable_and_unresolvable, std::string(kNoVictims)));
    }
    // Affinity of the preemptor to a victim is not considered (as upstream).
    if (status s = fw.run_filter_with_nominated_pods(state, pod, node); !s.is_success()) {
        return failed(std::move(s));
    }

    // Reprieve as many as possible: PDB-violating pods first, each group most important first.
    std::stable_sort(potential.begin(), potential.end(), [](const pod_ptr& a, const pod_ptr& b) {
        return more_important_pod(*a->pod, *b->pod);
    });
    auto [violating, non_violating] = split_by_pdb_violation(potential, pdbs);
    node_victims out;
    const auto reprieve = [&](const pod_ptr& v, bool& fits) {
        if (status s = add(v); !s.is_success()) {
            return s;
        }
        fits = fw.run_filter_with_nominated_pods(state, pod, node).is_success();
        if (fits) {
            return status{};
        }
        out.victims.push_back(v);
        return remove(v);
    };
    for (const auto& v : violating) {
        bool fits = false;
        if (status s = reprieve(v, fits); !s.is_success()) {
            return failed(std::move(s));
        }
        out.num_pdb_violations += fits ? 0 : 1;
    }
    for (const auto& v : non_violating) {
        bool fits = false;
        if (status s = reprieve(v, fits); !s.is_success()) {
            return failed(std::move(s));
        }
    }
    // Most important first again (k/k #128307, cherry-picked to the v1.30 branch): the choice
    // among candidates reads the first victim as the highest-priority one.
    if (!violating.empty() && !non_violating.empty()) {
        std::stable_sort(out.victims.begin(), out.victims.end(),
                         [](const pod_ptr& a, const pod_ptr& b) {
                             return more_important_pod(*a->pod, *b->pod);
                         });
    }
    return out;
}

dry_run_result default_preemption::dry_run_preemption(
    const framework::cycle_state& state, const framework::pod_info& pod,
    std::span<const framework::node_info* const> potential_nodes, std::span<const pdb_ptr> pdbs,
    std::int32_t offset, std::int32_t num_candidates) {
    dry_run_result out;
    std::vector<candidate> non_violating;
    std::vector<candidate> violating;
    const std::size_t cap = static_cast<std::size_t>(std::max(num_candidates, 0));
    const std::size_t n = potential_nodes.size();
    for (std::size_t i = 0; i < n; ++i) {
        const framework::node_info* original =
            potential_nodes[(static_cast<std::size_t>(std::max(offset, 0)) + i) % n];
        framework::node_info node_copy = *original;
        framework::cycle_state state_copy = state.clone();
        node_victims v = select_victims_on_node(state_copy, pod, node_copy, pdbs);
        if (v.status.is_success() && !v.victims.empty()) {
            candidate c;
            c.node = original->name();
            c.victims = std::move(v.victims);
            c.num_pdb_violations = v.num_pdb_violations;
            auto& list = c.num_pdb_violations == 0 ? non_violating : violating;
            if (list.size() < cap) {
                list.push_back(std::move(c));
            }
            if (!non_violating.empty() && non_violating.size() + violating.size() >= cap) {
                break;
            }
            continue;
        }
        status s = std::move(v.status);
        if (s.is_success()) {
            s = status::error("expected at least one victim pod on node \"" + original->name() +
                              "\"");
        }
        if (s.code() == code::error) {
            out.errors.push_back(s.message());
        }
        out.statuses.push_back({original, std::move(s)});
    }
    out.candidates = std::move(non_violating);
    std::move(violating.begin(), violating.end(), std::back_inserter(out.candidates));
    return out;
}

}  // namespace multisched::plugins::default_preemption
