// SPDX-License-Identifier: Apache-2.0
// Decoding of PersistentVolumeClaim, PersistentVolume, StorageClass, CSINode,
// PodDisruptionBudget and Namespace objects.
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/api/decode.hpp"
#include "core/json/json.hpp"

namespace multisched::api {
namespace {

json::document parsed(std::string_view text) {
    auto d = json::document::parse(text);
    INFO("text: " << std::string(text));
    REQUIRE(d.has_value());
    return std::move(*d);
}

TEST_CASE("decode.pvc", "[decode]") {
    const auto doc = parsed(R"({"metadata":{"name":"data","namespace":"ml","uid":"u1",
        "annotations":{"volume.kubernetes.io/selected-node":"n1",
                       "pv.kubernetes.io/bind-completed":"yes"}},
      "spec":{"volumeName":"pv-1","storageClassName":"local","accessModes":["ReadWriteOnce"],
              "resources":{"requests":{"storage":"10Gi"}},
              "selector":{"matchLabels":{"disk":"ssd"}},"volumeMode":"Block"},
      "status":{"phase":"Bound"}})");
    const auto c = decode_pvc(doc.root());
    REQUIRE(c.has_value());
    CHECK(c->meta.ns == "ml");
    CHECK(*c->annotations.find(kAnnSelectedNode) == "n1");
    CHECK(c->annotations.contains(kAnnBindCompleted));
    CHECK(c->volume_name == "pv-1");
    CHECK(c->storage_class_name == std::optional<std::string>("local"));
    CHECK(c->access_modes == std::vector<std::string>{"ReadWriteOnce"});
    CHECK(c->storage_request == 10LL * 1024 * 1024 * 1024);
    REQUIRE(c->selector.has_value());
    CHECK(c->volume_mode == "Block");
    CHECK(c->phase == "Bound");

    SECTION("storageClassName unset vs empty") {
        const auto unset = decode_pvc(parsed(R"({"metadata":{"name":"a","uid":"u"}})").root());
        REQUIRE(unset.has_value());
        CHECK_FALSE(unset->storage_class_name.has_value());
        const auto empty = decode_pvc(
            parsed(R"({"metadata":{"name":"a","uid":"u"},"spec":{"storageClassName":""}})").root());
        REQUIRE(empty.has_value());
        CHECK(empty->storage_class_name == std::optional<std::string>(""));
    }
}

TEST_CASE("decode.pv", "[decode]") {
    const auto doc = parsed(R"({"metadata":{"name":"pv-1","uid":"u2","labels":{"a":"b"}},
      "spec":{"storageClassName":"local","accessModes":["ReadWriteOnce","ReadOnlyMany"],
              "capacity":{"storage":"100Gi"},
              "nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[
                 {"key":"kubernetes.io/hostname","operator":"In","values":["n1"]}]}]}},
              "claimRef":{"namespace":"ml","name":"data","uid":"u1"},
              "csi":{"driver":"ebs.csi.aws.com","volumeHandle":"vol-9"}},
      "status":{"phase":"Bound"}})");
    const auto v = decode_pv(doc.root());
    REQUIRE(v.has_value());
    CHECK(v->storage_class_name == "local");
    CHECK(v->capacity == 100LL * 1024 * 1024 * 1024);
    REQUIRE(v->node_affinity.has_value());
    REQUIRE(v->node_affinity->size() == 1);
    CHECK((*v->node_affinity)[0].match_expressions[0].values == std::vector<std::string>{"n1"});
    REQUIRE(v->claim_ref.has_value());
    CHECK(*v->claim_ref == object_reference{"ml", "data", "u1"});
    CHECK(v->csi_driver == "ebs.csi.aws.com");
    CHECK(v->csi_volume_handle == "vol-9");
    CHECK(v->phase == "Bound");
    CHECK(v->meta.labels.contains("a"));
}

