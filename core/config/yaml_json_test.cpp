// SPDX-License-Identifier: Apache-2.0
// YAML -> JSON typing (go-yaml v2 rules) and what JSON cannot hold.
#include "core/config/yaml_json.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace multisched::config {
namespace {

std::string convert(const std::string& yaml) {
    auto r = yaml_to_json(YAML::Load(yaml));
    INFO(yaml);
    if (!r) {
        FAIL(r.error().message);
    }
    return *r;
}

TEST_CASE("config.yaml_to_json_types_scalars") {
    struct typing_case {
        std::string yaml;
        std::string json;
    };
    const std::vector<typing_case> cases = {
        {"a: 2", R"({"a":2})"},
        {"a: \"2\"", R"({"a":"2"})"},
        {"a: '2'", R"({"a":"2"})"},
        {"a: !!str 2", R"({"a":"2"})"},
        {"a: 100m", R"({"a":"100m"})"},
        {"a: 1Gi", R"({"a":"1Gi"})"},
        {"a: 0.5", R"({"a":0.5})"},
        {"a: 1e3", R"({"a":1000.0})"},
        {"a: 0x1F", R"({"a":31})"},
        {"a: 010", R"({"a":8})"},
        {"a: -3", R"({"a":-3})"},
        {"a: 1_000", R"({"a":1000})"},
        {"a: 99999999999999999999", R"({"a":"99999999999999999999"})"},
        {"a: .nan", R"({"a":".nan"})"},
        {"a: -.inf", R"({"a":"-.inf"})"},
        {"a: true", R"({"a":true})"},
        {"a: yes", R"({"a":true})"},
        {"a: \"yes\"", R"({"a":"yes"})"},
        {"a: off", R"({"a":false})"},
        {"a: ~", R"({"a":null})"},
        {"a:", R"({"a":null})"},
        {"a: null", R"({"a":null})"},
        {"a: 2024-05-06T08:00:00Z", R"({"a":"2024-05-06T08:00:00Z"})"},
        {"a: \"caf\\u00e9 \\\"q\\\"\"", "{\"a\":\"caf\xC3\xA9 \\\"q\\\"\"}"},
        {"1: x\ntrue: z\nn: y", R"({"1":"x","true":"z","n":true})"},
        {"a: [1, b, {c: []}]", R"({"a":[1,"b",{"c":[]}]})"},
        {"a: &x {b: 1}\nc: *x", R"({"a":{"b":1},"c":{"b":1}})"},
        {"{a: 1, b: '1', c: true, d: 'true', e: 1.5, f: ~, g: abc, h: 15s}",
         R"({"a":1,"b":"1","c":true,"d":"true","e":1.5,"f":null,"g":"abc","h":"15s"})"},
        {"[yes, no, 0x10, -3]", R"([true,false,16,-3])"},  // YAML 1.1, as go-yaml v2
        {"{nested: {list: [{name: x, weight: 2}]}}",
         R"({"nested":{"list":[{"name":"x","weight":2}]}})"},
    };
    for (const auto& c : cases) {
        CHECK(convert(c.yaml) == c.json);
    }
}

TEST_CASE("config.yaml_to_json_refuses_what_json_cannot_hold") {
    auto complex_key = yaml_to_json(YAML::Load("a: 1\n? [x, y]\n: 2\n"));
    REQUIRE_FALSE(complex_key.has_value());
    CHECK(complex_key.error().message == "line 2, column 3: a mapping key must be a scalar");

    std::string deep;
    for (int i = 0; i <= kMaxYamlDepth; ++i) {
        deep += "[";
    }
    deep += "1";
    for (int i = 0; i <= kMaxYamlDepth; ++i) {
        deep += "]";
    }
    auto too_deep = yaml_to_json(YAML::Load(deep));
    REQUIRE_FALSE(too_deep.has_value());
    CHECK_THAT(too_deep.error().message, Catch::EndsWith("nested deeper than 100 levels"));
    // One level less is fine.
    CHECK(yaml_to_json(YAML::Load(deep.substr(1, deep.size() - 2))).has_value());
}

}  // namespace
}  // namespace multisched::config
