// SPDX-License-Identifier: Apache-2.0
// The reflector against a scripted apiserver: paged lists, watch events (including garbage),
// bookmarks, 410 Gone, failed lists and watches. Time only passes through 1 ms backoff timers
// driven by the io_context.
#include "core/informer/reflector.hpp"

#include <deque>
#include <map>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

namespace multisched::informer {
namespace {

using namespace std::chrono_literals;

// One scripted watch: either refused with `status`, or `events` followed by a clean end (or a
// connection error when `then_error`). When the script runs out, watches hang until cancelled.
struct watch_script {
    unsigned refuse_status = 0;
    std::vector<std::string> events;
    bool then_error = false;
};

class scripted_stream final : public client::watch_stream {
  public:
    explicit scripted_stream(watch_script s) : script_(std::move(s)) {}
    task<result<std::optional<std::string>>> next() override {
        if (next_ < script_.events.size()) {
            co_return std::optional<std::string>(script_.events[next_++]);
        }
        if (script_.then_error) {
            co_return error{{}, "connection reset by peer"};
        }
        co_return std::optional<std::string>();
    }

  private:
    watch_script script_;
    std::size_t next_ = 0;
};

class hanging_stream final : public client::watch_stream {
  public:
    task<result<std::optional<std::string>>> next() override {
        asio::steady_timer t(co_await asio::this_coro::executor);
        t.expires_at(asio::steady_timer::time_point::max());
        co_await t.async_wait(use_task);
        co_return error{{}, "cancelled"};
    }
};

class scripted_client final : public client::api_client {
  public:
    std::deque<client::http_response> lists;  // an empty deque answers 500
    std::deque<watch_script> watches;
    std::vector<std::string> list_targets;
    std::vector<std::string> watch_targets;

    task<result<client::http_response>> send(client::http_request req) override {
        list_targets.push_back(req.target);
        if (lists.empty()) {
            co_return client::http_response{500, "{}", std::nullopt};
        }
        auto r = std::move(lists.front());
        lists.pop_front();
        co_return r;
    }
    task<result<std::unique_ptr<client::watch_stream>>> watch(std::string target,
                                                              std::chrono::milliseconds) override {
        watch_targets.push_back(target);
        if (watches.empty()) {
            co_return std::unique_ptr<client::watch_stream>(std::make_unique<hanging_stream>());
        }
        auto s = std::move(watches.front());
        watches.pop_front();
        if (s.refuse_status != 0) {
            co_return error{{}, "refused", s.refuse_status};
        }
        co_return std::unique_ptr<client::watch_stream>(
            std::make_unique<scripted_stream>(std::move(s)));
    }
};

std::string obj(std::string name, std::string rv) {
    return R"({"metadata":{"name":")" + name + R"(","uid":"u-)" + name +
           R"(","resourceVersion":")" + rv + R"("}})";
}
std::string list(std::vector<std::string> items, std::string rv, std::string cont = "") {
    std::string body =
        R"({"metadata":{"resourceVersion":")" + rv + R"(","continue":")" + cont + R"("},"items":[)";
    for (std::size_t i = 0; i < items.size(); ++i) {
        body += (i ? "," : "") + items[i];
    }
    return body + "]}";
}
std::string event(std::string type, std::string object) {
    return R"({"type":")" + type + R"(","object":)" + object + "}";
}

// Objects are names; decoding fails without a uid, like a pod the decoder rejects.
result<object> decode(json::value item) {
    const auto uid = item["metadata"]["uid"].as_string();
    if (uid.empty()) {
        return error{{}, "object without uid"};
    }
    const std::string name(item["metadata"]["name"].as_string());
    return object{name, std::string(item["metadata"]["resourceVersion"].as_string()),
                  std::make_shared<std::string>(name)};
}

struct harness {
    asio::io_context ioc;
    scripted_client api;
    std::map<std::string, std::string> store;  // name -> rv, as the handlers saw it
    std::vector<std::string> log;
    int synced = 0;
    std::optional<reflector> r;

    void start() {
        reflector_options o;
        o.resource_path = "/api/v1/pods";
        o.field_selector = "status.phase!=Succeeded";
        o.retry = {1ms, 2ms, std::chrono::minutes(2), 2.0, 0.0};
        handlers h{[this](const object& x) {
                       store[x.key] = x.resource_version;
                       log.push_back("add " + x.key);
                   },
                   [this](const object&, const object& x) {
                       store[x.key] = x.resource_version;
                       log.push_back("update " + x.key);
                   },
                   [this](const object& x) {
                       store.erase(x.key);
                       log.push_back("delete " + x.key);
                   },
                   [this] { ++synced; }};
        r.emplace(api, o, decode, h);
    }
    // Runs the reflector until every scripted response was consumed, then cancels it.
    void run_script() {
        asio::cancellation_signal cancel;
        auto done = asio::co_spawn(ioc, r->run(),
                                   asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (!(api.lists.empty() && api.watches.empty() && hanging())) {
            REQUIRE(std::chrono::steady_clock::now() < give_up);
            ioc.restart();
            ioc.run_one_for(10ms);
        }
        cancel.emit(asio::cancellation_type::terminal);
        while (done.wait_for(0s) != std::future_status::ready) {
            ioc.restart();
            ioc.run_one_for(10ms);
        }
        done.get();
    }
    // The reflector reached the hanging watch that follows the script.
    bool hanging() const { return api.watch_targets.size() > consumed_watches_; }
    std::size_t consumed_watches_ = 0;
    void expect_watches(std::size_t n) { consumed_watches_ = n; }
};

}  // namespace

