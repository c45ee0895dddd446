// SPDX-License-Identifier: Apache-2.0
// QueueSort: priority, then the group's fixed time (or a loner's own timestamp), then the group
// key (upstream coscheduling_test.go TestLess, with group times instead of PodGroup creation
// times); loners order exactly as PrioritySort; records of groups without members are dropped.
#include <catch2/catch.hpp>

#include "plugins/coscheduling/coscheduling.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::coscheduling {
namespace {

using namespace std::chrono_literals;
using multisched::testing::make_pod;

const clock::time_point kT0 = clock::time_point{} + 1h;

// A queued pod `name` (uid = name) in group `group` ("" = none) queued at kT0 + `at` seconds.
framework::queued_pod_info queued(const std::string& name, const std::string& group,
                                  std::int32_t priority, int at) {
    auto b = make_pod().name(name).ns("ns").uid(name).priority(priority);
    if (!group.empty()) {
        b.label(std::string(api::kPodGroupLabel), group);
    }
    framework::queued_pod_info q;
    q.info = b.info();
    q.timestamp = kT0 + std::chrono::seconds(at);
    return q;
}

// PrioritySort's documented order (plugins/priority_sort): higher priority, then earlier
// timestamp.
bool priority_sort_less(const framework::queued_pod_info& a, const framework::queued_pod_info& b) {
    const auto pa = a.info->pod->priority.value_or(0);
    const auto pb = b.info->pod->priority.value_or(0);
    return pa > pb || (pa == pb && a.timestamp < b.timestamp);
}

TEST_CASE("coscheduling.queue_sort", "[coscheduling]") {
    struct test_case {
        std::string name;
        // Compared first, in order, so that the groups' times are recorded.
        std::vector<framework::queued_pod_info> seen;
        framework::queued_pod_info a;
        framework::queued_pod_info b;
        bool want_a_first;
        bool want_b_first;
    };
    const std::vector<test_case> cases = {
        {"higher priority first, whatever the time",
         {},
         queued("p1", "", 10, 5),
         queued("p2", "", 1, 0),
         true,
         false},
        {"higher priority first, group or not",
         {},
         queued("p1", "", 10, 5),
         queued("g1", "g", 1, 0),
         true,
         false},
        {"loners: earlier timestamp first",
         {},
         queued("p1", "", 0, 1),
         queued("p2", "", 0, 2),
         true,
         false},
        {"loners with equal timestamps are equal",
         {},
         queued("p1", "", 0, 1),
         queued("p2", "", 0, 1),
         false,
         false},
        {"a member carries its group's earlier time past a loner",
         {queued("g0", "g", 0, 1)},
         queued("g1", "g", 0, 3),
         queued("p", "", 0, 2),
         true,
         false},
        {"a loner queued before the group goes first",
         {queued("g0", "g", 0, 3)},
         queued("p", "", 0, 2),
         queued("g1", "g", 0, 4),
         true,
         false},
        {"members of one group are equal whatever their timestamps",
         {queued("g0", "g", 0, 1)},
         queued("g1", "g", 0, 9),
         queued("g2", "g", 0, 5),
         false,
         false},
        {"two groups: the earlier group first",
         {queued("a0", "a", 0, 1), queued("b0", "b", 0, 2)},
         queued("b1", "b", 0, 0),
         queued("a1", "a", 0, 8),
         false,
         true},
        {"same time: the smaller group key first",
         {},
         queued("b0", "b", 0, 1),
         queued("a0", "a", 0, 1),
         false,
         true},
        {"same time as a loner: the loner (key \"\") first",
         {},
         queued("g0", "g", 0, 1),
         queued("p", "", 0, 1),
         false,
         true},
        {"a group's time never moves to an earlier member",
         {queued("g0", "g", 0, 5)},
         queued("g1", "g", 0, 1),
         queued("p", "", 0, 3),
         false,
         true},
        {"groups of the same name in other namespaces differ",
         {queued("g0", "g", 0, 1)},
         [] {
             auto q = queued("x0", "g", 0, 2);
             auto p = std::make_shared<api::pod>(*q.info->pod);
             p->meta.ns = "other";
             q.info = framework::make_pod_info(p);
             return q;
         }(),
         queued("g1", "g", 0, 9),
         false,
         true},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        multisched::testing::fake_handle h;
        for (const auto& q : {c.a, c.b}) {
            h.cluster_objects.pod_group_members.upsert(q.info->pod);
        }
        const coscheduling p(coscheduling_args{}, h);
        for (const auto& q : c.seen) {
            h.cluster_objects.pod_group_members.upsert(q.info->pod);
            (void)p.less(q, q);
        }
        CHECK(p.less(c.a, c.b) == c.want_a_first);
        CHECK(p.less(c.b, c.a) == c.want_b_first);
    }
}

TEST_CASE("coscheduling.queue_sort_loners_as_priority_sort", "[coscheduling]") {
    std::vector<framework::queued_pod_info> loners;
    for (int i = 0; i < 12; ++i) {
        loners.push_back(queued("p" + std::to_string(i), "", (i % 3) * 10, (i * 7) % 5));
    }
    multisched::testing::fake_handle h;
    const coscheduling p(coscheduling_args{}, h);
    for (const auto& a : loners) {
        for (const auto& b : loners) {
            INFO(a.info->pod->meta.name << " vs " << b.info->pod->meta.name);
            CHECK(p.less(a, b) == priority_sort_less(a, b));
        }
    }
}

TEST_CASE("coscheduling.group_clock_drops_groups_without_members", "[coscheduling]") {
    cache::pod_group_index index;
    group_clock clock(index);
    // "kept" has a member; 63 groups have none.
    index.upsert(
        make_pod().ns("ns").uid("k").label(std::string(api::kPodGroupLabel), "kept").ptr());
    CHECK(clock.time_of("ns/kept", kT0, "") == kT0);
    for (int i = 0; i < 63; ++i) {
        clock.time_of("ns/gone" + std::to_string(i), kT0 + 1s, "");
    }
    REQUIRE(clock.size() == 64);
    // Recording a 65th group sweeps: the comparing groups ("ns/gone0" is being compared) stay.
    CHECK(clock.time_of("ns/new", kT0 + 2s, "ns/gone0") == kT0 + 2s);
    CHECK(clock.size() == 3);
    CHECK(clock.time_of("ns/kept", kT0 + 9s, "") == kT0);
    CHECK(clock.time_of("ns/gone0", kT0 + 9s, "") == kT0 + 1s);
    // A dropped group starts afresh when it comes back.
    CHECK(clock.time_of("ns/gone1", kT0 + 9s, "") == kT0 + 9s);
}

}  // namespace
}  // namespace multisched::plugins::coscheduling
