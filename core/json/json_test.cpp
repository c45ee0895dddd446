// SPDX-License-Identifier: Apache-2.0
#include "core/json/json.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace multisched::json {
namespace {

document must_parse(std::string_view text) {
    auto d = document::parse(text);
    INFO("text: " << std::string(text));
    REQUIRE(d.has_value());
    return std::move(*d);
}

TEST_CASE("json.parse_and_navigate", "[json]") {
    const document d = must_parse(
        R"({"s":"hi","i":-42,"u":18446744073709551615,"big":9223372036854775807,)"
        R"("f":1.5,"whole":5.0,"b":true,"n":null,"a":[1,"x",{"k":"v"}],"o":{"x":1,"y":2}})");
    const value root = d.root();
    REQUIRE(root.is_object());
    CHECK(root.size() == 10);

    CHECK(root["s"].as_string() == "hi");
    CHECK(root["s"].as_int() == std::nullopt);
    CHECK(root["i"].as_int() == -42);
    CHECK(root["u"].as_int() == std::nullopt);  // uint64 beyond int64
    CHECK(root["big"].as_int() == 9223372036854775807LL);
    CHECK(root["f"].as_int() == std::nullopt);
    CHECK(root["whole"].as_int() == std::nullopt);  // 5.0 is not an integer literal
    CHECK(root["b"].as_bool());
    CHECK(root["b"].as_string("def") == "def");
    CHECK(root["n"].is_null());
    CHECK_FALSE(root["n"].absent());

    const value missing = root["nope"];
    CHECK(missing.absent());
    CHECK(missing.is_null());
    CHECK(missing.as_string("d") == "d");
    CHECK(missing.as_int() == std::nullopt);
    CHECK(missing.as_bool(true));
    CHECK(missing.size() == 0);
    CHECK(missing["deeper"]["still"].absent());
    CHECK(missing.at(0).absent());
    CHECK(missing.dump().empty());

    const value a = root["a"];
    REQUIRE(a.is_array());
    CHECK(a.size() == 3);
    CHECK(a.at(0).as_int() == 1);
    CHECK(a.at(1).as_string() == "x");
    CHECK(a.at(2)["k"].as_string() == "v");
    CHECK(a.at(3).absent());
    CHECK(a["k"].absent());           // not an object
    CHECK(root["o"].at(0).absent());  // not an array
    CHECK(root["o"].size() == 2);
}

TEST_CASE("json.iteration", "[json]") {
    const document d = must_parse(R"({"a":[1,2,3],"o":{"x":"1","y":"2"},"s":"str"})");
    std::vector<std::int64_t> items;
    d.root()["a"].for_each_item([&](value v) { items.push_back(v.as_int().value_or(-1)); });
    CHECK(items == std::vector<std::int64_t>{1, 2, 3});

    std::vector<std::string> members;
    d.root()["o"].for_each_member([&](std::string_view k, value v) {
        members.push_back(std::string(k) + "=" + std::string(v.as_string()));
    });
    CHECK(members == std::vector<std::string>{"x=1", "y=2"});

    int calls = 0;
    d.root()["s"].for_each_item([&](value) { ++calls; });
    d.root()["s"].for_each_member([&](std::string_view, value) { ++calls; });
    d.root()["missing"].for_each_item([&](value) { ++calls; });
    CHECK(calls == 0);
}

TEST_CASE("json.duplicate_keys_last_wins", "[json]") {
    const document d = must_parse(R"({"k":"first","k":"second"})");
    CHECK(d.root()["k"].as_string() == "second");
}

TEST_CASE("json.strings_with_nul_and_escapes", "[json]") {
    const document d = must_parse(R"({"s":"a\u0000b","e":"\"\\\n\u00e9"})");
    CHECK(d.root()["s"].as_string() == std::string_view("a\0b", 3));
    CHECK(d.root()["e"].as_string() == "\"\\\n\xc3\xa9");
}

