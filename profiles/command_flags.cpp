// SPDX-License-Identifier: Apache-2.0
#include "profiles/command_flags.hpp"

#include <cstdio>

#include "core/cli/subcommand_flags.hpp"

namespace multisched::profiles {
namespace {

// nullopt when `name` is not one of the shared flags; else "" or the error message.
std::optional<std::string> parse_run_flag(std::string_view name, const std::string& value,
                                          run_flags& f) {
    if (name == "config") {
        f.config = value;
    } else if (name == "output" || name == "o") {
        if (value != "table" && value != "json") {
            return "--output: \"" + value + "\" is not one of table, json";
        }
        f.output = value;
    } else if (name == "seed") {
        if (!cli::parse_number(value, f.seed)) {
            return "--seed: \"" + value + "\" is not an unsigned integer";
        }
    } else if (name == "v" || name == "verbosity") {
        if (!cli::parse_number(value, f.verbosity) || f.verbosity < 0) {
            return "-v: \"" + value + "\" is not a non-negative integer";
        }
    } else {
        return std::nullopt;
    }
    return "";
}

}  // namespace

std::string parse_run_flags(std::span<char* const> args, run_flags& f, const own_flag_parser& own,
                            std::vector<std::string>& positional) {
    cli::subcommand_words words;
    std::string bad = cli::parse_subcommand_words(
        args,
        [&](std::string_view name, const std::string& value) -> std::string {
            if (auto shared = parse_run_flag(name, value, f)) {
                return *shared;
            }
            if (auto mine = own(name, value)) {
                return *mine;
            }
            return "unknown flag: " + std::string(name.size() == 1 ? "-" : "--") +
                   std::string(name);
        },
        words);
    f.help = words.help;
    positional = std::move(words.positional);
    return bad;
}

int command_error(std::string_view command, const std::string& message) {
    std::fprintf(stderr, "Error: %s\nRun 'multisched %.*s --help' for usage.\n", message.c_str(),
                 static_cast<int>(command.size()), command.data());
    return 1;
}

bool valid_pod_key(std::string_view key) {
    const auto slash = key.find('/');
    return slash != std::string_view::npos && slash > 0 && slash + 1 < key.size() &&
           key.find('/', slash + 1) == std::string_view::npos;
}

}  // namespace multisched::profiles
