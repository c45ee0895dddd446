// SPDX-License-Identifier: Apache-2.0
// upstream binder_test.go TestFindPodVolumesWithoutProvisioning and
// TestFindPodVolumesWithProvisioning (v1.30) as one table, run through PreFilter + Filter on
// node1. A scenario upstream's findPodVolumes fails (shouldFail) is a PreFilter rejection here.
// Not covered: generic-ephemeral,wrong-pvc (claim ownership is not in our object model) and the
// CSIStorageCapacity variants.
#include <catch2/catch.hpp>

#include "plugins/volume_binding/test_util.hpp"

namespace multisched::plugins::volume_binding {
namespace {

using framework::code;
using testing::fits;
using testing::make_class;
using testing::node_want;
using testing::pv_builder;
using testing::pvc_builder;
using testing::rejects;

const std::string kWaitClass = "waitClass";
const std::string kImmediateClass = "immediateClass";
const std::string kWaitClassWithProvisioner = "waitClassWithProvisioner";
const std::string kTopoMismatchClass = "topoMismatchClass";

// upstream makeTestPVC: namespace testns, uid pvc-uid, Filesystem mode.
pvc_builder test_pvc(std::string name, std::string_view size, const std::string& cls) {
    return pvc_builder(std::move(name), cls)
        .ns("testns")
        .uid("pvc-uid")
        .request(size)
        .mode("Filesystem");
}

// upstream makeTestPV: affinity nodeKey In [node] when node is set.
pv_builder test_pv(std::string name, std::string node, std::string_view size,
                   const std::string& cls) {
    auto b = pv_builder(std::move(name), cls).capacity(size).mode("Filesystem");
    if (!node.empty()) {
        b.node_affinity({{"nodeKey", {std::move(node)}}});
    }
    return b;
}

struct fixtures {
    api::persistent_volume_claim unbound = test_pvc("unbound-pvc", "1G", kWaitClass).obj();
    api::persistent_volume_claim unbound2 = test_pvc("unbound-pvc2", "5G", kWaitClass).obj();
    api::persistent_volume_claim prebound =
        test_pvc("prebound-pvc", "1G", kWaitClass).prebound("pv-node1a").obj();
    api::persistent_volume_claim bound =
        test_pvc("bound-pvc", "1G", kWaitClass).bound("pv-bound").obj();
    api::persistent_volume_claim immediate_unbound =
        test_pvc("immediate-unbound-pvc", "1G", kImmediateClass).obj();
    api::persistent_volume_claim immediate_bound =
        test_pvc("immediate-bound-pvc", "1G", kImmediateClass).bound("pv-bound-immediate").obj();
    api::persistent_volume_claim provisioned =
        test_pvc("provisioned-pvc", "1Gi", kWaitClassWithProvisioner).obj();
    api::persistent_volume_claim selected_node =
        test_pvc("provisioned-pvc", "1Gi", kWaitClassWithProvisioner).selected_node("node1").obj();
    api::persistent_volume_claim no_provisioner =
        test_pvc("no-provisioner-pvc", "1Gi", kWaitClass).obj();
    api::persistent_volume_claim topo_mismatch =
        test_pvc("topo-mismatch-pvc", "1Gi", kTopoMismatchClass).obj();
    api::persistent_volume_claim generic =
        test_pvc("test-pod-test-volume", "1G", kImmediateClass).bound("pv-bound").obj();