TEST_CASE("json.parse_does_not_need_terminator", "[json]") {
    // A view into a larger buffer: only the first `n` bytes are JSON.
    const std::string buf = R"({"a":1}garbage)";
    const auto d = document::parse(std::string_view(buf).substr(0, 7));
    REQUIRE(d.has_value());
    CHECK(d->root()["a"].as_int() == 1);
}

struct bad_case {
    std::string name;
    std::string text;
    std::string offset;
    std::string reason;
};

TEST_CASE("json.parse_errors_name_offset_and_reason", "[json]") {
    const std::vector<bad_case> cases = {
        {"empty", "", "offset 0", "The document is empty."},
        {"truncated object", R"({"a":)", "offset 5", "Invalid value."},
        {"missing colon", R"({"a" 1})", "offset 5",
         "Missing a colon after a name of object member."},
        {"trailing garbage", R"({"a":1} x)", "offset 8",
         "The document root must not be followed by other values."},
        {"bare word", "nope", "offset 1", "Invalid value."},
        {"unterminated string", R"({"a":"b)", "offset",
         "Missing a closing quotation mark in string."},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const auto d = document::parse(c.text);
            REQUIRE_FALSE(d.has_value());
            CHECK_THAT(d.error().message, Catch::Contains(c.offset));
            CHECK_THAT(d.error().message, Catch::Contains(c.reason));
            CHECK(d.error().code);
        }
    }
}

TEST_CASE("json.nesting_beyond_max_depth_is_an_error", "[json]") {
    // Found while writing test/fuzz: 3 MiB of '[' overflowed the stack in the parser.
    const auto nested = [](std::size_t depth, char open, char close) {
        std::string text(depth, open);
        if (open == '{') {
            text.clear();
            for (std::size_t i = 0; i < depth; ++i) {
                text += i + 1 < depth ? R"({"a":)" : "{";
            }
        }
        return text + std::string(depth, close);
    };
    const std::size_t max = kMaxDepth;
    CHECK(document::parse(nested(max, '[', ']')).has_value());
    CHECK(document::parse(nested(max, '{', '}')).has_value());
    for (const auto& text : {nested(max + 1, '[', ']'), nested(max + 1, '{', '}'),
                             std::string(std::size_t{3} << 20, '[')}) {
        const auto d = document::parse(text);
        REQUIRE_FALSE(d.has_value());
        CHECK_THAT(d.error().message, Catch::Contains("exceeded max depth (10000)"));
    }
    // A deep document that parses can be walked and dumped.
    const auto deep = document::parse(nested(max, '[', ']'));
    CHECK(deep->root().dump().size() == 2 * max);
}

TEST_CASE("json.dump_round_trips", "[json]") {
    const std::vector<std::string> texts = {
        R"({"a":[1,2,{"b":null}],"c":"x\"y","d":true,"e":-1.5})",
        R"([])",
        R"("just a string")",
        R"(12345678901234567890)",
    };
    for (const auto& t : texts) {
        DYNAMIC_SECTION(t) {
            const document d = must_parse(t);
            CHECK(d.root().dump() == t);
            CHECK(must_parse(d.root().dump()).root().dump() == t);
        }
    }
    const document d = must_parse(R"( { "a" : [ 1 , 2 ] } )");
    CHECK(d.root()["a"].dump() == "[1,2]");
}

TEST_CASE("json.writer_builds_bodies", "[json]") {
    writer w;
    w.begin_object()
        .field("s", "q\"uote")
        .key("i")
        .integer(-7)
        .key("b")
        .boolean(false)
        .key("n")
        .null()
        .key("a")
        .begin_array()
        .string("x")
        .integer(1)
        .end_array()
        .end_object();
    CHECK(w.str() == R"({"s":"q\"uote","i":-7,"b":false,"n":null,"a":["x",1]})");
    // What the writer produces parses back to the same values.
    const document d = must_parse(w.str());
    CHECK(d.root()["s"].as_string() == "q\"uote");
    CHECK(d.root()["i"].as_int() == -7);
}

}  // namespace
}  // namespace multisched::json
