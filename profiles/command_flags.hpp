// SPDX-License-Identifier: Apache-2.0
// The flags `multisched simulate` and `multisched explain` share (core/cli/subcommand_flags.hpp
// parses the words): --config, --output/-o table|json, --seed, -v/--verbosity.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace multisched::profiles {

struct run_flags {
    std::string config;
    std::string output = "table";
    std::uint64_t seed = 1;
    int verbosity = 0;
    bool help = false;
};

// A command's own flags: nullopt when `name` is not one of them, else "" or the error message.
using own_flag_parser =
    std::function<std::optional<std::string>(std::string_view name, const std::string& value)>;

// Parses `args` (the words after the command): the shared flags into `f`, the command's own
// through `own`, --help into f.help, other words into `positional`. Returns "" or the first
// error ("unknown flag: --x", "--seed: \"x\" is not an unsigned integer", ...).
std::string parse_run_flags(std::span<char* const> args, run_flags& f, const own_flag_parser& own,
                            std::vector<std::string>& positional);

// Prints "Error: <message>" and where to find the usage of `command` on stderr; returns 1.
int command_error(std::string_view command, const std::string& message);

// "namespace/name" with both parts non-empty and no other slash.
bool valid_pod_key(std::string_view key);

}  // namespace multisched::profiles
