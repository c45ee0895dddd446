// SPDX-License-Identifier: Apache-2.0
#include "core/leader/elector.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/json/json.hpp"
#include "core/metrics/registry.hpp"
#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"

namespace ms = multisched;
namespace leader = multisched::leader;
namespace json = multisched::json;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using ms::task;

namespace {

constexpr std::string_view kLeasePath =
    "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler";
constexpr std::string_view kCollection =
    "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";
constexpr std::string_view kT0 = "2024-01-02T03:04:05.123456Z";

// An apiserver holding one Lease in memory: GET, POST (409 when it exists) and PUT with the
// resourceVersion precondition (409 on a stale one), as kube-apiserver answers them.
class lease_server final : public ms::client::api_client {
  public:
    struct lease {
        leader::lease_record record;
        std::int64_t resource_version = 1;
        std::string labels = "{}";
        std::string extra_spec;  // e.g. R"(,"strategy":"X")", written into the spec as is
    };
    std::optional<lease> stored;
    std::vector<ms::client::http_request> requests;
    std::vector<unsigned> statuses;  // one per request; 0 for a transport failure
    // Runs before each answer (advance clocks, play a concurrent writer, stop the elector).
    std::function<void(const ms::client::http_request&)> on_request;
    unsigned fail_status = 0;  // answer every request with this status
    bool hang = false;         // never answer: fail when the request's own timeout expires

    task<ms::result<ms::client::http_response>> send(ms::client::http_request req) override {
        auto ex = co_await asio::this_coro::executor;
        co_await asio::post(ex, asio::use_awaitable);
        requests.push_back(req);
        if (on_request) {
            on_request(req);
        }
        if (hang) {
            asio::steady_timer timer(ex, req.timeout);
            co_await timer.async_wait(ms::use_task);
            statuses.push_back(0);
            co_return ms::error{asio::error::timed_out, "request timed out"};
        }
        auto resp = answer(req);
        statuses.push_back(resp.status);
        co_return resp;
    }
    task<ms::result<std::unique_ptr<ms::client::watch_stream>>> watch(
        std::string, std::chrono::milliseconds) override {
        co_return ms::error{{}, "no watches"};
    }

    std::size_t count(http::verb method) const {
        return static_cast<std::size_t>(std::count_if(requests.begin(), requests.end(),
                                                      [&](auto& r) { return r.method == method; }));
    }
    std::string object_json() const {
        json::writer spec;
        const auto& r = stored->record;
        spec.begin_object().field("holderIdentity", r.holder_identity);
        spec.key("leaseDurationSeconds").integer(r.lease_duration_seconds);
        spec.field("acquireTime", r.acquire_time).field("renewTime", r.renew_time);
        spec.key("leaseTransitions").integer(r.leader_transitions).end_object();
        std::string spec_text = spec.str();
        spec_text.insert(spec_text.size() - 1, stored->extra_spec);
        return fmt::format(R"({{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{{)"
                           R"("name":"kube-scheduler","namespace":"kube-system","uid":"uid-1",)"
                           R"("resourceVersion":"{}","labels":{}}},"spec":{}}})",
                           stored->resource_version, stored->labels, spec_text);
    }

