// SPDX-License-Identifier: Apache-2.0
// resource.Quantity parsing, after k8s.io/apimachinery pkg/api/resource (quantity.go ParseQuantity
// and parseQuantityString, suffix.go interpret). The value is kept exactly in nano-units: digits
// are consumed as text and never pass through floating point.
#include "core/api/quantity.hpp"

#include <array>
#include <cstddef>
#include <limits>

#include <boost/system/errc.hpp>
#include <fmt/format.h>

#include "core/util/go_quote.hpp"

namespace multisched::api {
namespace {

constexpr std::string_view kErrFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kErrSuffix = "unable to parse quantity's suffix";

constexpr __int128 kNanoPerUnit = 1'000'000'000;
constexpr __int128 kNanoPerMilli = 1'000'000;
// Upstream caps quantities at 2^63-1 units in magnitude (maxAllowed).
constexpr __int128 kMaxNano =
    static_cast<__int128>(std::numeric_limits<std::int64_t>::max()) * kNanoPerUnit;
// 10^29 > kMaxNano: an integer part with more digits is capped without being evaluated.
constexpr std::size_t kMaxIntegerDigits = 29;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_suffix_letter(char c) {
    return std::string_view("eEinumkKMGTP").find(c) != std::string_view::npos;
}

error make_error(std::string_view reason, std::string_view text) {
    // Long inputs are cut so a hostile object cannot flood the log.
    constexpr std::size_t kMaxQuoted = 64;
    const std::string_view shown = text.substr(0, kMaxQuoted);
    return error{
        boost::system::errc::make_error_code(boost::system::errc::invalid_argument),
        fmt::format("{}: {}{}", reason, go_quote(shown), text.size() > kMaxQuoted ? "..." : "")};
}

// The pieces parseQuantityString splits a quantity into.
struct scanned {
    bool positive = true;
    std::string_view num;    // integer digits, leading zeros removed ("0" if none remain)
    std::string_view denom;  // fraction digits (may be empty)
    std::string_view suffix;
    bool ok = true;
};

// Mirrors upstream's scanner: sign, digits, optional '.', digits, suffix letters, an optional
// sign and digits. Anything left over is ErrFormatWrong.
scanned scan(std::string_view s) {
    scanned out;
    std::size_t pos = 0;
    const std::size_t end = s.size();
    if (pos < end && (s[0] == '-' || s[0] == '+')) {
        out.positive = s[0] == '+';
        ++pos;
    }
    while (pos < end && s[pos] == '0') {
        ++pos;
    }
    if (pos >= end) {
        out.num = "0";
        return out;
    }
    const std::size_t num_start = pos;
    while (pos < end && is_digit(s[pos])) {
        ++pos;
    }
    out.num = s.substr(num_start, pos - num_start);
    if (out.num.empty()) {
        out.num = "0";
    }
    if (pos < end && s[pos] == '.') {
        ++pos;
        const std::size_t denom_start = pos;
        while (pos < end && is_digit(s[pos])) {
            ++pos;
        }
        // Upstream accepts "1." and "1.G" (a TODO says it may not in the future).
        out.denom = s.substr(denom_start, pos - denom_start);
    }
    const std::size_t suffix_start = pos;
    while (pos < end && is_suffix_letter(s[pos])) {
        ++pos;
    }
    if (pos < end && (s[pos] == '-' || s[pos] == '+')) {
        ++pos;
    }
    while (pos < end && is_digit(s[pos])) {
        ++pos;
    }
    if (pos < end) {
        out.ok = false;
        return out;
    }
    out.suffix = s.substr(suffix_start);
    return out;
}

// What a suffix means: value = number * 10^exp10 * 2^exp2.
struct suffix_meaning {
    std::int64_t exp10 = 0;
    int exp2 = 0;
    bool ok = false;
};

// Go's strconv.ParseInt(s, 10, 64): optional sign, at least one digit, no overflow.
bool parse_int64(std::string_view s, std::int64_t& out) {
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) {
        return false;
    }
    // Accumulate negatively so that -2^63 is representable.
    std::int64_t v = 0;
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    for (char c : s) {
        if (!is_digit(c)) {
            return false;
        }
        const int d = c - '0';
        if (v < (kMin + d) / 10) {
            return false;
        }
        v = v * 10 - d;
    }
    if (!negative) {
        if (v == kMin) {
            return false;
        }
        v = -v;
    }
    out = v;
    return true;
}

// suffix.go interpret(): the decimal table, then the binary table, then "e"/"E" + integer.
suffix_meaning interpret(std::string_view suffix) {
    struct entry {
        std::string_view name;
        int exp10;
        int exp2;
    };
    static constexpr std::array<entry, 16> kTable = {{
        {"n", -9, 0},
        {"u", -6, 0},
        {"m", -3, 0},
        {"", 0, 0},
        {"k", 3, 0},
        {"M", 6, 0},
        {"G", 9, 0},
        {"T", 12, 0},
        {"P", 15, 0},
        {"E", 18, 0},
        {"Ki", 0, 10},
        {"Mi", 0, 20},
        {"Gi", 0, 30},
        {"Ti", 0, 40},
        {"Pi", 0, 50},
        {"Ei", 0, 60},
    }};
    for (const auto& e : kTable) {
        if (e.name == suffix) {
            return {e.exp10, e.exp2, true};
        }
    }
    if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
        std::int64_t exp = 0;
        if (parse_int64(suffix.substr(1), exp)) {
            return {exp, 0, true};
        }
    }
    return {};
}

