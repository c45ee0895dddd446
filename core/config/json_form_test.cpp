// SPDX-License-Identifier: Apache-2.0
#include "core/config/json_form.hpp"

#include <catch2/catch.hpp>

namespace multisched::config {
namespace {

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
