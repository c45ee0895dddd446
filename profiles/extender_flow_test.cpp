// SPDX-License-Identifier: Apache-2.0
// HTTP extenders in the scheduling loop, in-process: the profiles' filters, then the extenders'
// Filter on what is left, plugin scores plus the extenders' (x weight x 10), failures of
// ignorable and non-ignorable extenders, and binding through a binder extender.
#include <catch2/catch.hpp>

#include "core/extender/http_extender.hpp"
#include "core/metrics/scheduler_metrics.hpp"
#include "test/util/scheduling_harness.hpp"

namespace multisched::profiles {
namespace {

using verb = boost::beast::http::verb;
using harness = testing::scheduling_harness;

struct extender_case {
    std::string name;
    bool ignorable = false;
    std::vector<testing::fake_api_client::rule> answers;
    std::string want_node;        // "" : not bound
    std::string want_event_note;  // the FailedScheduling note when not bound
};

config::extender_config extender_at(bool ignorable) {
    config::extender_config c;
    c.url_prefix = "http://127.0.0.1:1/ext";
    c.filter_verb = "filter";
    c.prioritize_verb = "prioritize";
    c.weight = 5;
    c.node_cache_capable = true;
    c.ignorable = ignorable;
    return c;
}

TEST_CASE("extender_flow.filter_prioritize_and_failures") {
    const std::vector<extender_case> cases{
        {"the extender filters and its score decides",
         false,
         {{verb::post, "/filter", 200,
           R"({"NodeNames":["n2","n3"],"FailedNodes":{"n1":"too hot"}})"},
          {verb::post, "/prioritize", 200,
           R"([{"Host":"n2","Score":0},{"Host":"n3","Score":10}])"}},
         "n3",
         ""},
        {"the extender rejects every node: its reasons in the fit error",
         false,
         {{verb::post, "/filter", 200,
           R"({"NodeNames":[],"FailedNodes":{"n1":"too hot","n2":"too hot"},)"
           R"("FailedAndUnresolvableNodes":{"n3":"wrong rack"}})"}},
         "",
         "0/3 nodes are available: 1 wrong rack, 2 too hot. preemption: 0/3 nodes are available: "
         "1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming "
         "pod."},
        {"a non-ignorable extender that fails fails the attempt",
         false,
         {{verb::post, "/filter", 500, "boom"}},
         "",
         "failed filter with extender at URL http://127.0.0.1:1/ext/filter, code 500"},
        {"an ignorable extender that fails is skipped",
         true,
         {{verb::post, "/filter", 500, "boom"},
          {verb::post, "/prioritize", 200, R"([{"Host":"n1","Score":10}])"}},
         "n1",
         ""},
        {"prioritize errors are ignored",
         false,
         {{verb::post, "/filter", 200, R"({"NodeNames":["n2"]})"},
          {verb::post, "/prioritize", 500, "boom"}},
         "n2",
         ""},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        harness h;
        for (const auto* n : {"n1", "n2", "n3"}) {
            h.node(n, "4");
        }
        auto fake = std::make_unique<testing::fake_api_client>();
        auto* ext_api = fake.get();
        ext_api->rules = tc.answers;
        h.sched->set_extenders({std::make_shared<extender::http_extender>(extender_at(tc.ignorable),
                                                                          std::move(fake))});
        metrics::registry reg;
        metrics::scheduler_metrics m(reg);
        h.queue->set_metrics(&m);
        h.pod("p", "", "1");
        h.run_loop();
        // Extenders are not plugins: scheduler_unschedulable_pods has no label for them.
        CHECK_THAT(reg.expose(), !Catch::Contains("plugin=\"http://"));
        const auto bound = h.bound();
        if (tc.want_node.empty()) {
            CHECK(bound.empty());
            const auto notes = h.event_notes("FailedScheduling");
            REQUIRE(notes.size() == 1);
            CHECK(notes[0] == tc.want_event_note);
        } else {
            REQUIRE(bound.count("p") == 1);
            CHECK(bound.at("p") == tc.want_node);
        }
        CHECK_FALSE(ext_api->matching("/filter").empty());
    }
}

// Both profiles, and a binder extender managing example.com/gpu, which NodeResourcesFit then
// ignores (ignoredByScheduler is appended to every profile's ignoredResources, as upstream).
const std::string kBinderConfig = std::string(testing::kTwoProfiles) + R"(extenders:
- urlPrefix: http://127.0.0.1:1/ext
  bindVerb: bind
  managedResources:
  - name: example.com/gpu
    ignoredByScheduler: true
)";

TEST_CASE("extender_flow.binder_and_interest") {
    harness h(kBinderConfig);
    h.node("n1", "4");
    auto fake = std::make_unique<testing::fake_api_client>();
    auto* ext_api = fake.get();
    ext_api->rules = {{verb::post, "/bind", 200, R"({"Error":""})"}};
    h.sched->set_extenders(
        {std::make_shared<extender::http_extender>(h.cfg.extenders.at(0), std::move(fake))});

    // Not interested (no managed resource): the profile's binder binds.
    h.pod("plain", "", "1");
    h.run_loop();
    CHECK(h.bound().count("plain") == 1);
    CHECK(ext_api->requests.empty());

    // Interested: the extender binds, the apiserver sees no Binding from us. The nodes have no
    // example.com/gpu, which NodeResourcesFit ignores for both profiles.
    for (const auto* profile : {"default-scheduler", "my-scheduler"}) {
        const std::string name = std::string("gpu-") + profile;
        h.sched->on_pod_add(testing::make_pod()
                                .name(name)
                                .ns("default")
                                .uid("uid-" + name)
                                .scheduler(profile)
                                .req({{"cpu", "1"}, {"example.com/gpu", "1"}})
                                .ptr());
    }
    h.run_loop();
    const auto binds = ext_api->matching("/bind");
    REQUIRE(binds.size() == 2);
    CHECK(binds[0].body.find(R"("PodName":"gpu-)") != std::string::npos);
    CHECK(h.bound().size() == 1);
    CHECK(h.event_notes("Scheduled").size() == 3);
}

// Two prioritizers, each answer held by its fake: both calls are in flight together (upstream
// runs one goroutine per extender), the host waits for both answers, and cancelling the cycle
// cancels both calls.
TEST_CASE("extender_flow.prioritizers_are_asked_at_once") {
    for (const bool cancel : {false, true}) {
        INFO((cancel ? "cancelled while both calls wait" : "both answer"));
        harness h;
        h.node("n1", "4");
        h.node("n2", "4");
        struct prioritizer {
            std::int64_t weight;
            std::string answer;
            testing::fake_api_client* api = nullptr;
        };
        // Alone, the first would put the pod on n1; with the second's (heavier) score, n2.
        std::vector<prioritizer> prioritizers{
            {5, R"([{"Host":"n1","Score":10},{"Host":"n2","Score":0}])"},
            {20, R"([{"Host":"n1","Score":0},{"Host":"n2","Score":10}])"}};
        std::vector<std::shared_ptr<extender::http_extender>> extenders;
        for (auto& p : prioritizers) {
            config::extender_config c;
            c.url_prefix = "http://127.0.0.1:1/ext";
            c.prioritize_verb = "prioritize";
            c.weight = p.weight;
            auto fake = std::make_unique<testing::fake_api_client>();
            p.api = fake.get();
            p.api->rules = {{verb::post, "/prioritize", 200, p.answer}};
            p.api->hold_matching = "/prioritize";
            extenders.push_back(std::make_shared<extender::http_extender>(c, std::move(fake)));
        }
        h.sched->set_extenders(extenders);
        h.pod("p", "", "1");
        task_group loop(h.ioc.get_executor(), "loop");
        loop.spawn(h.sched->run());
        h.drain();
        CHECK(prioritizers[0].api->held() == 1);
        CHECK(prioritizers[1].api->held() == 1);
        if (cancel) {
            loop.cancel();
            h.drain();
            CHECK(prioritizers[0].api->held() == 0);
            CHECK(prioritizers[1].api->held() == 0);
            CHECK(h.bound().empty());
            continue;
        }
        prioritizers[1].api->release_held();
        h.drain();
        CHECK(h.bound().empty());  // still waiting for the first
        prioritizers[0].api->release_held();
        h.drain();
        REQUIRE(h.bound().count("p") == 1);
        CHECK(h.bound().at("p") == "n2");
        loop.cancel();
        h.drain();
    }
}

struct preemption_case {
    std::string name;
    bool ignorable = false;
    testing::fake_api_client::rule answer;
    std::string want_nominated;  // "" : no preemption
    std::string want_deleted;    // the victim deleted, "" : none
    std::string want_note_end;   // how the FailedScheduling note ends
};

TEST_CASE("extender_flow.preemption_narrowed_by_extenders") {
    const std::string pods = "/api/v1/namespaces/default/pods/";
    const std::vector<preemption_case> cases{
        {"the extender keeps n2's candidate",
         false,
         {verb::post, "/preempt", 200,
          R"({"NodeNameToMetaVictims":{"n2":{"Pods":[{"UID":"uid-low-n2"}],)"
          R"("NumPDBViolations":0}}})"},
         "n2",
         "low-n2",
         "0/2 nodes are available: 2 Insufficient cpu."},
        {"the extender keeps none",
         false,
         {verb::post, "/preempt", 200, R"({"NodeNameToMetaVictims":{}})"},
         "",
         "",
         "0/2 nodes are available: 2 Insufficient cpu. preemption: no candidate node for "
         "preemption"},
        {"a candidate without victims from a strict extender is an error",
         false,
         {verb::post, "/preempt", 200, R"({"NodeNameToMetaVictims":{"n1":{"Pods":[]}}})"},
         "",
         "",
         "0/2 nodes are available: 2 Insufficient cpu. preemption: expected at least one victim "
         "pod on node \"n1\""},
        {"a strict extender that fails stops preemption",
         false,
         {verb::post, "/preempt", 500, "boom"},
         "",
         "",
         "0/2 nodes are available: 2 Insufficient cpu. preemption: failed preempt with extender "
         "at URL http://127.0.0.1:1/ext/preempt, code 500"},
        {"an ignorable extender that fails is skipped",
         true,
         {verb::post, "/preempt", 500, "boom"},
         "any",
         "any",
         "0/2 nodes are available: 2 Insufficient cpu."},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        harness h;
        for (const auto* n : {"n1", "n2"}) {
            h.node(n, "2");
            h.sched->on_pod_add(testing::make_pod()
                                    .name(std::string("low-") + n)
                                    .ns("default")
                                    .uid(std::string("uid-low-") + n)
                                    .node(n)
                                    .priority(0)
                                    .req({{"cpu", "2"}})
                                    .ptr());
        }
        auto fake = std::make_unique<testing::fake_api_client>();
        auto* ext_api = fake.get();
        ext_api->rules = {tc.answer};
        config::extender_config c;
        c.url_prefix = "http://127.0.0.1:1/ext";
        c.preempt_verb = "preempt";
        c.node_cache_capable = true;
        c.ignorable = tc.ignorable;
        h.sched->set_extenders({std::make_shared<extender::http_extender>(c, std::move(fake))});
        h.sched->on_pod_add(testing::make_pod()
                                .name("high")
                                .ns("default")
                                .uid("uid-high")
                                .priority(100)
                                .req({{"cpu", "2"}})
                                .ptr());
        h.run_loop();
        CHECK(ext_api->matching("/preempt").size() == 1);
        const auto notes = h.event_notes("FailedScheduling");
        REQUIRE(notes.size() == 1);
        CHECK(notes[0] == tc.want_note_end);
        std::vector<std::string> deleted;
        for (const auto& r : h.api.requests) {
            if (r.method == verb::delete_ && r.target.starts_with(pods)) {
                deleted.push_back(r.target.substr(pods.size()));
            }
        }
        const auto nominations = h.api.matching("/pods/high/status");
        const bool nominated = std::any_of(nominations.begin(), nominations.end(), [](auto& r) {
            return r.body.find(R"("nominatedNodeName":"n)") != std::string::npos;
        });
        if (tc.want_nominated.empty()) {
            CHECK(deleted.empty());
            CHECK_FALSE(nominated);
        } else {
            REQUIRE(deleted.size() == 1);
            CHECK(nominated);
            if (tc.want_deleted != "any") {
                CHECK(deleted[0] == tc.want_deleted);
                CHECK(std::any_of(nominations.begin(), nominations.end(), [&](auto& r) {
                    return r.body.find(R"("nominatedNodeName":")" + tc.want_nominated + "\"") !=
                           std::string::npos;
                }));
            }
        }
    }
}

}  // namespace
}  // namespace multisched::profiles