  private:
    static ms::client::http_response status(unsigned code, std::string_view message) {
        return {code, fmt::format(R"({{"kind":"Status","message":"{}"}})", message), std::nullopt};
    }
    static leader::lease_record record_of(json::value spec) {
        leader::lease_record r;
        r.holder_identity = std::string(spec["holderIdentity"].as_string());
        r.lease_duration_seconds = spec["leaseDurationSeconds"].as_int().value_or(0);
        r.acquire_time = std::string(spec["acquireTime"].as_string());
        r.renew_time = std::string(spec["renewTime"].as_string());
        r.leader_transitions = spec["leaseTransitions"].as_int().value_or(0);
        return r;
    }
    ms::client::http_response answer(const ms::client::http_request& req) {
        if (fail_status != 0) {
            return status(fail_status, "injected failure");
        }
        const bool item = req.target == kLeasePath;
        if (req.method == http::verb::get && item) {
            return stored
                       ? ms::client::http_response{200, object_json(), std::nullopt}
                       : status(404, R"(leases.coordination.k8s.io \"kube-scheduler\" not found)");
        }
        auto doc = json::document::parse(req.body);
        if (!doc) {
            return status(400, "bad body");
        }
        if (req.method == http::verb::post && req.target == kCollection) {
            if (stored) {
                return status(409, "already exists");
            }
            stored = lease{};
            stored->record = record_of(doc->root()["spec"]);
            return {201, object_json(), std::nullopt};
        }
        if (req.method == http::verb::put && item && stored) {
            const auto rv = doc->root()["metadata"]["resourceVersion"].as_string();
            if (rv != std::to_string(stored->resource_version)) {
                return status(409, "the object has been modified");
            }
            stored->record = record_of(doc->root()["spec"]);
            stored->labels = doc->root()["metadata"]["labels"].dump();
            stored->extra_spec.clear();
            ++stored->resource_version;
            return {200, object_json(), std::nullopt};
        }
        return status(404, "not found");
    }
};

// The injectable clocks: lease expiry runs on `now`, record timestamps on `wall`.
struct fake_clocks {
    leader::clock::time_point now = leader::clock::time_point{} + 1h;
    leader::wall_clock::time_point wall =
        std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + 3h + 4min + 5s + 123456us;
    void advance(std::chrono::milliseconds d) {
        now += d;
        wall += d;
    }
};

leader::election_config test_config(std::string identity = "me") {
    leader::election_config cfg;
    cfg.identity = std::move(identity);
    cfg.lease_duration = 15s;   // judged on the fake clock
    cfg.renew_deadline = 30ms;  // real time
    cfg.retry_period = 10ms;
    cfg.request_timeout = 20ms;
    return cfg;
}

leader::lease_record other_holder(std::int64_t transitions = 3) {
    leader::lease_record r;
    r.holder_identity = "other";
    r.lease_duration_seconds = 15;
    r.acquire_time = std::string(kT0);
    r.renew_time = std::string(kT0);
    r.leader_transitions = transitions;
    return r;
}

json::document body_of(const ms::client::http_request& req) {
    auto doc = json::document::parse(req.body);
    REQUIRE(doc.has_value());
    return std::move(*doc);
}

lease_server::lease make_lease(leader::lease_record r, std::int64_t rv, std::string labels = "{}") {
    lease_server::lease l;
    l.record = std::move(r);
    l.resource_version = rv;
    l.labels = std::move(labels);
    return l;
}

struct fixture {
    asio::io_context ioc;
    lease_server server;
    fake_clocks clk;

    // An elector on this fixture's server and clocks.
    std::unique_ptr<leader::elector> make(leader::election_config cfg) {
        return std::make_unique<leader::elector>(
            server, std::move(cfg), [this] { return clk.now; }, [this] { return clk.wall; });
    }
};

}  // namespace

TEST_CASE("leader.creates the Lease when absent") {
    fixture f;
    auto el = f.make(test_config());
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    REQUIRE(f.server.requests.size() == 2);
    CHECK(f.server.requests[0].method == http::verb::get);
    CHECK(f.server.requests[0].target == kLeasePath);
    CHECK(f.server.requests[1].method == http::verb::post);
    CHECK(f.server.requests[1].target == kCollection);
    const auto doc = body_of(f.server.requests[1]);
    const auto root = doc.root();
    CHECK(root["apiVersion"].as_string() == "coordination.k8s.io/v1");
    CHECK(root["kind"].as_string() == "Lease");
    CHECK(root["metadata"]["name"].as_string() == "kube-scheduler");
    CHECK(root["metadata"]["namespace"].as_string() == "kube-system");
    CHECK(root["spec"]["holderIdentity"].as_string() == "me");
    CHECK(root["spec"]["leaseDurationSeconds"].as_int() == 15);
    CHECK(root["spec"]["acquireTime"].as_string() == kT0);
    CHECK(root["spec"]["renewTime"].as_string() == kT0);
    CHECK(root["spec"]["leaseTransitions"].as_int() == 0);
    CHECK(el->is_leader());
    CHECK(el->observed_holder() == "me");
}

