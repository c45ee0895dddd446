// SPDX-License-Identifier: Apache-2.0
// `multisched simulate`: the daemon's scheduler, profiles and plugins run in-process over a cluster
// snapshot (core/snapshot), with no apiserver and no network. An in-memory apiserver answers the
// scheduler's writes: bindings succeed (the pod stays assumed), preemption's deletions remove
// their victims, everything else is acknowledged. Pending pods are scheduled in queue order
// through the profiles named by their schedulerName, with the same plugins, args and tie-breaks
// as the daemon; a seed makes the tie-breaks reproducible. Rounds repeat while pods moved by
// the previous round (a preemption's victims gone) can still be placed.
//
// Not simulated: Permit waits beyond the run (a gang still waiting is reported as such), volume
// binding that needs a PV controller (the pod stays in PreBind), time (backoffs are skipped).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/scheduler/explanation.hpp"
#include "core/snapshot/snapshot.hpp"
#include "core/util/result.hpp"

namespace multisched::profiles {

struct simulation_options {
    std::uint64_t seed = 1;       // random tie-breaks and preemption's dry-run offset
    std::size_t max_rounds = 20;  // rounds of retries after preemptions
    // A pending pod ("namespace/name") whose last attempt is explained (explain_pod, rerun on
    // the cluster that attempt saw); "": none.
    std::string explain;
    // Attempt only the `explain` pod: the other pending pods stay pending (they still count as
    // nominated pods and gang members). What `multisched explain` asks of the live cluster.
    bool only_explained = false;
};

// What became of one of the snapshot's pending pods.
struct simulated_pod {
    std::string pod;        // namespace/name
    std::string profile;    // the scheduler name it asked for
    std::string node;       // where it was bound; empty when not placed
    std::string message;    // why not: the FailedScheduling message, or why it was not attempted
    std::string nominated;  // the node preemption nominated it to, if any
};

// A node's requests after the run (bound and simulated pods), against its allocatable.
struct node_utilisation {
    std::string node;
    std::int64_t cpu_requested_milli = 0;
    std::int64_t cpu_allocatable_milli = 0;
    std::int64_t memory_requested = 0;
    std::int64_t memory_allocatable = 0;
    std::int64_t pods = 0;
    std::int64_t pods_allocatable = 0;
};

struct simulation_report {
    std::vector<simulated_pod> pods;      // the pending pods, in snapshot order
    std::vector<node_utilisation> nodes;  // in snapshot order
    std::vector<std::string> evicted;     // pods preemption deleted ("namespace/name")
    std::vector<std::string> problems;    // the snapshot's, one line each
    // With simulation_options::explain: its last attempt's explanation, when it had one.
    std::optional<scheduler::explanation> explanation;
};

// Runs the simulation. Errors: a configuration whose profiles cannot be built.
result<simulation_report> simulate(const config::scheduler_config& cfg,
                                   const snapshot::cluster_snapshot& cluster,
                                   const simulation_options& opts = {});

// One row per pending pod (POD, PROFILE, NODE or the message), then one per node (CPU, MEMORY,
// PODS as requested/allocatable), then evictions and problems, then the explanation.
std::string format_table(const simulation_report& report);
// {"pods":[{"pod","profile","node","message","nominatedNode"}],"nodes":[...],"evicted":[...],
//  "problems":[...],"explanation":{...}} (empty fields omitted; write_explanation's object).
std::string format_json(const simulation_report& report);

}  // namespace multisched::profiles
