// SPDX-License-Identifier: Apache-2.0
// Reserve/Unreserve: upstream binder_test.go TestAssumePodVolumes and TestRevertAssumedPodVolumes
// (v1.30) as a table, and the overlay seen by the next pods of the scheduling loop.
#include <catch2/catch.hpp>

#include "core/metrics/scheduler_metrics.hpp"
#include "plugins/volume_binding/test_util.hpp"

namespace multisched::plugins::volume_binding {
namespace {

using testing::harness;
using testing::make_class;
using testing::make_host;
using testing::pod_with_claims;
using testing::pv_builder;
using testing::pvc_builder;

const std::string kWait = "wait-sc";
const std::string kProvision = "provision-sc";

std::shared_ptr<const framework::pod_info> info(const api::pod& pod) {
    return framework::make_pod_info(std::make_shared<const api::pod>(pod));
}

pv_builder node_a_pv(std::string name, std::string_view size) {
    return pv_builder(std::move(name), kWait)
        .capacity(size)
        .node_affinity({{"kubernetes.io/hostname", {"node-a"}}});
}

void add_classes(harness& env) {
    env.add(make_class(kWait, "WaitForFirstConsumer"));
    env.add(make_class(kProvision, "WaitForFirstConsumer", "example.com/csi"));
}

TEST_CASE("volume_binding.assume_pod_volumes") {
    const auto unbound = pvc_builder("unbound-pvc", kWait).request("1G").obj();
    const auto unbound2 = pvc_builder("unbound-pvc2", kWait).request("5G").obj();
    const auto provisioned = pvc_builder("provisioned-pvc", kProvision).obj();
    const auto bound = pvc_builder("bound-pvc", kWait).bound("pv-bound").obj();
    const auto pv1a = node_a_pv("pv-node1a", "5G").obj();
    const auto pv1b = node_a_pv("pv-node1b", "10G").obj();
    const auto pv1a_bound = node_a_pv("pv-node1a", "5G").bound_to(unbound).obj();
    const auto pv_bound = node_a_pv("pv-bound", "1G").bound_to(bound).obj();
    const auto stale_provisioned = pvc_builder("provisioned-pvc", kProvision).rv("2").obj();

    using binding = std::pair<api::persistent_volume_claim, api::persistent_volume>;
    struct test_case {
        std::string name;
        std::vector<api::persistent_volume_claim> pod_pvcs;  // in the store and the pod
        std::vector<api::persistent_volume> pvs;             // in the store
        std::vector<binding> bindings;
        std::vector<api::persistent_volume_claim> provisions;
        std::string want_error;  // empty: success
        bool want_all_bound = false;
        std::vector<std::string> want_assumed_pvs = {};   // claimRef set in the overlay
        std::vector<std::string> want_assumed_pvcs = {};  // selected-node set in the overlay
        std::vector<api::persistent_volume_claim> store_pvcs = {};  // overrides pod_pvcs
    };
    const std::vector<test_case> cases = {
        {"all-bound", {bound}, {pv_bound}, {}, {}, "", true},
        {"one-binding", {unbound}, {pv1a}, {{unbound, pv1a}}, {}, "", false, {"pv-node1a"}},
        {"two-bindings",
         {unbound, unbound2},
         {pv1a, pv1b},
         {{unbound, pv1a}, {unbound2, pv1b}},
         {},
         "",
         false,
         {"pv-node1a", "pv-node1b"}},
        // Nothing to change: the binding stays, nothing is assumed.
        {"pv-already-bound", {unbound}, {pv1a_bound}, {{unbound, pv1a_bound}}, {}, "", false},
        {"tmpupdate-failed",
         {unbound},
         {pv1a},
         {{unbound, pv1a}, {unbound2, pv1b}},
         {},
         R"(could not find v1.PersistentVolume "pv-node1b")"},
        {"one-binding, one-pvc-provisioned",
         {unbound, provisioned},
         {pv1a},
         {{unbound, pv1a}},
         {provisioned},
         "",
         false,
         {"pv-node1a"},
         {"default/provisioned-pvc"}},
        {"one-binding, one-provision-tmpupdate-failed",
         {unbound, provisioned},
         {pv1a},
         {{unbound, pv1a}},
         {provisioned},
         R"(v1.PersistentVolumeClaim "default/provisioned-pvc" is out of sync (stored: 2, assume: 1))",
         false,
         {},
         {},
         {unbound, stale_provisioned}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        harness env;
        metrics::registry reg;
        metrics::scheduler_metrics m(reg);
        env.h.scheduler_metrics = &m;
        add_classes(env);
        for (const auto& pvc : c.store_pvcs.empty() ? c.pod_pvcs : c.store_pvcs) {
            env.add(pvc);
        }
        for (const auto& pv : c.pvs) {
            env.add(pv);
        }
        std::vector<std::string> names;
        for (const auto& pvc : c.pod_pvcs) {
            names.push_back(pvc.meta.name);
        }
        const auto pod = info(pod_with_claims(names));
        auto st = std::make_unique<state>();
        st->has_claims = true;
        pod_volumes& volumes = st->by_node["node-a"];
        volumes.node = std::make_shared<const api::node>(make_host("node-a"));
        for (const auto& [claim, pv] : c.bindings) {
            volumes.static_bindings.push_back(
                {std::make_shared<const api::persistent_volume_claim>(claim),
                 std::make_shared<const api::persistent_volume>(pv)});
        }
        for (const auto& claim : c.provisions) {
            volumes.dynamic_provisions.push_back(
                std::make_shared<const api::persistent_volume_claim>(claim));
        }
        framework::cycle_state cs;
        cs.write(kStateKey, std::move(st));

        const auto got = env.plugin.reserve(cs, *pod, "node-a");
        const auto* after = cs.read<state>(kStateKey);
        const auto& objects = env.h.cluster_objects;
        const auto& assumed = env.plugin.assumed();
        // A failed assumption is AssumePodVolumes' stage error.
        CHECK(m.volume_scheduling_stage_errors.with({"assume"}).value() ==
              (c.want_error.empty() ? 0 : 1));
        if (!c.want_error.empty()) {
            CHECK(got.code() == framework::code::error);
            CHECK(got.message() == c.want_error);
            // Everything assumed so far was reverted.
            CHECK(assumed.pvs.size() == 0);
            CHECK(assumed.pvcs.size() == 0);
            continue;
        }
        REQUIRE(got.is_success());
        CHECK(after->all_bound == c.want_all_bound);
        CHECK(assumed.pvs.size() == c.want_assumed_pvs.size());
        for (const auto& name : c.want_assumed_pvs) {
            const auto pv = assumed.pv(objects, name);
            REQUIRE(pv->claim_ref.has_value());
            CHECK(pv->annotations.contains(api::kAnnBoundByController));
            CHECK(pv != objects.pvs.find(name));
        }
        CHECK(assumed.pvcs.size() == c.want_assumed_pvcs.size());
        for (const auto& key : c.want_assumed_pvcs) {
            const std::string* node =
                assumed.pvc(objects, key)->annotations.find(api::kAnnSelectedNode);
            REQUIRE(node != nullptr);
            CHECK(*node == "node-a");
        }
        // upstream TestRevertAssumedPodVolumes: Unreserve restores the informer's objects, twice.
        for (int i = 0; i < 2; ++i) {
            env.plugin.unreserve(cs, *pod, "node-a");
            CHECK(assumed.pvs.size() == 0);
            CHECK(assumed.pvcs.size() == 0);
        }
    }
}

TEST_CASE("volume_binding.reserve_without_decisions") {
    harness env;
    add_classes(env);
    framework::cycle_state cs;
    const auto pod = info(pod_with_claims({}));
    // No state at all: upstream's getStateData error.
    CHECK(env.plugin.reserve(cs, *pod, "node-a").code() == framework::code::error);
    env.plugin.unreserve(cs, *pod, "node-a");  // nothing to do, no crash
    // PreFilter skipped: nothing to bind.
    REQUIRE(env.pre_filter(cs, *pod).is_skip());
    CHECK(env.plugin.reserve(cs, *pod, "node-a").is_success());
    CHECK(cs.read<state>(kStateKey)->all_bound);
}

TEST_CASE("volume_binding.assumed_volumes_are_not_chosen_twice") {
    const std::vector<api::node> nodes = {make_host("node-a"), make_host("node-b")};
    harness env;
    add_classes(env);
    env.add(pvc_builder("pvc-1", kWait).request("1G").obj());
    env.add(pvc_builder("pvc-2", kWait).request("1G").obj());
    env.add(node_a_pv("pv-a", "5G").obj());

    framework::cycle_state first;
    CHECK(env.schedule(first, pod_with_claims({"pvc-1"}, "pod-1"), nodes) == "node-a");
    CHECK(env.plugin.assumed().pvs.size() == 1);

    // The informer has not caught up: the second pod finds no volume.
    framework::cycle_state second;
    CHECK(env.schedule(second, pod_with_claims({"pvc-2"}, "pod-2"), nodes).empty());

    // The first binding failed: Unreserve frees the volume for the next try.
    env.plugin.unreserve(first, *info(pod_with_claims({"pvc-1"}, "pod-1")), "node-a");
    framework::cycle_state third;
    CHECK(env.schedule(third, pod_with_claims({"pvc-2"}, "pod-2"), nodes) == "node-a");

    // A newer informer copy ends the assumption (here: the PV controller bound it elsewhere).
    const auto other = pvc_builder("elsewhere", kWait).obj();
    env.add(node_a_pv("pv-a", "5G").rv("2").bound_to(other).obj());
    framework::cycle_state fourth;
    CHECK(env.schedule(fourth, pod_with_claims({"pvc-1"}, "pod-1"), nodes).empty());
    CHECK(env.plugin.assumed().pvs.size() == 0);
}

TEST_CASE("volume_binding.assumed_claims_keep_their_node") {
    const std::vector<api::node> nodes = {make_host("node-a"), make_host("node-b")};
    harness env;
    add_classes(env);
    env.add(pvc_builder("shared", kProvision).obj());

    framework::cycle_state first;
    CHECK(env.schedule(first, pod_with_claims({"shared"}, "pod-1"), {nodes[1]}) == "node-b");
    // A second pod of the same claim follows the selected node of the assumed claim.
    framework::cycle_state second;
    CHECK(env.schedule(second, pod_with_claims({"shared"}, "pod-2"), nodes) == "node-b");
    const auto* st = second.read<state>(kStateKey);
    CHECK(st->by_node.size() == 1);
}

}  // namespace
}  // namespace multisched::plugins::volume_binding
