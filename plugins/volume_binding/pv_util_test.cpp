// SPDX-License-Identifier: Apache-2.0
// The volume helpers as tables: upstream pv_helpers.go FindMatchingVolume on the scheduler path
// (with the tie-breaks of our name-ordered volume lists), GetBindVolumeToClaim,
// GetPersistentVolumeClaimClass with the DefaultStorageClass admission, CheckNodeAffinity and
// MatchTopologySelectorTerms.
#include "plugins/volume_binding/pv_util.hpp"

#include <catch2/catch.hpp>

#include "plugins/volume_binding/test_util.hpp"

namespace multisched::plugins::volume_binding {
namespace {

using testing::pv_builder;
using testing::pvc_builder;

const std::string kWait = "waitClass";

std::vector<candidate_pv> candidates(const std::vector<api::persistent_volume>& pvs) {
    std::vector<candidate_pv> out;
    for (const auto& pv : pvs) {
        out.push_back({std::make_shared<const api::persistent_volume>(pv),
                       volume_affinity(pv.node_affinity)});
    }
    return out;
}

pv_builder local_pv(std::string name, std::string node, std::string_view size) {
    return pv_builder(std::move(name), kWait)
        .capacity(size)
        .node_affinity({{"nodeKey", {std::move(node)}}})
        .access_modes({"ReadWriteOnce"});
}

TEST_CASE("volume_binding.find_matching_volume") {
    const auto claim = pvc_builder("unbound-pvc", kWait)
                           .ns("testns")
                           .request("1G")
                           .access_modes({"ReadWriteOnce"})
                           .obj();
    const auto other = pvc_builder("other-pvc", kWait).ns("testns").obj();
    api::label_map node;
    node.set("nodeKey", "node1");

    struct test_case {
        std::string name;
        std::vector<api::persistent_volume> pvs;
        std::string want;  // "" : no match
        api::persistent_volume_claim claim;
        std::set<std::string, std::less<>> excluded = {};
        bool want_error = false;
    };
    const std::vector<test_case> cases = {
        {"the smallest fitting volume wins",
         {local_pv("pv-node2", "node2", "1G").obj(), local_pv("pv-node1b", "node1", "10G").obj(),
          local_pv("pv-node1a", "node1", "5G").obj()},
         "pv-node1a",
         claim},
        {"equal capacity: the first in list order",
         {local_pv("pv-a", "node1", "5G").obj(), local_pv("pv-b", "node1", "5G").obj()},
         "pv-a",
         claim},
        {"exact capacity fits", {local_pv("pv-a", "node1", "1G").obj()}, "pv-a", claim},
        {"capacity below the request", {local_pv("pv-a", "node1", "999M").obj()}, "", claim},
        {"volume on another node", {local_pv("pv-node2", "node2", "5G").obj()}, "", claim},
        {"no node affinity: any node",
         {pv_builder("pv-a", kWait).capacity("5G").access_modes({"ReadWriteOnce"}).obj()},
         "pv-a",
         claim},
        {"pre-bound to the claim wins over a smaller volume",
         {local_pv("pv-small", "node1", "2G").obj(),
          local_pv("pv-big", "node1", "10G").bound_to(claim).obj()},
         "pv-big",
         claim},
        {"pre-bound by name and namespace only (no uid)",
         {local_pv("pv-small", "node1", "2G").obj(),
          local_pv("pv-big", "node1", "10G").claim_ref("testns", "unbound-pvc", "").obj()},
         "pv-big",
         claim},
        {"pre-bound volume on another node: no match at all",
         {local_pv("pv-node1", "node1", "2G").obj(),
          local_pv("pv-node2", "node2", "10G").bound_to(claim).obj()},
         "",
         claim},
        {"pre-bound but too small: skipped",
         {local_pv("pv-a", "node1", "100M").bound_to(claim).obj()},
         "",
         claim},
        {"claimRef with another uid is another claim",
         {local_pv("pv-a", "node1", "5G").claim_ref("testns", "unbound-pvc", "old-uid").obj()},
         "",
         claim},
        {"bound to another claim",
         {local_pv("pv-a", "node1", "5G").bound_to(other).obj()},
         "",
         claim},
        {"not Available", {local_pv("pv-a", "node1", "5G").phase("Released").obj()}, "", claim},
        {"pending", {local_pv("pv-a", "node1", "5G").phase("Pending").obj()}, "", claim},
        {"being deleted", {local_pv("pv-a", "node1", "5G").deleting().obj()}, "", claim},
        {"volume mode Block for a Filesystem claim",
         {local_pv("pv-a", "node1", "5G").mode("Block").obj()},
         "",
         claim},
        {"volume mode Filesystem equals unset",
         {local_pv("pv-a", "node1", "5G").mode("Filesystem").obj()},
         "pv-a",
         claim},
        {"Block claim, Block volume",
         {local_pv("pv-a", "node1", "5G").obj(),
          local_pv("pv-b", "node1", "6G").mode("Block").obj()},
         "pv-b",
         pvc_builder("c", kWait).request("1G").mode("Block").obj()},
        {"another class",
         {pv_builder("pv-a", "other").capacity("5G").access_modes({"ReadWriteOnce"}).obj()},
         "",
         claim},
        {"the beta class annotation decides",
         {pv_builder("pv-a", "other")
              .capacity("5G")
              .access_modes({"ReadWriteOnce"})
              .annotation(std::string(kBetaStorageClassAnnotation), kWait)
              .obj()},
         "pv-a",
         claim},
        {"missing access mode",
         {local_pv("pv-a", "node1", "5G").access_modes({"ReadOnlyMany"}).obj()},
         "",
         claim},
        {"more access modes than asked",
         {local_pv("pv-a", "node1", "5G").access_modes({"ReadOnlyMany", "ReadWriteOnce"}).obj()},
         "pv-a",
         claim},
        {"selector matches the volume labels",
         {local_pv("pv-a", "node1", "2G").obj(),
          local_pv("pv-b", "node1", "5G").label("tier", "gold").obj()},
         "pv-b",
         pvc_builder("c", kWait)
             .request("1G")
             .selector(multisched::testing::selector_labels({{"tier", "gold"}}))
             .obj()},
        {"selector matches nothing",
         {local_pv("pv-a", "node1", "2G").label("tier", "silver").obj()},
         "",
         pvc_builder("c", kWait)
             .request("1G")
             .selector(multisched::testing::selector_in("tier", {"gold"}))
             .obj()},
        {"invalid selector is an error",
         {local_pv("pv-a", "node1", "2G").obj()},
         "",
         pvc_builder("c", kWait).selector(multisched::testing::selector_in("tier", {})).obj(),
         {},
         true},
        {"excluded volumes are not chosen twice",
         {local_pv("pv-a", "node1", "2G").obj(), local_pv("pv-b", "node1", "5G").obj()},
         "pv-b",
         claim,
         {"pv-a"}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto pvs = candidates(c.pvs);
        auto got = find_matching_volume(c.claim, claim_class(c.claim, ""), pvs, node, c.excluded);
        if (c.want_error) {
            REQUIRE_FALSE(got.has_value());
            CHECK_THAT(got.error().message,
                       Catch::StartsWith("error creating internal label selector for claim: "
                                         "default/c: "));
            continue;
        }
        REQUIRE(got.has_value());
        CHECK((*got ? (*got)->meta.name : std::string()) == c.want);
    }
}

TEST_CASE("volume_binding.claim_class") {
    auto sc = [](std::string name, std::string ts, std::string key, std::string value) {
        auto s = testing::make_class(std::move(name), "Immediate");
        s.meta.creation_timestamp = std::move(ts);
        if (!key.empty()) {
            s.annotations.set(std::move(key), std::move(value));
        }
        return s;
    };
    const std::string ga(kIsDefaultClassAnnotation);
    const std::string beta(kBetaIsDefaultClassAnnotation);
    struct test_case {
        std::string name;
        std::vector<api::storage_class> classes;
        api::persistent_volume_claim claim;
        std::string want;
    };
    const std::vector<test_case> cases = {
        {"explicit class",
         {sc("fast", "2024-01-01T00:00:00Z", ga, "true")},
         pvc_builder("c", "slow").obj(),
         "slow"},
        {"explicit empty class means none",
         {sc("fast", "2024-01-01T00:00:00Z", ga, "true")},
         pvc_builder("c", "").obj(),
         ""},
        {"unset: the default class",
         {sc("fast", "2024-01-01T00:00:00Z", ga, "true"),
          sc("slow", "2024-01-01T00:00:00Z", "", "")},
         pvc_builder("c", std::nullopt).obj(),
         "fast"},
        {"unset without a default class",
         {sc("slow", "2024-01-01T00:00:00Z", ga, "false")},
         pvc_builder("c", std::nullopt).obj(),
         ""},
        {"the beta default annotation counts",
         {sc("fast", "2024-01-01T00:00:00Z", beta, "true")},
         pvc_builder("c", std::nullopt).obj(),
         "fast"},
        {"several defaults: the newest",
         {sc("a", "2024-01-01T00:00:00Z", ga, "true"), sc("b", "2024-02-01T00:00:00Z", ga, "true"),
          sc("c", "2023-12-01T00:00:00Z", ga, "true")},
         pvc_builder("c", std::nullopt).obj(),
         "b"},
        {"several defaults of the same age: by name",
         {sc("b", "2024-01-01T00:00:00Z", ga, "true"), sc("a", "2024-01-01T00:00:00Z", ga, "true")},
         pvc_builder("c", std::nullopt).obj(),
         "a"},
        {"the beta class annotation wins",
         {sc("fast", "2024-01-01T00:00:00Z", ga, "true")},
         pvc_builder("c", "slow")
             .annotation(std::string(kBetaStorageClassAnnotation), "beta")
             .obj(),
         "beta"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        cache::object_store<api::storage_class> store;
        for (const auto& s : c.classes) {
            store.upsert(s.meta.name, std::make_shared<const api::storage_class>(s));
        }
        CHECK(claim_class(c.claim, default_class_name(store)) == c.want);
    }
}

TEST_CASE("volume_binding.volume_affinity") {
    api::node_selector_term by_zone;
    by_zone.match_expressions.push_back({"zone", "In", {"a"}});
    api::node_selector_term by_name;
    by_name.match_fields.push_back({"metadata.name", "In", {"some-other-node"}});
    api::node_selector_term invalid;
    invalid.match_expressions.push_back({"zone", "Gt", {"x", "y"}});
    api::node_selector_term by_rack;
    by_rack.match_expressions.push_back({"rack", "Exists", {}});
    using terms = std::vector<api::node_selector_term>;
    struct test_case {
        std::string name;
        std::optional<terms> required;
        bool want;
    };
    const std::vector<test_case> cases = {
        {"no affinity: every node", std::nullopt, true},
        {"no terms: no node", terms{}, false},
        {"matching term", terms{by_zone}, true},
        {"terms are ORed", terms{by_rack, by_zone}, true},
        {"no term matches", terms{by_rack}, false},
        {"an empty term matches nothing", terms{api::node_selector_term{}}, false},
        {"invalid terms are skipped", terms{invalid}, false},
        {"invalid terms do not hide valid ones", terms{invalid, by_zone}, true},
        // upstream checks PV affinity against a name-less node: field terms are not evaluated.
        {"metadata.name field terms pass", terms{by_name}, true},
    };
    api::label_map labels;
    labels.set("zone", "a");
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(volume_affinity(c.required).matches(labels) == c.want);
    }
}

TEST_CASE("volume_binding.topology_matches") {
    auto term = [](std::string key, std::vector<std::string> values) {
        api::node_selector_term t;
        t.match_expressions.push_back({std::move(key), "In", std::move(values)});
        return t;
    };
    using terms = std::vector<api::node_selector_term>;
    struct test_case {
        std::string name;
        terms allowed;
        bool want;
    };
    const std::vector<test_case> cases = {
        {"no allowedTopologies: every node", {}, true},
        {"value listed", {term("nodeKey", {"node1", "reference-value"})}, true},
        {"value not listed", {term("nodeKey", {"reference-value"})}, false},
        {"label missing", {term("zone", {"a"})}, false},
        {"any term", {term("zone", {"a"}), term("nodeKey", {"node1"})}, true},
        {"an empty term selects nothing", {api::node_selector_term{}}, false},
        {"no values is invalid", {term("nodeKey", {})}, false},
    };
    api::label_map labels;
    labels.set("nodeKey", "node1");
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(topology_matches(c.allowed, labels) == c.want);
    }
}

TEST_CASE("volume_binding.bind_volume_to_claim") {
    const auto claim = pvc_builder("unbound-pvc", kWait).ns("testns").uid("pvc-uid").obj();
    struct test_case {
        std::string name;
        api::persistent_volume pv;
        bool want_dirty;
        bool want_bound_by_controller;
    };
    const std::vector<test_case> cases = {
        {"available volume", pv_builder("pv", kWait).obj(), true, true},
        {"already bound to the claim", pv_builder("pv", kWait).bound_to(claim).obj(), false, true},
        {"pre-bound by the user without uid",
         pv_builder("pv", kWait).claim_ref("testns", "unbound-pvc", "").obj(), true, false},
        {"pre-bound by the user with uid",
         pv_builder("pv", kWait).claim_ref("testns", "unbound-pvc", "pvc-uid").obj(), false, false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto [pv, dirty] = bind_volume_to_claim(c.pv, claim);
        CHECK(dirty == c.want_dirty);
        REQUIRE(pv->claim_ref.has_value());
        CHECK(*pv->claim_ref == api::object_reference{"testns", "unbound-pvc", "pvc-uid"});
        CHECK(pv->annotations.contains(api::kAnnBoundByController) == c.want_bound_by_controller);
        CHECK(pv->meta.resource_version == c.pv.meta.resource_version);
    }
}

TEST_CASE("volume_binding.claim_state") {
    struct test_case {
        std::string name;
        api::persistent_volume_claim claim;
        bool want_fully_bound;
    };
    const std::vector<test_case> cases = {
        {"unbound", pvc_builder("c", kWait).obj(), false},
        {"pre-bound", pvc_builder("c", kWait).prebound("pv").obj(), false},
        {"bound", pvc_builder("c", kWait).bound("pv").obj(), true},
        {"annotated only",
         pvc_builder("c", kWait).annotation(std::string(api::kAnnBindCompleted), "yes").obj(),
         false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(is_pvc_fully_bound(c.claim) == c.want_fully_bound);
    }
    api::volume eph;
    eph.name = "scratch";
    eph.ephemeral = true;
    api::volume other;
    other.name = "config";
    const auto pod = multisched::testing::make_pod().name("web-0").obj();
    CHECK(api::volume_claim_name(pod, eph) == "web-0-scratch");
    CHECK(api::volume_claim_name(pod, other).empty());
    CHECK(parse_resource_version("42") == std::optional<std::uint64_t>(42));
    CHECK_FALSE(parse_resource_version("").has_value());
    CHECK_FALSE(parse_resource_version("4x").has_value());
}

}  // namespace
}  // namespace multisched::plugins::volume_binding