TEST_CASE("leader.answers of the apiserver decide one round (fake_api_client)") {
    const std::string created =
        R"({"metadata":{"name":"kube-scheduler","namespace":"kube-system","resourceVersion":"1"},)"
        R"("spec":{"holderIdentity":"me","leaseDurationSeconds":15}})";
    struct row {
        const char* name;
        unsigned get_status;
        unsigned post_status;
        bool acquired;
        std::size_t requests;
    };
    const std::vector<row> rows{
        {"absent: created", 404, 201, true, 2},   {"GET fails with 500", 500, 201, false, 1},
        {"GET forbidden", 403, 201, false, 1},    {"create lost a race (409)", 404, 409, false, 2},
        {"create forbidden", 404, 403, false, 2},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        asio::io_context ioc;
        ms::testing::fake_api_client api;
        api.rules.push_back({http::verb::get, std::string(kLeasePath), r.get_status, "{}"});
        api.rules.push_back({http::verb::post, std::string(kCollection), r.post_status, created});
        leader::elector el(api, test_config());
        const bool acquired = ms::testing::run(ioc, el.try_acquire_or_renew());
        CHECK(acquired == r.acquired);
        CHECK(el.is_leader() == r.acquired);
        CHECK(api.requests.size() == r.requests);
        CHECK(api.matching("/leases").size() == r.requests);
    }
}

TEST_CASE("leader.not acquired while another holder keeps renewing") {
    fixture f;
    f.server.stored = make_lease(other_holder(), 7);
    auto el = f.make(test_config());
    int gets = 0;
    f.server.on_request = [&](const ms::client::http_request&) {
        f.clk.advance(10s);  // well past nothing: the record keeps changing
        f.server.stored->record.renew_time = fmt::format("renew-{}", ++gets);
        ++f.server.stored->resource_version;
        if (gets == 6) {
            el->stop();
        }
    };
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    CHECK_FALSE(acquired);
    CHECK(f.server.count(http::verb::get) == 6);
    CHECK(f.server.requests.size() == 6);
    CHECK_FALSE(el->is_leader());
    CHECK(el->observed_holder() == "other");
    CHECK(f.server.stored->record.holder_identity == "other");
}

TEST_CASE("leader.acquires once the other holder's lease expired by local observation") {
    fixture f;
    f.server.stored = make_lease(other_holder(3), 7, R"({"app":"x"})");
    auto el = f.make(test_config());
    f.server.on_request = [&](const ms::client::http_request& req) {
        if (req.method == http::verb::get) {
            f.clk.advance(6s);
        }
    };
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    // Observed at 6 s (the first GET), valid until 21 s; each round judges with the time it
    // started at, so the round starting at 24 s (the fifth GET) takes over.
    CHECK(f.server.count(http::verb::get) == 5);
    REQUIRE(f.server.count(http::verb::put) == 1);
    const auto& put = f.server.requests.back();
    CHECK(put.target == kLeasePath);
    const auto doc = body_of(put);
    const auto root = doc.root();
    CHECK(root["metadata"]["resourceVersion"].as_string() == "7");
    CHECK(root["metadata"]["uid"].as_string() == "uid-1");
    CHECK(root["metadata"]["labels"]["app"].as_string() == "x");
    CHECK(root["spec"]["holderIdentity"].as_string() == "me");
    CHECK(root["spec"]["leaseDurationSeconds"].as_int() == 15);
    CHECK(root["spec"]["leaseTransitions"].as_int() == 4);
    CHECK(root["spec"]["acquireTime"].as_string() == "2024-01-02T03:04:29.123456Z");
    CHECK(root["spec"]["renewTime"].as_string() == "2024-01-02T03:04:29.123456Z");
    CHECK(f.server.stored->record.holder_identity == "me");
    CHECK(el->is_leader());
}

