// SPDX-License-Identifier: Apache-2.0
// connection_slots: the cap, first-come-first-served hand-over, deadlines, cancellation, and a
// waiter whose frame is destroyed while it waits. Driven by polling the io_context: no sleeps.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/client/connection_slots.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::client {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// One acquirer: records whether it got a slot and keeps it until `hold` is reset.
struct acquirer {
    std::optional<bool> got;  // unset while waiting
    std::optional<connection_slots::slot> hold;
};

void start(asio::io_context& ioc, connection_slots& slots, acquirer& a,
           clock::time_point deadline) {
    asio::co_spawn(
        ioc,
        [&slots, &a, deadline]() -> task<void> {
            auto s = co_await slots.acquire(deadline);
            a.got = s.has_value();
            if (s) {
                a.hold.emplace(std::move(*s));
            }
        },
        asio::detached);
}

TEST_CASE("connection_slots.cap_and_first_come_first_served") {
    asio::io_context ioc;
    connection_slots slots(2);
    const auto far = clock::now() + 1h;
    std::vector<acquirer> a(5);
    for (auto& x : a) {
        start(ioc, slots, x, far);
    }
    testing::drain(ioc);
    CHECK(a[0].got == true);
    CHECK(a[1].got == true);
    CHECK_FALSE(a[2].got.has_value());
    CHECK(slots.in_use() == 2);
    CHECK(slots.waiting() == 3);

    a[1].hold.reset();  // handed to the oldest waiter, not to a newcomer
    acquirer late;
    start(ioc, slots, late, far);
    testing::drain(ioc);
    CHECK(a[2].got == true);
    CHECK_FALSE(a[3].got.has_value());
    CHECK_FALSE(late.got.has_value());
    CHECK(slots.in_use() == 2);

    a[0].hold.reset();
    a[2].hold.reset();
    testing::drain(ioc);
    CHECK(a[3].got == true);
    CHECK(a[4].got == true);
    CHECK_FALSE(late.got.has_value());
    for (auto* x : {&a[3], &a[4]}) {
        x->hold.reset();
    }
    testing::drain(ioc);
    CHECK(late.got == true);
    late.hold.reset();
    CHECK(slots.in_use() == 0);
    CHECK(slots.waiting() == 0);
}

TEST_CASE("connection_slots.deadline_passes_while_waiting") {
    asio::io_context ioc;
    connection_slots slots(1);
    acquirer first, expired, patient;
    start(ioc, slots, first, clock::now() + 1h);
    start(ioc, slots, expired, clock::now() - 1ms);  // a deadline already passed
    start(ioc, slots, patient, clock::now() + 1h);
    testing::drain(ioc);
    CHECK(first.got == true);
    CHECK(expired.got == false);
    CHECK_FALSE(patient.got.has_value());
    CHECK(slots.waiting() == 1);
    first.hold.reset();
    testing::drain(ioc);
    CHECK(patient.got == true);
    patient.hold.reset();
    CHECK(slots.in_use() == 0);
}

TEST_CASE("connection_slots.cancelled_waiter_leaves_the_queue") {
    asio::io_context ioc;
    connection_slots slots(1);
    acquirer first, next;
    start(ioc, slots, first, clock::now() + 1h);
    std::optional<bool> cancelled_got;
    asio::cancellation_signal cancel;
    asio::co_spawn(
        ioc,
        [&]() -> task<void> {
            auto s = co_await slots.acquire(clock::now() + 1h);
            cancelled_got = s.has_value();
        },
        asio::bind_cancellation_slot(cancel.slot(), asio::detached));
    start(ioc, slots, next, clock::now() + 1h);
    testing::drain(ioc);
    CHECK(slots.waiting() == 2);
    cancel.emit(asio::cancellation_type::terminal);
    testing::drain(ioc);
    CHECK(cancelled_got == false);
    CHECK(slots.waiting() == 1);
    first.hold.reset();
    testing::drain(ioc);
    CHECK(next.got == true);
    next.hold.reset();
    CHECK(slots.in_use() == 0);
}

TEST_CASE("connection_slots.destroyed_waiter_passes_its_grant_on") {
    asio::io_context ioc;
    connection_slots slots(1);
    acquirer first, next;
    start(ioc, slots, first, clock::now() + 1h);
    testing::drain(ioc);
    {
        asio::io_context doomed;  // its suspended frame is destroyed with it, never resumed
        asio::co_spawn(
            doomed, [&]() -> task<void> { (void)co_await slots.acquire(clock::now() + 1h); },
            asio::detached);
        testing::drain(doomed);
        start(ioc, slots, next, clock::now() + 1h);
        testing::drain(ioc);
        CHECK(slots.waiting() == 2);
        first.hold.reset();  // granted to the doomed waiter, the oldest
        testing::drain(ioc);
        CHECK_FALSE(next.got.has_value());
        CHECK(slots.in_use() == 1);
    }
    testing::drain(ioc);
    CHECK(next.got == true);  // the destroyed frame passed its grant on
    next.hold.reset();
    CHECK(slots.in_use() == 0);
    CHECK(slots.waiting() == 0);
}

}  // namespace
}  // namespace multisched::client
