// SPDX-License-Identifier: Apache-2.0
#include "core/queue/scheduling_queue.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "core/metrics/scheduler_metrics.hpp"
#include "test/util/builders.hpp"

namespace multisched::queue {
namespace {

using namespace std::chrono_literals;
using testing::make_pod;

// PrioritySort's order, without depending on the plugins library.
bool by_priority(const framework::queued_pod_info& a, const framework::queued_pod_info& b) {
    const int pa = a.info->pod->priority.value_or(0);
    const int pb = b.info->pod->priority.value_or(0);
    return pa > pb || (pa == pb && a.timestamp < b.timestamp);
}

struct fixture {
    asio::io_context ioc;
    scheduling_queue q{ioc.get_executor(), by_priority, queue_options{}};
    clock::time_point t0 = clock::now();

    std::shared_ptr<const framework::pod_info> pod(const std::string& uid, int prio = 0) {
        return make_pod().name(uid).ns("d").uid(uid).priority(prio).info();
    }
    std::string pop_uid() {
        auto p = q.try_pop();
        return p ? p->queued.info->pod->meta.uid : std::string("<empty>");
    }
};

// Runs the context until `fut` is ready; restarts it when it ran out of work (no sleeps).
template <class T>
T drive(asio::io_context& ioc, std::future<T>& fut) {
    while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        ioc.restart();
        ioc.run_one_for(std::chrono::seconds(1));
    }
    return fut.get();
}

const framework::cluster_event kNodeAdd{framework::event_resource::node, framework::action_add};
const framework::cluster_event kPodDelete{framework::event_resource::assigned_pod,
                                          framework::action_delete};

}  // namespace

TEST_CASE("scheduling_queue.orders_by_queue_sort") {
    fixture f;
    f.q.add(f.pod("low", 1), f.t0);
    f.q.add(f.pod("high", 10), f.t0 + 1ms);
    f.q.add(f.pod("low2", 1), f.t0 + 2ms);
    CHECK(f.pop_uid() == "high");
    CHECK(f.pop_uid() == "low");
    CHECK(f.pop_uid() == "low2");
    CHECK(f.pop_uid() == "<empty>");
}

TEST_CASE("scheduling_queue.backoff_doubles_to_the_max") {
    // attempts -> backoff with initial 1 s, max 10 s: 1, 2, 4, 8, 10, 10
    const std::vector<std::pair<int, std::chrono::milliseconds>> cases = {
        {1, 1000ms}, {2, 2000ms}, {3, 4000ms}, {4, 8000ms}, {5, 10000ms}, {6, 10000ms}};
    for (const auto& [attempts, want] : cases) {
        DYNAMIC_SECTION("attempts " << attempts) {
            // Fail `attempts` times; check the last backoff window to the millisecond.
            fixture g;
            g.q.add(g.pod("p"), g.t0);
            for (int i = 0; i < attempts - 1; ++i) {
                auto popped = g.q.try_pop();
                g.q.requeue(*popped, failure{{}, false, true, {}}, g.t0);
                g.q.flush_backoff_completed(g.t0 + 20s);
            }
            auto popped = g.q.try_pop();
            REQUIRE(popped);
            g.q.requeue(*popped, failure{{}, false, true, {}}, g.t0);
            g.q.flush_backoff_completed(g.t0 + want - 1ms);
            CHECK(g.q.sizes().backoff == 1);
            g.q.flush_backoff_completed(g.t0 + want);
            CHECK(g.q.sizes().active == 1);
        }
    }
}

TEST_CASE("scheduling_queue.unschedulable_moves_only_on_registered_events") {
    fixture f;
    f.q.add(f.pod("p"), f.t0);
    auto popped = f.q.try_pop();
    REQUIRE(popped);
    failure why;
    why.events = {kNodeAdd};
    f.q.requeue(*popped, why, f.t0);
    CHECK(f.q.sizes().unschedulable == 1);

    f.q.on_event(kPodDelete, f.t0 + 1ms);  // not registered: stays
    CHECK(f.q.sizes().unschedulable == 1);
    f.q.on_event(kNodeAdd, f.t0 + 2s);  // registered; backoff (1 s) already over: active
    CHECK(f.q.sizes().active == 1);
}

