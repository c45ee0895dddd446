// SPDX-License-Identifier: Apache-2.0
// The `multisched simulate` subcommand: reads a KubeSchedulerConfiguration and a cluster snapshot,
// runs the simulation (simulation.hpp) and prints the placements.
//
//   multisched simulate --config FILE --cluster SNAPSHOT [--output table|json] [--seed N]
//                       [--explain NS/POD] [-v N]
//
// Exit status 0 when the simulation ran (whatever it placed), 1 for bad flags, an invalid
// configuration or an unreadable snapshot (one line on stderr naming the flag, file or field).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/util/result.hpp"

namespace multisched::profiles {

// Reads the configuration and the snapshot, simulates with `seed` (explaining the pending pod
// `explain`, "namespace/name", unless empty) and renders the report as "table" or "json" (what
// the command prints). Errors name the file at fault.
result<std::string> simulate_files(const std::string& config_path, const std::string& cluster_path,
                                   const std::string& output, std::uint64_t seed,
                                   const std::string& explain = "");

// `args` are the words after "simulate".
int run_simulate_command(std::span<char* const> args);

}  // namespace multisched::profiles
