// SPDX-License-Identifier: Apache-2.0
#include "core/api/quantity.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace multisched::api {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

quantity must_parse(std::string_view s) {
    auto q = quantity::parse(s);
    INFO("input: " << std::string(s));
    REQUIRE(q.has_value());
    return *q;
}

struct parse_case {
    std::string input;
    // The same value written as a whole number of nano-units ("4n"): checks the exact value.
    std::string nano;
    std::int64_t value;
    std::int64_t milli;
};

// Ported from TestQuantityParse (apimachinery pkg/api/resource/quantity_test.go). Expected
// values were computed independently with exact decimal arithmetic (round up to nano, cap at
// 2^63-1 units, Value/MilliValue rounded away from zero).
const std::vector<parse_case> kUpstreamCases = {
    {"0", "0n", 0LL, 0LL},
    {"0n", "0n", 0LL, 0LL},
    {"0u", "0n", 0LL, 0LL},
    {"0m", "0n", 0LL, 0LL},
    {"0Ki", "0n", 0LL, 0LL},
    {"0k", "0n", 0LL, 0LL},
    {"0Mi", "0n", 0LL, 0LL},
    {"0M", "0n", 0LL, 0LL},
    {"0Gi", "0n", 0LL, 0LL},
    {"0G", "0n", 0LL, 0LL},
    {"0Ti", "0n", 0LL, 0LL},
    {"0T", "0n", 0LL, 0LL},
    {"1", "1000000000n", 1LL, 1000LL},
    {"1Ki", "1024000000000n", 1024LL, 1024000LL},
    {"8Ki", "8192000000000n", 8192LL, 8192000LL},
    {"7Mi", "7340032000000000n", 7340032LL, 7340032000LL},
    {"6Gi", "6442450944000000000n", 6442450944LL, 6442450944000LL},
    {"5Ti", "5497558138880000000000n", 5497558138880LL, 5497558138880000LL},
    {"4Pi", "4503599627370496000000000n", 4503599627370496LL, 4503599627370496000LL},
    {"3Ei", "3458764513820540928000000000n", 3458764513820540928LL, 9223372036854775807LL},
    {"10Ti", "10995116277760000000000n", 10995116277760LL, 10995116277760000LL},
    {"100Ti", "109951162777600000000000n", 109951162777600LL, 109951162777600000LL},
    {"5n", "5n", 1LL, 1LL},
    {"4u", "4000n", 1LL, 1LL},
    {"3m", "3000000n", 1LL, 3LL},
    {"9", "9000000000n", 9LL, 9000LL},
    {"8k", "8000000000000n", 8000LL, 8000000LL},
    {"50k", "50000000000000n", 50000LL, 50000000LL},
    {"7M", "7000000000000000n", 7000000LL, 7000000000LL},
    {"6G", "6000000000000000000n", 6000000000LL, 6000000000000LL},
    {"5T", "5000000000000000000000n", 5000000000000LL, 5000000000000000LL},
    {"40T", "40000000000000000000000n", 40000000000000LL, 40000000000000000LL},
    {"300T", "300000000000000000000000n", 300000000000000LL, 300000000000000000LL},
    {"2P", "2000000000000000000000000n", 2000000000000000LL, 2000000000000000000LL},
    {"1E", "1000000000000000000000000000n", 1000000000000000000LL, 9223372036854775807LL},
    {"1E-3", "1000000n", 1LL, 1LL},
    {"1e3", "1000000000000n", 1000LL, 1000000LL},
    {"1E6", "1000000000000000n", 1000000LL, 1000000000LL},
    {"1e9", "1000000000000000000n", 1000000000LL, 1000000000000LL},
    {"1E12", "1000000000000000000000n", 1000000000000LL, 1000000000000000LL},
    {"1e15", "1000000000000000000000000n", 1000000000000000LL, 1000000000000000000LL},
    {"1E18", "1000000000000000000000000000n", 1000000000000000000LL, 9223372036854775807LL},
    {"1e14", "100000000000000000000000n", 100000000000000LL, 100000000000000000LL},
    {"1e13", "10000000000000000000000n", 10000000000000LL, 10000000000000000LL},
    {"100.035k", "100035000000000n", 100035LL, 100035000LL},
    {"0.001", "1000000n", 1LL, 1LL},
    {"0.0005k", "500000000n", 1LL, 500LL},
    {"0.005", "5000000n", 1LL, 5LL},
    {"0.05", "50000000n", 1LL, 50LL},
    {"0.5", "500000000n", 1LL, 500LL},
    {"0.00050k", "500000000n", 1LL, 500LL},
    {"0.00500", "5000000n", 1LL, 5LL},
    {"0.05000", "50000000n", 1LL, 50LL},
    {"0.50000", "500000000n", 1LL, 500LL},
    {"0.5e0", "500000000n", 1LL, 500LL},
    {"0.5e-1", "50000000n", 1LL, 50LL},
    {"0.5e-2", "5000000n", 1LL, 5LL},
    {"10.035M", "10035000000000000n", 10035000LL, 10035000000LL},
    {"1.2e3", "1200000000000n", 1200LL, 1200000LL},
    {"1.3E+6", "1300000000000000n", 1300000LL, 1300000000LL},
    {"1.40e9", "1400000000000000000n", 1400000000LL, 1400000000000LL},
    {"1.53E12", "1530000000000000000000n", 1530000000000LL, 1530000000000000LL},
    {"1.6e15", "1600000000000000000000000n", 1600000000000000LL, 1600000000000000000LL},
    {"1.7E18", "1700000000000000000000000000n", 1700000000000000000LL, 9223372036854775807LL},
    {"9.01", "9010000000n", 10LL, 9010LL},
    {"8.1k", "8100000000000n", 8100LL, 8100000LL},
    {"7.123456M", "7123456000000000n", 7123456LL, 7123456000LL},
    {"6.987654321G", "6987654321000000000n", 6987654321LL, 6987654321000LL},
    {"5.444T", "5444000000000000000000n", 5444000000000LL, 5444000000000000LL},
    {"40.1T", "40100000000000000000000n", 40100000000000LL, 40100000000000000LL},
    {"300.2T", "300200000000000000000000n", 300200000000000LL, 300200000000000000LL},
    {"2.5P", "2500000000000000000000000n", 2500000000000000LL, 2500000000000000000LL},
    {"1.01E", "1010000000000000000000000000n", 1010000000000000000LL, 9223372036854775807LL},
    {"3.001n", "4n", 1LL, 1LL},
    {"1.1E-9", "2n", 1LL, 1LL},
    {"0.0000000001", "1n", 1LL, 1LL},
    {"0.0000000005", "1n", 1LL, 1LL},
    {"0.00000000050", "1n", 1LL, 1LL},
    {"0.5e-9", "1n", 1LL, 1LL},
    {"0.9n", "1n", 1LL, 1LL},
    {"0.00000012345", "124n", 1LL, 1LL},
    {"0.00000012354", "124n", 1LL, 1LL},
    {"9Ei", "9223372036854775807000000000n", 9223372036854775807LL, 9223372036854775807LL},
    {"9223372036854775807Ki", "9223372036854775807000000000n", 9223372036854775807LL,
     9223372036854775807LL},
    {"12E", "9223372036854775807000000000n", 9223372036854775807LL, 9223372036854775807LL},
    {"100.035Ki", "102435840000000n", 102436LL, 102435840LL},
    {"0.5Mi", "524288000000000n", 524288LL, 524288000LL},
    {"0.05Gi", "53687091200000000n", 53687092LL, 53687091200LL},
    {"0.025Ti", "27487790694400000000n", 27487790695LL, 27487790694400LL},
    {"0.000000000001Ki", "2n", 1LL, 1LL},
    {".001", "1000000n", 1LL, 1LL},
    {".0001k", "100000000n", 1LL, 100LL},
    {"1.", "1000000000n", 1LL, 1000LL},
    {"1.G", "1000000000000000000n", 1000000000LL, 1000000000000LL},
};

