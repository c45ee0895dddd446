// SPDX-License-Identifier: Apache-2.0
#include "core/server/http_types.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

#include <boost/beast/core/string.hpp>
#include <fmt/format.h>

namespace multisched::server {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

bool user_info::in_group(std::string_view group) const {
    return std::find(groups.begin(), groups.end(), group) != groups.end();
}

std::string_view request::target() const {
    const auto t = message.target();
    return {t.data(), t.size()};
}

std::string_view request::header(http::field f) const {
    const auto it = message.find(f);
    if (it == message.end()) {
        return {};
    }
    return {it->value().data(), it->value().size()};
}

std::string_view request::header(std::string_view name) const {
    const auto it = message.find(boost::beast::string_view(name.data(), name.size()));
    if (it == message.end()) {
        return {};
    }
    return {it->value().data(), it->value().size()};
}

response response::error_text(unsigned status, std::string_view text) {
    response r;
    r.status = status;
    r.body = std::string(text) + "\n";
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
}

std::string_view response::find_header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (boost::beast::iequals(k, name)) {
            return v;
        }
    }
    return {};
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) {
                return std::nullopt;
            }
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::pair<std::string, std::string>> split_target(std::string_view target) {
    std::string normalized;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() > scheme.size() &&
            boost::beast::iequals(target.substr(0, scheme.size()), scheme)) {
            const auto rest = target.substr(scheme.size());
            const auto end_of_authority = rest.find_first_of("/?");
            const auto tail = end_of_authority == std::string_view::npos
                                  ? std::string_view{}
                                  : rest.substr(end_of_authority);
            normalized =
                (tail.empty() || tail.front() == '?') ? "/" + std::string(tail) : std::string(tail);
            target = normalized;
            break;
        }
    }
    if (target.empty() || target.front() != '/') {
        return std::nullopt;
    }
    const auto q = target.find('?');
    auto path = percent_decode(target.substr(0, q));
    if (!path) {
        return std::nullopt;
    }
    std::string query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
    return std::pair{std::move(*path), std::move(query)};
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view raw_query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!raw_query.empty()) {
        const auto amp = raw_query.find('&');
        const auto part = raw_query.substr(0, amp);
        raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
        // Go rejects pairs with a semicolon (since 1.17) and skips empty ones.
        if (part.empty() || part.find(';') != std::string_view::npos) {
            continue;
        }
        const auto eq = part.find('=');
        auto key = percent_decode(part.substr(0, eq), true);
        auto value = percent_decode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
        if (key && value) {
            out.emplace_back(std::move(*key), std::move(*value));
        }
    }
    return out;
}

std::vector<std::string> query_values(std::string_view raw_query, std::string_view key) {
    std::vector<std::string> out;
    for (auto& [k, v] : parse_query(raw_query)) {
        if (k == key) {
            out.push_back(std::move(v));
        }
    }
    return out;
}

bool query_has(std::string_view raw_query, std::string_view key) {
    const auto pairs = parse_query(raw_query);
    return std::any_of(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == key; });
}

std::string http_date() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday], tm.tm_mday,
                       kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace multisched::server