TEST_CASE("reflector.paged_list_then_watch_from_its_resource_version") {
    harness h;
    h.api.lists.push_back({200, list({obj("a", "5"), obj("b", "6")}, "10", "tok/1"), {}});
    h.api.lists.push_back({200, list({obj("c", "7")}, "10"), {}});
    h.expect_watches(0);
    h.start();
    h.run_script();
    CHECK(h.synced == 1);
    CHECK(h.store == std::map<std::string, std::string>{{"a", "5"}, {"b", "6"}, {"c", "7"}});
    REQUIRE(h.api.list_targets.size() == 2);
    // The first list may come from the watch cache (resourceVersion=0); a continued page names
    // only its token.
    CHECK(h.api.list_targets[0] ==
          "/api/v1/pods?limit=500&fieldSelector=status.phase%21%3DSucceeded&resourceVersion=0");
    CHECK(h.api.list_targets[1] ==
          "/api/v1/pods?limit=500&fieldSelector=status.phase%21%3DSucceeded&continue=tok%2F1");
    REQUIRE(h.api.watch_targets.size() == 1);
    CHECK(h.api.watch_targets[0].find("watch=1&allowWatchBookmarks=true&timeoutSeconds=") == 13);
    CHECK(h.api.watch_targets[0].find("&resourceVersion=10") != std::string::npos);
}

TEST_CASE("reflector.watch_events_bookmarks_and_garbage") {
    harness h;
    h.api.lists.push_back({200, list({obj("a", "5")}, "10"), {}});
    h.api.watches.push_back(
        {0,
         {event("ADDED", obj("b", "11")), "{not json",
          event("ADDED", R"({"metadata":{"name":"x"}})"), event("MODIFIED", obj("a", "12")),
          event("BOOKMARK", R"({"metadata":{"resourceVersion":"20"}})"),
          event("DELETED", obj("b", "21")), event("SURPRISE", obj("z", "22"))},
         false});
    h.expect_watches(1);
    h.start();
    h.run_script();
    CHECK(h.log == std::vector<std::string>{"add a", "add b", "update a", "delete b"});
    CHECK(h.store == std::map<std::string, std::string>{{"a", "12"}});
    REQUIRE(h.api.watch_targets.size() == 2);  // a clean end re-watches without a relist
    CHECK(h.api.watch_targets[1].find("&resourceVersion=22") != std::string::npos);
    CHECK(h.r->lists() == 1);
}

TEST_CASE("reflector.gone_relists_and_delivers_what_vanished") {
    harness h;
    h.api.lists.push_back({200, list({obj("a", "5"), obj("b", "6")}, "10"), {}});
    h.api.watches.push_back(
        {0, {event("ERROR", R"({"kind":"Status","code":410,"reason":"Expired"})")}, false});
    // After the relist: a unchanged, b gone, c new.
    h.api.lists.push_back({200, list({obj("a", "5"), obj("c", "30")}, "31"), {}});
    h.expect_watches(1);
    h.start();
    h.run_script();
    CHECK(h.log == std::vector<std::string>{"add a", "add b", "delete b", "add c"});
    CHECK(h.r->lists() == 2);
    CHECK(h.synced == 1);
    CHECK(h.api.watch_targets.back().find("&resourceVersion=31") != std::string::npos);
}

TEST_CASE("reflector.watch_failures_back_off_and_rewatch_without_relisting") {
    harness h;
    h.api.lists.push_back({200, list({obj("a", "5")}, "10"), {}});
    h.api.watches.push_back({503, {}, false});                             // refused
    h.api.watches.push_back({0, {event("ADDED", obj("b", "11"))}, true});  // then reset
    h.api.watches.push_back({429, {}, false});                             // throttled
    h.expect_watches(3);
    h.start();
    h.run_script();
    CHECK(h.r->lists() == 1);
    REQUIRE(h.api.watch_targets.size() == 4);
    CHECK(h.api.watch_targets[1].find("&resourceVersion=10") != std::string::npos);
    CHECK(h.api.watch_targets[3].find("&resourceVersion=11") != std::string::npos);
    CHECK(h.store.size() == 2);
}

TEST_CASE("reflector.a_watch_refused_with_gone_relists") {
    harness h;
    h.api.lists.push_back({200, list({obj("a", "5")}, "10"), {}});
    h.api.watches.push_back({410, {}, false});
    h.api.lists.push_back({200, list({obj("a", "5")}, "40"), {}});
    h.expect_watches(1);
    h.start();
    h.run_script();
    CHECK(h.r->lists() == 2);
    CHECK(h.log == std::vector<std::string>{"add a"});  // unchanged: no update delivered
}

