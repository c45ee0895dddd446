// SPDX-License-Identifier: Apache-2.0
// The flag syntax of multisched's subcommands (`simulate`, `explain`): `--name value`,
// `--name=value` or `-n value`; `--help`/`-h` alone; any word not starting with '-' is
// positional. The daemon's own flags are parsed by options.hpp, as kube-scheduler's.
#pragma once

#include <charconv>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace multisched::cli {

struct subcommand_words {
    bool help = false;
    std::vector<std::string> positional;
};

// Calls `on_flag(name, value)` for each flag in order; it returns "" or the error message, which
// stops parsing. Returns "" or the first error ("flag needs an argument: --x", or on_flag's).
std::string parse_subcommand_words(
    std::span<char* const> args,
    const std::function<std::string(std::string_view name, const std::string& value)>& on_flag,
    subcommand_words& out);

// The whole of `text` as a number of type T (no sign for unsigned, no spaces).
template <class T>
bool parse_number(std::string_view text, T& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace multisched::cli