TEST_CASE("quantity.parse_upstream_table", "[quantity]") {
    for (const auto& c : kUpstreamCases) {
        DYNAMIC_SECTION(c.input) {
            const quantity q = must_parse(c.input);
            CHECK(q == must_parse(c.nano));
            CHECK(q.value() == c.value);
            CHECK(q.milli_value() == c.milli);
            CHECK(q.is_zero() == (c.value == 0));

            // An explicit '+' changes nothing.
            CHECK(must_parse("+" + c.input) == q);

            // The negative of everything rounds away from zero symmetrically.
            const quantity neg = must_parse("-" + c.input);
            CHECK(neg.value() == -c.value);
            CHECK(neg.milli_value() == -c.milli);
            if (!q.is_zero()) {
                CHECK(neg < q);
            }
        }
    }
}

struct value_case {
    std::string name;
    std::string input;
    std::int64_t value;
    std::int64_t milli;
};

TEST_CASE("quantity.parse_suffixes_and_forms", "[quantity]") {
    const std::vector<value_case> cases = {
        {"plain integer", "42", 42, 42000},
        {"milli cpu", "100m", 1, 100},
        {"fractional cpu", "1.5", 2, 1500},
        {"leading dot", ".5", 1, 500},
        {"trailing dot", "5.", 5, 5000},
        {"leading zeros", "007", 7, 7000},
        {"leading zeros with fraction", "000.250", 1, 250},
        {"Ki", "1Ki", 1024, 1024000},
        {"Mi", "1Mi", 1048576, 1048576000},
        {"Gi", "2Gi", 2147483648LL, 2147483648000LL},
        {"Ti", "1Ti", 1099511627776LL, 1099511627776000LL},
        {"Pi", "1Pi", 1125899906842624LL, 1125899906842624000LL},
        {"Ei", "1Ei", 1152921504606846976LL, kMax},
        {"fractional binary", "1.5Gi", 1610612736LL, 1610612736000LL},
        {"k", "2k", 2000, 2000000},
        {"M", "3M", 3000000, 3000000000LL},
        {"G", "1G", 1000000000LL, 1000000000000LL},
        {"E alone is exa", "1E", 1000000000000000000LL, kMax},
        {"E with digits is an exponent", "1E3", 1000, 1000000},
        {"lower-case exponent", "1e3", 1000, 1000000},
        {"negative exponent is milli", "1e-3", 1, 1},
        {"explicit positive exponent", "2e+2", 200, 200000},
        {"nano", "1n", 1, 1},
        {"micro", "1500u", 1, 2},
        {"sub-nano rounds up", "0.1n", 1, 1},
        {"tiny exponent rounds up to 1n", "1e-100", 1, 1},
        {"huge exponent caps", "1e100", kMax, kMax},
        {"huge digits cap", "123456789012345678901234567890123456789", kMax, kMax},
        {"exponent beyond int64 range of digits", "0.0000000000000000000000000001e30", 100, 100000},
        {"zero with exponent", "0e99999", 0, 0},
        {"negative milli", "-100m", -1, -100},
        {"negative rounds away from zero", "-1.5", -2, -1500},
        {"negative sub-milli", "-0.5m", -1, -1},
        {"negative zero", "-0", 0, 0},
        {"binary cap", "8Ei", kMax, kMax},
        {"max int64", "9223372036854775807", kMax, kMax},
        {"sign only is zero (as upstream)", "+", 0, 0},
        {"dot only is zero (as upstream)", ".", 0, 0},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const quantity q = must_parse(c.input);
            CHECK(q.value() == c.value);
            CHECK(q.milli_value() == c.milli);
        }
    }
}

