// SPDX-License-Identifier: Apache-2.0
// v1 JSON of the object model: encode then decode (api/decode.hpp) gives back an equal object.
#include "core/extender/objects.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/api/decode.hpp"
#include "core/api/quantity.hpp"
#include "test/util/builders.hpp"

namespace multisched::extender {
namespace {

json::document parse(std::string_view text) {
    auto doc = json::document::parse(text);
    INFO(std::string(text));
    REQUIRE(doc.has_value());
    return std::move(*doc);
}

api::pod round_trip(const api::pod& p) {
    const std::string text = pod_json(p);
    auto back = api::decode_pod(parse(text).root());
    INFO(text);
    REQUIRE(back.has_value());
    return *back;
}

api::node round_trip(const api::node& n) {
    const std::string text = node_json(n);
    auto back = api::decode_node(parse(text).root());
    INFO(text);
    REQUIRE(back.has_value());
    return *back;
}

api::label_selector selector(std::string key, std::string value) {
    api::label_selector s;
    s.match_labels.set(std::move(key), std::move(value));
    api::node_selector_requirement r;
    r.key = "tier";
    r.op = "In";
    r.values = {"a", "b"};
    s.match_expressions.push_back(r);
    return s;
}

api::pod rich_pod() {
    auto p = testing::make_pod()
                 .name("web")
                 .ns("prod")
                 .uid("u-1")
                 .scheduler("custom")
                 .priority(-5)
                 .nominated("n2")
                 .label("app", "web")
                 .req({{"cpu", "1500m"}, {"memory", "1Gi"}, {"example.com/gpu", "2"}})
                 .req({{"cpu", "0"}})
                 .init_req({{"ephemeral-storage", "3k"}, {"hugepages-2Mi", "4Mi"}})
                 .overhead({{"cpu", "10m"}, {"pods", "1"}})
                 .toleration("k", "Equal", "v", "NoSchedule")
                 .pod_affinity("zone", selector("app", "db"))
                 .pod_anti_affinity("host", selector("app", "web"), 30)
                 .spread(1, "zone", "DoNotSchedule", selector("app", "web"), 2)
                 .node_selector("disk", "ssd")
                 .host_port(8080, "UDP", "10.0.0.1")
                 .pvc("claim-a", true)
                 .phase("Pending")
                 .created("2024-05-01T10:00:00Z")
                 .deleting()
                 .obj();
    p.meta.resource_version = "42";
    p.meta.controller = api::controller_ref{"apps/v1", "ReplicaSet", "web-123", "rs-uid"};
    p.node_name = "n1";
    p.priority_class_name = "high";
    p.containers[0].image = "nginx:1";
    p.init_containers[0].restart_always = true;
    p.tolerations[0].toleration_seconds = 30;
    p.scheduling_gates = {"gate-a", "gate-b"};
    api::node_affinity na;
    api::node_selector_term term;
    term.match_fields.push_back(api::node_selector_requirement{"metadata.name", "In", {"n1"}});
    na.required = std::vector<api::node_selector_term>{term};
    api::preferred_scheduling_term pref;
    pref.weight = 7;
    pref.preference.match_expressions.push_back(
        api::node_selector_requirement{"gpu", "Exists", {}});
    na.preferred.push_back(pref);
    p.node_affinity = na;
    p.affinity->required[0].namespaces = {"ns-a"};
    p.affinity->required[0].namespace_selector = api::label_selector{};
    p.affinity->required[0].match_label_keys = {"pod-template-hash"};
    p.anti_affinity->preferred[0].term.mismatch_label_keys = {"team"};
    p.topology_spread_constraints[0].node_affinity_policy = "Ignore";
    p.topology_spread_constraints[0].node_taints_policy = "Honor";
    p.topology_spread_constraints[0].match_label_keys = {"version"};
    p.conditions.push_back(api::pod_condition{"PodScheduled", "False", "Unschedulable", "no fit"});
    return p;
}

std::vector<api::volume> all_volume_sources() {
    std::vector<api::volume> out(7);
    out[0].name = "eph";
    out[0].ephemeral = true;
    out[1].name = "gce";
    out[1].gce_pd_name = "disk-1";
    out[1].read_only = true;
    out[2].name = "ebs";
    out[2].aws_ebs_volume_id = "vol-1";
    out[3].name = "rbd";
    out[3].rbd_monitors = {"m1:6789", "m2:6789"};
    out[3].rbd_pool = "rbd";
    out[3].rbd_image = "img";
    out[4].name = "iscsi";
    out[4].iscsi_target_portal = "10.0.0.9:3260";
    out[4].iscsi_iqn = "iqn.2024-01.org:disk";
    out[4].iscsi_lun = 3;
    out[5].name = "cm";  // a source the model does not keep: the name alone
    out[6].name = "rbd-pool";
    out[6].rbd_pool = "fast";
    out[6].rbd_image = "img2";
    return out;
}

TEST_CASE("extender.objects_pod_round_trip") {
    api::pod minimal;
    minimal.meta.name = "p";
    minimal.meta.uid = "u";

    api::pod volumes = minimal;
    volumes.volumes = all_volume_sources();

    api::pod empty_affinity = minimal;
    empty_affinity.node_affinity = api::node_affinity{};
    empty_affinity.node_affinity->required = std::vector<api::node_selector_term>{};
    empty_affinity.affinity = api::pod_affinity{};
    api::pod_affinity_term nil_selector;
    nil_selector.topology_key = "zone";
    empty_affinity.anti_affinity = api::pod_affinity{};
    empty_affinity.anti_affinity->required.push_back(nil_selector);

    api::pod named_zero = minimal;
    named_zero.containers.push_back(testing::make_container("c", {{"memory", "0"}}));
    named_zero.containers[0].requests.add("example.com/zero", 0);

    struct row {
        const char* name;
        api::pod pod;
    };
    const std::vector<row> rows = {
        {"minimal", minimal},
        {"rich", rich_pod()},
        {"volumes", volumes},
        {"empty affinity", empty_affinity},
        {"named zero requests", named_zero},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            CHECK(round_trip(r.pod) == r.pod);
        }
    }
}

TEST_CASE("extender.objects_node_round_trip") {
    api::node minimal;
    minimal.meta.name = "n1";
    minimal.meta.uid = "nu";
    api::node rich = testing::make_node()
                         .name("n2")
                         .label("topology.kubernetes.io/zone", "z1")
                         .alloc({{"cpu", "3900m"},
                                 {"memory", "15Gi"},
                                 {"pods", "110"},
                                 {"ephemeral-storage", "100G"},
                                 {"nvidia.com/gpu", "8"}})
                         .image("registry/app:1", 123456789)
                         .unschedulable()
                         .taint("dedicated", "gpu", "NoSchedule")
                         .taint("maintenance", "", "NoExecute")
                         .obj();
    rich.meta.uid = "nu2";
    rich.meta.resource_version = "9";
    rich.images.push_back(api::container_image{{"a", "b"}, 0});
    CHECK(round_trip(minimal) == minimal);
    CHECK(round_trip(rich) == rich);
}

TEST_CASE("extender.objects_decoded_fixture_round_trip") {
    // An apiserver-style object, decoded, encoded and decoded again.
    constexpr std::string_view kPod = R"({"metadata":{"name":"a","namespace":"d","uid":"u",
      "annotations":{"x":"y"},"ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n",
      "uid":"o1"},{"apiVersion":"apps/v1","kind":"StatefulSet","name":"s","uid":"o2",
      "controller":true}]},"spec":{"containers":[{"name":"c","resources":{"requests":
      {"cpu":"0.1","memory":"1.5Gi","example.com/foo":"1k"},"limits":{"cpu":"1"}},
      "ports":[{"containerPort":80}]}],"volumes":[{"name":"v","rbd":{"monitors":["m"],
      "image":"i"}},{"name":"e","ephemeral":{"volumeClaimTemplate":{"spec":{}}}}]},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True",
      "lastTransitionTime":"2024-01-01T00:00:00Z"}]}})";
    auto first = api::decode_pod(parse(kPod).root());
    REQUIRE(first.has_value());
    CHECK(round_trip(*first) == *first);
    CHECK(first->containers[0].ports[0].protocol == "TCP");
    CHECK(first->volumes[0].rbd_pool == "rbd");
}

