// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/volumezone/volume_zone_test.go (v1.30: TestSingleZone, TestMultiZone,
// TestWithBinding) as tables, plus LabelZonesToSet, the Filter fallback without PreFilter state,
// the events and the factory.
#include "plugins/volume_zone/volume_zone.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "core/api/storage_types.hpp"
#include "core/cache/object_store.hpp"
#include "plugins/helper/args_test_util.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::volume_zone {
namespace {

using framework::code;
using multisched::testing::fake_handle;
using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;

using labels = std::vector<std::pair<std::string, std::string>>;

const std::string kBetaZone(kLabelFailureDomainBetaZone);
const std::string kBetaRegion(kLabelFailureDomainBetaRegion);
const std::string kZone(kLabelTopologyZone);
const std::string kRegion(kLabelTopologyRegion);

void add_pv(fake_handle& h, std::string name, const labels& l) {
    auto pv = std::make_shared<api::persistent_volume>();
    pv->meta.name = name;
    for (const auto& [k, v] : l) {
        pv->meta.labels.set(k, v);
    }
    h.cluster_objects.pvs.upsert(std::move(name), std::move(pv));
}

// A claim in "default" bound to `volume` ("" unbound) with an optional class name.
void add_pvc(fake_handle& h, std::string name, std::string volume,
             std::optional<std::string> class_name = std::nullopt) {
    auto pvc = std::make_shared<api::persistent_volume_claim>();
    pvc->meta.ns = "default";
    pvc->meta.name = name;
    pvc->volume_name = std::move(volume);
    pvc->storage_class_name = std::move(class_name);
    h.cluster_objects.pvcs.upsert(cache::namespaced_key("default", name), std::move(pvc));
}

void add_class(fake_handle& h, std::string name, std::string binding_mode) {
    auto sc = std::make_shared<api::storage_class>();
    sc->meta.name = name;
    sc->volume_binding_mode = std::move(binding_mode);
    h.cluster_objects.storage_classes.upsert(std::move(name), std::move(sc));
}

struct test_case {
    std::string name;
    std::string pvc;  // "" for a pod without volumes
    labels node_labels;
    code want_pre_filter;
    std::string want_pre_filter_message;
    code want_filter;
    std::string want_filter_message;
};

const std::string kConflict(kErrReasonConflict);

// PreFilter and Filter succeed.
test_case fits(std::string name, std::string pvc, labels node) {
    return {std::move(name), std::move(pvc), std::move(node), code::success, "", code::success, ""};
}
// PreFilter succeeds, Filter rejects the node with kErrReasonConflict.
test_case conflict(std::string name, std::string pvc, labels node) {
    return {std::move(name),
            std::move(pvc),
            std::move(node),
            code::success,
            "",
            code::unschedulable_and_unresolvable,
            kConflict};
}
// PreFilter skips; Filter (recomputing) succeeds.
test_case skipped(std::string name, std::string pvc, labels node) {
    return {std::move(name), std::move(pvc), std::move(node), code::skip, "", code::success, ""};
}
// PreFilter and Filter both fail with this UnschedulableAndUnresolvable reason.
test_case rejected(std::string name, std::string pvc, labels node, const std::string& reason) {
    return {std::move(name), std::move(pvc),
            std::move(node), code::unschedulable_and_unresolvable,
            reason,          code::unschedulable_and_unresolvable,
            reason};
}

// Runs PreFilter then Filter on host1 (Filter runs whatever PreFilter said, as upstream's tests
// do: without PreFilter state it recomputes the PV topologies).
void run(fake_handle& h, const std::vector<test_case>& cases) {
    volume_zone plugin(h);
    for (const auto& c : cases) {
        INFO(c.name);
        auto pod = make_pod().name("pod_1").ns("default");
        if (!c.pvc.empty()) {
            pod.pvc(c.pvc);
        }
        auto node = make_node().name("host1");
        for (const auto& [k, v] : c.node_labels) {
            node.label(k, v);
        }
        const auto ni = make_node_info(node.obj());
        const auto info = pod.info();
        framework::cycle_state state;
        framework::pre_filter_result result;
        const auto pre = plugin.pre_filter(state, *info, {}, result);
        CHECK(pre.code() == c.want_pre_filter);
        CHECK(pre.message() == c.want_pre_filter_message);
        const auto st = plugin.filter(state, *info, ni);
        CHECK(st.code() == c.want_filter);
        CHECK(st.message() == c.want_filter_message);
    }
}

TEST_CASE("volume_zone.single_zone") {
    fake_handle h;
    add_pv(h, "Vol_1", {{kBetaZone, "us-west1-a"}});
    add_pv(h, "Vol_2", {{kBetaRegion, "us-west1"}, {"uselessLabel", "none"}});
    add_pv(h, "Vol_3", {{kBetaRegion, "us-west1"}});
    add_pv(h, "Vol_Stable_1", {{kZone, "us-west1-a"}});
    add_pv(h, "Vol_Stable_2", {{kRegion, "us-west1"}, {"uselessLabel", "none"}});
    add_pv(h, "Vol_Stable_3", {{kZone, "us-west1-a"}, {kRegion, "us-west1-a"}});
    add_pvc(h, "PVC_1", "Vol_1");
    add_pvc(h, "PVC_2", "Vol_2");
    add_pvc(h, "PVC_3", "Vol_3");
    add_pvc(h, "PVC_4", "Vol_not_exist");
    add_pvc(h, "PVC_Stable_1", "Vol_Stable_1");
    add_pvc(h, "PVC_Stable_2", "Vol_Stable_2");
    add_pvc(h, "PVC_Stable_3", "Vol_Stable_3");
    add_pv(h, "Vol_None", {{"uselessLabel", "none"}});
    add_pvc(h, "PVC_None", "Vol_None");
    auto with = [](const std::string& k, std::string v) {
        return labels{{"uselessLabel", "none"}, {k, std::move(v)}};
    };
    const labels zone_a = {{kZone, "us-west1-a"}};
    run(h,
        {
            skipped("pod without volume", "", {{kBetaZone, "us-west1-a"}}),
            fits("node without labels", "PVC_1", {}),
            fits("beta zone label matched", "PVC_1", with(kBetaZone, "us-west1-a")),
            fits("beta region label matched", "PVC_2", with(kBetaRegion, "us-west1")),
            conflict("beta region label doesn't match", "PVC_2", with(kBetaRegion, "no_us-west1")),
            conflict("beta zone label doesn't match", "PVC_1", with(kBetaZone, "no_us-west1-a")),
            fits("zone label matched", "PVC_Stable_1", with(kZone, "us-west1-a")),
            fits("region label matched", "PVC_Stable_2", with(kRegion, "us-west1")),
            conflict("region label doesn't match", "PVC_Stable_2", with(kRegion, "no_us-west1")),
            conflict("zone label doesn't match", "PVC_Stable_1", with(kZone, "no_us-west1-a")),
            conflict("pv with zone and region, node with only zone", "PVC_Stable_3", zone_a),
            conflict("pv with zone,node with beta zone", "PVC_Stable_1",
                     {{kBetaZone, "us-west1-a"}}),
            fits("pv with beta label,node with ga label, matched", "PVC_1", zone_a),
            conflict("pv with beta label,node with ga label, don't match", "PVC_1",
                     {{kZone, "us-west1-b"}}),
            conflict("pv with beta region, node with only a zone label", "PVC_3", zone_a),
            skipped("pv without topology labels", "PVC_None", zone_a),
            rejected("bound pv missing", "PVC_4", zone_a,
                     "persistentvolume \"Vol_not_exist\" not found"),
            rejected("pvc missing", "PVC_none", zone_a,
                     "persistentvolumeclaim \"PVC_none\" not found"),
        });
}

TEST_CASE("volume_zone.multi_zone") {
    fake_handle h;
    add_pv(h, "Vol_1", {{kBetaZone, "us-west1-a"}});
    add_pv(h, "Vol_2", {{kBetaZone, "us-west1-b"}, {"uselessLabel", "none"}});
    add_pv(h, "Vol_3", {{kBetaZone, "us-west1-c__us-west1-a"}});
    add_pv(h, "Vol_Stable_1", {{kZone, "us-west1-a"}});
    add_pv(h, "Vol_Stable_2", {{kZone, "us-west1-c__us-west1-a"}});
    add_pv(h, "Vol_Bad", {{kZone, "us-west1-a____us-west1-b"}});
    add_pvc(h, "PVC_1", "Vol_1");
    add_pvc(h, "PVC_2", "Vol_2");
    add_pvc(h, "PVC_3", "Vol_3");
    add_pvc(h, "PVC_4", "Vol_not_exist");
    add_pvc(h, "PVC_Stable_1", "Vol_Stable_1");
    add_pvc(h, "PVC_Stable_2", "Vol_Stable_2");
    add_pvc(h, "PVC_Bad", "Vol_Bad");
    auto with = [](const std::string& k, std::string v) {
        return labels{{"uselessLabel", "none"}, {k, std::move(v)}};
    };
    run(h, {
               fits("node without labels", "PVC_3", {}),
               fits("beta zone label matched", "PVC_3", with(kBetaZone, "us-west1-a")),
               conflict("beta zone label doesn't match", "PVC_1", with(kBetaZone, "us-west1-b")),
               fits("zone label matched", "PVC_Stable_2", with(kZone, "us-west1-a")),
               conflict("zone label doesn't match", "PVC_Stable_1", with(kZone, "us-west1-b")),
               skipped("an unparsable PV label is ignored", "PVC_Bad", {{kZone, "us-west1-c"}}),
           });
}

TEST_CASE("volume_zone.with_binding") {
    fake_handle h;
    add_class(h, "Class_Immediate", "");  // volumeBindingMode unset
    add_class(h, "Class_Wait", "WaitForFirstConsumer");
    add_class(h, "Class_Explicit_Immediate", "Immediate");
    add_pv(h, "Vol_1", {{kBetaZone, "us-west1-a"}});
    add_pvc(h, "PVC_1", "Vol_1");
    add_pvc(h, "PVC_NoSC", "", "Class_0");
    add_pvc(h, "PVC_EmptySC", "");
    add_pvc(h, "PVC_WaitSC", "", "Class_Wait");
    add_pvc(h, "PVC_ImmediateSC", "", "Class_Immediate");
    add_pvc(h, "PVC_ExplicitImmediateSC", "", "Class_Explicit_Immediate");
    {
        // The beta annotation wins over spec.storageClassName.
        auto pvc = std::make_shared<api::persistent_volume_claim>();
        pvc->meta.ns = "default";
        pvc->meta.name = "PVC_BetaAnnotation";
        pvc->storage_class_name = "Class_Immediate";
        pvc->annotations.set(std::string(kBetaStorageClassAnnotation), "Class_Wait");
        h.cluster_objects.pvcs.upsert("default/PVC_BetaAnnotation", std::move(pvc));
    }
    const labels node = {{kBetaZone, "us-west1-a"}, {"uselessLabel", "none"}};
    const std::string no_name = "PersistentVolumeClaim had no pv name and storageClass name";
    const std::string no_class = "storageclass.storage.k8s.io \"Class_0\" not found";
    const std::string no_mode = "VolumeBindingMode not set for StorageClass \"Class_Immediate\"";
    run(h, {
               fits("label zone failure domain matched", "PVC_1", node),
               rejected("unbound volume empty storage class", "PVC_EmptySC", node, no_name),
               rejected("unbound volume no storage class", "PVC_NoSC", node, no_class),
               rejected("unbound volume immediate binding mode", "PVC_ImmediateSC", node, no_mode),
               skipped("unbound volume wait binding mode", "PVC_WaitSC", node),
               rejected("unbound volume explicit Immediate binding mode", "PVC_ExplicitImmediateSC",
                        node, "PersistentVolume had no name"),
               skipped("class from the beta annotation", "PVC_BetaAnnotation", node),
           });
}

TEST_CASE("volume_zone.label_zones_to_set") {
    struct zones_case {
        std::string value;
        std::optional<std::vector<std::string>> want;
    };
    const std::vector<zones_case> cases = {
        {"a", std::vector<std::string>{"a"}},
        {"b__a", std::vector<std::string>{"a", "b"}},
        {"a__a", std::vector<std::string>{"a"}},
        {" a __ b ", std::vector<std::string>{"a", "b"}},
        {"", std::nullopt},
        {"a__", std::nullopt},
        {"a____b", std::nullopt},
        {"a_b", std::vector<std::string>{"a_b"}},
    };
    for (const auto& c : cases) {
        INFO(c.value);
        CHECK(label_zones_to_set(c.value) == c.want);
    }
}

TEST_CASE("volume_zone.missing_node_object") {
    fake_handle h;
    add_pv(h, "Vol_1", {{kZone, "a"}});
    add_pvc(h, "PVC_1", "Vol_1");
    volume_zone plugin(h);
    const auto info = make_pod().name("p").ns("default").pvc("PVC_1").info();
    framework::cycle_state state;
    framework::pre_filter_result result;
    REQUIRE(plugin.pre_filter(state, *info, {}, result).is_success());
    framework::node_info ghost("ghost");
    const auto st = plugin.filter(state, *info, ghost);
    CHECK(st.code() == code::error);
    CHECK(st.message() == "node not found");
}

TEST_CASE("volume_zone.events") {
    fake_handle h;
    const auto events = volume_zone(h).events_to_register();
    REQUIRE(events.size() == 4);
    CHECK(events[0].resource == framework::event_resource::storage_class);
    CHECK(events[0].actions == framework::action_add);
    CHECK(events[1].resource == framework::event_resource::node);
    CHECK(events[1].actions == (framework::action_add | framework::action_update_node_label |
                                framework::action_update_node_taint));
    CHECK(events[2].resource == framework::event_resource::persistent_volume_claim);
    CHECK(events[2].actions == (framework::action_add | framework::action_update));
    CHECK(events[3].resource == framework::event_resource::persistent_volume);
    CHECK(events[3].actions == (framework::action_add | framework::action_update));
}

TEST_CASE("volume_zone.make") {
    fake_handle h;
    const std::vector<helper::factory_case> cases = {
        {"no args", "", ""},
        {"empty map", "{}", ""},
        {"unknown field", "zones: [a]", "VolumeZone args: unknown field \"zones\""},
        {"wrong kind", "kind: Other", "VolumeZone args: kind: must be VolumeZoneArgs"},
    };
    helper::check_factory(make, h, "VolumeZone", cases);
}

}  // namespace
}  // namespace multisched::plugins::volume_zone
