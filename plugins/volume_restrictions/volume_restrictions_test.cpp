// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/volumerestrictions/volume_restrictions_test.go (v1.30: TestGCEDiskConflicts,
// TestAWSDiskConflicts, TestRBDDiskConflicts, TestISCSIDiskConflicts, TestAccessModeConflicts) as
// tables, plus the read-only exceptions, the PreFilter extensions, the events and the factory.
#include "plugins/volume_restrictions/volume_restrictions.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/api/storage_types.hpp"
#include "core/cache/object_store.hpp"
#include "plugins/helper/args_test_util.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::volume_restrictions {
namespace {

using framework::code;
using multisched::testing::fake_handle;
using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;

api::volume gce_pd(std::string name, bool read_only = false) {
    api::volume v;
    v.name = "gce";
    v.gce_pd_name = std::move(name);
    v.read_only = read_only;
    return v;
}

api::volume aws_ebs(std::string id, bool read_only = false) {
    api::volume v;
    v.name = "ebs";
    v.aws_ebs_volume_id = std::move(id);
    v.read_only = read_only;
    return v;
}

api::volume rbd(std::vector<std::string> monitors, std::string pool, std::string image,
                bool read_only = false) {
    api::volume v;
    v.name = "rbd";
    v.rbd_monitors = std::move(monitors);
    v.rbd_pool = std::move(pool);
    v.rbd_image = std::move(image);
    v.read_only = read_only;
    return v;
}

api::volume iscsi(std::string iqn, bool read_only = false) {
    api::volume v;
    v.name = "iscsi";
    v.iscsi_target_portal = "127.0.0.1:3260";
    v.iscsi_iqn = std::move(iqn);
    v.read_only = read_only;
    return v;
}

// A volume with none of the checked sources (e.g. emptyDir, configMap).
api::volume plain_volume() {
    api::volume v;
    v.name = "volume with no restriction";
    return v;
}

std::shared_ptr<const api::persistent_volume_claim> make_claim(std::string name,
                                                               std::string access_mode) {
    auto c = std::make_shared<api::persistent_volume_claim>();
    c->meta.ns = "default";
    c->meta.name = std::move(name);
    c->access_modes = {std::move(access_mode)};
    return c;
}

void add_claim(fake_handle& h, std::shared_ptr<const api::persistent_volume_claim> c) {
    auto key = cache::namespaced_key(c->meta.ns, c->meta.name);
    h.cluster_objects.pvcs.upsert(std::move(key), std::move(c));
}

// The disk-conflict tables of upstream: the pod (no volume when nullopt) against one pod on the
// node using `existing` (no pod when nullopt).
struct disk_case {
    std::string name;
    std::optional<api::volume> pod_volume;
    std::optional<api::volume> existing;
    bool want_skip;
    bool want_conflict;
};

void run_disk_cases(const std::vector<disk_case>& cases) {
    fake_handle h;
    volume_restrictions plugin(h);
    for (const auto& c : cases) {
        INFO(c.name);
        auto pod = make_pod().name("p").ns("default");
        if (c.pod_volume) {
            pod.volume(*c.pod_volume);
        }
        std::vector<api::pod> on_node;
        if (c.existing) {
            on_node.push_back(make_pod().name("e").ns("default").volume(*c.existing).obj());
        }
        const auto ni = make_node_info(make_node().name("n").obj(), on_node);
        const std::vector<const framework::node_info*> nodes = {&ni};
        framework::cycle_state state;
        framework::pre_filter_result result;
        const auto info = pod.info();
        const auto pre = plugin.pre_filter(state, *info, nodes, result);
        CHECK(pre.is_skip() == c.want_skip);
        if (!pre.is_success()) {
            continue;
        }
        const auto st = plugin.filter(state, *info, ni);
        if (c.want_conflict) {
            CHECK(st.code() == code::unschedulable);
            CHECK(st.message() == kErrReasonDiskConflict);
        } else {
            CHECK(st.is_success());
        }
    }
}

TEST_CASE("volume_restrictions.gce_disk_conflicts") {
    run_disk_cases({
        {"nothing", std::nullopt, std::nullopt, true, false},
        {"one state", std::nullopt, gce_pd("foo"), true, false},
        {"same state", gce_pd("foo"), gce_pd("foo"), false, true},
        {"different state", gce_pd("bar"), gce_pd("foo"), false, false},
        {"pod with a volume that doesn't have restrictions", plain_volume(), std::nullopt, true,
         false},
        {"same disk, both read-only", gce_pd("foo", true), gce_pd("foo", true), false, false},
        {"same disk, only the new mount read-only", gce_pd("foo", true), gce_pd("foo"), false,
         true},
        {"same disk, only the existing mount read-only", gce_pd("foo"), gce_pd("foo", true), false,
         true},
    });
}

TEST_CASE("volume_restrictions.aws_disk_conflicts") {
    run_disk_cases({
        {"nothing", std::nullopt, std::nullopt, true, false},
        {"one state", std::nullopt, aws_ebs("foo"), true, false},
        {"same state", aws_ebs("foo"), aws_ebs("foo"), false, true},
        {"different state", aws_ebs("bar"), aws_ebs("foo"), false, false},
        {"same volume, both read-only: EBS still conflicts", aws_ebs("foo", true),
         aws_ebs("foo", true), false, true},
    });
}

TEST_CASE("volume_restrictions.rbd_disk_conflicts") {
    const auto ab = rbd({"a", "b"}, "foo", "bar");
    run_disk_cases({
        {"nothing", std::nullopt, std::nullopt, true, false},
        {"one state", std::nullopt, ab, true, false},
        {"same state", ab, ab, false, true},
        {"different state", rbd({"c", "d"}, "foo", "bar"), ab, false, false},
        {"one shared monitor is enough", rbd({"b", "c"}, "foo", "bar"), ab, false, true},
        {"different pool", rbd({"a"}, "other", "bar"), ab, false, false},
        {"different image", rbd({"a"}, "foo", "other"), ab, false, false},
        {"both read-only", rbd({"a"}, "foo", "bar", true), rbd({"a", "b"}, "foo", "bar", true),
         false, false},
        {"only one read-only", rbd({"a"}, "foo", "bar", true), ab, false, true},
    });
}

TEST_CASE("volume_restrictions.iscsi_disk_conflicts") {
    const auto target = iscsi("iqn.2016-12.server:storage.target01");
    run_disk_cases({
        {"nothing", std::nullopt, std::nullopt, true, false},
        {"one state", std::nullopt, target, true, false},
        {"same state", target, target, false, true},
        {"different state", iscsi("iqn.2017-12.server:storage.target01"), target, false, false},
        {"both read-only", iscsi("iqn.2016-12.server:storage.target01", true),
         iscsi("iqn.2016-12.server:storage.target01", true), false, false},
        {"only one read-only", iscsi("iqn.2016-12.server:storage.target01", true), target, false,
         true},
    });
}

TEST_CASE("volume_restrictions.different_sources_never_conflict") {
    api::pod existing = make_pod().volume(gce_pd("foo")).volume(iscsi("foo")).obj();
    CHECK_FALSE(is_volume_conflict(aws_ebs("foo"), existing));
    CHECK_FALSE(is_volume_conflict(rbd({"a"}, "rbd", "foo"), existing));
    CHECK(is_volume_conflict(gce_pd("foo"), existing));
    CHECK_FALSE(needs_restrictions_check(plain_volume()));
}

// TestAccessModeConflicts: PreFilter over the cluster's pods, then Filter on node-1.
TEST_CASE("volume_restrictions.access_mode_conflicts") {
    const auto pod_with_one_pvc =
        make_pod().name("pod-with-one-pvc").ns("default").pvc("claim-with-rwop-1").node("node-1");
    const auto pod_with_two_pvcs = make_pod()
                                       .name("pod-with-two-pvcs")
                                       .ns("default")
                                       .pvc("claim-with-rwop-1")
                                       .pvc("claim-with-rwop-2")
                                       .node("node-1");
    const auto pod_with_one_conflict = make_pod()
                                           .name("pod-with-one-conflict")
                                           .ns("default")
                                           .pvc("claim-with-rwop-1")
                                           .node("node-1");
    const auto pod_with_two_conflicts = make_pod()
                                            .name("pod-with-two-conflicts")
                                            .ns("default")
                                            .pvc("claim-with-rwop-1")
                                            .pvc("claim-with-rwop-2")
                                            .node("node-1");
    const auto pod_with_rwx =
        make_pod().name("pod-with-rwx").ns("default").pvc("claim-with-rwx").node("node-1");
    const auto other_ns_user =
        make_pod().name("other-ns").ns("other").pvc("claim-with-rwop-1").node("node-1");

    struct test_case {
        std::string name;
        multisched::testing::pod_builder pod;
        std::vector<api::pod> existing;  // on node-1
        bool with_claims;
        code want_pre_filter;
        std::string want_pre_filter_message;
        code want_filter;
        std::string want_filter_message;
    };
    const std::vector<test_case> cases = {
        {"nothing", make_pod(), {}, false, code::skip, "", code::success, ""},
        {"failed to get PVC",
         pod_with_one_pvc,
         {},
         false,
         code::unschedulable_and_unresolvable,
         "persistentvolumeclaim \"claim-with-rwop-1\" not found",
         code::success,
         ""},
        {"no access mode conflict",
         pod_with_one_pvc,
         {pod_with_rwx.obj()},
         true,
         code::skip,
         "",
         code::success,
         ""},
        {"access mode conflict, unschedulable",
         pod_with_one_conflict,
         {pod_with_one_pvc.obj(), pod_with_rwx.obj()},
         true,
         code::success,
         "",
         code::unschedulable,
         std::string(kErrReasonReadWriteOncePodConflict)},
        {"two conflicts, unschedulable",
         pod_with_two_conflicts,
         {pod_with_two_pvcs.obj(), pod_with_rwx.obj()},
         true,
         code::success,
         "",
         code::unschedulable,
         std::string(kErrReasonReadWriteOncePodConflict)},
        {"a claim of the same name in another namespace is another claim",
         pod_with_one_conflict,
         {other_ns_user.obj()},
         true,
         code::skip,
         "",
         code::success,
         ""},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        fake_handle h;
        if (c.with_claims) {
            add_claim(h, make_claim("claim-with-rwop-1", "ReadWriteOncePod"));
            add_claim(h, make_claim("claim-with-rwop-2", "ReadWriteOncePod"));
            add_claim(h, make_claim("claim-with-rwx", "ReadWriteMany"));
        }
        volume_restrictions plugin(h);
        const auto ni = make_node_info(make_node().name("node-1").obj(), c.existing);
        const std::vector<const framework::node_info*> nodes = {&ni};
        framework::cycle_state state;
        framework::pre_filter_result result;
        const auto info = c.pod.info();
        const auto pre = plugin.pre_filter(state, *info, nodes, result);
        CHECK(pre.code() == c.want_pre_filter);
        CHECK(pre.message() == c.want_pre_filter_message);
        if (!pre.is_success()) {
            continue;
        }
        const auto st = plugin.filter(state, *info, ni);
        CHECK(st.code() == c.want_filter);
        CHECK(st.message() == c.want_filter_message);
    }
}

// The ReadWriteOncePod count follows pods removed by preemption and nominated pods added.
TEST_CASE("volume_restrictions.pre_filter_extensions") {
    fake_handle h;
    add_claim(h, make_claim("rwop", "ReadWriteOncePod"));
    add_claim(h, make_claim("rwx", "ReadWriteMany"));
    volume_restrictions plugin(h);
    const auto holder = make_pod().name("holder").ns("default").pvc("rwop").node("n").info();
    const auto unrelated = make_pod().name("rwx-user").ns("default").pvc("rwx").node("n").info();
    const auto pending = make_pod().name("pending").ns("default").pvc("rwop").info();
    framework::node_info ni = make_node_info(make_node().name("n").obj());
    ni.add_pod(holder);
    const std::vector<const framework::node_info*> nodes = {&ni};

    framework::cycle_state state;
    framework::pre_filter_result result;
    REQUIRE(plugin.pre_filter(state, *pending, nodes, result).is_success());
    CHECK(plugin.filter(state, *pending, ni).code() == code::unschedulable);

    SECTION("removing the holder (preemption) makes the claim free") {
        auto what_if = state.clone();
        REQUIRE(plugin.remove_pod(what_if, *pending, *holder, ni).is_success());
        CHECK(plugin.filter(what_if, *pending, ni).is_success());
        // The original state is untouched.
        CHECK(plugin.filter(state, *pending, ni).code() == code::unschedulable);
        REQUIRE(plugin.add_pod(what_if, *pending, *holder, ni).is_success());
        CHECK(plugin.filter(what_if, *pending, ni).code() == code::unschedulable);
    }
    SECTION("pods not using the claim change nothing") {
        REQUIRE(plugin.remove_pod(state, *pending, *unrelated, ni).is_success());
        CHECK(plugin.filter(state, *pending, ni).code() == code::unschedulable);
    }
    SECTION("without PreFilter state the extensions and Filter fail") {
        framework::cycle_state empty;
        CHECK(plugin.add_pod(empty, *pending, *holder, ni).code() == code::error);
        CHECK(plugin.remove_pod(empty, *pending, *holder, ni).code() == code::error);
        const auto st = plugin.filter(empty, *pending, ni);
        CHECK(st.code() == code::error);
        CHECK(st.message() == "cannot read \"PreFilterVolumeRestrictions\" from cycleState");
    }
}

TEST_CASE("volume_restrictions.events") {
    fake_handle h;
    const auto events = volume_restrictions(h).events_to_register();
    REQUIRE(events.size() == 3);
    CHECK(events[0].resource == framework::event_resource::assigned_pod);
    CHECK(events[0].actions == framework::action_delete);
    CHECK(events[1].resource == framework::event_resource::node);
    CHECK(events[1].actions == (framework::action_add | framework::action_update_node_taint |
                                framework::action_update_node_label));
    CHECK(events[2].resource == framework::event_resource::persistent_volume_claim);
    CHECK(events[2].actions == framework::action_add);
}

TEST_CASE("volume_restrictions.make") {
    fake_handle h;
    const std::vector<helper::factory_case> cases = {
        {"no args", "", ""},
        {"empty map", "{}", ""},
        {"kind only", "kind: VolumeRestrictionsArgs", ""},
        {"unknown field", "foo: 1", "VolumeRestrictions args: unknown field \"foo\""},
        {"not a map", "[1]", "VolumeRestrictions args: args: expected a mapping"},
    };
    helper::check_factory(make, h, "VolumeRestrictions", cases);
}

}  // namespace
}  // namespace multisched::plugins::volume_restrictions
