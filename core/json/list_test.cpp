// SPDX-License-Identifier: Apache-2.0
// json::read_list against the whole-tree reading it replaces: for every text, the items it
// passes on (dumped back to JSON) and the metadata must be what document::parse gives.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/json/json.hpp"

namespace multisched::json {
namespace {

struct read_out {
    list_metadata meta;
    std::vector<std::string> items;  // dumped; "<absent>" for scalars
};

std::string dumped(value v) {
    return v.absent() ? "<absent>" : v.dump();
}

read_out by_item(std::string_view text) {
    read_out out;
    auto meta = read_list(text, [&](value item) { out.items.push_back(dumped(item)); });
    REQUIRE(meta.has_value());
    out.meta = *meta;
    return out;
}

// The old way: one tree, metadata and items read from it (scalars as absent).
read_out by_tree(std::string_view text) {
    read_out out;
    auto doc = document::parse(text);
    REQUIRE(doc.has_value());
    const value root = doc->root();
    out.meta.resource_version = std::string(root["metadata"]["resourceVersion"].as_string());
    out.meta.continue_token = std::string(root["metadata"]["continue"].as_string());
    root["items"].for_each_item([&](value item) {
        out.items.push_back(item.is_object() || item.is_array() ? item.dump() : "<absent>");
    });
    return out;
}

TEST_CASE("json.read_list_gives_what_the_tree_gives", "[json]") {
    const std::vector<std::string> texts = {
        R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[]})",
        R"({"metadata":{"resourceVersion":"7","continue":"abc=="},"items":[{"a":1},{"b":[1,2,{"c":null}]}]})",
        // metadata after items; items and metadata nested deeper are not the list's
        R"({"items":[{"metadata":{"resourceVersion":"1"},"items":[{"x":1}]}],"metadata":{"resourceVersion":"9"}})",
        // scalars and arrays among the items
        R"({"items":[1,"s",null,true,[1,[2]],{"k":"v"},-2.5e3],"metadata":{}})",
        // items not an array, metadata not an object, missing parts
        R"({"items":{"a":{"b":1}},"metadata":"x"})",
        R"({"items":null})",
        R"({})",
        R"([{"items":[{"a":1}]}])",
        R"("just a string")",
        // escapes and unicode in values and keys
        R"({"metadata":{"resourceVersion":"\u0031\u0032","continue":"a\"b"},"items":[{"n\u00e4me":"x\ny"}]})",
        // metadata keys at other depths do not count
        R"({"metadata":{"x":{"resourceVersion":"no"},"resourceVersion":"yes"},"items":[]})",
        // whitespace everywhere
        " {\n \"items\" : [ { \"a\" : 1 } ,\t{ } ] , \"metadata\" : { \"resourceVersion\" : \"3\" "
        "} } ",
    };
    for (const auto& text : texts) {
        INFO(text);
        const read_out got = by_item(text);
        const read_out want = by_tree(text);
        CHECK(got.meta.resource_version == want.meta.resource_version);
        CHECK(got.meta.continue_token == want.meta.continue_token);
        CHECK(got.items == want.items);
    }
}

TEST_CASE("json.read_list_refuses_invalid_text_before_any_item", "[json]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"items":[{"a":1},{"b":2})", "invalid JSON at offset"},
        {R"({"items":[{"a":1}]} trailing)", "invalid JSON at offset"},
        {R"({"items":[{"a":1},)", "invalid JSON at offset"},
        {std::string(R"({"items":[)") + std::string(kMaxDepth + 1, '['), "exceeded max depth"},
    };
    for (const auto& [text, want] : cases) {
        INFO(text.substr(0, 80));
        int calls = 0;
        auto got = read_list(text, [&](value) { ++calls; });
        REQUIRE_FALSE(got.has_value());
        CHECK_THAT(got.error().message, Catch::Contains(want));
        CHECK(calls == 0);
    }
}

}  // namespace
}  // namespace multisched::json
