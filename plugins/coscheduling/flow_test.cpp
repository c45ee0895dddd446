// SPDX-License-Identifier: Apache-2.0
// Coscheduling on the real scheduling path (cache, queue, scheduler, binding cycles, waiting
// pods): a gang binds whole; a higher-priority group arriving while another's plan is outstanding
// is held back instead of deadlocking both (scheduler-plugins #114/#117, #713); a member whose
// earlier PreBind fails makes the whole released batch fail, nobody binds (#930).
#include <set>

#include <catch2/catch.hpp>

#include "core/cache/cache.hpp"
#include "core/json/json.hpp"
#include "core/queue/scheduling_queue.hpp"
#include "core/scheduler/scheduler.hpp"
#include "core/util/task_group.hpp"
#include "plugins/coscheduling/test_util.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::plugins::coscheduling::test {
namespace {

constexpr std::string_view kProfile = "gang-scheduler";

// A handle over the real cache and queue, as the profile handle is.
class flow_handle final : public framework::handle {
  public:
    flow_handle(client::api_client& client, cache::cache& cache, task_group& writes)
        : client_(client), cache_(cache), writes_(writes) {}
    client::api_client& client() override { return client_; }
    const std::string& profile_name() const override { return name_; }
    std::size_t node_count() const override { return cache_.node_count(); }
    std::size_t nodes_with_image(std::string_view) const override { return 0; }
    std::span<const framework::node_info* const> all_nodes() override {
        const auto& nodes = cache_.nodes();
        return {nodes.data(), nodes.size()};
    }
    const api::label_map* namespace_labels(std::string_view) const override { return nullptr; }
    api::label_selector default_selector(const api::pod&) const override { return {}; }
    const cache::cluster_objects& objects() const override { return cache_.objects(); }
    const framework::nominator& nominated() const override { return cache_.nominated(); }
    bool is_assumed(std::string_view uid) const override { return cache_.is_assumed(uid); }
    framework::framework* profile_framework() override { return fw; }
    void record_event(const api::pod&, const api::pod*, std::string_view, std::string_view,
                      std::string_view, std::string) override {}
    void spawn_write(task<void> work) override { writes_.spawn(std::move(work)); }
    void activate(const std::vector<std::string>& uids) override { queue->activate(uids); }

    framework::framework* fw = nullptr;
    queue::scheduling_queue* queue = nullptr;

