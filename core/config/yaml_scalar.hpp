// SPDX-License-Identifier: Apache-2.0
// Typing of YAML plain scalars as go-yaml v2 (YAML 1.1) resolves them, so the strict config
// decoder rejects `schedulerName: 123` or `parallelism: "16"` exactly where kube-scheduler does.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace multisched::config::yaml_scalar {

enum class scalar_kind {
    null,
    boolean,
    integer,
    floating,
    string
};

struct scalar_value {
    scalar_kind kind = scalar_kind::string;
    bool bool_value = false;
    std::int64_t int_value = 0;
    bool int_overflow = false;
    double float_value = 0;
};

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> values);
// Go strconv.ParseInt(s, 0, 64) after go-yaml's removal of '_'. nullopt = not an integer.
std::optional<scalar_value> parse_go_int(std::string text);
// How go-yaml v2 types a plain (unquoted) scalar.
scalar_value resolve_plain(const std::string& s);
// The type of a node: quoted scalars are strings, plain ones as resolve_plain.
scalar_value resolve(const YAML::Node& n);
std::string_view kind_name(scalar_kind k);
// "string \"abc\"", "integer 5", "list", "object" — the got-part of type errors.
std::string describe(const YAML::Node& n);

}  // namespace multisched::config::yaml_scalar