TEST_CASE("leader.expiry ignores the record's own timestamps (clock skew)") {
    const std::vector<std::string> renew_times{"2000-01-01T00:00:00.000000Z",
                                               "2100-01-01T00:00:00.000000Z"};
    for (const auto& renew : renew_times) {
        INFO(renew);
        fixture f;
        auto rec = other_holder();
        rec.lease_duration_seconds = 10;
        rec.renew_time = renew;
        f.server.stored = make_lease(rec, 1);
        auto el = f.make(test_config());
        const bool first = ms::testing::run(f.ioc, el->try_acquire_or_renew());
        CHECK_FALSE(first);
        f.clk.advance(9s);
        const bool before_expiry = ms::testing::run(f.ioc, el->try_acquire_or_renew());
        CHECK_FALSE(before_expiry);
        f.clk.advance(2s);
        const bool after_expiry = ms::testing::run(f.ioc, el->try_acquire_or_renew());
        CHECK(after_expiry);
        CHECK(f.server.count(http::verb::put) == 1);
    }
}

TEST_CASE("leader.a 409 on the PUT loses the round and the next one retries") {
    fixture f;
    auto released = other_holder(2);
    released.holder_identity.clear();
    f.server.stored = make_lease(released, 3);
    auto el = f.make(test_config());
    int puts = 0;
    SECTION("a concurrent writer touched the object: retried and acquired") {
        f.server.on_request = [&](const ms::client::http_request& req) {
            if (req.method == http::verb::put && ++puts == 1) {
                ++f.server.stored->resource_version;  // someone else wrote in between
            }
        };
        const bool acquired = ms::testing::run(f.ioc, el->acquire());
        REQUIRE(acquired);
        CHECK(f.server.statuses == std::vector<unsigned>{200, 409, 200, 200});
        const auto doc = body_of(f.server.requests.back());
        CHECK(doc.root()["metadata"]["resourceVersion"].as_string() == "4");
        CHECK(f.server.stored->record.leader_transitions == 3);
    }
    SECTION("another candidate won the race: not acquired") {
        f.server.on_request = [&](const ms::client::http_request& req) {
            if (req.method == http::verb::put && ++puts == 1) {
                f.server.stored->record = other_holder(3);
                ++f.server.stored->resource_version;
            }
            if (f.server.requests.size() == 4) {
                el->stop();
            }
        };
        const bool acquired = ms::testing::run(f.ioc, el->acquire());
        CHECK_FALSE(acquired);
        CHECK(f.server.statuses == std::vector<unsigned>{200, 409, 200, 200});
        CHECK(f.server.count(http::verb::put) == 1);
        CHECK(el->observed_holder() == "other");
    }
}

TEST_CASE("leader.hold renews on the fast path and keeps acquireTime") {
    fixture f;
    auto el = f.make(test_config());
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    const std::size_t before = f.server.requests.size();
    int puts = 0;
    f.server.on_request = [&](const ms::client::http_request& req) {
        f.clk.advance(1s);
        if (req.method == http::verb::put && ++puts == 3) {
            el->stop();
        }
    };
    ms::testing::run(f.ioc, el->hold());
    CHECK_FALSE(el->lost());
    CHECK(el->is_leader());
    REQUIRE(f.server.requests.size() == before + 3);
    std::string last_renew;
    for (std::size_t i = before; i < f.server.requests.size(); ++i) {
        const auto& req = f.server.requests[i];
        CHECK(req.method == http::verb::put);
        const auto doc = body_of(req);
        const auto spec = doc.root()["spec"];
        CHECK(doc.root()["metadata"]["resourceVersion"].as_string() ==
              std::to_string(i - before + 1));
        CHECK(spec["acquireTime"].as_string() == kT0);
        CHECK(spec["renewTime"].as_string() != last_renew);
        CHECK(spec["leaseTransitions"].as_int() == 0);
        last_renew = std::string(spec["renewTime"].as_string());
    }
    CHECK(f.server.stored->record.renew_time == last_renew);
    CHECK(el->check() == std::nullopt);
}