TEST_CASE("scheduling_queue.events_move_only_the_pods_parked_now") {
    // Three pods parked as unschedulable on node events; then, step by step, pods leave the
    // unschedulable pool in every way and events must move exactly the ones still parked.
    fixture f;
    failure on_node_add;
    on_node_add.events = {kNodeAdd};
    const auto park = [&](const std::string& uid, clock::time_point at) {
        f.q.add(f.pod(uid), at);
        auto popped = f.q.try_pop();
        REQUIRE(popped);
        REQUIRE(popped->queued.info->pod->meta.uid == uid);
        f.q.requeue(*popped, on_node_add, at);
    };
    park("a", f.t0);
    park("b", f.t0);
    park("c", f.t0);
    REQUIRE(f.q.sizes().unschedulable == 3);

    f.q.remove("a");                     // deleted while parked
    f.q.update(f.pod("b"), true, f.t0);  // its spec changed: to backoff (1 s)
    CHECK(f.q.sizes().unschedulable == 1);
    CHECK(f.q.sizes().backoff == 1);

    f.q.on_event(kNodeAdd, f.t0 + 2s);  // only c is still parked
    CHECK(f.q.sizes().unschedulable == 0);
    CHECK(f.q.sizes().active == 1);
    f.q.flush_backoff_completed(f.t0 + 2s);
    CHECK(f.q.sizes().active == 2);

    // Both pop, fail and park again; one event moves both; more events find nobody.
    for (int i = 0; i < 2; ++i) {
        auto popped = f.q.try_pop();
        REQUIRE(popped);
        f.q.requeue(*popped, on_node_add, f.t0 + 3s);
    }
    CHECK(f.q.sizes().unschedulable == 2);
    f.q.on_event(kPodDelete, f.t0 + 10s);  // not registered
    CHECK(f.q.sizes().unschedulable == 2);
    f.q.on_event(kNodeAdd, f.t0 + 10s);
    f.q.on_event(kNodeAdd, f.t0 + 10s);
    CHECK(f.q.sizes().unschedulable == 0);
    CHECK(f.q.sizes().active == 2);
    CHECK(f.pop_uid() != "<empty>");
    CHECK(f.pop_uid() != "<empty>");
    CHECK(f.pop_uid() == "<empty>");
}

TEST_CASE("scheduling_queue.event_during_the_cycle_sends_to_backoff") {
    fixture f;
    f.q.add(f.pod("p"), f.t0);
    auto popped = f.q.try_pop();
    REQUIRE(popped);
    f.q.on_event(kPodDelete, f.t0);  // arrives while the pod is in flight
    failure why;
    why.events = {kNodeAdd};
    f.q.requeue(*popped, why, f.t0);
    CHECK(f.q.sizes().unschedulable == 0);
    CHECK(f.q.sizes().backoff == 1);
}

TEST_CASE("scheduling_queue.removed_in_flight_is_not_requeued") {
    fixture f;
    f.q.add(f.pod("p"), f.t0);
    auto popped = f.q.try_pop();
    REQUIRE(popped);
    f.q.remove("p");
    f.q.requeue(*popped, failure{{}, true, false, {}}, f.t0);
    const auto s = f.q.sizes();
    CHECK(s.active + s.backoff + s.unschedulable == 0);
    CHECK_FALSE(f.q.contains("p"));
}

TEST_CASE("scheduling_queue.update_in_flight_requeues_the_new_object") {
    fixture f;
    f.q.add(f.pod("p", 1), f.t0);
    auto popped = f.q.try_pop();
    REQUIRE(popped);
    f.q.update(f.pod("p", 7), true, f.t0);
    CHECK(f.q.sizes().active == 0);  // no second copy while in flight
    f.q.requeue(*popped, failure{{}, false, true, {}}, f.t0);
    f.q.flush_backoff_completed(f.t0 + 20s);
    auto again = f.q.try_pop();
    REQUIRE(again);
    CHECK(again->queued.info->pod->priority == 7);
}