TEST_CASE("decode.storage_class_and_csi_node", "[decode]") {
    const auto sc = decode_storage_class(parsed(R"({"metadata":{"name":"local","uid":"u3",
          "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
          "provisioner":"kubernetes.io/no-provisioner","volumeBindingMode":"WaitForFirstConsumer",
          "allowedTopologies":[{"matchLabelExpressions":[
             {"key":"topology.kubernetes.io/zone","values":["a","b"]}]}]})")
                                             .root());
    REQUIRE(sc.has_value());
    CHECK(sc->provisioner == "kubernetes.io/no-provisioner");
    CHECK(sc->volume_binding_mode == kVolumeBindingWaitForFirstConsumer);
    REQUIRE(sc->allowed_topologies.size() == 1);
    CHECK(
        sc->allowed_topologies[0].match_expressions ==
        std::vector<node_selector_requirement>{{"topology.kubernetes.io/zone", "In", {"a", "b"}}});

    const auto cn = decode_csi_node(parsed(R"({"metadata":{"name":"n1","uid":"u4"},
        "spec":{"drivers":[{"name":"d1","nodeID":"i-1","allocatable":{"count":25},
                            "topologyKeys":["zone"]},{"name":"d2","nodeID":"i-1"}]}})")
                                        .root());
    REQUIRE(cn.has_value());
    REQUIRE(cn->drivers.size() == 2);
    CHECK(cn->drivers[0].allocatable_count == std::optional<std::int32_t>(25));
    CHECK(cn->drivers[0].topology_keys == std::vector<std::string>{"zone"});
    CHECK_FALSE(cn->drivers[1].allocatable_count.has_value());
}

TEST_CASE("decode.pdb_and_namespace", "[decode]") {
    const auto pdb = decode_pdb(parsed(R"({"metadata":{"name":"b","namespace":"ml","uid":"u5"},
        "spec":{"selector":{"matchLabels":{"app":"db"}},"minAvailable":2},
        "status":{"disruptionsAllowed":1,"disruptedPods":{"db-0":"2024-01-01T00:00:00Z"}}})")
                                    .root());
    REQUIRE(pdb.has_value());
    REQUIRE(pdb->selector.has_value());
    CHECK(pdb->disruptions_allowed == 1);
    CHECK(pdb->disrupted_pods == std::vector<std::string>{"db-0"});

    const auto ns = decode_namespace(
        parsed(R"({"metadata":{"name":"ml","uid":"u6","labels":{"team":"x"}}})").root());
    REQUIRE(ns.has_value());
    CHECK(*ns->meta.labels.find("team") == "x");
}

TEST_CASE("decode.storage_errors_name_object_and_field", "[decode]") {
    struct test_case {
        std::string name;
        std::function<result<bool>(json::value)> decode;
        std::string text;
        std::string want;
    };
    const auto wrap = [](auto f) {
        return [f](json::value v) -> result<bool> {
            auto r = f(v);
            if (!r) {
                return r.error();
            }
            return true;
        };
    };
    const std::vector<test_case> cases = {
        {"pvc bad quantity", wrap(decode_pvc),
         R"({"metadata":{"name":"c","namespace":"ml","uid":"u"},
             "spec":{"resources":{"requests":{"storage":"ten"}}}})",
         "persistentvolumeclaim ml/c: spec.resources.requests.storage: "},
        {"pv bad claimRef", wrap(decode_pv),
         R"({"metadata":{"name":"v","uid":"u"},"spec":{"claimRef":[]}})",
         "persistentvolume v: spec.claimRef: expected an object, got array"},
        {"csinode missing uid", wrap(decode_csi_node), R"({"metadata":{"name":"n"}})",
         "csinode n: metadata.uid: required"},
        {"pdb bad status", wrap(decode_pdb),
         R"({"metadata":{"name":"b","namespace":"ml","uid":"u"},
             "status":{"disruptionsAllowed":"1"}})",
         "poddisruptionbudget ml/b: status.disruptionsAllowed: expected an integer, got string"},
        {"storageclass not an object", wrap(decode_storage_class), "[]",
         "storageclass <unnamed>: expected an object, got array"},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        const auto doc = parsed(tc.text);
        const auto r = tc.decode(doc.root());
        REQUIRE_FALSE(r.has_value());
        CHECK_THAT(r.error().message, Catch::StartsWith(tc.want));
    }
}