  private:
    client::api_client& client_;
    cache::cache& cache_;
    task_group& writes_;
    std::string name_ = std::string(kProfile);
};

// PreBind that fails for the named pods (as VolumeBinding failing to bind a claim).
class failing_pre_bind final : public framework::pre_bind_plugin {
  public:
    std::string_view name() const override { return "FailingPreBind"; }
    task<status> pre_bind(std::shared_ptr<framework::cycle_state>,
                          std::shared_ptr<const framework::pod_info> pod, std::string) override {
        if (fail.contains(pod->pod->meta.name)) {
            co_return status::error("binding volumes: claim is lost");
        }
        co_return status();
    }
    std::set<std::string> fail;
};

// Bind that records the pod and its node, or fails for the named pods (a refused binding).
class recording_binder final : public framework::bind_plugin {
  public:
    std::string_view name() const override { return "RecordingBinder"; }
    task<status> bind(std::shared_ptr<framework::cycle_state>,
                      std::shared_ptr<const framework::pod_info> pod, std::string node) override {
        if (fail.contains(pod->pod->meta.name)) {
            co_return status::error("binding rejected: 409");
        }
        bound[pod->pod->meta.name] = node;
        co_return status();
    }
    std::map<std::string, std::string> bound;
    std::set<std::string> fail;
};

struct flow {
    flow() {
        h = std::make_shared<flow_handle>(api, cache, writes);
        coscheduling::hooks hooks;
        hooks.wake_at = [](clock::time_point) {};  // no timers: nothing times out here
        auto cos = std::make_unique<coscheduling>(coscheduling_args{}, *h, std::move(hooks));
        auto fit_owned = std::make_unique<fake_fit>();
        auto failing_owned = std::make_unique<failing_pre_bind>();
        auto binder_owned = std::make_unique<recording_binder>();
        plugin = cos.get();
        failing = failing_owned.get();
        binder = binder_owned.get();
        framework::plugin_lists lists;
        lists.queue_sort = plugin;
        lists.pre_filter = {plugin, fit_owned.get()};
        lists.filter = {fit_owned.get()};
        lists.reserve = {plugin};
        lists.permit = {plugin};
        lists.pre_bind = {failing, plugin};  // Coscheduling last
        lists.bind = {binder};
        lists.post_bind = {plugin};
        std::vector<std::unique_ptr<framework::plugin>> owned;
        owned.push_back(std::move(cos));
        owned.push_back(std::move(fit_owned));
        owned.push_back(std::move(failing_owned));
        owned.push_back(std::move(binder_owned));
        fw = std::make_shared<framework::framework>(std::string(kProfile), h, std::move(owned),
                                                    lists, std::nullopt);
        h->fw = fw.get();
        const auto* qs = plugin;
        queue.emplace(
            ioc.get_executor(), [qs](const auto& a, const auto& b) { return qs->less(a, b); },
            queue::queue_options{});
        h->queue = &*queue;
        events.emplace(api, writes, "test-host");
        scheduler::algorithm_state algo;
        algo.rng.seed(1);
        sched.emplace(
            cache, *queue,
            [this](std::string_view n) {
                return n == kProfile ? fw : std::shared_ptr<framework::framework>();
            },
            *events, bindings, algo);
    }
    ~flow() {
        bindings.cancel();
        writes.cancel();
        drain();
    }
    flow(const flow&) = delete;
    flow& operator=(const flow&) = delete;

    void drain() { testing::drain(ioc); }
    // Schedules until the active queue is empty, letting bindings and writes finish.
    void run() {
        drain();
        while (sched->schedule_next()) {
            drain();
        }
    }
    void node(std::string name, std::string_view cpu) {
        sched->on_node_add(testing::make_node()
                               .name(std::move(name))
                               .alloc({{"cpu", cpu}, {"memory", "16Gi"}, {"pods", "110"}})
                               .ptr());
    }
    void group(std::string name, std::int32_t min) {
        auto pg = std::make_shared<api::pod_group>();
        pg->meta.ns = "default";
        pg->meta.name = name;
        pg->meta.uid = "pg-" + name;
        pg->min_member = min;
        cache.objects().pod_groups.upsert(cache::namespaced_key("default", name), std::move(pg));
    }
    void member(std::string name, std::string group, std::string_view cpu,
                std::int32_t priority = 0) {
        sched->on_pod_add(testing::make_pod()
                              .name(name)
                              .ns("default")
                              .uid("uid-" + name)
                              .scheduler(std::string(kProfile))
                              .priority(priority)
                              .label(std::string(api::kPodGroupLabel), std::move(group))
                              .req({{"cpu", cpu}})
                              .ptr());
    }
    // The FailedScheduling notes sent for `pod`.
    std::vector<std::string> failures(std::string_view pod) const {
        std::vector<std::string> out;
        for (const auto& r : api.matching("/events")) {
            auto doc = json::document::parse(r.body);
            REQUIRE(doc.has_value());
            if (doc->root()["reason"].as_string() == "FailedScheduling" &&
                doc->root()["regarding"]["name"].as_string() == pod) {
                out.emplace_back(doc->root()["note"].as_string());
            }
        }
        return out;
    }