TEST_CASE("scheduling_queue.update_moves_an_unschedulable_pod") {
    fixture f;
    f.q.add(f.pod("p"), f.t0);
    auto popped = f.q.try_pop();
    f.q.requeue(*popped, failure{}, f.t0);
    REQUIRE(f.q.sizes().unschedulable == 1);
    f.q.update(f.pod("p", 0), false, f.t0 + 5s);  // status only: stays parked
    CHECK(f.q.sizes().unschedulable == 1);
    f.q.update(f.pod("p", 3), true, f.t0 + 5s);
    CHECK(f.q.sizes().unschedulable == 0);
}

TEST_CASE("scheduling_queue.leftover_flush_after_timeout") {
    fixture f;
    f.q.add(f.pod("p"), f.t0);
    auto popped = f.q.try_pop();
    f.q.requeue(*popped, failure{}, f.t0);
    f.q.flush_unschedulable_leftover(f.t0 + 299s);
    CHECK(f.q.sizes().unschedulable == 1);
    f.q.flush_unschedulable_leftover(f.t0 + 300s);
    CHECK(f.q.sizes().active == 1);
}

TEST_CASE("scheduling_queue.done_forgets_the_pod") {
    fixture f;
    f.q.add(f.pod("p"), f.t0);
    auto popped = f.q.try_pop();
    f.q.done("p");
    CHECK_FALSE(f.q.contains("p"));
    f.q.add(f.pod("p"), f.t0);  // a later add is a new pod again
    CHECK(f.q.sizes().active == 1);
}

