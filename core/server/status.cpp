// SPDX-License-Identifier: Apache-2.0
#include "core/server/status.hpp"

#include <array>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/json/json.hpp"
#include "core/util/go_quote.hpp"

namespace multisched::server {
namespace {

// A JSON string literal as Go's encoding/json writes it: HTML-significant characters escaped.
std::string json_quote(std::string_view s) {
    json::writer w;
    w.string(s);
    std::string quoted = w.str();
    std::string out;
    out.reserve(quoted.size());
    for (const char c : quoted) {
        switch (c) {
            case '<':
                out += "\\u003c";
                break;
            case '>':
                out += "\\u003e";
                break;
            case '&':
                out += "\\u0026";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

// responsewriters' sanitizer: error text must not look like HTML.
std::string sanitize(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

// strconv.ParseBool; nullopt for anything else.
std::optional<bool> parse_go_bool(std::string_view v) {
    static constexpr std::array<std::string_view, 6> kTrue = {"1",    "t",    "T",
                                                              "TRUE", "true", "True"};
    static constexpr std::array<std::string_view, 6> kFalse = {"0",     "f",     "F",
                                                               "FALSE", "false", "False"};
    for (auto t : kTrue) {
        if (v == t) {
            return true;
        }
    }
    for (auto f : kFalse) {
        if (v == f) {
            return false;
        }
    }
    return std::nullopt;
}

response json_response(unsigned code, std::string body) {
    response r;
    r.status = code;
    r.content_type = "application/json";
    r.body = std::move(body);
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
}

}  // namespace

bool wants_pretty_json(const request& req) {
    if (req.raw_query.find("pretty") != std::string::npos) {
        const auto values = query_values(req.raw_query, "pretty");
        if (!values.empty() && !values.front().empty()) {
            return parse_go_bool(values.front()).value_or(false);
        }
    }
    const auto agent = req.header(http::field::user_agent);
    return agent.starts_with("curl") || agent.starts_with("Wget") ||
           agent.starts_with("Mozilla/5.0");
}

std::string status_json(unsigned code, std::string_view reason, std::string_view message,
                        bool with_details, bool pretty) {
    std::vector<std::pair<std::string_view, std::string>> fields = {
        {"kind", json_quote("Status")},
        {"apiVersion", json_quote("v1")},
        {"metadata", "{}"},
        {"status", json_quote("Failure")},
        {"message", json_quote(message)},
        {"reason", json_quote(reason)},
    };
    if (with_details) {
        fields.emplace_back("details", "{}");
    }
    fields.emplace_back("code", std::to_string(code));
    std::string out = pretty ? "{\n" : "{";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto& [key, value] = fields[i];
        const bool last = i + 1 == fields.size();
        if (pretty) {
            out += fmt::format("  \"{}\": {}{}\n", key, value, last ? "" : ",");
        } else {
            out += fmt::format("\"{}\":{}{}", key, value, last ? "" : ",");
        }
    }
    out += "}\n";
    return out;
}

response unauthorized_response(const request& req) {
    return json_response(
        401, status_json(401, "Unauthorized", "Unauthorized", false, wants_pretty_json(req)));
}

response forbidden_response(const request& req, std::string_view user, std::string_view verb,
                            std::string_view reason) {
    std::string msg = sanitize(
        fmt::format("User {} cannot {} path {}", go_quote(user), verb, go_quote(req.path)));
    if (!reason.empty()) {
        msg += fmt::format(": {}", reason);
    }
    // apierrors.NewForbidden with an empty GroupResource: "forbidden: <err>", details {}.
    return json_response(
        403, status_json(403, "Forbidden", "forbidden: " + msg, true, wants_pretty_json(req)));
}

response internal_error_response(const request& req, std::string_view err) {
    return response::error_text(
        500, sanitize(fmt::format("Internal Server Error: {}: {}", go_quote(req.target()), err)));
}

response panic_response() {
    return response::error_text(
        500, "This request caused apiserver to panic. Look in the logs for details.");
}

response not_found_response() {
    return response::error_text(404, "404 page not found");
}

}  // namespace multisched::server