TEST_CASE("extender.objects_json_shape") {
    api::pod p;
    p.meta.name = "p";
    p.meta.uid = "u";
    // Go writes a zero creationTimestamp as null and always writes containers and resources.
    CHECK(pod_json(p) == R"({"metadata":{"name":"p","uid":"u","creationTimestamp":null},)"
                         R"("spec":{"containers":[]},"status":{}})");
    p.containers.push_back(testing::make_container("c", {{"example.com/b", "1"}, {"cpu", "2"}}));
    p.containers[0].requests.add("example.com/a", 1);
    CHECK_THAT(pod_json(p),
               Catch::Contains(R"("resources":{"requests":{"cpu":"2","example.com/a":"1",)"
                               R"("example.com/b":"1"}})"));
    api::node n;
    n.meta.name = "n";
    n.allocatable.milli_cpu = 500;
    CHECK(node_json(n) == R"({"metadata":{"name":"n","creationTimestamp":null},"spec":{},)"
                          R"("status":{"capacity":{"cpu":"500m"},"allocatable":{"cpu":"500m"}}})");
}

TEST_CASE("extender.objects_format_quantity") {
    struct row {
        std::string_view resource;
        std::int64_t amount;
        std::string_view text;
    };
    const std::vector<row> rows = {
        {"cpu", 0, "0"},
        {"cpu", 1000, "1"},
        {"cpu", 1500, "1500m"},
        {"cpu", 1, "1m"},
        {"cpu", -250, "-250m"},
        {"memory", 0, "0"},
        {"memory", 1000, "1000"},
        {"memory", 1024, "1Ki"},
        {"memory", 1536LL * 1024 * 1024, "1536Mi"},
        {"memory", 1LL << 30, "1Gi"},
        {"memory", 1LL << 60, "1Ei"},
        {"memory", 1LL << 62, "4Ei"},
        {"memory", -1024, "-1024"},
        {"ephemeral-storage", 1LL << 40, "1Ti"},
        {"hugepages-2Mi", 2LL << 20, "2Mi"},
        {"pods", 1024, "1024"},
        {"example.com/gpu", 2048, "2048"},
    };
    for (const auto& r : rows) {
        INFO(r.resource << " " << r.amount);
        const std::string text = format_quantity(r.resource, r.amount);
        CHECK(text == r.text);
        auto q = api::quantity::parse(text);
        REQUIRE(q.has_value());
        CHECK((r.resource == "cpu" ? q->milli_value() : q->value()) == r.amount);
    }
}

}  // namespace
}  // namespace multisched::extender