TEST_CASE("leader.hold returns lost after failing to renew for renewDeadline") {
    fixture f;
    ms::metrics::registry reg;
    auto el = f.make(test_config());
    el->report_to(leader::register_election_metrics(reg));
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    CHECK(reg.expose().find("leader_election_master_status{name=\"kube-scheduler\"} 1") !=
          std::string::npos);
    const std::size_t before = f.server.requests.size();
    f.server.fail_status = 500;
    const auto start = std::chrono::steady_clock::now();
    ms::testing::run(f.ioc, el->hold());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(el->lost());
    CHECK(elapsed >= test_config().renew_deadline);
    // The fast-path PUT fails, the slow path GETs (and fails), then retries every retryPeriod.
    REQUIRE(f.server.requests.size() >= before + 3);
    CHECK(f.server.requests[before].method == http::verb::put);
    CHECK(f.server.requests[before + 1].method == http::verb::get);
    CHECK(reg.expose().find("leader_election_master_status{name=\"kube-scheduler\"} 0") !=
          std::string::npos);
}

TEST_CASE("leader.leading ends renewDeadline after the last successful round began") {
    fixture f;
    auto el = f.make(test_config());  // renewDeadline 30ms
    CHECK_FALSE(el->leading(f.clk.now));
    // Each request takes 5ms on the elector's clock: the window counts from the round's start.
    f.server.on_request = [&](const ms::client::http_request&) { f.clk.advance(5ms); };
    struct row {
        const char* what;
        std::chrono::milliseconds after;  // since the round began
        bool leading;
    };
    const std::vector<row> rows = {
        {"at once", 0ms, true},
        {"just inside renewDeadline", 29ms, true},
        {"renewDeadline passed (a pause)", 30ms, false},
        {"long after", 10s, false},
    };
    for (int round = 0; round < 2; ++round) {
        const auto began = f.clk.now;
        const bool held =
            ms::testing::run(f.ioc, round == 0 ? el->acquire() : el->try_acquire_or_renew());
        REQUIRE(held);
        for (const auto& r : rows) {
            INFO("round " << round << ": " << r.what);
            CHECK(el->leading(began + r.after) == r.leading);
        }
        f.clk.advance(1s);
    }
    // A round that fails neither extends nor ends the window; releasing ends it at once.
    const auto secured = f.clk.now;
    REQUIRE(ms::testing::run(f.ioc, el->try_acquire_or_renew()));
    f.clk.advance(20ms);
    f.server.fail_status = 500;
    CHECK_FALSE(ms::testing::run(f.ioc, el->try_acquire_or_renew()));
    CHECK(el->leading(secured + 29ms));
    CHECK_FALSE(el->leading(secured + 31ms));
    f.server.fail_status = 0;
    REQUIRE(ms::testing::run(f.ioc, el->try_acquire_or_renew()));
    CHECK(el->leading(f.clk.now));
    ms::testing::run(f.ioc, el->release());
    CHECK_FALSE(el->leading(f.clk.now));
}

TEST_CASE("leader.hold gives up at the first failed round when resumed after its window") {
    // A pause longer than renewDeadline (the fake clock jumps 1s; renewDeadline is 30ms): the
    // renewal gets one round (the fast-path PUT, then the GET), not renewDeadline of retries.
    fixture f;
    auto el = f.make(test_config());
    REQUIRE(ms::testing::run(f.ioc, el->acquire()));
    f.clk.advance(1s);
    REQUIRE_FALSE(el->leading());
    const std::size_t before = f.server.requests.size();
    f.server.fail_status = 500;
    ms::testing::run(f.ioc, el->hold());
    CHECK(el->lost());
    REQUIRE(f.server.requests.size() == before + 2);
    CHECK(f.server.requests[before].method == http::verb::put);
    CHECK(f.server.requests[before + 1].method == http::verb::get);
}

