// SPDX-License-Identifier: Apache-2.0
// The `multisched explain` subcommand: "why is my pod not scheduled?" against a live cluster
// whose /debug/explain is out of reach. Reads the cluster once (cluster_list.hpp: LISTs, no
// watch), then attempts that one pending pod in-process with the configuration's profiles
// (simulation.hpp, only_explained) and prints the explanation: every node's Filter verdict and
// the feasible nodes' scores. Nothing is written to the cluster.
//
//   multisched explain NAMESPACE/NAME [--kubeconfig FILE] [--config FILE] [--output table|json]
//                      [--seed N] [--request-timeout DURATION] [-v N]
//
// The kubeconfig is --kubeconfig, else $KUBECONFIG, else ~/.kube/config when it exists, else the
// in-cluster service account. Without --config, the default profile (default-scheduler) only.
// Exit status 0 when the pod was explained, 1 otherwise (one line on stderr saying why).
#pragma once

#include <span>
#include <string>

#include "core/config/config.hpp"
#include "core/snapshot/snapshot.hpp"
#include "core/util/result.hpp"

namespace multisched::profiles {

// The explanation of pending pod `pod` ("namespace/name") in `cluster`, rendered as "table" or
// "json", followed (table) or accompanied (json "problems") by `problems`. Errors: the pod is
// not in the cluster, is bound already, or was not attempted.
result<std::string> explain_in_snapshot(const config::scheduler_config& cfg,
                                        const snapshot::cluster_snapshot& cluster,
                                        const std::string& pod, const std::string& output,
                                        std::uint64_t seed, std::vector<std::string> problems);

// `args` are the words after "explain".
int run_explain_command(std::span<char* const> args);

}  // namespace multisched::profiles