TEST_CASE("decode.workload_selectors", "[decode]") {
    const auto svc = decode_service(parsed(R"({"metadata":{"name":"s","namespace":"d","uid":"u"},
        "spec":{"selector":{"app":"web"}}})")
                                        .root());
    REQUIRE(svc.has_value());
    REQUIRE(svc->selector.has_value());
    CHECK(*svc->selector->find("app") == "web");
    const auto headless = decode_service(
        parsed(R"({"metadata":{"name":"s","namespace":"d","uid":"u"},"spec":{}})").root());
    REQUIRE(headless.has_value());
    CHECK_FALSE(headless->selector.has_value());
    const auto rs =
        decode_workload_set(parsed(R"({"metadata":{"name":"r","namespace":"d","uid":"u"},
                   "spec":{"selector":{"matchLabels":{"app":"web"}}}})")
                                .root());
    REQUIRE(rs.has_value());
    REQUIRE(rs->selector.has_value());
    const auto p = decode_pod(parsed(R"({"metadata":{"name":"p","namespace":"d","uid":"u",
        "ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n","uid":"x"},
                           {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r","uid":"y",
                            "controller":true}]}})")
                                  .root());
    REQUIRE(p.has_value());
    REQUIRE(p->meta.controller.has_value());
    CHECK(*p->meta.controller == controller_ref{"apps/v1", "ReplicaSet", "r", "y"});
}

TEST_CASE("decode.pod_group", "[decode]") {
    struct test_case {
        std::string name;
        std::string json;
        std::int32_t min_member;
        std::optional<std::int64_t> min_milli_cpu;  // nullopt: no minResources
        std::optional<std::int32_t> timeout;
        std::string error;  // substring of the error, "" for success
    };
    const std::vector<test_case> cases = {
        {"full",
         R"({"metadata":{"name":"train","namespace":"ml","uid":"g1"},
             "spec":{"minMember":4,"minResources":{"cpu":"8","memory":"16Gi"},
                     "scheduleTimeoutSeconds":30},
             "status":{"phase":"Scheduling","scheduled":2}})",
         4, 8000, 30, ""},
        {"only minMember", R"({"metadata":{"name":"g","namespace":"d","uid":"u"},"spec":{"minMember":2}})", 2,
         std::nullopt, std::nullopt, ""},
        {"no spec", R"({"metadata":{"name":"g","namespace":"d","uid":"u"}})", 0, std::nullopt, std::nullopt,
         ""},
        {"minMember of the wrong type",
         R"({"metadata":{"name":"g","namespace":"d","uid":"u"},"spec":{"minMember":"four"}})", 0,
         std::nullopt, std::nullopt, "spec.minMember"},
        {"bad quantity",
         R"({"metadata":{"name":"g","namespace":"d","uid":"u"},"spec":{"minMember":1,
             "minResources":{"cpu":"lots"}}})",
         0, std::nullopt, std::nullopt, "spec.minResources"},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        const auto doc = parsed(tc.json);
        const auto g = decode_pod_group(doc.root());
        if (!tc.error.empty()) {
            REQUIRE_FALSE(g.has_value());
            CHECK_THAT(g.error().message, Catch::Contains(tc.error));
            continue;
        }
        INFO((g.has_value() ? std::string() : g.error().message));
        REQUIRE(g.has_value());
        CHECK(g->min_member == tc.min_member);
        CHECK(g->min_resources.has_value() == tc.min_milli_cpu.has_value());
        if (tc.min_milli_cpu) {
            CHECK(g->min_resources->milli_cpu == *tc.min_milli_cpu);
            CHECK(g->min_resources->memory == 16LL << 30);
        }
        CHECK(g->schedule_timeout_seconds == tc.timeout);
    }
}

TEST_CASE("decode.pod_group_of", "[decode]") {
    pod p;
    CHECK(pod_group_of(p).empty());
    p.meta.labels.set("app", "x");
    CHECK(pod_group_of(p).empty());
    p.meta.labels.set(std::string(kPodGroupLabel), "train");
    CHECK(pod_group_of(p) == "train");
}

}  // namespace
}  // namespace multisched::api