TEST_CASE("scheduling_queue.pop_waits_for_add_and_honours_cancel") {
    fixture f;
    auto fut = asio::co_spawn(f.ioc, f.q.pop(), asio::use_future);
    f.ioc.poll();
    REQUIRE(fut.wait_for(0s) == std::future_status::timeout);
    f.q.add(f.pod("p"), f.t0);
    auto popped = drive(f.ioc, fut);
    REQUIRE(popped);
    CHECK(popped->queued.info->pod->meta.uid == "p");

    asio::cancellation_signal cancel;
    auto fut2 = asio::co_spawn(f.ioc, f.q.pop(),
                               asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
    f.ioc.restart();
    f.ioc.poll();
    REQUIRE(fut2.wait_for(0s) == std::future_status::timeout);
    cancel.emit(asio::cancellation_type::terminal);
    CHECK_FALSE(drive(f.ioc, fut2).has_value());
}

TEST_CASE("scheduling_queue.pre_enqueue_gates_pods_until_updated") {
    asio::io_context ioc;
    queue_options opts;
    opts.pre_enqueue = [](const api::pod& p) {
        return p.scheduling_gates.empty()
                   ? framework::status()
                   : framework::status(framework::code::unschedulable_and_unresolvable, "gated");
    };
    scheduling_queue q(ioc.get_executor(), by_priority, opts);
    const auto t0 = clock::now();
    auto gated = make_pod().name("g").ns("d").uid("g").obj();
    gated.scheduling_gates = {"example.com/wait"};
    q.add(framework::make_pod_info(std::make_shared<const api::pod>(gated)), t0);
    q.add(make_pod().name("free").ns("d").uid("free").info(), t0);
    CHECK(q.sizes().gated == 1);
    CHECK(q.sizes().active == 1);

    // Events, flushes and status-only updates leave a gated pod alone.
    q.on_event(kNodeAdd, t0);
    q.flush_unschedulable_leftover(t0 + std::chrono::hours(1));
    q.update(framework::make_pod_info(std::make_shared<const api::pod>(gated)), false, t0);
    auto p = q.try_pop();
    REQUIRE(p.has_value());
    CHECK(p->queued.info->pod->meta.uid == "free");
    CHECK_FALSE(q.try_pop().has_value());
    CHECK(q.sizes().gated == 1);

    // An update that keeps a gate: still gated. Removing the last gate: active at once.
    gated.scheduling_gates = {"example.com/other"};
    q.update(framework::make_pod_info(std::make_shared<const api::pod>(gated)), true, t0);
    CHECK_FALSE(q.try_pop().has_value());
    gated.scheduling_gates.clear();
    q.update(framework::make_pod_info(std::make_shared<const api::pod>(gated)), true, t0);
    CHECK(q.sizes().gated == 0);
    p = q.try_pop();
    REQUIRE(p.has_value());
    CHECK(p->queued.info->pod->meta.uid == "g");
    CHECK(p->queued.attempts == 1);
}

TEST_CASE("scheduling_queue.reload_drops_and_retries_by_profile") {
    // Pods of profile "a" and "b" in each place a reload can find them.
    fixture f;
    const auto named = [&](const std::string& uid, const std::string& profile) {
        return make_pod().name(uid).ns("d").uid(uid).scheduler(profile).info();
    };
    const auto is = [](const std::string& profile) {
        return [profile](const api::pod& p) { return p.scheduler_name == profile; };
    };
    failure never;  // no registered event: only a retry or the leftover flush moves it
    never.events = {kNodeAdd};
    for (const std::string profile : {"a", "b"}) {
        f.q.add(named(profile + "-unsched", profile), f.t0);
        auto popped = f.q.try_pop();
        REQUIRE(popped);
        f.q.requeue(*popped, never, f.t0);
    }
    f.q.add(named("a-flight", "a"), f.t0);
    auto in_flight = f.q.try_pop();
    REQUIRE(in_flight);
    f.q.add(named("a-active", "a"), f.t0);
    f.q.add(named("b-active", "b"), f.t0);
    CHECK(f.q.sizes().unschedulable == 2);

    // "b" changed: only its unschedulable pod moves (attempted once, backoff over at +2 s).
    CHECK(f.q.retry_if(is("b"), f.t0 + 2s) == 1);
    CHECK(f.q.sizes().unschedulable == 1);
    CHECK(f.q.sizes().active == 3);

    // "a" removed: its queued pods go, the in-flight one stays with its binding cycle.
    CHECK(f.q.remove_if(is("a")) == 2);
    CHECK(f.q.sizes().unschedulable == 0);
    std::set<std::string> left;
    for (auto p = f.q.try_pop(); p; p = f.q.try_pop()) {
        left.insert(p->queued.info->pod->meta.uid);
    }
    CHECK(left == std::set<std::string>{"b-active", "b-unsched"});
    f.q.done(in_flight->queued.info->pod->meta.uid);
}

TEST_CASE("scheduling_queue.set_backoff_applies_to_later_failures") {
    fixture f;
    f.q.set_backoff(3s, 5s);
    f.q.add(f.pod("p"), f.t0);
    auto popped = f.q.try_pop();
    REQUIRE(popped);
    f.q.requeue(*popped, failure{{}, false, true, {}}, f.t0);
    f.q.flush_backoff_completed(f.t0 + 3s - 1ms);
    CHECK(f.q.sizes().backoff == 1);
    f.q.flush_backoff_completed(f.t0 + 3s);
    CHECK(f.q.sizes().active == 1);
}

}  // namespace multisched::queue

