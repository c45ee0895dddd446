// SPDX-License-Identifier: Apache-2.0
#include "core/config/json_form.hpp"

#include <catch2/catch.hpp>

namespace multisched::config {
namespace {

TEST_CASE("config.yaml_to_json_types_scalars_as_go_yaml") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{a: 1, b: '1', c: true, d: 'true', e: 1.5, f: ~, g: abc, h: 15s}",
         R"({"a":1,"b":"1","c":true,"d":"true","e":1.5,"f":null,"g":"abc","h":"15s"})"},
        {"[yes, no, 0x10, -3]", R"([true,false,16,-3])"},  // YAML 1.1, as go-yaml v2
        {"{nested: {list: [{name: x, weight: 2}]}}",
         R"({"nested":{"list":[{"name":"x","weight":2}]}})"},
        {"{big: 99999999999999999999}", R"({"big":"99999999999999999999"})"},
    };
    for (const auto& [yaml, want] : cases) {
        INFO(yaml);
        json::writer out;
        yaml_to_json(YAML::Load(yaml), out);
        CHECK(out.str() == want);
    }
}

TEST_CASE("config.write_json_is_the_defaulted_config") {
    auto cfg = decode_config(
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
        "profiles:\n- schedulerName: a\n- schedulerName: b\n",
        "cfg.yaml");
    REQUIRE(cfg.has_value());
    json::writer out;
    write_json(*cfg, out);
    const std::string j = out.str();
    auto doc = json::document::parse(j);
    REQUIRE(doc.has_value());
    const auto root = doc->root();
    CHECK(root["apiVersion"].as_string() == "kubescheduler.config.k8s.io/v1");
    CHECK(root["parallelism"].as_int() == 16);
    CHECK(root["leaderElection"]["leaseDuration"].as_string() == "15s");
    CHECK(root["profiles"].at(1)["schedulerName"].as_string() == "b");
}

}  // namespace
}  // namespace multisched::config