TEST_CASE("quantity.parse_binary_suffixes", "[quantity]") {
    const std::vector<value_case> cases = {
        {"Ki", "3Ki", 3LL << 10, (3LL << 10) * 1000},
        {"Mi", "3Mi", 3LL << 20, (3LL << 20) * 1000},
        {"Gi", "3Gi", 3LL << 30, (3LL << 30) * 1000},
        {"Ti", "3Ti", 3LL << 40, (3LL << 40) * 1000},
        {"Pi", "3Pi", 3LL << 50, (3LL << 50) * 1000},
        {"Ei", "3Ei", 3LL << 60, kMax},
        {"sub-unit binary", "0.5Ki", 512, 512000},
        {"tiny binary rounds up", ".000000000001Ki", 1, 1},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const quantity q = must_parse(c.input);
            CHECK(q.value() == c.value);
            CHECK(q.milli_value() == c.milli);
        }
    }
}

struct invalid_case {
    std::string input;
    std::string reason;
};

TEST_CASE("quantity.parse_rejects_malformed", "[quantity]") {
    const std::string format = "quantities must match the regular expression";
    const std::string suffix = "unable to parse quantity's suffix";
    const std::vector<invalid_case> cases = {
        // From TestQuantityParse's invalid list.
        {"1.1.M", format},
        {"1+1.0M", format},
        {"0.1mi", suffix},
        {"0.1am", format},
        {"aoeu", format},
        {".5i", suffix},
        {"1i", suffix},
        {"-3.01i", suffix},
        {"-3.01e-", suffix},
        {" 1", format},
        {"1 ", format},
        // More.
        {"", format},
        {"abc", format},
        {"1Kb", format},
        {"1KiB", format},
        {"1K", suffix},
        {"1e", suffix},
        {"1ee3", suffix},
        {"1e99999999999999999999", suffix},
        {"1Ki3", suffix},
        {"--1", suffix},
        {"1,5", format},
        {"1\n", format},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION("input \"" << c.input << "\"") {
            const auto q = quantity::parse(c.input);
            REQUIRE_FALSE(q.has_value());
            const std::string& msg = q.error().message;
            CHECK_THAT(msg, Catch::Contains(c.reason));
            // The offending text is quoted, escaped.
            if (c.input.find_first_of(" \n") == std::string::npos) {
                CHECK_THAT(msg, Catch::Contains("\"" + c.input + "\""));
            }
            CHECK(q.error().code);
        }
    }
}