namespace multisched::queue {

// scheduler_queue_incoming_pods_total{queue,event}: each move is counted once, under upstream's
// queue and event names; the SLI start is the first entry into active and survives requeues.
TEST_CASE("scheduling_queue.incoming_pods_metric_and_initial_attempt") {
    metrics::registry reg;
    metrics::scheduler_metrics m(reg);
    fixture f;
    f.q.set_metrics(&m);
    const auto count = [&](std::string_view queue, std::string_view event) {
        return m.queue_incoming_pods.with({queue, event}).value();
    };

    f.q.add(f.pod("a"), f.t0);
    CHECK(count("active", "PodAdd") == 1);
    auto first = f.q.try_pop();
    REQUIRE(first.has_value());
    CHECK(first->queued.initial_attempt == f.t0);

    failure rejected;
    rejected.events = {kNodeAdd};
    f.q.requeue(*first, rejected, f.t0 + 1ms);
    CHECK(count("unschedulable", "ScheduleAttemptFailure") == 1);
    f.q.on_event(kNodeAdd, f.t0 + 2ms);
    CHECK(count("backoff", "NodeAdd") == 1);
    f.q.flush_backoff_completed(f.t0 + 2s);
    CHECK(count("active", "BackoffComplete") == 1);

    auto second = f.q.try_pop();
    REQUIRE(second.has_value());
    CHECK(second->queued.attempts == 2);
    CHECK(second->queued.initial_attempt == f.t0);  // not reset by the requeue
    failure error;
    error.error = true;
    f.q.requeue(*second, error, f.t0 + 3s);
    CHECK(count("backoff", "ScheduleAttemptFailure") == 1);
    CHECK(count("active", "PodAdd") == 1);  // nothing counted twice
}

// scheduler_unschedulable_pods{plugin,profile}: a rejected pod counts under each rejecting plugin
// and its profile from its requeue, wherever it then waits, until it is popped again or leaves
// the queue; errors count nowhere.
TEST_CASE("scheduling_queue.unschedulable_pods_metric") {
    metrics::registry reg;
    metrics::scheduler_metrics m(reg);
    fixture f;
    f.q.set_metrics(&m);
    const auto gauge = [&](std::string_view plugin, std::string_view profile) {
        return m.unschedulable_pods.with({plugin, profile}).value();
    };
    const auto rejected_by = [](std::vector<std::string> plugins) {
        failure why;
        why.events = {kNodeAdd};
        why.rejector_plugins = std::move(plugins);
        return why;
    };
    f.q.add(f.pod("a"), f.t0);
    f.q.add(make_pod().name("b").ns("d").uid("b").scheduler("packer").info(), f.t0);
    auto a = f.q.try_pop();
    auto b = f.q.try_pop();
    REQUIRE((a && b));
    f.q.requeue(*a, rejected_by({"NodeResourcesFit", "TaintToleration"}), f.t0 + 1ms);
    f.q.requeue(*b, rejected_by({"NodeResourcesFit"}), f.t0 + 1ms);
    CHECK(gauge("NodeResourcesFit", "default-scheduler") == 1);
    CHECK(gauge("TaintToleration", "default-scheduler") == 1);
    CHECK(gauge("NodeResourcesFit", "packer") == 1);

    // Moved to backoff, then active: still counted until popped.
    f.q.on_event(kNodeAdd, f.t0 + 2ms);
    f.q.flush_backoff_completed(f.t0 + 2s);
    CHECK(gauge("NodeResourcesFit", "default-scheduler") == 1);
    auto again = f.q.try_pop();
    REQUIRE(again.has_value());
    REQUIRE(again->queued.info->pod->meta.uid == "a");
    CHECK(gauge("NodeResourcesFit", "default-scheduler") == 0);
    CHECK(gauge("TaintToleration", "default-scheduler") == 0);

    // An error counts nowhere; a deleted pod stops counting.
    failure error;
    error.error = true;
    error.rejector_plugins = {"NodeAffinity"};
    f.q.requeue(*again, error, f.t0 + 3s);
    CHECK(gauge("NodeAffinity", "default-scheduler") == 0);
    f.q.remove("b");
    CHECK(gauge("NodeResourcesFit", "packer") == 0);

    // A pod dropped with its profile (reload) stops counting too.
    f.q.flush_backoff_completed(f.t0 + 1min);
    auto third = f.q.try_pop();
    REQUIRE(third.has_value());
    f.q.requeue(*third, rejected_by({"NodePorts"}), f.t0 + 4s);
    CHECK(gauge("NodePorts", "default-scheduler") == 1);
    CHECK(f.q.remove_if([](const api::pod&) { return true; }) == 1);
    CHECK(gauge("NodePorts", "default-scheduler") == 0);
}

TEST_CASE("scheduling_queue.gated_pods_are_not_counted_and_start_the_sli_when_ungated") {
    metrics::registry reg;
    metrics::scheduler_metrics m(reg);
    asio::io_context ioc;
    bool gate_open = false;
    queue_options opts;
    opts.pre_enqueue = [&](const api::pod&) {
        return gate_open
                   ? framework::status{}
                   : framework::status(framework::code::unschedulable_and_unresolvable, "gated");
    };
    scheduling_queue q(ioc.get_executor(), by_priority, opts);
    q.set_metrics(&m);
    const auto t0 = clock::now();
    const auto p = make_pod().name("g").ns("d").uid("g").info();
    q.add(p, t0);
    CHECK(q.sizes().gated == 1);
    CHECK(m.queue_incoming_pods.with({"active", "PodAdd"}).value() == 0);
    gate_open = true;
    q.update(p, true, t0 + 5ms);
    CHECK(m.queue_incoming_pods.with({"active", "PodUpdate"}).value() == 1);
    auto popped = q.try_pop();
    REQUIRE(popped.has_value());
    CHECK(popped->queued.initial_attempt == t0 + 5ms);  // time spent gated is not counted
}

TEST_CASE("scheduling_queue.event_labels") {
    using framework::event_resource;
    namespace fw = framework;
    struct test_case {
        framework::cluster_event event;
        std::string_view want;
    };
    const std::vector<test_case> cases = {
        {{event_resource::node, fw::action_add}, "NodeAdd"},
        {{event_resource::node, fw::action_delete}, "NodeDelete"},
        {{event_resource::node, fw::action_update_node_allocatable}, "NodeAllocatableChange"},
        {{event_resource::node, fw::action_update_node_label | fw::action_update_node_taint},
         "NodeLabelChange"},
        {{event_resource::node, fw::action_update_node_taint}, "NodeTaintChange"},
        {{event_resource::node, fw::action_update_node_condition}, "NodeConditionChange"},
        {{event_resource::assigned_pod, fw::action_add}, "AssignedPodAdd"},
        {{event_resource::assigned_pod, fw::action_update}, "AssignedPodUpdate"},
        {{event_resource::assigned_pod, fw::action_delete}, "AssignedPodDelete"},
        {{event_resource::persistent_volume_claim, fw::action_add}, "PvcAdd"},
        {{event_resource::persistent_volume, fw::action_update}, "PvUpdate"},
        {{event_resource::storage_class, fw::action_add}, "StorageClassAdd"},
        {{event_resource::csi_node, fw::action_update}, "CSINodeUpdate"},
        {{event_resource::wildcard, fw::action_all}, "WildCardEvent"},
    };
    for (const auto& tc : cases) {
        INFO(tc.want);
        CHECK(event_label(tc.event) == tc.want);
    }
}

}  // namespace multisched::queue

