// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/nodevolumelimits/csi_test.go (v1.30 TestCSILimits) as a table, with the same
// fixtures (getFakeCSIPVLister, getFakeCSIPVCLister, getFakeCSIStorageClassLister,
// getNodeWithPodAndVolumeLimits). The in-tree migration cases keep their pods but expect what a
// node without CSI migration gives (in-tree volumes are not counted). Plus node allocatable
// limits, the attach limit key, the events and the factory.
#include "plugins/node_volume_limits/node_volume_limits.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "core/cache/object_store.hpp"
#include "plugins/helper/args_test_util.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::node_volume_limits {
namespace {

using framework::code;
using multisched::testing::fake_handle;
using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;

const std::string kEBS = "ebs.csi.aws.com";
const std::string kGCE = "pd.csi.storage.gke.io";
const std::string kEBSInTree = "kubernetes.io/aws-ebs";
const std::string kHostPathInTree = "kubernetes.io/hostpath";
const std::string kClass = "csi-sc";
const std::string kNode = "node-for-max-pd-test-1";

void add_claim(fake_handle& h, std::string ns, std::string name, std::string volume,
               std::optional<std::string> class_name) {
    auto pvc = std::make_shared<api::persistent_volume_claim>();
    pvc->meta.ns = ns;
    pvc->meta.name = name;
    pvc->volume_name = std::move(volume);
    pvc->storage_class_name = std::move(class_name);
    h.cluster_objects.pvcs.upsert(cache::namespaced_key(ns, name), std::move(pvc));
}

// Upstream's fake listers: per driver, volumes and bound claims "csi-<driver>-0..3" (in-tree
// drivers get non-CSI volumes), claim csi-4 unbound of class csi-sc, csi-5 unbound without
// class, csi-6 of class csi-sc bound to a missing volume; class csi-sc provisions for the first
// driver.
void add_fixtures(fake_handle& h, const std::vector<std::string>& drivers) {
    for (const auto& driver : drivers) {
        for (int j = 0; j < 4; ++j) {
            const std::string name = "csi-" + driver + "-" + std::to_string(j);
            auto pv = std::make_shared<api::persistent_volume>();
            pv->meta.name = name;
            if (driver != kEBSInTree && driver != kHostPathInTree) {
                pv->csi_driver = driver;
                pv->csi_volume_handle = name;
            }
            h.cluster_objects.pvs.upsert(name, std::move(pv));
            add_claim(h, "", name, name, std::nullopt);
        }
    }
    add_claim(h, "", "csi-4", "", kClass);
    add_claim(h, "", "csi-5", "", std::nullopt);
    add_claim(h, "", "csi-6", "missing-in-action", kClass);
    auto sc = std::make_shared<api::storage_class>();
    sc->meta.name = kClass;
    sc->provisioner = drivers.front();
    h.cluster_objects.storage_classes.upsert(kClass, std::move(sc));
}

// getNodeWithPodAndVolumeLimits' CSINode: "csinode" (every driver with `limit`),
// "csinode-with-no-limit", "no-csi-driver", anything else: none.
void add_csi_node(fake_handle& h, const std::string& source, std::int32_t limit,
                  const std::vector<std::string>& drivers) {
    if (source != "csinode" && source != "csinode-with-no-limit" && source != "no-csi-driver") {
        return;
    }
    auto n = std::make_shared<api::csi_node>();
    n->meta.name = kNode;
    if (source != "no-csi-driver") {
        for (const auto& d : drivers) {
            api::csi_node_driver driver;
            driver.name = d;
            driver.node_id = kNode;
            if (source == "csinode") {
                driver.allocatable_count = limit;
            }
            n->drivers.push_back(std::move(driver));
        }
    }
    h.cluster_objects.csi_nodes.upsert(kNode, std::move(n));
}

api::volume ephemeral_volume(std::string name) {
    api::volume v;
    v.name = std::move(name);
    v.ephemeral = true;
    return v;
}

api::volume inline_ebs(std::string id) {
    api::volume v;
    v.aws_ebs_volume_id = std::move(id);
    return v;
}

api::volume config_map() {
    api::volume v;
    v.name = "config";
    return v;
}

struct test_case {
    std::string name;
    api::pod new_pod;
    std::vector<api::pod> existing;
    std::int32_t max_vols;
    std::vector<std::string> drivers;
    std::string limit_source;
    code want_pre_filter;
    code want;
    std::string want_message;
};

test_case fits(std::string name, api::pod pod, std::vector<api::pod> existing, std::int32_t max,
               std::vector<std::string> drivers, std::string source) {
    return {std::move(name),   std::move(pod), std::move(existing), max, std::move(drivers),
            std::move(source), code::success,  code::success,       ""};
}

test_case exceeds(std::string name, api::pod pod, std::vector<api::pod> existing, std::int32_t max,
                  std::vector<std::string> drivers, std::string source) {
    return {std::move(name),
            std::move(pod),
            std::move(existing),
            max,
            std::move(drivers),
            std::move(source),
            code::success,
            code::unschedulable,
            std::string(kErrReasonMaxVolumeCountExceeded)};
}

test_case skipped(std::string name, api::pod pod, std::vector<api::pod> existing, std::int32_t max,
                  std::vector<std::string> drivers, std::string source) {
    return {std::move(name),   std::move(pod), std::move(existing), max, std::move(drivers),
            std::move(source), code::skip,     code::success,       ""};
}

test_case missing_claim(std::string name, api::pod pod, std::string message) {
    return {std::move(name),
            std::move(pod),
            {},
            0,
            {kEBS},
            "csinode-with-no-limit",
            code::success,
            code::unschedulable_and_unresolvable,
            std::move(message)};
}

void run(const test_case& c,
         const std::vector<std::shared_ptr<api::persistent_volume_claim>>& extra_claims = {}) {
    INFO(c.name);
    fake_handle h;
    add_fixtures(h, c.drivers);
    add_csi_node(h, c.limit_source, c.max_vols, c.drivers);
    for (const auto& claim : extra_claims) {
        h.cluster_objects.pvcs.upsert(cache::namespaced_key(claim->meta.ns, claim->meta.name),
                                      claim);
    }
    node_volume_limits plugin(h);
    const auto ni = make_node_info(make_node().name(kNode).obj(), c.existing);
    const auto info = framework::make_pod_info(std::make_shared<const api::pod>(c.new_pod));
    framework::cycle_state state;
    framework::pre_filter_result result;
    const auto pre = plugin.pre_filter(state, *info, {}, result);
    CHECK(pre.code() == c.want_pre_filter);
    if (!pre.is_success()) {
        return;
    }
    const auto st = plugin.filter(state, *info, ni);
    CHECK(st.code() == c.want);
    CHECK(st.message() == c.want_message);
}

TEST_CASE("node_volume_limits.csi_limits") {
    const auto running = make_pod().pvc("csi-ebs.csi.aws.com-3").obj();
    const auto pending = make_pod().pvc("csi-4").obj();
    const auto unbound_pvc_pod2 = make_pod().pvc("csi-4").obj();
    const auto missing_pv = make_pod().pvc("csi-6").obj();
    const auto no_sc = make_pod().pvc("csi-5").obj();
    const auto gce_two =
        make_pod().pvc("csi-pd.csi.storage.gke.io-1").pvc("csi-pd.csi.storage.gke.io-2").obj();
    const auto in_tree_one = make_pod().pvc("csi-kubernetes.io/aws-ebs-0").obj();
    const auto in_tree_two =
        make_pod().pvc("csi-kubernetes.io/aws-ebs-1").pvc("csi-kubernetes.io/aws-ebs-2").obj();
    const auto ebs_one = make_pod().pvc("csi-ebs.csi.aws.com-0").obj();
    const auto ebs_two = make_pod().pvc("csi-ebs.csi.aws.com-1").pvc("csi-ebs.csi.aws.com-2").obj();
    const auto hostpath_one = make_pod().pvc("csi-kubernetes.io/hostpath-0").obj();
    const auto inline_pod = make_pod().volume(inline_ebs("aws-inline1")).obj();
    const auto inline_same_id = make_pod().volume(inline_ebs("csi-ebs.csi.aws.com-1")).obj();
    const auto only_config = make_pod().volume(config_map()).volume(config_map()).obj();
    const auto pvc_with_config =
        make_pod().volume(config_map()).volume(config_map()).pvc("csi-ebs.csi.aws.com-0").obj();
    const auto inline_with_config =
        make_pod().volume(config_map()).volume(inline_ebs("aws-inline1")).obj();
    const std::vector<std::string> ebs = {kEBS};
    const std::vector<std::string> ebs_gce = {kEBS, kGCE};
    const std::vector<std::string> in_tree = {kEBSInTree, kEBS};

    const std::vector<test_case> cases = {
        fits("fits when node volume limit >= new pods CSI volume", ebs_one, {running, ebs_two}, 4,
             ebs, "csinode"),
        exceeds("doesn't when node volume limit <= pods CSI volume", ebs_one, {running, ebs_two}, 2,
                ebs, "csinode"),
        fits("should when driver does not support volume limits", ebs_one, {running, ebs_two}, 2,
             ebs, "csinode-with-no-limit"),
        exceeds("count pending PVCs towards volume limit <= pods CSI volume", ebs_one,
                {pending, ebs_two}, 2, ebs, "csinode"),
        fits("count multiple pending pvcs towards volume limit >= pods CSI volume", ebs_one,
             {pending, unbound_pvc_pod2, ebs_two}, 4, ebs, "csinode"),
        exceeds("should count PVCs with invalid PV name but valid SC", ebs_one,
                {missing_pv, ebs_two}, 2, ebs, "csinode"),
        fits("don't count pvcs with missing SC towards volume limit", ebs_one, {running, no_sc}, 2,
             ebs, "csinode"),
        exceeds("count pvcs with the same type towards volume limit", ebs_one, {gce_two, ebs_two},
                2, ebs_gce, "csinode"),
        fits("don't count pvcs with different type towards volume limit", gce_two,
             {ebs_two, running}, 2, ebs_gce, "csinode"),
        // In-tree migration cases: nothing in-tree is counted without migration.
        fits("in-tree volumes are not counted (upstream counts them with migration)", in_tree_one,
             {in_tree_two}, 2, in_tree, "csinode"),
        skipped("nil csi node", inline_pod, {in_tree_two}, 0, in_tree, ""),
        fits("unbound claims of an in-tree provisioner are not counted", pending, {in_tree_two}, 2,
             in_tree, "csinode"),
        fits("should not limit pod if volume used does not report limits", in_tree_one,
             {in_tree_two}, 2, in_tree, "csinode-with-no-limit"),
        fits("should not count non-migratable in-tree volumes", hostpath_one, {ebs_two}, 2,
             {kHostPathInTree, kEBS}, "csinode"),
        skipped("in-tree inline volumes are not counted: PreFilter skips", inline_pod,
                {in_tree_two}, 2, in_tree, "csinode"),
        fits("mixed in-tree and csi volumes: only csi ones count (scheduling in-tree)", in_tree_one,
             {ebs_two}, 2, in_tree, "csinode"),
        skipped("inline in-tree volume with csi volumes on the node", inline_pod,
                {ebs_two, in_tree_one}, 3, in_tree, "csinode"),
        skipped("inline in-tree volume with the same volume id", inline_same_id,
                {ebs_two, in_tree_one}, 3, in_tree, "csinode"),
        fits("mixed in-tree and csi volumes: only csi ones count (scheduling csi)", ebs_one,
             {in_tree_two}, 2, in_tree, "csinode"),
        skipped("skip Filter when the pod only uses secrets and configmaps", only_config, {}, 2,
                ebs, "csinode"),
        fits("don't skip Filter when the pod has pvcs", pvc_with_config, {}, 2, ebs, "csinode"),
        skipped("don't count inline migratable volumes", inline_with_config, {in_tree_two}, 2,
                in_tree, "csinode"),
        // Beyond upstream's table.
        fits("the same unbound claim on the node and in the pod is one volume", pending,
             {unbound_pvc_pod2, ebs_two}, 3, ebs, "csinode"),
        fits("a volume shared with a pod on the node takes no new slot", ebs_one,
             {ebs_one, running}, 2, ebs, "csinode"),
        fits("no CSINode: no limits", ebs_one, {running, ebs_two}, 1, ebs, ""),
        fits("CSINode without drivers: no limits", ebs_one, {running, ebs_two}, 1, ebs,
             "no-csi-driver"),
        exceeds("a claim bound to a missing volume of class csi-sc counts (pod)", missing_pv,
                {running, ebs_two}, 3, ebs, "csinode"),
        fits("a missing claim of a pod on the node is not counted", ebs_one,
             {make_pod().pvc("gone").obj(), running}, 2, ebs, "csinode"),
    };
    for (const auto& c : cases) {
        run(c);
    }
}

TEST_CASE("node_volume_limits.ephemeral") {
    const auto ephemeral_pod =
        make_pod().name("abc").ns("test").uid("12345").volume(ephemeral_volume("xyz")).obj();
    const auto ephemeral_two = make_pod()
                                   .name("abc")
                                   .ns("test")
                                   .uid("12345II")
                                   .volume(ephemeral_volume("x"))
                                   .volume(ephemeral_volume("y"))
                                   .obj();
    const auto ephemeral_with_config = make_pod()
                                           .name("abc")
                                           .ns("test")
                                           .volume(config_map())
                                           .volume(ephemeral_volume("xyz"))
                                           .obj();
    auto claim = [](std::string name) {
        auto c = std::make_shared<api::persistent_volume_claim>();
        c->meta.ns = "test";
        c->meta.name = std::move(name);
        c->storage_class_name = kClass;
        return c;
    };
    // Pods of the csi_limits table live in namespace "".
    const auto running = make_pod().pvc("csi-ebs.csi.aws.com-3").obj();
    const auto ebs_one = make_pod().pvc("csi-ebs.csi.aws.com-0").obj();
    const auto ebs_two = make_pod().pvc("csi-ebs.csi.aws.com-1").pvc("csi-ebs.csi.aws.com-2").obj();
    const std::vector<std::string> ebs = {kEBS};
    const std::string missing =
        "looking up PVC test/abc-xyz: persistentvolumeclaim \"abc-xyz\" not found";

    run(missing_claim("ephemeral volume missing", ephemeral_pod, missing));
    run(missing_claim("don't skip Filter when the pod has ephemeral volumes", ephemeral_with_config,
                      missing));
    // Upstream also rejects a claim not owned by the pod; claims carry no ownerReferences here.
    run(fits("ephemeral volume unbound (ownership not checked)", ephemeral_pod, {}, 0, ebs,
             "csinode-with-no-limit"),
        {claim("abc-xyz")});
    run(exceeds("ephemeral doesn't when node volume limit <= pods CSI volume", ephemeral_pod,
                {running, ebs_two}, 2, ebs, "csinode"),
        {claim("abc-xyz")});
    run(exceeds("ephemeral doesn't when node volume limit <= pods ephemeral CSI volume", ebs_one,
                {running, ephemeral_two}, 2, ebs, "csinode"),
        {claim("abc-x"), claim("abc-y")});
    run(exceeds("persistent doesn't when node volume limit <= pods ephemeral CSI volume + "
                "persistent volume",
                ebs_one, {running, ephemeral_pod, ebs_two}, 3, ebs, "csinode"),
        {claim("abc-xyz")});
    run(fits("persistent okay when node volume limit > pods ephemeral CSI volume + persistent "
             "volume",
             ebs_one, {running, ephemeral_pod, ebs_two}, 5, ebs, "csinode"),
        {claim("abc-xyz")});
}

// Limits from node allocatable attachable-volumes-csi-<driver> (getVolumeLimits), which the
// CSINode overrides.
TEST_CASE("node_volume_limits.node_allocatable_limits") {
    struct limits_case {
        std::string name;
        std::int64_t node_limit;
        std::optional<std::int32_t> csi_node_limit;
        bool want_fit;
    };
    const std::vector<limits_case> cases = {
        {"node allocatable limit without CSINode", 2, std::nullopt, false},
        {"node allocatable limit large enough", 4, std::nullopt, true},
        {"CSINode count overrides the node allocatable", 2, 4, true},
        {"CSINode count overrides a larger node allocatable", 4, 2, false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        fake_handle h;
        add_fixtures(h, {kEBS});
        if (c.csi_node_limit) {
            add_csi_node(h, "csinode", *c.csi_node_limit, {kEBS});
        }
        node_volume_limits plugin(h);
        auto node = make_node().name(kNode).obj();
        node.allocatable.add("attachable-volumes-csi-" + kEBS, c.node_limit);
        const auto ni = make_node_info(
            node, {make_pod().pvc("csi-ebs.csi.aws.com-1").pvc("csi-ebs.csi.aws.com-2").obj()});
        framework::cycle_state state;
        const auto st = plugin.filter(state, *make_pod().pvc("csi-ebs.csi.aws.com-0").info(), ni);
        CHECK(st.is_success() == c.want_fit);
    }
    SECTION("other attachable-volumes-* keys are limits, other resources are not") {
        auto node = make_node().name(kNode).obj();
        node.allocatable.add("attachable-volumes-aws-ebs", 39);
        node.allocatable.add("example.com/gpu", 1);
        const auto limits = node_volume_limits::volume_limits(&node, nullptr);
        REQUIRE(limits.size() == 1);
        CHECK(limits.at("attachable-volumes-aws-ebs") == 39);
    }
}

TEST_CASE("node_volume_limits.csi_attach_limit_key") {
    struct key_case {
        std::string driver;
        std::string want;
    };
    const std::vector<key_case> cases = {
        {kEBS, "attachable-volumes-csi-ebs.csi.aws.com"},
        {std::string(39, 'x'), "attachable-volumes-csi-" + std::string(39, 'x')},
        {std::string(40, 'x'), "attachable-volumes-csi-xxxxxxxxxxxxxxxxxxxxxxx47372a7b27569d25"},
        {"a-very-long-csi-driver-name.storage.example.com",
         "attachable-volumes-csi-a-very-long-csi-driver-86bf5f46bc6f1680"},
    };
    for (const auto& c : cases) {
        INFO(c.driver);
        CHECK(csi_attach_limit_key(c.driver) == c.want);
    }
}

TEST_CASE("node_volume_limits.events") {
    fake_handle h;
    const auto events = node_volume_limits(h).events_to_register();
    REQUIRE(events.size() == 3);
    CHECK(events[0].resource == framework::event_resource::csi_node);
    CHECK(events[0].actions == framework::action_add);
    CHECK(events[1].resource == framework::event_resource::assigned_pod);
    CHECK(events[1].actions == framework::action_delete);
    CHECK(events[2].resource == framework::event_resource::persistent_volume_claim);
    CHECK(events[2].actions == framework::action_add);
}

TEST_CASE("node_volume_limits.make") {
    fake_handle h;
    const std::vector<helper::factory_case> cases = {
        {"no args", "", ""},
        {"empty map", "{}", ""},
        {"apiVersion is accepted", "apiVersion: kubescheduler.config.k8s.io/v1", ""},
        {"unknown field", "maxVolumes: 3", "NodeVolumeLimits args: unknown field \"maxVolumes\""},
    };
    helper::check_factory(make, h, "NodeVolumeLimits", cases);
}

}  // namespace
}  // namespace multisched::plugins::node_volume_limits