TEST_CASE("quantity.error_message_truncates_long_input", "[quantity]") {
    const auto q = quantity::parse(std::string(1000, 'x'));
    REQUIRE_FALSE(q.has_value());
    CHECK(q.error().message.size() < 200);
    CHECK_THAT(q.error().message, Catch::EndsWith("..."));
}

TEST_CASE("quantity.error_message_quotes_invalid_utf8", "[quantity]") {
    // Found by test/fuzz (api_objects): fmt's "{:?}" aborted on these; bytes that are not UTF-8
    // are quoted as \xNN, as Go's %q does.
    const struct {
        std::string input;
        std::string quoted;
    } cases[] = {
        {"100\xf3i", R"("100\xf3i")"},
        {"25\xf0m", R"("25\xf0m")"},
        {"1\xc3\xa9", "\"1\xc3\xa9\""},  // valid UTF-8 stays as is
    };
    for (const auto& c : cases) {
        const auto q = quantity::parse(c.input);
        REQUIRE_FALSE(q.has_value());
        CHECK_THAT(q.error().message, Catch::EndsWith(": " + c.quoted));
    }
}

TEST_CASE("quantity.from_units_and_ordering", "[quantity]") {
    CHECK(quantity::from_units(5) == must_parse("5"));
    CHECK(quantity::from_units(5).milli_value() == 5000);
    CHECK(quantity::from_units(-3).value() == -3);
    CHECK(quantity::from_units(0).is_zero());
    CHECK(quantity().is_zero());
    CHECK(must_parse("999m") < must_parse("1"));
    CHECK(must_parse("1Ki") > must_parse("1k"));
    CHECK(must_parse("1000M") == must_parse("1G"));
    CHECK(must_parse("1024Mi") == must_parse("1Gi"));
    CHECK(must_parse("1.5Gi") == must_parse("1536Mi"));
    CHECK(must_parse("10000T") > must_parse("100Gi"));
}

}  // namespace
}  // namespace multisched::api