namespace multisched::queue {

TEST_CASE("scheduling_queue.activate_moves_waiting_pods_to_active") {
    fixture f;
    f.q.add(f.pod("parked"), f.t0);
    f.q.add(f.pod("backing-off"), f.t0);
    f.q.add(f.pod("queued"), f.t0);
    auto parked = f.q.try_pop();
    auto backing = f.q.try_pop();
    REQUIRE(parked.has_value());
    REQUIRE(backing.has_value());
    failure rejected;
    rejected.events = {kNodeAdd};
    f.q.requeue(*parked, rejected, f.t0 + 1ms);  // unschedulable: only a node add moves it
    failure error;
    error.error = true;
    f.q.requeue(*backing, error, f.t0 + 1ms);  // backoff for 1 s
    REQUIRE(f.q.sizes().unschedulable == 1);
    REQUIRE(f.q.sizes().backoff == 1);

    const std::vector<std::string> uids = {parked->queued.info->pod->meta.uid,
                                           backing->queued.info->pod->meta.uid, "unknown",
                                           "queued"};
    CHECK(f.q.activate(uids, f.t0 + 2ms) == 2);  // "queued" was already active
    CHECK(f.q.sizes().active == 3);
    CHECK(f.q.sizes().unschedulable == 0);
    CHECK(f.q.sizes().backoff == 0);
}

}  // namespace multisched::queue
