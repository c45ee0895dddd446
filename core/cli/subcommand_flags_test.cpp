// SPDX-License-Identifier: Apache-2.0
#include "core/cli/subcommand_flags.hpp"

#include <catch2/catch.hpp>

namespace multisched::cli {
namespace {

struct outcome {
    std::string error;
    std::vector<std::pair<std::string, std::string>> flags;
    subcommand_words words;
};

// Parses `args`; on_flag records every flag and refuses "bad".
outcome parse(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    outcome o;
    o.error = parse_subcommand_words(
        argv,
        [&o](std::string_view name, const std::string& value) -> std::string {
            if (name == "bad") {
                return "--bad is refused";
            }
            o.flags.emplace_back(name, value);
            return "";
        },
        o.words);
    return o;
}

using flags = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("subcommand_flags.table") {
    struct row {
        std::vector<std::string> args;
        std::string error;
        flags want;
        std::vector<std::string> positional;
        bool help;
    };
    const std::vector<row> rows = {
        {{}, "", {}, {}, false},
        {{"--config", "a.yaml", "--seed=7"}, "", {{"config", "a.yaml"}, {"seed", "7"}}, {}, false},
        {{"-v", "3", "ns/pod"}, "", {{"v", "3"}}, {"ns/pod"}, false},
        {{"ns/pod", "--output=json", "-"}, "", {{"output", "json"}}, {"ns/pod", "-"}, false},
        {{"--config=", "-h"}, "", {{"config", ""}}, {}, true},
        {{"--help"}, "", {}, {}, true},
        {{"--config"}, "flag needs an argument: --config", {}, {}, false},
        {{"--seed", "1", "--bad", "x", "--seed", "2"},
         "--bad is refused",
         {{"seed", "1"}},
         {},
         false},
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const row& r = rows[i];
        INFO("row " << i);
        const outcome o = parse(r.args);
        CHECK(o.error == r.error);
        CHECK(o.flags == r.want);
        CHECK(o.words.positional == r.positional);
        CHECK(o.words.help == r.help);
    }
}

TEST_CASE("subcommand_flags.parse_number") {
    std::uint64_t u = 0;
    CHECK(parse_number("42", u));
    CHECK(u == 42);
    CHECK_FALSE(parse_number("", u));
    CHECK_FALSE(parse_number("-1", u));
    CHECK_FALSE(parse_number("4x", u));
    CHECK_FALSE(parse_number(" 4", u));
    int v = 0;
    CHECK(parse_number("-3", v));
    CHECK(v == -3);
}

}  // namespace
}  // namespace multisched::cli