TEST_CASE("leader.every request has a deadline when the apiserver hangs") {
    fixture f;
    auto el = f.make(test_config());
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    f.server.hang = true;
    const std::size_t before = f.server.requests.size();
    ms::testing::run(f.ioc, el->hold(), 5s);
    CHECK(el->lost());
    REQUIRE(f.server.requests.size() > before);
    const auto cfg = test_config();
    for (std::size_t i = before; i < f.server.requests.size(); ++i) {
        CHECK(f.server.requests[i].timeout > 0ms);
        CHECK(f.server.requests[i].timeout <= cfg.request_timeout);
    }
    const bool retried = ms::testing::run(f.ioc, el->try_acquire_or_renew(), 5s);
    CHECK_FALSE(retried);
}

TEST_CASE("leader.release writes an empty holder with leaseDurationSeconds 1") {
    fixture f;
    auto el = f.make(test_config());
    auto next = f.make(test_config("next"));
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    f.clk.advance(3s);
    const std::size_t before = f.server.requests.size();
    ms::testing::run(f.ioc, el->release());
    REQUIRE(f.server.requests.size() == before + 1);
    const auto& put = f.server.requests.back();
    CHECK(put.method == http::verb::put);
    CHECK(put.timeout <= test_config().request_timeout);
    const auto doc = body_of(put);
    const auto spec = doc.root()["spec"];
    CHECK(spec["holderIdentity"].is_string());
    CHECK(spec["holderIdentity"].as_string().empty());
    CHECK(spec["leaseDurationSeconds"].as_int() == 1);
    CHECK(spec["acquireTime"].as_string() == "2024-01-02T03:04:08.123456Z");
    CHECK(spec["renewTime"].as_string() == "2024-01-02T03:04:08.123456Z");
    CHECK(spec["leaseTransitions"].as_int() == 0);
    CHECK_FALSE(el->is_leader());
    CHECK(el->observed_holder().empty());

    SECTION("a second release, not being the holder, sends nothing") {
        ms::testing::run(f.ioc, el->release());
        CHECK(f.server.requests.size() == before + 1);
    }
    SECTION("another candidate takes over at once, counting a transition") {
        const bool took = ms::testing::run(f.ioc, next->try_acquire_or_renew());
        CHECK(took);
        CHECK(f.server.stored->record.holder_identity == "next");
        CHECK(f.server.stored->record.leader_transitions == 1);
    }
}

TEST_CASE("leader.release runs on a cancelled shutdown path once the state is reset") {
    fixture f;
    auto el = f.make(test_config());
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    const bool clean = ms::testing::run(f.ioc, [&]() -> task<bool> {
        auto ex = co_await asio::this_coro::executor;
        asio::cancellation_signal sig;
        std::optional<std::exception_ptr> done;
        // Named: the coroutine reads its captures through the closure, which must outlive it.
        auto releaser = [&]() -> task<void> {
            sig.emit(asio::cancellation_type::terminal);
            // As the daemon's shutdown path must: clear the cancellation, then release.
            co_await asio::this_coro::reset_cancellation_state();
            co_await el->release();
        };
        asio::co_spawn(ex, releaser(),
                       asio::bind_cancellation_slot(
                           sig.slot(), [&](std::exception_ptr e) { done = std::move(e); }));
        asio::steady_timer tick(ex);
        while (!done) {
            tick.expires_after(1ms);
            co_await tick.async_wait(ms::use_task);
        }
        co_return *done == nullptr;
    }());
    CHECK(clean);
    CHECK(f.server.stored->record.holder_identity.empty());
    CHECK_FALSE(el->is_leader());
}

