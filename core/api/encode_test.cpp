// SPDX-License-Identifier: Apache-2.0
#include "core/api/encode.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/json/json.hpp"

namespace multisched::api {
namespace {

struct binding_case {
    std::string name;
    std::string pod_name;
    std::string ns;
    std::string uid;
    std::string node;
    std::string want;
};

TEST_CASE("encode.binding_body", "[encode]") {
    const std::vector<binding_case> cases = {
        {"plain", "web", "default", "u-1", "n1",
         R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"web","namespace":"default",)"
         R"("uid":"u-1"},"target":{"apiVersion":"v1","kind":"Node","name":"n1"}})"},
        {"escaped", "a\"b", "ns\\x", "u", "n\n",
         R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"a\"b","namespace":"ns\\x",)"
         R"("uid":"u"},"target":{"apiVersion":"v1","kind":"Node","name":"n\n"}})"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            pod p;
            p.meta.name = c.pod_name;
            p.meta.ns = c.ns;
            p.meta.uid = c.uid;
            const std::string body = binding_body(p, c.node);
            CHECK(body == c.want);
            const auto d = json::document::parse(body);
            REQUIRE(d.has_value());
            CHECK(d->root()["metadata"]["name"].as_string() == c.pod_name);
            CHECK(d->root()["target"]["name"].as_string() == c.node);
        }
    }
}

TEST_CASE("encode.pod_scheduled_condition_patch", "[encode]") {
    const std::string body = pod_scheduled_condition_patch(
        "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.",
        "2024-05-01T10:00:00Z");
    CHECK(body ==
          R"({"status":{"conditions":[{"type":"PodScheduled","status":"False",)"
          R"("reason":"Unschedulable","message":"0/3 nodes are available: 3 Insufficient cpu.",)"
          R"("lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:00Z"}]}})");
}

}  // namespace
}  // namespace multisched::api