// ceil(0.F * 2^exp2) for the fraction digits F preceded by `leading_zeros` zeros: the digits are
// multiplied by 2^exp2 from the right, the carry out of the top is the integer part, and any
// non-zero digit left behind makes the result round up.
__int128 ceil_fraction(std::int64_t leading_zeros, std::string_view digits, int exp2) {
    if (digits.find_first_not_of('0') == std::string_view::npos) {
        return 0;
    }
    // 0.F * 2^60 < 10^(19 - leading_zeros): with 19 or more zeros in front it is in (0, 1).
    if (leading_zeros >= 19) {
        return 1;
    }
    const __int128 factor = static_cast<__int128>(1) << exp2;
    __int128 carry = 0;
    bool inexact = false;
    for (std::size_t i = digits.size(); i-- > 0;) {
        const __int128 t = (digits[i] - '0') * factor + carry;
        inexact = inexact || t % 10 != 0;
        carry = t / 10;
    }
    for (std::int64_t i = 0; i < leading_zeros; ++i) {
        inexact = inexact || carry % 10 != 0;
        carry /= 10;
    }
    return carry + (inexact ? 1 : 0);
}

// The magnitude in nano-units of digits * 10^point_shift * 2^exp2 where `digits` is the
// concatenation num+denom and the decimal point sits after `int_len` of them; rounded up to a
// whole nano-unit and capped at kMaxNano.
__int128 nano_magnitude(std::string_view digits, std::int64_t int_len, int exp2) {
    const auto len = static_cast<std::int64_t>(digits.size());
    const std::size_t first_nonzero = digits.find_first_not_of('0');
    if (first_nonzero == std::string_view::npos) {
        return 0;
    }
    const auto first = static_cast<std::int64_t>(first_nonzero);

    __int128 integer = 0;
    if (first < int_len) {
        if (int_len - first > static_cast<std::int64_t>(kMaxIntegerDigits)) {
            return kMaxNano;
        }
        const std::int64_t stop = std::min(int_len, len);
        for (std::int64_t i = first; i < stop; ++i) {
            integer = integer * 10 + (digits[static_cast<std::size_t>(i)] - '0');
        }
        for (std::int64_t i = stop; i < int_len; ++i) {
            integer *= 10;
        }
        if (integer > (kMaxNano >> exp2)) {
            return kMaxNano;
        }
        integer <<= exp2;
    }

    __int128 fraction = 0;
    if (int_len < len) {
        const std::int64_t leading_zeros = int_len < 0 ? -int_len : 0;
        const std::int64_t start = int_len < 0 ? 0 : int_len;
        fraction =
            ceil_fraction(leading_zeros, digits.substr(static_cast<std::size_t>(start)), exp2);
    }
    const __int128 total = integer + fraction;
    return total > kMaxNano ? kMaxNano : total;
}

// ceil(|nano| / divisor) with the sign of nano (rounded away from zero), saturated to int64.
std::int64_t scaled(__int128 nano, __int128 divisor) {
    const bool negative = nano < 0;
    const __int128 mag = negative ? -nano : nano;
    __int128 q = mag / divisor + (mag % divisor != 0 ? 1 : 0);
    constexpr __int128 kMax = std::numeric_limits<std::int64_t>::max();
    if (q > kMax) {
        q = kMax;
    }
    return static_cast<std::int64_t>(negative ? -q : q);
}

}  // namespace

result<quantity> quantity::parse(std::string_view text) {
    if (text.empty()) {
        return make_error(kErrFormatWrong, text);
    }
    const scanned s = scan(text);
    if (!s.ok) {
        return make_error(kErrFormatWrong, text);
    }
    const suffix_meaning m = interpret(s.suffix);
    if (!m.ok) {
        return make_error(kErrSuffix, text);
    }

    // Exponents this large (either way) only matter for whether the value is zero: clamp them so
    // the arithmetic below stays in range. |shift| <= 2^40 keeps int_len far from overflow.
    constexpr std::int64_t kExpClamp = std::int64_t{1} << 40;
    std::int64_t exp10 = m.exp10;
    if (exp10 > kExpClamp) {
        exp10 = kExpClamp;
    } else if (exp10 < -kExpClamp) {
        exp10 = -kExpClamp;
    }
    const std::int64_t shift = exp10 + 9;  // nano-units are 10^-9

    std::string digits;
    digits.reserve(s.num.size() + s.denom.size());
    digits.append(s.num).append(s.denom);
    const std::int64_t int_len = static_cast<std::int64_t>(s.num.size()) + shift;

    quantity q;
    const __int128 mag = nano_magnitude(digits, int_len, m.exp2);
    q.nano_ = s.positive ? mag : -mag;
    return q;
}

quantity quantity::from_units(std::int64_t units) {
    quantity q;
    q.nano_ = static_cast<__int128>(units) * kNanoPerUnit;
    return q;
}

std::int64_t quantity::value() const {
    return scaled(nano_, kNanoPerUnit);
}

std::int64_t quantity::milli_value() const {
    return scaled(nano_, kNanoPerMilli);
}

}  // namespace multisched::api
