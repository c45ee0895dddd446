// SPDX-License-Identifier: Apache-2.0
// Go time.ParseDuration / time.Duration.String(), so durations read and print as in kube-scheduler.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/config/config.hpp"

namespace multisched::config {
namespace {

constexpr std::uint64_t kNanosecond = 1;
constexpr std::uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr std::uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr std::uint64_t kSecond = 1000 * kMillisecond;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;
constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::uint64_t unit_value(std::string_view u) {
    if (u == "ns") {
        return kNanosecond;
    }
    if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") {  // us, U+00B5 s, U+03BC s
        return kMicrosecond;
    }
    if (u == "ms") {
        return kMillisecond;
    }
    if (u == "s") {
        return kSecond;
    }
    if (u == "m") {
        return kMinute;
    }
    if (u == "h") {
        return kHour;
    }
    return 0;
}

error invalid(std::string_view orig) {
    return error{{}, fmt::format("time: invalid duration \"{}\"", orig)};
}

// Prints the fraction of v / 10^prec without trailing zeros, prepending to `out`; returns v /
// 10^prec.
std::uint64_t prepend_fraction(std::string& out, std::uint64_t v, int prec) {
    bool print = false;
    for (int i = 0; i < prec; ++i) {
        const auto digit = static_cast<char>(v % 10);
        print = print || digit != 0;
        if (print) {
            out.insert(out.begin(), static_cast<char>('0' + digit));
        }
        v /= 10;
    }
    if (print) {
        out.insert(out.begin(), '.');
    }
    return v;
}

void prepend_int(std::string& out, std::uint64_t v) {
    out.insert(0, std::to_string(v));
}

}  // namespace

result<duration> parse_duration(std::string_view text) {
    const std::string_view orig = text;
    std::string_view s = text;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s == "0") {
        return duration{0};
    }
    if (s.empty()) {
        return invalid(orig);
    }
    std::uint64_t total = 0;
    while (!s.empty()) {
        if (!(s[0] == '.' || is_digit(s[0]))) {
            return invalid(orig);
        }
        // Integer part.
        std::uint64_t v = 0;
        std::size_t i = 0;
        for (; i < s.size() && is_digit(s[i]); ++i) {
            if (v > (kLimit - 1) / 10) {
                return invalid(orig);
            }
            v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
            if (v > kLimit) {
                return invalid(orig);
            }
        }
        const bool pre = i > 0;
        s.remove_prefix(i);
        // Fraction part.
        std::uint64_t f = 0;
        double scale = 1;
        bool post = false;
        if (!s.empty() && s[0] == '.') {
            s.remove_prefix(1);
            bool overflow = false;
            std::size_t j = 0;
            for (; j < s.size() && is_digit(s[j]); ++j) {
                if (overflow || f > (kLimit - 1) / 10) {
                    overflow = true;
                    continue;
                }
                f = f * 10 + static_cast<std::uint64_t>(s[j] - '0');
                scale *= 10;
            }
            post = j > 0;
            s.remove_prefix(j);
        }
        if (!pre && !post) {
            return invalid(orig);
        }
        // Unit.
        std::size_t k = 0;
        while (k < s.size() && s[k] != '.' && !is_digit(s[k])) {
            ++k;
        }
        if (k == 0) {
            return error{{}, fmt::format("time: missing unit in duration \"{}\"", orig)};
        }
        const std::string_view u = s.substr(0, k);
        s.remove_prefix(k);
        const std::uint64_t unit = unit_value(u);
        if (unit == 0) {
            return error{{}, fmt::format("time: unknown unit \"{}\" in duration \"{}\"", u, orig)};
        }
        if (v > kLimit / unit) {
            return invalid(orig);
        }
        v *= unit;
        if (f > 0) {
            v += static_cast<std::uint64_t>(static_cast<double>(f) *
                                            (static_cast<double>(unit) / scale));
            if (v > kLimit) {
                return invalid(orig);
            }
        }
        total += v;
        if (total > kLimit) {
            return invalid(orig);
        }
    }
    if (neg) {
        return duration{static_cast<std::int64_t>(0 - total)};
    }
    if (total > kLimit - 1) {
        return invalid(orig);
    }
    return duration{static_cast<std::int64_t>(total)};
}

std::string format_duration(duration d) {
    const std::int64_t n = d.count();
    const bool neg = n < 0;
    std::uint64_t u = static_cast<std::uint64_t>(n);
    if (neg) {
        u = 0 - u;
    }
    std::string out;
    if (u < kSecond) {
        if (u == 0) {
            return "0s";
        }
        int prec = 0;
        if (u < kMicrosecond) {
            out = "ns";
        } else if (u < kMillisecond) {
            prec = 3;
            out = "\xC2\xB5s";  // Go prints U+00B5
        } else {
            prec = 6;
            out = "ms";
        }
        u = prepend_fraction(out, u, prec);
        prepend_int(out, u);
    } else {
        out = "s";
        u = prepend_fraction(out, u, 9);
        prepend_int(out, u % 60);
        u /= 60;
        if (u > 0) {
            out.insert(out.begin(), 'm');
            prepend_int(out, u % 60);
            u /= 60;
            if (u > 0) {
                out.insert(out.begin(), 'h');
                prepend_int(out, u);
            }
        }
    }
    if (neg) {
        out.insert(out.begin(), '-');
    }
    return out;
}

}  // namespace multisched::config
