// SPDX-License-Identifier: Apache-2.0
// PreFilter and Filter: upstream volume_binding_test.go TestVolumeBinding (v1.30, without the
// capacity-scoring cases' scores) as a table, plus the claim states, the default class, dynamic
// provisioning and the selected-node fast path.
#include <catch2/catch.hpp>

#include "plugins/volume_binding/test_util.hpp"

namespace multisched::plugins::volume_binding {
namespace {

using framework::code;
using testing::fits;
using testing::make_class;
using testing::make_host;
using testing::node_want;
using testing::pod_with_claims;
using testing::pv_builder;
using testing::pvc_builder;
using testing::rejects;

constexpr std::string_view kHostname = "kubernetes.io/hostname";
const std::string kWaitSC = "wait-sc";
const std::string kWaitHDDSC = "wait-hdd-sc";
const std::string kImmediateSC = "immediate-sc";
const std::string kProvisionSC = "provision-sc";

std::vector<api::storage_class> upstream_classes() {
    return {make_class(kImmediateSC, "Immediate"), make_class(kWaitSC, "WaitForFirstConsumer"),
            make_class(kWaitHDDSC, "WaitForFirstConsumer")};
}

api::node zone_node(std::string name, const std::string& zone) {
    auto n = make_host(std::move(name));
    n.meta.labels.set("topology.kubernetes.io/region", "region-" + zone);
    n.meta.labels.set("topology.kubernetes.io/zone", "zone-" + zone);
    return n;
}

pv_builder local_pv(std::string name, const std::string& sc, std::string_view size,
                    std::string node) {
    return pv_builder(std::move(name), sc)
        .capacity(size)
        .node_affinity({{std::string(kHostname), {std::move(node)}}});
}

pv_builder zonal_pv(std::string name, std::string_view size, const std::string& zone) {
    return pv_builder(std::move(name), kWaitSC)
        .capacity(size)
        .node_affinity({{"topology.kubernetes.io/region", {"region-" + zone}},
                        {"topology.kubernetes.io/zone", {"zone-" + zone}}});
}

struct test_case {
    std::string name;
    api::pod pod;
    std::vector<api::node> nodes;
    std::vector<api::persistent_volume_claim> pvcs;
    std::vector<api::persistent_volume> pvs;
    code want_pre_filter = code::success;
    std::string want_pre_filter_reason{};
    std::vector<node_want> want_filter{};  // one per node when PreFilter succeeds
    std::vector<api::storage_class> classes = upstream_classes();
};

void run(const std::vector<test_case>& cases) {
    for (const auto& c : cases) {
        INFO(c.name);
        testing::harness env;
        for (const auto& sc : c.classes) {
            env.add(sc);
        }
        for (const auto& pvc : c.pvcs) {
            env.add(pvc);
        }
        for (const auto& pv : c.pvs) {
            env.add(pv);
        }
        framework::cycle_state cs;
        const framework::status pre = env.check_cycle(cs, c.pod, c.nodes, c.want_filter);
        CHECK(pre.code() == c.want_pre_filter);
        if (c.want_pre_filter == code::success || c.want_pre_filter == code::skip) {
            CHECK(pre.reasons().empty());
        } else {
            CHECK(pre.reasons() == std::vector<std::string>{c.want_pre_filter_reason});
        }
        if (pre.is_skip()) {
            // Skip still leaves an empty state for Reserve and PreBind.
            const auto* st = cs.read<state>(kStateKey);
            REQUIRE(st != nullptr);
            CHECK_FALSE(st->has_claims);
        }
    }
}

TEST_CASE("volume_binding.upstream_cases") {
    const auto bind = std::string(kErrReasonBindConflict);
    std::vector<test_case> cases;
    cases.push_back(
        {"pod has not pvcs", pod_with_claims({}), {make_host("node-a")}, {}, {}, code::skip});
    cases.push_back({"all bound",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", kWaitSC).bound("pv-a").obj()},
                     {pv_builder("pv-a", kWaitSC).obj()},
                     code::success,
                     "",
                     {fits()}});
    cases.push_back({"all bound with local volumes",
                     pod_with_claims({"pvc-a", "pvc-b"}),
                     {make_host("node-a"), make_host("node-b")},
                     {pvc_builder("pvc-a", kWaitSC).bound("pv-a").obj(),
                      pvc_builder("pvc-b", kWaitSC).bound("pv-b").obj()},
                     {local_pv("pv-a", kWaitSC, "1Gi", "node-a").phase("Bound").obj(),
                      local_pv("pv-b", kWaitSC, "1Gi", "node-a").phase("Bound").obj()},
                     code::success,
                     "",
                     {fits(), rejects({kErrReasonNodeConflict})}});
    cases.push_back({"PVC does not exist",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {},
                     {},
                     code::unschedulable_and_unresolvable,
                     R"(persistentvolumeclaim "pvc-a" not found)"});
    cases.push_back({"Part of PVCs do not exist",
                     pod_with_claims({"pvc-a", "pvc-b"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", kWaitSC).bound("pv-a").obj()},
                     {},
                     code::unschedulable_and_unresolvable,
                     R"(persistentvolumeclaim "pvc-b" not found)"});
    cases.push_back({"immediate claims not bound",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", kImmediateSC).obj()},
                     {},
                     code::unschedulable_and_unresolvable,
                     std::string(kErrUnboundImmediate)});
    cases.push_back({"unbound claims no matches",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", kWaitSC).obj()},
                     {},
                     code::success,
                     "",
                     {rejects({kErrReasonBindConflict})}});
    auto foo_bar = make_host("node-a");
    foo_bar.meta.labels.set("foo", "barbar");
    cases.push_back(
        {"bound and unbound unsatisfied",
         pod_with_claims({"pvc-a", "pvc-b"}),
         {foo_bar},
         {pvc_builder("pvc-a", kWaitSC).bound("pv-a").obj(), pvc_builder("pvc-b", kWaitSC).obj()},
         {pv_builder("pv-a", kWaitSC).node_affinity({{"foo", {"bar"}}}).obj()},
         code::success,
         "",
         {rejects({kErrReasonNodeConflict, kErrReasonBindConflict})}});
    cases.push_back({"pv not found",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", kWaitSC).bound("pv-a").obj()},
                     {},
                     code::success,
                     "",
                     {rejects({kErrReasonPVNotExist})}});
    cases.push_back(
        {"pv not found claim lost",
         pod_with_claims({"pvc-a"}),
         {make_host("node-a")},
         {pvc_builder("pvc-a", kWaitSC).bound("pv-a").phase("Lost").obj()},
         {},
         code::unschedulable_and_unresolvable,
         R"(persistentvolumeclaim "pvc-a" bound to non-existent persistentvolume "pv-a")"});
    cases.push_back({"local volumes with close capacity are preferred",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a"), make_host("node-b"), make_host("node-c")},
                     {pvc_builder("pvc-a", kWaitSC).request("50Gi").obj()},
                     {local_pv("pv-a-0", kWaitSC, "200Gi", "node-a").obj(),
                      local_pv("pv-a-1", kWaitSC, "200Gi", "node-a").obj(),
                      local_pv("pv-b-0", kWaitSC, "100Gi", "node-b").obj(),
                      local_pv("pv-b-1", kWaitSC, "100Gi", "node-b").obj()},
                     code::success,
                     "",
                     {fits("pvc-a:pv-a-0"), fits("pvc-a:pv-b-0"), rejects({bind})}});
    cases.push_back(
        {"local volumes with close capacity are preferred (multiple pvcs)",
         pod_with_claims({"pvc-0", "pvc-1"}),
         {make_host("node-a"), make_host("node-b"), make_host("node-c")},
         {pvc_builder("pvc-0", kWaitSC).request("50Gi").obj(),
          pvc_builder("pvc-1", kWaitHDDSC).request("100Gi").obj()},
         {local_pv("pv-a-0", kWaitSC, "200Gi", "node-a").obj(),
          local_pv("pv-a-1", kWaitSC, "200Gi", "node-a").obj(),
          local_pv("pv-a-2", kWaitHDDSC, "200Gi", "node-a").obj(),
          local_pv("pv-a-3", kWaitHDDSC, "200Gi", "node-a").obj(),
          local_pv("pv-b-0", kWaitSC, "100Gi", "node-b").obj(),
          local_pv("pv-b-1", kWaitSC, "100Gi", "node-b").obj(),
          local_pv("pv-b-2", kWaitHDDSC, "100Gi", "node-b").obj(),
          local_pv("pv-b-3", kWaitHDDSC, "100Gi", "node-b").obj()},
         code::success,
         "",
         {fits("pvc-0:pv-a-0,pvc-1:pv-a-2"), fits("pvc-0:pv-b-0,pvc-1:pv-b-2"), rejects({bind})}});
    cases.push_back(
        {"zonal volumes with close capacity are preferred",
         pod_with_claims({"pvc-a"}),
         {zone_node("zone-a-node-a", "a"), zone_node("zone-a-node-b", "a"),
          zone_node("zone-b-node-a", "b"), zone_node("zone-b-node-b", "b"),
          zone_node("zone-c-node-a", "c"), zone_node("zone-c-node-b", "c")},
         {pvc_builder("pvc-a", kWaitSC).request("50Gi").obj()},
         {zonal_pv("pv-a-0", "200Gi", "a").obj(), zonal_pv("pv-a-1", "200Gi", "a").obj(),
          zonal_pv("pv-b-0", "100Gi", "b").obj(), zonal_pv("pv-b-1", "100Gi", "b").obj()},
         code::success,
         "",
         {fits("pvc-a:pv-a-0"), fits("pvc-a:pv-a-0"), fits("pvc-a:pv-b-0"), fits("pvc-a:pv-b-0"),
          rejects({bind}), rejects({bind})}});
    run(cases);
}

TEST_CASE("volume_binding.claim_states") {
    auto eph_pod = multisched::testing::make_pod().name("web-0").ns("default").obj();
    api::volume eph;
    eph.name = "scratch";
    eph.ephemeral = true;
    eph_pod.volumes.push_back(eph);
    api::volume config;
    config.name = "config";
    auto no_claims = pod_with_claims({});
    no_claims.volumes.push_back(config);

    std::vector<test_case> cases;
    cases.push_back(
        {"volumes without claims", no_claims, {make_host("node-a")}, {}, {}, code::skip});
    cases.push_back({"claim being deleted",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", kWaitSC).bound("pv-a").deleting().obj()},
                     {},
                     code::unschedulable_and_unresolvable,
                     R"(persistentvolumeclaim "pvc-a" is being deleted)"});
    cases.push_back({"ephemeral claim not created yet",
                     eph_pod,
                     {make_host("node-a")},
                     {},
                     {},
                     code::unschedulable_and_unresolvable,
                     "waiting for ephemeral volume controller to create the "
                     R"(persistentvolumeclaim "web-0-scratch")"});
    cases.push_back({"ephemeral claim bound",
                     eph_pod,
                     {make_host("node-a")},
                     {pvc_builder("web-0-scratch", kWaitSC).bound("pv-a").obj()},
                     {pv_builder("pv-a", kWaitSC).obj()},
                     code::success,
                     "",
                     {fits()}});
    cases.push_back({"pre-bound claims wait for the PV controller",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", kWaitSC).prebound("pv-a").obj()},
                     {pv_builder("pv-a", kWaitSC).obj()},
                     code::unschedulable_and_unresolvable,
                     std::string(kErrUnboundImmediate)});
    cases.push_back({"claims without a class bind immediately",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", "").obj()},
                     {},
                     code::unschedulable_and_unresolvable,
                     std::string(kErrUnboundImmediate)});
    cases.push_back({"an unknown class binds immediately",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", "gone").obj()},
                     {},
                     code::unschedulable_and_unresolvable,
                     std::string(kErrUnboundImmediate)});
    cases.push_back({"a class without a binding mode is Immediate",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", "old").obj()},
                     {},
                     code::unschedulable_and_unresolvable,
                     std::string(kErrUnboundImmediate),
                     {},
                     {make_class("old", "")}});
    auto default_wait = make_class(kWaitSC, "WaitForFirstConsumer");
    default_wait.annotations.set("storageclass.kubernetes.io/is-default-class", "true");
    cases.push_back({"an unset class is the default class",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a"), make_host("node-b")},
                     {pvc_builder("pvc-a", std::nullopt).request("1Gi").obj()},
                     {local_pv("pv-a", kWaitSC, "5Gi", "node-a").obj()},
                     code::success,
                     "",
                     {fits("pvc-a:pv-a"), rejects({kErrReasonBindConflict})},
                     {default_wait, make_class(kImmediateSC, "Immediate")}});
    cases.push_back({"an unset class without a default binds immediately",
                     pod_with_claims({"pvc-a"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", std::nullopt).obj()},
                     {},
                     code::unschedulable_and_unresolvable,
                     std::string(kErrUnboundImmediate)});
    cases.push_back({"one volume for two claims",
                     pod_with_claims({"pvc-a", "pvc-b"}),
                     {make_host("node-a")},
                     {pvc_builder("pvc-a", kWaitSC).request("1Gi").obj(),
                      pvc_builder("pvc-b", kWaitSC).request("1Gi").obj()},
                     {local_pv("pv-a", kWaitSC, "5Gi", "node-a").obj()},
                     code::success,
                     "",
                     {rejects({kErrReasonBindConflict})}});
    cases.push_back(
        {"a broken claim selector is an error",
         pod_with_claims({"pvc-a"}),
         {make_host("node-a")},
         {pvc_builder("pvc-a", kWaitSC)
              .selector(multisched::testing::selector_in("tier", {}))
              .obj()},
         {local_pv("pv-a", kWaitSC, "5Gi", "node-a").obj()},
         code::success,
         "",
         {testing::fails("error creating internal label selector for claim: "
                         "default/pvc-a: selector.matchExpressions[0].values: "
                         "Required value: for 'in', 'notin' operators, values set can't be "
                         "empty")}});
    run(cases);
}

TEST_CASE("volume_binding.provisioning") {
    const auto classes = [] {
        auto out = upstream_classes();
        out.push_back(testing::with_topology(
            make_class(kProvisionSC, "WaitForFirstConsumer", "example.com/csi"),
            std::string(kHostname), {"node-a", "reference-value"}));
        out.push_back(make_class("any-node", "WaitForFirstConsumer", "example.com/csi"));
        out.push_back(make_class("no-provisioner", "WaitForFirstConsumer",
                                 std::string(kNotSupportedProvisioner)));
        return out;
    }();
    const auto nodes = std::vector<api::node>{make_host("node-a"), make_host("node-b")};
    const auto bind = kErrReasonBindConflict;
    std::vector<test_case> cases;
    cases.push_back({"provisioning on any node",
                     pod_with_claims({"pvc-a"}),
                     nodes,
                     {pvc_builder("pvc-a", "any-node").obj()},
                     {},
                     code::success,
                     "",
                     {fits("pvc-a:provision"), fits("pvc-a:provision")},
                     classes});
    cases.push_back({"allowedTopologies limit the nodes",
                     pod_with_claims({"pvc-a"}),
                     nodes,
                     {pvc_builder("pvc-a", kProvisionSC).obj()},
                     {},
                     code::success,
                     "",
                     {fits("pvc-a:provision"), rejects({bind})},
                     classes});
    cases.push_back({"no-provisioner classes cannot provision",
                     pod_with_claims({"pvc-a"}),
                     nodes,
                     {pvc_builder("pvc-a", "no-provisioner").obj()},
                     {},
                     code::success,
                     "",
                     {rejects({bind}), rejects({bind})},
                     classes});
    cases.push_back({"a matching volume is preferred to provisioning",
                     pod_with_claims({"pvc-a"}),
                     nodes,
                     {pvc_builder("pvc-a", "any-node").request("1Gi").obj()},
                     {local_pv("pv-a", "any-node", "5Gi", "node-a").obj()},
                     code::success,
                     "",
                     {fits("pvc-a:pv-a"), fits("pvc-a:provision")},
                     classes});
    cases.push_back(
        {"one bound, one matched, one provisioned",
         pod_with_claims({"pvc-a", "pvc-b", "pvc-c"}),
         nodes,
         {pvc_builder("pvc-a", kWaitSC).bound("pv-bound").obj(),
          pvc_builder("pvc-b", kWaitSC).request("1Gi").obj(),
          pvc_builder("pvc-c", kProvisionSC).obj()},
         {pv_builder("pv-bound", kWaitSC).obj(), local_pv("pv-b", kWaitSC, "5Gi", "node-a").obj()},
         code::success,
         "",
         {fits("pvc-b:pv-b,pvc-c:provision"), rejects({bind})},
         classes});
    cases.push_back({"a selected node keeps provisioning there",
                     pod_with_claims({"pvc-a"}),
                     nodes,
                     {pvc_builder("pvc-a", "any-node").selected_node("node-b").obj()},
                     {local_pv("pv-a", "any-node", "5Gi", "node-a").obj()},
                     code::success,
                     "",
                     {rejects({bind}), fits("pvc-a:provision")},
                     classes});
    cases.push_back({"a selected node with a no-provisioner class",
                     pod_with_claims({"pvc-a"}),
                     nodes,
                     {pvc_builder("pvc-a", "no-provisioner").selected_node("node-a").obj()},
                     {},
                     code::success,
                     "",
                     {rejects({bind}), rejects({bind})},
                     classes});
    run(cases);
}

}  // namespace
}  // namespace multisched::plugins::volume_binding
