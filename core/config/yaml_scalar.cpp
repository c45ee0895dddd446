// SPDX-License-Identifier: Apache-2.0
#include "core/config/yaml_scalar.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <regex>

#include <fmt/format.h>

namespace multisched::config::yaml_scalar {

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> values) {
    return std::find(values.begin(), values.end(), s) != values.end();
}

// Go strconv.ParseInt(s, 0, 64) after go-yaml's removal of '_'. nullopt = not an integer.
std::optional<scalar_value> parse_go_int(std::string text) {
    std::erase(text, '_');
    std::string_view s = text;
    bool neg = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    int base = 10;
    if (s.size() > 1 && s[0] == '0') {
        const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
        base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 8;
        s.remove_prefix(p == 'x' || p == 'o' || p == 'b' ? 2 : 1);
    }
    if (s.empty()) {
        return std::nullopt;
    }
    unsigned __int128 v = 0;
    for (const char c : s) {
        int digit = 0;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        } else {
            return std::nullopt;
        }
        if (digit >= base) {
            return std::nullopt;
        }
        v = v * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
        if (v > (static_cast<unsigned __int128>(1) << 64)) {
            v = static_cast<unsigned __int128>(1) << 64;  // saturate; flagged below
        }
    }
    scalar_value out;
    out.kind = scalar_kind::integer;
    const auto limit = static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max());
    if (v > limit + (neg ? 1 : 0)) {
        out.int_overflow = true;
        return out;
    }
    out.int_value = neg ? static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(v))
                        : static_cast<std::int64_t>(v);
    return out;
}

scalar_value resolve_plain(const std::string& s) {
    scalar_value out;
    if (is_one_of(s, {"", "~", "null", "Null", "NULL"})) {
        out.kind = scalar_kind::null;
        return out;
    }
    if (is_one_of(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) {
        out.kind = scalar_kind::boolean;
        out.bool_value = true;
        return out;
    }
    if (is_one_of(s,
                  {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) {
        out.kind = scalar_kind::boolean;
        return out;
    }
    if (auto i = parse_go_int(s)) {
        return *i;
    }
    static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
    if (s.size() < 400 && std::regex_match(s, kFloat)) {
        out.kind = scalar_kind::floating;
        out.float_value = std::strtod(s.c_str(), nullptr);
        return out;
    }
    if (is_one_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                      ".nan", ".NaN", ".NAN"})) {
        out.kind = scalar_kind::floating;
        out.float_value = s[0] == '-'                  ? -std::numeric_limits<double>::infinity()
                          : s[1] == 'n' || s[1] == 'N' ? std::numeric_limits<double>::quiet_NaN()
                                                       : std::numeric_limits<double>::infinity();
        return out;
    }
    return out;
}

scalar_value resolve(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) {
        return scalar_value{scalar_kind::null};
    }
    const std::string& tag = n.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str") {
        return scalar_value{};
    }
    // Plain scalars, and other explicit tags (!!int, !!bool), are typed by their text.
    return resolve_plain(n.Scalar());
}

std::string_view kind_name(scalar_kind k) {
    switch (k) {
        case scalar_kind::null:
            return "null";
        case scalar_kind::boolean:
            return "bool";
        case scalar_kind::integer:
            return "integer";
        case scalar_kind::floating:
            return "number";
        case scalar_kind::string:
            return "string";
    }
    return "value";
}

// "string \"abc\"", "integer 5", "list", "object" — the got-part of type errors.
std::string describe(const YAML::Node& n) {
    if (n.IsSequence()) {
        return "list";
    }
    if (n.IsMap()) {
        return "object";
    }
    const scalar_value v = resolve(n);
    if (v.kind == scalar_kind::null) {
        return "null";
    }
    std::string text = n.Scalar();
    if (text.size() > 40) {
        text = text.substr(0, 40) + "...";
    }
    return fmt::format("{} \"{}\"", kind_name(v.kind), text);
}

}  // namespace multisched::config::yaml_scalar