TEST_CASE("leader.acquire and hold end quietly when their coroutine is cancelled") {
    fixture f;
    auto el = f.make(test_config());
    std::optional<std::exception_ptr> error;
    std::optional<bool> result;
    auto cancel_after = [&](task<void> t, std::size_t requests) -> task<void> {
        auto ex = co_await asio::this_coro::executor;
        asio::cancellation_signal sig;
        asio::co_spawn(ex, std::move(t),
                       asio::bind_cancellation_slot(
                           sig.slot(), [&](std::exception_ptr e) { error = std::move(e); }));
        asio::steady_timer tick(ex);
        while (f.server.requests.size() < requests) {
            tick.expires_after(1ms);
            co_await tick.async_wait(ms::use_task);
        }
        sig.emit(asio::cancellation_type::terminal);
        while (!error) {
            tick.expires_after(1ms);
            co_await tick.async_wait(ms::use_task);
        }
    };
    SECTION("acquire") {
        f.server.stored = make_lease(other_holder(), 1);  // never expires: clock frozen
        auto wrapped = [&]() -> task<void> { result = co_await el->acquire(); };
        ms::testing::run(f.ioc, cancel_after(wrapped(), 3));
        REQUIRE(error.has_value());
        CHECK(*error == nullptr);
        CHECK(result == false);
    }
    SECTION("hold") {
        const bool acquired = ms::testing::run(f.ioc, el->acquire());
        REQUIRE(acquired);
        ms::testing::run(f.ioc, cancel_after(el->hold(), f.server.requests.size() + 3));
        REQUIRE(error.has_value());
        CHECK(*error == nullptr);
        CHECK_FALSE(el->lost());
        CHECK(el->is_leader());
    }
}

TEST_CASE("leader.healthz watchdog fails only for a leader that stopped renewing") {
    fixture f;
    auto el = f.make(test_config());
    f.clk.advance(1h);
    CHECK(el->check() == std::nullopt);  // not leading: healthy
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    CHECK(el->check() == std::nullopt);
    f.clk.advance(15s + 20s);
    CHECK(el->check() == std::nullopt);
    f.clk.advance(1ms);
    CHECK(el->check() == "failed election to renew leadership on lease kube-scheduler");
    CHECK(el->check(30s) == std::nullopt);
    const bool renewed = ms::testing::run(f.ioc, el->try_acquire_or_renew());
    REQUIRE(renewed);
    CHECK(el->check() == std::nullopt);
}

TEST_CASE("leader.metrics: master status and slow-path renewals") {
    fixture f;
    ms::metrics::registry reg;
    auto el = f.make(test_config());
    el->report_to(leader::register_election_metrics(reg));
    const auto exposed = [&](std::string_view line) {
        return reg.expose().find(line) != std::string::npos;
    };
    CHECK(
        exposed("# HELP leader_election_master_status [ALPHA] Gauge of if the reporting "
                "system is master of the relevant lease, 0 indicates backup, 1 indicates "
                "master."));
    CHECK(exposed("leader_election_master_status{name=\"kube-scheduler\"} 0\n"));
    CHECK_FALSE(exposed("leader_election_slowpath_total{"));
    const bool acquired = ms::testing::run(f.ioc, el->acquire());
    REQUIRE(acquired);
    CHECK(exposed("leader_election_master_status{name=\"kube-scheduler\"} 1\n"));

    // A concurrent write makes the fast-path PUT stale: 409, then GET and PUT (the slow path).
    ++f.server.stored->resource_version;
    const std::size_t before = f.server.requests.size();
    const bool renewed = ms::testing::run(f.ioc, el->try_acquire_or_renew());
    REQUIRE(renewed);
    CHECK(std::vector<unsigned>(f.server.statuses.begin() + static_cast<long>(before),
                                f.server.statuses.end()) == std::vector<unsigned>{409, 200, 200});
    CHECK(exposed("leader_election_slowpath_total{name=\"kube-scheduler\"} 1\n"));

    ms::testing::run(f.ioc, el->release());
    CHECK(exposed("leader_election_master_status{name=\"kube-scheduler\"} 0\n"));
}