    asio::io_context ioc;
    testing::fake_api_client api;
    cache::cache cache;
    std::optional<queue::scheduling_queue> queue;
    task_group bindings{ioc.get_executor(), "bindings"};
    task_group writes{ioc.get_executor(), "writes"};
    std::optional<scheduler::event_recorder> events;
    std::optional<scheduler::scheduler> sched;
    std::shared_ptr<flow_handle> h;
    std::shared_ptr<framework::framework> fw;
    coscheduling* plugin = nullptr;
    failing_pre_bind* failing = nullptr;
    recording_binder* binder = nullptr;
};

TEST_CASE("coscheduling.flow_gang_binds_whole", "[coscheduling]") {
    flow f;
    f.node("n1", "4");
    f.node("n2", "4");
    f.group("train", 3);
    for (const auto* p : {"t0", "t1", "t2"}) {
        f.member(p, "train", "2");
    }
    f.run();
    CHECK(f.binder->bound.size() == 3);
    CHECK(f.fw->waiting().size() == 0);
    // The status went Scheduling then Scheduled.
    std::vector<std::string> phases;
    for (const auto& r : f.api.matching("/podgroups/train/status")) {
        auto doc = json::document::parse(r.body);
        REQUIRE(doc.has_value());
        phases.emplace_back(doc->root()["status"]["phase"].as_string());
    }
    CHECK(phases == std::vector<std::string>{"Scheduling", "Scheduled"});
}

TEST_CASE("coscheduling.flow_no_interleaving_deadlock", "[coscheduling]") {
    flow f;
    f.node("n1", "4");
    f.node("n2", "4");
    f.group("a", 2);
    f.group("b", 2);
    f.member("a0", "a", "3");
    f.member("a1", "a", "3");
    // a0 is placed and waits at Permit; a's plan keeps n2 for a1.
    REQUIRE(f.sched->schedule_next());
    f.drain();
    REQUIRE(f.fw->waiting().size() == 1);
    // A more important group arrives and would take n2 under upstream's design.
    f.member("b0", "b", "3", 10);
    f.member("b1", "b", "3", 10);
    f.run();
    CHECK(f.binder->bound == std::map<std::string, std::string>{{"a0", "n1"}, {"a1", "n2"}});
    CHECK(f.cache.node_of("uid-b0").empty());
    CHECK(f.cache.node_of("uid-b1").empty());
    CHECK(f.failures("b0") ==
          std::vector<std::string>{"0/2 nodes are available: 0/2 members of group default/b can "
                                   "be placed."});
}

TEST_CASE("coscheduling.flow_no_partial_bind", "[coscheduling]") {
    flow f;
    f.node("n1", "4");
    f.node("n2", "4");
    f.group("train", 3);
    for (const auto* p : {"t0", "t1", "t2"}) {
        f.member(p, "train", "2");
    }
    f.failing->fail = {"t1"};  // t1's volumes cannot be bound
    f.run();
    CHECK(f.binder->bound.empty());
    CHECK(f.cache.assumed_count() == 0);  // nothing holds room
    CHECK(f.fw->waiting().size() == 0);
    CHECK(f.plugin->book().backing_off("default/train", clock::now()) != nullptr);
}

TEST_CASE("coscheduling.flow_bind_failure_after_the_barrier", "[coscheduling]") {
    flow f;
    f.node("n1", "4");
    f.node("n2", "4");
    f.group("train", 3);
    for (const auto* p : {"t0", "t1", "t2"}) {
        f.member(p, "train", "2");
    }
    f.binder->fail = {"t1"};  // the apiserver refuses t1's binding once
    f.run();
    CHECK(f.binder->bound.size() == 2);
    // Its siblings bound: the group does not back off, t1 is retried after its pod backoff.
    CHECK(f.plugin->book().backing_off("default/train", clock::now()) == nullptr);
    f.binder->fail.clear();
    f.queue->flush_backoff_completed(clock::now() + 1min);
    f.run();
    CHECK(f.binder->bound.size() == 3);
    CHECK(f.binder->bound.contains("t1"));
}

}  // namespace
}  // namespace multisched::plugins::coscheduling::test
