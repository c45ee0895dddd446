// SPDX-License-Identifier: Apache-2.0
#include "core/api/selectors.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace multisched::api {
namespace {

constexpr std::string_view kOpIn = "In";
constexpr std::string_view kOpNotIn = "NotIn";
constexpr std::string_view kOpExists = "Exists";
constexpr std::string_view kOpDoesNotExist = "DoesNotExist";
constexpr std::string_view kOpGt = "Gt";
constexpr std::string_view kOpLt = "Lt";

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], or empty: a label value / a name part.
bool is_label_token(std::string_view s) {
    if (s.empty()) {
        return true;
    }
    if (!is_alnum(s.front()) || !is_alnum(s.back())) {
        return false;
    }
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// RFC 1123 subdomain: lower-case alphanumeric labels joined by '.', '-' inside, <= 253 chars.
bool is_dns1123_subdomain(std::string_view s) {
    if (s.empty() || s.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    while (true) {
        const auto dot = s.find('.', start);
        const auto label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
        const auto lower_alnum = [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        };
        if (label.empty() || !lower_alnum(label.front()) || !lower_alnum(label.back()) ||
            !std::all_of(label.begin(), label.end(),
                         [&](char c) { return lower_alnum(c) || c == '-'; })) {
            return false;
        }
        if (dot == std::string_view::npos) {
            return true;
        }
        start = dot + 1;
    }
}

// validation.IsQualifiedName: [prefix/]name; the reason when invalid.
std::optional<std::string> qualified_name_error(std::string_view key) {
    std::string_view name = key;
    const auto slash = key.find('/');
    if (slash != std::string_view::npos) {
        const auto prefix = key.substr(0, slash);
        name = key.substr(slash + 1);
        if (prefix.empty()) {
            return "prefix part must be non-empty";
        }
        if (!is_dns1123_subdomain(prefix)) {
            return "prefix part must be a lowercase RFC 1123 subdomain";
        }
        if (name.find('/') != std::string_view::npos) {
            return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
                   "with an optional DNS subdomain prefix and '/'";
        }
    }
    if (name.empty()) {
        return "name part must be non-empty";
    }
    if (name.size() > 63) {
        return "name part must be no more than 63 characters";
    }
    if (!is_label_token(name)) {
        return "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
               "start and end with an alphanumeric character";
    }
    return std::nullopt;
}

// strconv.ParseInt(s, 10, 64).
std::optional<std::int64_t> parse_int64(std::string_view s) {
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
        if (!s.empty() && s.front() == '-') {
            return std::nullopt;
        }
    }
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

bool contains(const std::vector<std::string>& values, std::string_view v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

std::string quoted_list(const std::vector<std::string>& values) {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        out += fmt::format("{}\"{}\"", i == 0 ? "" : ",", values[i]);
    }
    return out + "]";
}

bool is_empty(const node_selector_term& t) {
    return t.match_expressions.empty() && t.match_fields.empty();
}

// Valid terms only: each requirement is known to parse, so none is validated again here.
bool matches_valid_term(const node_selector_term& t, const node& n) {
    for (const auto& r : t.match_expressions) {
        if (!matches_valid(r, n.meta.labels)) {
            return false;
        }
    }
    for (const auto& r : t.match_fields) {
        if (!matches_field(r, n.meta.name)) {
            return false;
        }
    }
    return true;
}

std::string sub_path(std::string_view path, std::string_view child) {
    return path.empty() ? std::string(child) : fmt::format("{}.{}", path, child);
}

}  // namespace

std::vector<std::string> label_requirement_errors(const node_selector_requirement& r,
                                                  std::string_view path) {
    std::vector<std::string> errs;
    const bool set_op = r.op == kOpIn || r.op == kOpNotIn;
    const bool exists_op = r.op == kOpExists || r.op == kOpDoesNotExist;
    const bool cmp_op = r.op == kOpGt || r.op == kOpLt;
    if (!set_op && !exists_op && !cmp_op) {
        errs.push_back(
            fmt::format("{}.operator: Unsupported value: \"{}\": supported values: "
                        "\"DoesNotExist\", \"Exists\", \"Gt\", \"In\", \"Lt\", "
                        "\"NotIn\"",
                        path, r.op));
        return errs;
    }
    if (auto e = qualified_name_error(r.key)) {
        errs.push_back(fmt::format("{}.key: Invalid value: \"{}\": {}", path, r.key, *e));
    }
    if (set_op && r.values.empty()) {
        errs.push_back(fmt::format(
            "{}.values: Required value: for 'in', 'notin' operators, values set can't be empty",
            path));
    }
    if (exists_op && !r.values.empty()) {
        errs.push_back(fmt::format(
            "{}.values: Forbidden: values set must be empty for exists and does not exist", path));
    }
    if (cmp_op) {
        if (r.values.size() != 1) {
            errs.push_back(
                fmt::format("{}.values: Required value: for 'Gt', 'Lt' operators, "
                            "exactly one value is required",
                            path));
        } else if (!parse_int64(r.values[0])) {
            errs.push_back(
                fmt::format("{}.values[0]: Invalid value: \"{}\": for 'Gt', 'Lt' "
                            "operators, the value must be an integer",
                            path, r.values[0]));
        }
    }
    for (std::size_t i = 0; i < r.values.size(); ++i) {
        const auto& v = r.values[i];
        if (v.size() > 63 || !is_label_token(v)) {
            errs.push_back(
                fmt::format("{}.values[{}]: Invalid value: \"{}\": a valid label must "
                            "be an empty string or consist of alphanumeric characters, "
                            "'-', '_' or '.', and must start and end with an "
                            "alphanumeric character (at most 63)",
                            path, i, v));
        }
    }
    return errs;
}

std::vector<std::string> field_requirement_errors(const node_selector_requirement& r,
                                                  std::string_view path) {
    if (r.key != kObjectNameField) {
        return {fmt::format("{}.key: Invalid value: \"{}\": not a valid field selector key", path,
                            r.key)};
    }
    if (r.values.size() != 1) {
        return {fmt::format("{}.values: Invalid value: {}: must have one element", path,
                            quoted_list(r.values))};
    }
    if (r.op != kOpIn && r.op != kOpNotIn) {
        return {fmt::format("{}.operator: Invalid value: \"{}\": not a valid selector operator",
                            path, r.op)};
    }
    return {};
}

std::vector<std::string> term_errors(const node_selector_term& t, std::string_view path) {
    std::vector<std::string> errs;
    for (std::size_t i = 0; i < t.match_expressions.size(); ++i) {
        auto e = label_requirement_errors(
            t.match_expressions[i], fmt::format("{}[{}]", sub_path(path, "matchExpressions"), i));
        errs.insert(errs.end(), e.begin(), e.end());
    }
    for (std::size_t i = 0; i < t.match_fields.size(); ++i) {
        auto e = field_requirement_errors(t.match_fields[i],
                                          fmt::format("{}[{}]", sub_path(path, "matchFields"), i));
        errs.insert(errs.end(), e.begin(), e.end());
    }
    return errs;
}

// Requirement `r` is known to be valid.
bool matches_valid(const node_selector_requirement& r, const label_map& labels) {
    const std::string* value = labels.find(r.key);
    if (r.op == kOpIn) {
        return value != nullptr && contains(r.values, *value);
    }
    if (r.op == kOpNotIn) {
        return value == nullptr || !contains(r.values, *value);
    }
    if (r.op == kOpExists) {
        return value != nullptr;
    }
    if (r.op == kOpDoesNotExist) {
        return value == nullptr;
    }
    // Gt / Lt: both sides must be integers.
    if (value == nullptr) {
        return false;
    }
    const auto have = parse_int64(*value);
    const auto bound = parse_int64(r.values[0]);
    if (!have || !bound) {
        return false;
    }
    return r.op == kOpGt ? *have > *bound : *have < *bound;
}

bool matches(const node_selector_requirement& r, const label_map& labels) {
    return label_requirement_errors(r, "").empty() && matches_valid(r, labels);
}

std::vector<std::string> label_selector_errors(const label_selector& s, std::string_view path) {
    std::vector<std::string> errs;
    for (const auto& [k, v] : s.match_labels.items) {
        node_selector_requirement r{k, std::string(kOpIn), {v}};
        for (auto& e : label_requirement_errors(r, fmt::format("{}.matchLabels", path))) {
            errs.push_back(std::move(e));
        }
    }
    for (std::size_t i = 0; i < s.match_expressions.size(); ++i) {
        const auto& r = s.match_expressions[i];
        const std::string at = fmt::format("{}.matchExpressions[{}]", path, i);
        if (r.op != kOpIn && r.op != kOpNotIn && r.op != kOpExists && r.op != kOpDoesNotExist) {
            errs.push_back(
                fmt::format("{}.operator: Unsupported value: \"{}\": supported values: "
                            "\"DoesNotExist\", \"Exists\", \"In\", \"NotIn\"",
                            at, r.op));
            continue;
        }
        for (auto& e : label_requirement_errors(r, at)) {
            errs.push_back(std::move(e));
        }
    }
    return errs;
}

bool matches_valid(const label_selector& s, const label_map& labels) {
    if (!matches_node_selector(s.match_labels, labels)) {
        return false;
    }
    return std::all_of(s.match_expressions.begin(), s.match_expressions.end(),
                       [&](const auto& r) { return matches_valid(r, labels); });
}

bool matches(const label_selector& s, const label_map& labels) {
    return label_selector_errors(s, "").empty() && matches_valid(s, labels);
}

bool matches_field(const node_selector_requirement& r, std::string_view node_name) {
    if (!field_requirement_errors(r, "").empty()) {
        return false;
    }
    // upstream: a node without a name has no fields, and field selectors are then not checked.
    if (node_name.empty()) {
        return true;
    }
    const bool equal = node_name == r.values[0];
    return r.op == kOpIn ? equal : !equal;
}

bool matches(const node_selector_term& t, const node& n) {
    if (is_empty(t) || !term_errors(t, "").empty()) {
        return false;
    }
    return matches_valid_term(t, n);
}

bool matches_node_selector(const label_map& selector, const label_map& labels) {
    for (const auto& [k, v] : selector.items) {
        const std::string* have = labels.find(k);
        if (have == nullptr || *have != v) {
            return false;
        }
    }
    return true;
}

node_selector::node_selector(const std::vector<node_selector_term>& terms, std::string_view path) {
    for (std::size_t i = 0; i < terms.size(); ++i) {
        if (is_empty(terms[i])) {
            continue;  // an empty term selects no objects
        }
        auto errs =
            term_errors(terms[i], fmt::format("{}[{}]", sub_path(path, "nodeSelectorTerms"), i));
        if (!errs.empty()) {
            errors_.insert(errors_.end(), errs.begin(), errs.end());
            continue;
        }
        terms_.push_back(terms[i]);
    }
}

bool node_selector::matches(const node& n) const {
    return std::any_of(terms_.begin(), terms_.end(),
                       [&](const node_selector_term& t) { return matches_valid_term(t, n); });
}

preferred_terms::preferred_terms(const std::vector<preferred_scheduling_term>& terms,
                                 std::string_view path) {
    for (std::size_t i = 0; i < terms.size(); ++i) {
        if (terms[i].weight == 0 || is_empty(terms[i].preference)) {
            continue;
        }
        auto errs = term_errors(terms[i].preference, fmt::format("{}[{}].preference", path, i));
        if (!errs.empty()) {
            errors_.insert(errors_.end(), errs.begin(), errs.end());
            continue;
        }
        terms_.push_back(terms[i]);
    }
}

std::int64_t preferred_terms::score(const node& n) const {
    std::int64_t total = 0;
    for (const auto& t : terms_) {
        if (matches_valid_term(t.preference, n)) {
            total += t.weight;
        }
    }
    return total;
}

}  // namespace multisched::api