    api::persistent_volume node1a = test_pv("pv-node1a", "node1", "5G", kWaitClass).obj();
    api::persistent_volume node1b = test_pv("pv-node1b", "node1", "10G", kWaitClass).obj();
    api::persistent_volume node2 = test_pv("pv-node2", "node2", "1G", kWaitClass).obj();
    api::persistent_volume pv_bound =
        test_pv("pv-bound", "node1", "1G", kWaitClass).bound_to(bound).obj();
    api::persistent_volume node1a_bound =
        test_pv("pv-node1a", "node1", "5G", kWaitClass).bound_to(unbound).obj();
    api::persistent_volume bound_immediate =
        test_pv("pv-bound-immediate", "node1", "1G", kImmediateClass)
            .bound_to(immediate_bound)
            .obj();
    api::persistent_volume bound_immediate_node2 =
        test_pv("pv-bound-immediate", "node2", "1G", kImmediateClass)
            .bound_to(immediate_bound)
            .obj();
};

std::vector<api::storage_class> binder_classes() {
    return {testing::with_topology(
                make_class(kWaitClassWithProvisioner, "WaitForFirstConsumer", "test-provisioner"),
                "nodeKey", {"node1", "reference-value"}),
            make_class(kImmediateClass, "Immediate"),
            make_class(kWaitClass, "WaitForFirstConsumer", std::string(kNotSupportedProvisioner)),
            testing::with_topology(
                make_class(kTopoMismatchClass, "WaitForFirstConsumer", "test-provisioner"),
                "nodeKey", {"reference-value"})};
}

api::pod test_pod(const std::vector<api::persistent_volume_claim>& claims) {
    auto b = multisched::testing::make_pod().name("test-pod").ns("testns").uid("test-pod-uid");
    for (const auto& c : claims) {
        b.pvc(c.meta.name);
    }
    return b.obj();
}

api::pod ephemeral_pod(std::string volume) {
    auto pod = test_pod({});
    api::volume v;
    v.name = std::move(volume);
    v.ephemeral = true;
    pod.volumes.push_back(std::move(v));
    return pod;
}

TEST_CASE("volume_binding.find_pod_volumes") {
    const fixtures f;
    struct test_case {
        std::string name;
        std::vector<api::persistent_volume_claim> pod_pvcs;
        std::vector<api::persistent_volume> pvs;
        node_want want;        // when PreFilter succeeds
        code want_pre_filter;  // success, skip or a rejection (upstream shouldFail)
        std::optional<api::pod> pod = std::nullopt;
        std::optional<std::vector<api::persistent_volume_claim>> cache_pvcs = std::nullopt;
    };
    const auto ok = code::success;
    const auto fail = code::unschedulable_and_unresolvable;
    const auto bind = kErrReasonBindConflict;
    const std::vector<test_case> cases = {
        // Without provisioning.
        {"no-volumes", {}, {}, fits(), code::skip},
        {"pvc-not-found",
         {f.bound},
         {},
         fits(),
         fail,
         std::nullopt,
         std::vector<api::persistent_volume_claim>{}},
        {"bound-pvc", {f.bound}, {f.pv_bound}, fits(), ok},
        {"bound-pvc,pv-not-exists", {f.bound}, {}, rejects({kErrReasonPVNotExist}), ok},
        {"prebound-pvc", {f.prebound}, {f.node1a_bound}, fits(), fail},
        {"unbound-pvc,pv-same-node",
         {f.unbound},
         {f.node2, f.node1a, f.node1b},
         fits("unbound-pvc:pv-node1a"),
         ok},
        {"unbound-pvc,pv-different-node", {f.unbound}, {f.node2}, rejects({bind}), ok},
        {"two-unbound-pvcs",
         {f.unbound, f.unbound2},
         {f.node1a, f.node1b},
         fits("unbound-pvc:pv-node1a,unbound-pvc2:pv-node1b"),
         ok},
        {"two-unbound-pvcs,order-by-size",
         {f.unbound2, f.unbound},
         {f.node1a, f.node1b},
         fits("unbound-pvc:pv-node1a,unbound-pvc2:pv-node1b"),
         ok},
        {"two-unbound-pvcs,partial-match",
         {f.unbound, f.unbound2},
         {f.node1a},
         rejects({bind}),
         ok},
        {"one-bound,one-unbound",
         {f.unbound, f.bound},
         {f.pv_bound, f.node1a},
         fits("unbound-pvc:pv-node1a"),
         ok},
        {"one-bound,one-unbound,no-match",
         {f.unbound, f.bound},
         {f.pv_bound, f.node2},
         rejects({bind}),
         ok},
        {"one-prebound,one-unbound", {f.unbound, f.prebound}, {f.node1a, f.node1b}, fits(), fail},
        {"immediate-bound-pvc", {f.immediate_bound}, {f.bound_immediate}, fits(), ok},
        {"immediate-bound-pvc-wrong-node",
         {f.immediate_bound},
         {f.bound_immediate_node2},
         rejects({kErrReasonNodeConflict}),
         ok},
        {"immediate-unbound-pvc", {f.immediate_unbound}, {}, fits(), fail},
        {"immediate-unbound-pvc,delayed-mode-bound",
         {f.immediate_unbound, f.bound},
         {f.pv_bound},
         fits(),
         fail},
        {"immediate-unbound-pvc,delayed-mode-unbound",
         {f.immediate_unbound, f.unbound},
         {},
         fits(),
         fail},
        {"generic-ephemeral,no-pvc", {}, {}, fits(), fail, ephemeral_pod("no-such-pvc")},
        {"generic-ephemeral,with-pvc",
         {},
         {test_pv("pv-bound", "node1", "1G", kWaitClass).obj()},
         fits(),
         ok,
         ephemeral_pod("test-volume"),
         std::vector<api::persistent_volume_claim>{f.generic}},
        // With provisioning.
        {"one-provisioned", {f.provisioned}, {}, fits("provisioned-pvc:provision"), ok},
        {"two-unbound-pvcs,one-matched,one-provisioned",
         {f.unbound, f.provisioned},
         {f.node1a},
         fits("unbound-pvc:pv-node1a,provisioned-pvc:provision"),
         ok},
        {"one-bound,one-provisioned",
         {f.bound, f.provisioned},
         {f.pv_bound},
         fits("provisioned-pvc:provision"),
         ok},
        {"one-binding,one-selected-node",
         {f.bound, f.selected_node},
         {f.pv_bound},
         fits("provisioned-pvc:provision"),
         ok},
        {"one-immediate-bound,one-provisioned",
         {f.immediate_bound, f.provisioned},
         {f.bound_immediate},
         fits("provisioned-pvc:provision"),
         ok},
        {"invalid-provisioner", {f.no_provisioner}, {}, rejects({bind}), ok},
        {"volume-topology-unsatisfied", {f.topo_mismatch}, {}, rejects({bind}), ok},
    };
    auto node1 = multisched::testing::make_node().name("node1").label("nodeKey", "node1").obj();
    for (const auto& c : cases) {
        INFO(c.name);
        testing::harness env;
        for (const auto& sc : binder_classes()) {
            env.add(sc);
        }
        for (const auto& pvc : c.cache_pvcs.value_or(c.pod_pvcs)) {
            env.add(pvc);
        }
        for (const auto& pv : c.pvs) {
            env.add(pv);
        }
        framework::cycle_state cs;
        const auto pod = c.pod.value_or(test_pod(c.pod_pvcs));
        const auto pre = env.check_cycle(cs, pod, {node1}, {c.want});
        CHECK(pre.code() == c.want_pre_filter);
    }
}

}  // namespace
}  // namespace multisched::plugins::volume_binding
