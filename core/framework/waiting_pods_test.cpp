// SPDX-License-Identifier: Apache-2.0
// Pods held at Permit: allowed by every waiting plugin, rejected by one, or timed out.
#include "core/framework/waiting_pods.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::framework {
namespace {

using multisched::testing::make_pod;
using namespace std::chrono_literals;

TEST_CASE("waiting_pods.verdicts") {
    struct test_case {
        std::string name;
        std::function<void(waiting_pod&)> act;  // run before waiting
        std::chrono::milliseconds timeout;
        code want;
        std::string want_message;
        std::string want_plugin;
    };
    const std::vector<test_case> cases = {
        {"allowed by every pending plugin",
         [](waiting_pod& w) {
             w.allow("A");
             w.allow("B");
         },
         10min, code::success, "", ""},
        {"one allowance is not enough: times out at the first (shortest) plugin",
         [](waiting_pod& w) { w.allow("B"); }, 20ms, code::unschedulable,
         "rejected due to timeout after waiting 20ms at plugin A", "A"},
        {"rejected", [](waiting_pod& w) { w.reject("B", "gang incomplete"); }, 10min,
         code::unschedulable, "gang incomplete", "B"},
        {"first verdict wins",
         [](waiting_pod& w) {
             w.reject("A", "first");
             w.allow("A");
             w.allow("B");
             w.reject("B", "second");
         },
         10min, code::unschedulable, "first", "A"},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        asio::io_context ioc;
        waiting_pods pods;
        auto wp = pods.add(
            std::make_shared<waiting_pod>(ioc.get_executor(), make_pod().name("p").uid("u").info(),
                                          "n1", std::vector<std::string>{"A", "B"}, tc.timeout));
        REQUIRE(pods.find("u") == wp);
        CHECK(wp->node() == "n1");
        tc.act(*wp);
        const status s = testing::run(ioc, wp->wait());
        CHECK(s.code() == tc.want);
        CHECK(s.message() == tc.want_message);
        CHECK(s.plugin() == tc.want_plugin);
        pods.remove("u");
        CHECK(pods.find("u") == nullptr);
    }
}

TEST_CASE("waiting_pods.allowed_while_waiting") {
    asio::io_context ioc;
    waiting_pods pods;
    pods.add(std::make_shared<waiting_pod>(ioc.get_executor(), make_pod().name("p").uid("u").info(),
                                           "n1", std::vector<std::string>{"Gang"}, 10min));
    // Another task allows every waiting pod once the waiter is suspended.
    asio::post(ioc, [&] { pods.for_each([](waiting_pod& w) { w.allow("Gang"); }); });
    CHECK(testing::run(ioc, pods.find("u")->wait()).is_success());
}

TEST_CASE("waiting_pods.go_duration") {
    struct test_case {
        std::chrono::milliseconds d;
        std::string want;
    };
    const std::vector<test_case> cases = {
        {250ms, "250ms"}, {1s, "1s"},       {1500ms, "1.5s"},    {10s, "10s"},
        {2min, "2m0s"},   {15min, "15m0s"}, {61500ms, "1m1.5s"}, {90min, "1h30m0s"},
    };
    for (const auto& tc : cases) {
        INFO(tc.want);
        CHECK(go_duration(tc.d) == tc.want);
    }
}

}  // namespace
}  // namespace multisched::framework
