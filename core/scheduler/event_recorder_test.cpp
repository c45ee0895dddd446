// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/event_recorder.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>

#include "core/json/json.hpp"
#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::scheduler {
namespace {

using namespace std::chrono_literals;
namespace http = boost::beast::http;

constexpr std::string_view kEvents = "/apis/events.k8s.io/v1/namespaces/ns1/events";

const wall_time kT0 =
    std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + 3h + 4min + 5s + 123456us;

api::pod make_test_pod(std::string name, std::string rv = "7") {
    api::pod p;
    p.meta.name = std::move(name);
    p.meta.ns = "ns1";
    p.meta.uid = "uid-" + p.meta.name;
    p.meta.resource_version = std::move(rv);
    return p;
}

json::document parse(const std::string& body) {
    auto d = json::document::parse(body);
    REQUIRE(d.has_value());
    return std::move(*d);
}

// Answers requests from a script of statuses in arrival order (0: a transport error), then 201.
class scripted_client final : public client::api_client {
  public:
    std::vector<unsigned> answers;
    std::vector<client::http_request> requests;

    task<result<client::http_response>> send(client::http_request req) override {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        requests.push_back(req);
        const unsigned status = next_ < answers.size() ? answers[next_++] : 201;
        if (status == 0) {
            error e;
            e.message = "connection refused";
            co_return e;
        }
        co_return client::http_response{status, "{}", std::nullopt};
    }
    task<result<std::unique_ptr<client::watch_stream>>> watch(std::string,
                                                              std::chrono::milliseconds) override {
        error e;
        e.message = "no watches";
        co_return e;
    }

  private:
    std::size_t next_ = 0;
};

event_recorder_options fast_options() {
    event_recorder_options o;
    o.retry_delay = 0ms;
    return o;
}

// A recorder on a fake apiserver with a test clock (starting at kT0).
template <class Client = testing::fake_api_client>
struct fixture {
    asio::io_context ioc;
    Client api;
    task_group writes{ioc.get_executor(), "writes"};
    event_recorder rec;
    wall_time now = kT0;

