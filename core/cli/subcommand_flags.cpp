// SPDX-License-Identifier: Apache-2.0
#include "core/cli/subcommand_flags.hpp"

namespace multisched::cli {

std::string parse_subcommand_words(
    std::span<char* const> args,
    const std::function<std::string(std::string_view name, const std::string& value)>& on_flag,
    subcommand_words& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            out.help = true;
            continue;
        }
        if (!arg.starts_with("-") || arg == "-") {
            out.positional.emplace_back(arg);
            continue;
        }
        std::string_view name = arg.substr(arg.starts_with("--") ? 2 : 1);
        std::string value;
        if (const auto eq = name.find('='); eq != std::string_view::npos) {
            value = std::string(name.substr(eq + 1));
            name = name.substr(0, eq);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return "flag needs an argument: " + std::string(arg);
        }
        if (std::string bad = on_flag(name, value); !bad.empty()) {
            return bad;
        }
    }
    return "";
}

}  // namespace multisched::cli
