// SPDX-License-Identifier: Apache-2.0
// The whole scheduling path in-process for profiles/ tests: a configuration (two profiles by
// default), a plugin registry (the in-tree one by default), the shared cache and queue, and a
// fake apiserver that records bindings, events and status patches. Driven without threads or
// sleeps: run() schedules every active pod and lets bindings and writes finish.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/json/json.hpp"
#include "core/scheduler/scheduler.hpp"
#include "plugins/registry.hpp"
#include "profiles/profile_set.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::testing {

inline constexpr std::string_view kTwoProfiles = R"(
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection: {leaderElect: false}
profiles:
- schedulerName: default-scheduler
- schedulerName: my-scheduler
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
        resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]
)";

struct scheduling_harness {
    static const framework::registry& in_tree() {
        static const framework::registry r = plugins::make_in_tree_registry();
        return r;
    }

    asio::io_context ioc;
    testing::fake_api_client api;
    multisched::config::scheduler_config cfg;
    cache::cache cache;
    std::optional<profiles::profile_set> profiles;
    std::optional<queue::scheduling_queue> queue;
    task_group bindings{ioc.get_executor(), "bindings"};
    task_group writes{ioc.get_executor(), "writes"};
    std::optional<scheduler::event_recorder> events;
    std::optional<scheduler::scheduler> sched;

    explicit scheduling_harness(std::string_view config_yaml = kTwoProfiles,
                                const framework::registry& registry = in_tree()) {
        auto decoded = multisched::config::decode_config(config_yaml, "test.yaml",
                                                         plugins::make_args_defaulter());
        REQUIRE(decoded.has_value());
        REQUIRE(multisched::config::validate_config(*decoded).has_value());
        cfg = *decoded;
        auto built = profiles::profile_set::build(cfg, registry, api, cache);
        REQUIRE(built.has_value());
        profiles.emplace(std::move(*built));
        const auto* qs = profiles->queue_sort();
        queue.emplace(
            ioc.get_executor(), [qs](const auto& a, const auto& b) { return qs->less(a, b); },
            queue::queue_options{});
        events.emplace(api, writes, "test-host");
        // Plugins' events and writes (preemption's victims) go where the daemon sends them.
        profiles->set_runtime(
            [this](const api::pod& regarding, const api::pod* related, const std::string& profile,
                   std::string_view type, std::string_view reason, std::string_view action,
                   std::string note) {
                events->record(regarding, related, profile, type, reason, action, std::move(note));
            },
            [this](task<void> work) { writes.spawn(std::move(work)); });
        scheduler::algorithm_state algo;
        algo.rng.seed(1);
        sched.emplace(
            cache, *queue, [this](std::string_view n) { return profiles->find(n); }, *events,
            bindings, algo);
    }

    // Runs ready handlers until none is left (bindings and writes complete via the fake).
    void drain() { testing::drain(ioc); }
    // Schedules every active pod and lets bindings and writes finish.
    void run() {
        drain();
        while (sched->schedule_next()) {
            drain();
        }
    }

    // The same through the scheduling loop (scheduler::run), whose cycles may await extenders:
    // runs until nothing is left to do, then stops the loop.
    void run_loop() {
        task_group loop(ioc.get_executor(), "loop");
        loop.spawn(sched->run());
        drain();
        loop.cancel();
        drain();
    }

    void node(std::string name, std::string cpu, std::string mem = "8Gi",
              bool unschedulable = false) {
        sched->on_node_add(make_node()
                               .name(std::move(name))
                               .alloc({{"cpu", cpu}, {"memory", mem}, {"pods", "110"}})
                               .unschedulable(unschedulable)
                               .ptr());
    }
    void pod(std::string name, std::string scheduler_name, std::string cpu,
             std::string node_name = "", std::string memory = "100Mi") {
        sched->on_pod_add(make_pod()
                              .name(name)
                              .ns("default")
                              .uid("uid-" + name)
                              .scheduler(std::move(scheduler_name))
                              .node(std::move(node_name))
                              .req({{"cpu", cpu}, {"memory", memory}})
                              .ptr());
    }
    // The node each binding POST sent the pod to, by pod name.
    std::map<std::string, std::string> bound() const {
        std::map<std::string, std::string> out;
        for (const auto& r : api.matching("/binding")) {
            auto doc = json::document::parse(r.body);
            REQUIRE(doc.has_value());
            out[std::string(doc->root()["metadata"]["name"].as_string())] =
                std::string(doc->root()["target"]["name"].as_string());
        }
        return out;
    }
    std::vector<std::string> event_notes(std::string_view reason) const {
        std::vector<std::string> out;
        for (const auto& r : api.matching("/events")) {
            auto doc = json::document::parse(r.body);
            REQUIRE(doc.has_value());
            if (doc->root()["reason"].as_string() == reason) {
                out.emplace_back(doc->root()["note"].as_string());
            }
        }
        return out;
    }
};

}  // namespace multisched::testing