    explicit fixture(event_recorder_options o = fast_options()) : rec(api, writes, "host1", o) {
        rec.set_clock([this] { return now; });
    }
    // Lets every spawned write finish.
    void drain() { testing::run(ioc, writes.wait()); }
    // One FailedScheduling occurrence for `pod`.
    void failed(const api::pod& pod, std::string note = "0/3 nodes are available") {
        rec.record(pod, nullptr, "default-scheduler", "Warning", "FailedScheduling", "Scheduling",
                   std::move(note));
        drain();
    }
};

TEST_CASE("scheduler.event_recorder aggregates repeats into a series", "[event_recorder]") {
    fixture f;
    const auto pod = make_test_pod("p1");
    struct step {
        std::chrono::seconds after;  // since the previous occurrence
        std::size_t want_requests;   // in total after this occurrence
    };
    const std::vector<step> steps = {{0s, 1}, {10s, 2}, {20s, 2}, {30s, 2}};
    for (const auto& s : steps) {
        f.now += s.after;
        f.failed(pod);
        CHECK(f.api.requests.size() == s.want_requests);
    }
    CHECK(f.rec.cached_events() == 1);

    const auto& create = f.api.requests.at(0);
    CHECK(create.method == http::verb::post);
    CHECK(create.target == kEvents);
    const auto c = parse(create.body);
    const auto r = c.root();
    CHECK(r["apiVersion"].as_string() == "events.k8s.io/v1");
    CHECK(r["kind"].as_string() == "Event");
    const std::string name(r["metadata"]["name"].as_string());
    CHECK(name == object_event_name("p1", kT0));
    CHECK(r["metadata"]["namespace"].as_string() == "ns1");
    CHECK(r["eventTime"].as_string() == "2024-01-02T03:04:05.123456Z");
    CHECK(r["series"].absent());
    CHECK(r["reportingController"].as_string() == "default-scheduler");
    CHECK(r["reportingInstance"].as_string() == "default-scheduler-host1");
    CHECK(r["action"].as_string() == "Scheduling");
    CHECK(r["reason"].as_string() == "FailedScheduling");
    CHECK(r["type"].as_string() == "Warning");
    CHECK(r["note"].as_string() == "0/3 nodes are available");
    CHECK(r["regarding"]["kind"].as_string() == "Pod");
    CHECK(r["regarding"]["apiVersion"].as_string() == "v1");
    CHECK(r["regarding"]["name"].as_string() == "p1");
    CHECK(r["regarding"]["uid"].as_string() == "uid-p1");
    CHECK(r["regarding"]["resourceVersion"].as_string() == "7");
    CHECK(r["related"].absent());

    const auto& patch = f.api.requests.at(1);
    CHECK(patch.method == http::verb::patch);
    CHECK(patch.target == std::string(kEvents) + "/" + name);
    CHECK(patch.content_type == "application/strategic-merge-patch+json");
    const auto p = parse(patch.body);
    CHECK(p.root().size() == 1);
    CHECK(p.root()["series"]["count"].as_int() == 2);
    CHECK(p.root()["series"]["lastObservedTime"].as_string() == micro_time(kT0 + 10s));
}

TEST_CASE("scheduler.event_recorder isomorphic key", "[event_recorder]") {
    struct variant {
        std::string what;
        std::string rv;
        std::string reason;
        std::string scheduler;
        bool related;
        std::string note;
        http::verb want;  // POST: a new key; PATCH: the same key's series
    };
    const std::vector<variant> cases = {
        {"identical", "7", "FailedScheduling", "default-scheduler", false, "a", http::verb::patch},
        {"other note", "7", "FailedScheduling", "default-scheduler", false, "b", http::verb::patch},
        {"other resourceVersion", "8", "FailedScheduling", "default-scheduler", false, "a",
         http::verb::post},
        {"other reason", "7", "Preempted", "default-scheduler", false, "a", http::verb::post},
        {"other controller", "7", "FailedScheduling", "my-scheduler", false, "a", http::verb::post},
        {"with related", "7", "FailedScheduling", "default-scheduler", true, "a", http::verb::post},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        fixture f;
        f.failed(make_test_pod("p1"), "a");
        const auto preemptor = make_test_pod("big");
        f.rec.record(make_test_pod("p1", c.rv), c.related ? &preemptor : nullptr, c.scheduler,
                     "Warning", c.reason, "Scheduling", c.note);
        f.drain();
        REQUIRE(f.api.requests.size() == 2);
        CHECK(f.api.requests[1].method == c.want);
        CHECK(f.rec.cached_events() == (c.want == http::verb::post ? 2u : 1u));
    }
}

TEST_CASE("scheduler.event_recorder finish_series writes the final count and forgets",
          "[event_recorder]") {
    fixture f;
    const auto pod = make_test_pod("p1");
    for (int i = 0; i < 4; ++i) {
        f.now = kT0 + i * 1min;
        f.failed(pod);
    }
    const auto last = kT0 + 3min;
    REQUIRE(f.api.requests.size() == 2);

    f.rec.finish_series(last + kSeriesFinishTime);  // not older than 6 min yet
    f.drain();
    CHECK(f.api.requests.size() == 2);
    CHECK(f.rec.cached_events() == 1);

    f.rec.finish_series(last + kSeriesFinishTime + 1s);
    f.drain();
    REQUIRE(f.api.requests.size() == 3);
    const auto& final_patch = f.api.requests[2];
    CHECK(final_patch.method == http::verb::patch);
    CHECK(final_patch.target == std::string(kEvents) + "/" + object_event_name("p1", kT0));
    const auto p = parse(final_patch.body);
    CHECK(p.root()["series"]["count"].as_int() == 4);
    CHECK(p.root()["series"]["lastObservedTime"].as_string() == micro_time(last));
    CHECK(f.rec.cached_events() == 0);

    f.now = last + 10min;  // the same event again starts afresh
    f.failed(pod);
    REQUIRE(f.api.requests.size() == 4);
    CHECK(f.api.requests[3].method == http::verb::post);
    CHECK(parse(f.api.requests[3].body).root()["metadata"]["name"].as_string() ==
          object_event_name("p1", last + 10min));
}

TEST_CASE("scheduler.event_recorder finish_series drops old singletons without a request",
          "[event_recorder]") {
    fixture f;
    f.failed(make_test_pod("p1"));
    f.now = kT0 + 2min;
    f.failed(make_test_pod("p2"));
    REQUIRE(f.api.requests.size() == 2);
    f.rec.finish_series(kT0 + kSeriesFinishTime + 1s);
    f.drain();
    CHECK(f.rec.cached_events() == 1);  // p2 is younger
    f.rec.finish_series(kT0 + 2min + kSeriesFinishTime + 1s);
    f.drain();
    CHECK(f.rec.cached_events() == 0);
    CHECK(f.api.requests.size() == 2);
}

TEST_CASE("scheduler.event_recorder refresh_series patches series only", "[event_recorder]") {
    fixture f;
    f.failed(make_test_pod("single"));
    f.failed(make_test_pod("twice"));
    f.failed(make_test_pod("twice"));
    f.failed(make_test_pod("twice"));
    REQUIRE(f.api.requests.size() == 3);
    f.now = kT0 + 1h;
    f.rec.refresh_series();
    f.drain();
    REQUIRE(f.api.requests.size() == 4);
    const auto& refresh = f.api.requests[3];
    CHECK(refresh.method == http::verb::patch);
    CHECK(refresh.target.find("/events/twice.") != std::string::npos);
    CHECK(parse(refresh.body).root()["series"]["count"].as_int() == 3);
    CHECK(f.rec.cached_events() == 2);  // a refresh forgets nothing
}

TEST_CASE("scheduler.event_recorder series patch 404 falls back to a create with the series",
          "[event_recorder]") {
    fixture f;
    f.api.rules.push_back({http::verb::patch, std::string(kEvents), 404, "{}"});
    const auto pod = make_test_pod("p1");
    f.failed(pod, "first");
    f.now = kT0 + 5s;
    f.failed(pod, "second");
    REQUIRE(f.api.requests.size() == 3);
    CHECK(f.api.requests[1].method == http::verb::patch);
    const auto& create = f.api.requests[2];
    CHECK(create.method == http::verb::post);
    CHECK(create.target == kEvents);
    const auto c = parse(create.body);
    CHECK(c.root()["metadata"]["name"].as_string() == object_event_name("p1", kT0));
    CHECK(c.root()["metadata"]["resourceVersion"].absent());
    CHECK(c.root()["series"]["count"].as_int() == 2);
    CHECK(c.root()["series"]["lastObservedTime"].as_string() == micro_time(kT0 + 5s));
    CHECK(c.root()["eventTime"].as_string() == micro_time(kT0));
    CHECK(c.root()["note"].as_string() == "first");  // a series keeps its first note
}

TEST_CASE("scheduler.event_recorder retries transport errors, 429 and 5xx only",
          "[event_recorder]") {
    struct retry_case {
        std::string what;
        int occurrences;
        std::vector<unsigned> answers;  // in arrival order; afterwards 201
        std::vector<http::verb> want;   // methods sent, in order
    };
    const auto post = http::verb::post;
    const auto patch = http::verb::patch;
    const std::vector<retry_case> cases = {
        {"created", 1, {201}, {post}},
        {"500 then created", 1, {500, 201}, {post, post}},
        {"429 then created", 1, {429, 201}, {post, post}},
        {"transport error then created", 1, {0, 201}, {post, post}},
        {"400 abandons", 1, {400}, {post}},
        {"409 on a create abandons", 1, {409}, {post}},
        {"bounded tries", 1, {500, 500, 500, 500, 500}, {post, post, post}},
        {"series 503 then patched", 2, {201, 503, 200}, {post, patch, patch}},
        {"series 403 abandons", 2, {201, 403}, {post, patch}},
        {"series 404 then create 500",
         2,
         {201, 404, 500, 404, 201},
         {post, patch, post, patch, post}},
        {"series create 409 retries the patch",
         2,
         {201, 404, 409, 200},
         {post, patch, post, patch}},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto o = fast_options();
        o.max_tries = 3;
        fixture<scripted_client> f(o);
        f.api.answers = c.answers;
        for (int i = 0; i < c.occurrences; ++i) {
            f.failed(make_test_pod("p1"));
        }
        std::vector<http::verb> got;
        for (const auto& r : f.api.requests) {
            got.push_back(r.method);
        }
        CHECK(got == c.want);
        CHECK(f.writes.size() == 0);
    }
}

TEST_CASE("scheduler.event_recorder drops writes beyond max_pending_writes, not counts",
          "[event_recorder]") {
    auto o = fast_options();
    o.max_pending_writes = 2;
    fixture f(o);
    const auto a = make_test_pod("a");
    const auto b = make_test_pod("b");
    const auto c = make_test_pod("c");
    // Three first occurrences before any write finishes: the third finds two pending.
    for (const auto* p : {&a, &b, &c}) {
        f.rec.record(*p, nullptr, "default-scheduler", "Warning", "FailedScheduling",
                     "Scheduling", "0/3 nodes are available");
    }
    CHECK(f.rec.dropped_events() == 1);
    f.drain();
    CHECK(f.api.requests.size() == 2);
    CHECK(f.rec.cached_events() == 3);  // c is counted even though its create was dropped

    // Once the writes finished there is room again: a's repeat is sent (PATCH of its series).
    f.failed(a);
    CHECK(f.api.requests.size() == 3);
    CHECK(f.rec.dropped_events() == 1);

    // The final writes of a series refused while the queue is full wait for the next round.
    f.rec.record(make_test_pod("d"), nullptr, "default-scheduler", "Warning", "FailedScheduling",
                 "Scheduling", "0/3 nodes are available");
    f.rec.record(make_test_pod("e"), nullptr, "default-scheduler", "Warning", "FailedScheduling",
                 "Scheduling", "0/3 nodes are available");
    f.rec.finish_series(kT0 + 7min);  // a's final count: both slots are taken by d and e
    CHECK(f.rec.dropped_events() == 2);
    f.drain();
    CHECK(f.api.requests.size() == 5);
    f.rec.finish_series(kT0 + 14min);  // now a's final count goes out
    f.drain();
    CHECK(f.api.requests.size() == 6);
    CHECK(f.rec.dropped_events() == 2);
}

TEST_CASE("scheduler.event_recorder series maintenance loop finishes and refreshes",
          "[event_recorder]") {
    auto o = fast_options();
    o.maintenance_period = 0ms;
    fixture f(o);
    const auto old_pod = make_test_pod("old");
    f.failed(old_pod);
    f.failed(old_pod);
    f.now = kT0 + 10min;
    const auto live_pod = make_test_pod("live");
    f.failed(live_pod);
    f.failed(live_pod);
    REQUIRE(f.api.requests.size() == 4);

    f.ioc.restart();
    task_group loops(f.ioc.get_executor(), "loops");
    loops.spawn(f.rec.run_series_maintenance());
    // Every tick finishes; every 5th also refreshes "live", whose series stays young.
    for (int i = 0; i < 100000 && f.api.matching("/events/live.").size() < 2; ++i) {
        f.ioc.poll_one();
    }
    CHECK(f.api.matching("/events/live.").size() == 2);
    CHECK(f.api.matching("/events/old.").size() == 2);  // its second patch and the final one
    CHECK(f.rec.cached_events() == 1);
    loops.cancel();
    testing::run(f.ioc, loops.wait());
    f.drain();
    CHECK(loops.size() == 0);
}

TEST_CASE("scheduler.event_recorder lease_event writes a core/v1 LeaderElection event",
          "[event_recorder]") {
    fixture f;
    for (int i = 0; i < 2; ++i) {  // not aggregated
        f.rec.lease_event("kube-system", "kube-scheduler", "lease-uid", "42", "default-scheduler",
                          "host1_abc became leader");
        f.drain();
    }
    REQUIRE(f.api.requests.size() == 2);
    for (const auto& req : f.api.requests) {
        CHECK(req.method == http::verb::post);
        CHECK(req.target == "/api/v1/namespaces/kube-system/events");
        const auto d = parse(req.body);
        const auto r = d.root();
        CHECK(r["apiVersion"].as_string() == "v1");
        CHECK(r["kind"].as_string() == "Event");
        CHECK(r["metadata"]["name"].as_string() == object_event_name("kube-scheduler", kT0));
        CHECK(r["metadata"]["namespace"].as_string() == "kube-system");
        const auto obj = r["involvedObject"];
        CHECK(obj["kind"].as_string() == "Lease");
        CHECK(obj["apiVersion"].as_string() == "coordination.k8s.io/v1");
        CHECK(obj["namespace"].as_string() == "kube-system");
        CHECK(obj["name"].as_string() == "kube-scheduler");
        CHECK(obj["uid"].as_string() == "lease-uid");
        CHECK(obj["resourceVersion"].as_string() == "42");
        CHECK(r["reason"].as_string() == "LeaderElection");
        CHECK(r["type"].as_string() == "Normal");
        CHECK(r["message"].as_string() == "host1_abc became leader");
        CHECK(r["source"]["component"].as_string() == "default-scheduler");
        CHECK(r["source"]["host"].absent());
        CHECK(r["firstTimestamp"].as_string() == "2024-01-02T03:04:05Z");
        CHECK(r["lastTimestamp"].as_string() == "2024-01-02T03:04:05Z");
        CHECK(r["count"].as_int() == 1);
        CHECK(r["reportingComponent"].as_string() == "default-scheduler");
        CHECK(r["reportingInstance"].as_string() == "");
        CHECK(r["eventTime"].is_null());
    }
    CHECK(f.rec.cached_events() == 0);
}

TEST_CASE("scheduler.event_recorder failed_scheduling writes the event and the condition",
          "[event_recorder]") {
    fixture f;
    f.rec.failed_scheduling(make_test_pod("p1"), "default-scheduler", "Unschedulable", "no fit");
    f.drain();
    REQUIRE(f.api.requests.size() == 2);
    CHECK(f.api.matching("/events").size() == 1);
    const auto status = f.api.matching("/pods/p1/status");
    REQUIRE(status.size() == 1);
    CHECK(status[0].body.find("2024-01-02T03:04:05Z") != std::string::npos);
}

}  // namespace
}  // namespace multisched::scheduler