TEST_CASE("reflector.failed_lists_are_retried") {
    harness h;
    h.api.lists.push_back({500, "{}", {}});
    h.api.lists.push_back({200, "{garbage", {}});
    h.api.lists.push_back({200, list({obj("a", "5"), R"({"metadata":{"name":"bad"}})"}, "10"), {}});
    h.expect_watches(0);
    h.start();
    h.run_script();
    CHECK(h.synced == 1);
    CHECK(h.store == std::map<std::string, std::string>{{"a", "5"}});  // the bad item skipped
    CHECK(h.api.list_targets.size() == 3);
}

TEST_CASE("reflector.relist_resource_version_as_client_go") {
    // Which resourceVersion (and whether paged) each LIST asks for, after what.
    const std::string sel = "fieldSelector=status.phase%21%3DSucceeded";
    const std::string first = "/api/v1/pods?limit=500&" + sel + "&resourceVersion=0";
    const std::string consistent = "/api/v1/pods?limit=500&" + sel;
    const std::string at_10 = "/api/v1/pods?" + sel + "&resourceVersion=10";
    SECTION("a watch ended by 410, as an event or as the answer: the last one, not paged") {
        for (const bool as_event : {true, false}) {
            INFO("as an event: " << as_event);
            harness h;
            h.api.lists.push_back({200, list({obj("a", "5")}, "10"), {}});
            if (as_event) {
                h.api.watches.push_back(
                    {0,
                     {event("ERROR", R"({"kind":"Status","code":410,"reason":"Expired"})")},
                     false});
            } else {
                h.api.watches.push_back({410, {}, false});
            }
            h.api.lists.push_back({200, list({obj("a", "5")}, "31"), {}});
            h.expect_watches(1);
            h.start();
            h.run_script();
            CHECK(h.api.list_targets == std::vector<std::string>{first, at_10});
        }
    }
    SECTION("that relist refused with 410: a consistent read, retried as one") {
        harness h;
        h.api.lists.push_back({200, list({obj("a", "5")}, "10"), {}});
        h.api.watches.push_back({410, {}, false});
        h.api.lists.push_back({410, R"({"kind":"Status","code":410,"reason":"Expired"})", {}});
        h.api.lists.push_back({500, "{}", {}});  // the consistent read fails once
        h.api.lists.push_back({200, list({obj("a", "5")}, "40"), {}});
        h.api.watches.push_back({500, {}, false});  // a watch failure: re-watch, no relist
        h.expect_watches(2);
        h.start();
        h.run_script();
        CHECK(h.api.list_targets == std::vector<std::string>{first, at_10, consistent, consistent});
        CHECK(h.r->lists() == 2);
    }
    SECTION("a list at a compacted or future resourceVersion is redone from etcd at once") {
        for (const auto& [status, body] : std::vector<std::pair<unsigned, std::string>>{
                 {410, R"({"kind":"Status","code":410,"reason":"Expired"})"},
                 {504, R"({"kind":"Status","code":504,"message":"Too large resource version"})"}}) {
            INFO(status);
            harness h;
            h.api.lists.push_back({status, body, {}});
            h.api.lists.push_back({200, list({obj("a", "5")}, "10"), {}});
            h.expect_watches(0);
            h.start();
            h.run_script();
            CHECK(h.api.list_targets == std::vector<std::string>{first, consistent});
            CHECK(h.synced == 1);
        }
    }
}

TEST_CASE("reflector.list_items_are_delivered_in_name_order") {
    // The watch cache answers in hash-map order; handlers see the items as etcd would list them.
    harness h;
    h.api.lists.push_back({200, list({obj("c", "7"), obj("a", "5"), obj("b", "6")}, "10"), {}});
    h.expect_watches(0);
    h.start();
    h.run_script();
    CHECK(h.log == std::vector<std::string>{"add a", "add b", "add c"});
}

TEST_CASE("reflector.expired_continue_token_restarts_the_whole_list") {
    // The second page's token expired: the list starts over and the store ends up with the
    // complete second snapshot (not an empty one).
    harness h;
    h.api.lists.push_back({200, list({obj("a", "5")}, "10", "tok1"), {}});
    h.api.lists.push_back({410, R"({"kind":"Status","code":410,"reason":"Expired"})", {}});
    h.api.lists.push_back({200, list({obj("a", "5")}, "20", "tok2"), {}});
    h.api.lists.push_back({200, list({obj("b", "6")}, "20"), {}});
    h.expect_watches(0);
    h.start();
    h.run_script();
    CHECK(h.store == std::map<std::string, std::string>{{"a", "5"}, {"b", "6"}});
    CHECK(h.log == std::vector<std::string>{"add a", "add b"});
    REQUIRE(h.api.list_targets.size() == 4);
    CHECK(h.api.list_targets[2].find("resourceVersion=0") != std::string::npos);
    CHECK(h.api.watch_targets[0].find("&resourceVersion=20") != std::string::npos);
}

}  // namespace multisched::informer
