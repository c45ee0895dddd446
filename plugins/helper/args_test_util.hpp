// SPDX-License-Identifier: Apache-2.0
// Test-only checks for plugin args encoding, shared by the plugins' args_defaults_test.cpp files
// (header-only, needs Catch2: include it from *_test.cpp files only). Each plugin keeps its cases;
// these run them: default_args against a table of expected encodings, default_args failing
// exactly like parse_args, encode_args/parse_args round trips (directly and through text), and
// a plugin factory's answers to a table of args.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include "core/config/config.hpp"
#include "core/framework/registry.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::helper {

// A plugin's default_args: pluginConfig args in, their defaulted v1 encoding out.
using default_args_fn = result<YAML::Node> (*)(const YAML::Node&);

// One default_args case: `in` is the args as YAML text ("" = no args, a Null node), `want` the
// expected encoding as YAML text.
struct defaults_case {
    std::string name;
    std::string in;
    std::string want;
};

// "" loads as a Null node (args not given), anything else as YAML text.
inline YAML::Node load_args(const std::string& text) {
    return text.empty() ? YAML::Node() : YAML::Load(text);
}

// Every case: default_args(in) succeeds and is config::yaml_equal to `want`. A failure names the
// case and shows the encoding.
inline void check_default_args(default_args_fn default_args,
                               const std::vector<defaults_case>& cases) {
    for (const auto& c : cases) {
        INFO(c.name);
        const auto got = default_args(load_args(c.in));
        REQUIRE(got.has_value());
        INFO(YAML::Dump(*got));
        CHECK(config::yaml_equal(*got, YAML::Load(c.want)));
    }
}

// default_args(in) succeeds and is not config::yaml_equal to `other`: shows that the comparison
// of check_default_args sees a wrong value.
inline void check_default_args_differ(default_args_fn default_args, const std::string& in,
                                      const std::string& other) {
    const auto got = default_args(load_args(in));
    REQUIRE(got.has_value());
    INFO(YAML::Dump(*got));
    CHECK_FALSE(config::yaml_equal(*got, YAML::Load(other)));
}

// default_args(in) fails, and with exactly the message parse_args(in) fails with. Returns that
// message so that the caller can also compare it with upstream's text.
template <class ParseArgs>
std::string check_fails_like_parse_args(default_args_fn default_args, ParseArgs&& parse_args,
                                        const std::string& in) {
    INFO("args: " << in);
    const auto got = default_args(load_args(in));
    REQUIRE_FALSE(got.has_value());
    const auto parsed = std::invoke(parse_args, load_args(in));
    REQUIRE_FALSE(parsed.has_value());
    CHECK(got.error().message == parsed.error().message);
    return got.error().message;
}

// Every args value `a`: parse_args(encode_args(a)), and parse_args of that encoding dumped to YAML
// text and loaded again, both succeed and equal `a` as seen through `key` (the args themselves by
// default, for args types with ==).
template <class Args, class EncodeArgs, class ParseArgs, class Key = std::identity>
void check_round_trip(const std::vector<Args>& cases, EncodeArgs&& encode_args,
                      ParseArgs&& parse_args, Key key = {}) {
    for (const Args& a : cases) {
        const YAML::Node encoded = std::invoke(encode_args, a);
        INFO(YAML::Dump(encoded));
        const auto direct = std::invoke(parse_args, encoded);
        REQUIRE(direct.has_value());
        CHECK(std::invoke(key, *direct) == std::invoke(key, a));
        const auto through_text = std::invoke(parse_args, YAML::Load(YAML::Dump(encoded)));
        REQUIRE(through_text.has_value());
        CHECK(std::invoke(key, *through_text) == std::invoke(key, a));
    }
}

// One factory case: `yaml` is the args as YAML text ("" = no args); `want_error` the factory's
// message, "" when it must build the plugin.
struct factory_case {
    std::string name;
    std::string yaml;
    std::string want_error;
};

// Every case through `make`: the plugin is built and named `plugin`, or fails with want_error.
template <class Make>
void check_factory(Make&& make, framework::handle& h, std::string_view plugin,
                   const std::vector<factory_case>& cases) {
    for (const auto& c : cases) {
        INFO(c.name);
        const auto p = make(load_args(c.yaml), h);
        if (c.want_error.empty()) {
            REQUIRE(p.has_value());
            CHECK((*p)->name() == plugin);
        } else {
            REQUIRE(p.has_error());
            CHECK(p.error().message == c.want_error);
        }
    }
}

}  // namespace multisched::plugins::helper
