// SPDX-License-Identifier: Apache-2.0
#include "core/leader/elector.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <fmt/format.h>

#include "core/json/json.hpp"
#include "core/util/log.hpp"

namespace multisched::leader {

namespace {

namespace http = boost::beast::http;

// client-go's leaderelection.JitterFactor: acquire waits retryPeriod × (1 + [0, 1.2)).
constexpr double kJitterFactor = 1.2;

// True once the coroutine owning `s` (`co_await asio::this_coro::cancellation_state`, which
// never throws) was asked to stop. Awaiting any other awaitable or async operation after that
// throws operation_aborted, so the loops check this before each wait.
bool cancelled(const asio::cancellation_state& s) {
    return s.cancelled() != asio::cancellation_type::none;
}

bool is_aborted(const boost::system::system_error& e) {
    return e.code() == asio::error::operation_aborted;
}

// A non-2xx answer as an error: the apiserver Status message when there is one.
error status_error(const client::http_response& r, std::string_view what) {
    std::string message;
    if (auto doc = json::document::parse(r.body)) {
        message = std::string(doc->root()["message"].as_string());
    }
    if (message.empty()) {
        message = fmt::format("{}: HTTP {}", what, r.status);
    }
    return error{{}, std::move(message), r.status};
}

}  // namespace

std::optional<std::string> validate(const election_config& cfg) {
    using ms = std::chrono::duration<double, std::milli>;
    if (cfg.lease_duration <= cfg.renew_deadline) {
        return "leaseDuration must be greater than renewDeadline";
    }
    if (ms(cfg.renew_deadline).count() <= kJitterFactor * ms(cfg.retry_period).count()) {
        return "renewDeadline must be greater than retryPeriod*JitterFactor";
    }
    if (cfg.lease_duration <= 0ms) {
        return "leaseDuration must be greater than zero";
    }
    if (cfg.renew_deadline <= 0ms) {
        return "renewDeadline must be greater than zero";
    }
    if (cfg.retry_period <= 0ms) {
        return "retryPeriod must be greater than zero";
    }
    if (cfg.identity.empty()) {
        return "Lock identity is empty";
    }
    return std::nullopt;
}

election_metrics register_election_metrics(metrics::registry& r) {
    metrics::desc status;
    status.name = "leader_election_master_status";
    status.help =
        "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 "
        "indicates master. 'name' is the string used to identify the lease. Please make sure to "
        "group by name.";
    status.level = metrics::stability::alpha;
    status.labels = {"name"};
    metrics::desc slowpath;
    slowpath.name = "leader_election_slowpath_total";
    slowpath.help =
        "Total number of slow path exercised in renewing leader leases. 'name' is the string used "
        "to identify the lease. Please make sure to group by name.";
    slowpath.level = metrics::stability::alpha;
    slowpath.labels = {"name"};
    election_metrics m;
    m.master_status = &r.add_gauge(std::move(status));
    m.slowpath = &r.add_counter(std::move(slowpath));
    return m;
}

elector::elector(client::api_client& client, election_config cfg,
                 std::function<clock::time_point()> now,
                 std::function<wall_clock::time_point()> wall_now)
    : client_(client),
      cfg_(std::move(cfg)),
      now_(now ? std::move(now) : [] { return clock::now(); }),
      wall_now_(wall_now ? std::move(wall_now) : [] { return wall_clock::now(); }) {}

void elector::report_to(election_metrics m) {
    metrics_ = m;
    set_master_status(is_leader());
}

std::string elector::describe() const {
    return cfg_.lease_namespace + "/" + cfg_.lease_name;
}

std::string elector::lease_path() const {
    return fmt::format("/apis/coordination.k8s.io/v1/namespaces/{}/leases/{}", cfg_.lease_namespace,
                       cfg_.lease_name);
}

void elector::set_master_status(bool on) {
    if (metrics_.master_status != nullptr) {
        metrics_.master_status->with({cfg_.name}).set(on ? 1.0 : 0.0);
    }
}

void elector::stop() {
    stopped_ = true;
    if (waiting_ != nullptr) {
        waiting_->cancel();
    }
}

std::optional<std::string> elector::check(std::chrono::milliseconds timeout) const {
    if (!is_leader()) {
        return std::nullopt;  // a hot standby is healthy
    }
    if (now_() - observed_time_ > cfg_.lease_duration + timeout) {
        return fmt::format("failed election to renew leadership on lease {}", cfg_.name);
    }
    return std::nullopt;
}

lease_record elector::desired_record() const {
    lease_record r;
    r.holder_identity = cfg_.identity;
    // The Lease counts whole seconds; the apiserver rejects 0, so a sub-second duration is 1.
    r.lease_duration_seconds = std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::seconds>(cfg_.lease_duration).count());
    r.acquire_time = format_micro_time(wall_now_());
    r.renew_time = r.acquire_time;
    return r;
}

bool elector::leading(clock::time_point now) const {
    return !lost_ && secured_at_ && is_leader() && now - *secured_at_ < cfg_.renew_deadline;
}

bool elector::lease_valid(clock::time_point now) const {
    return observed_time_ + std::chrono::seconds(observed_.lease_duration_seconds) > now;
}

void elector::observe(const lease_record& r) {
    observed_ = r;
    observed_time_ = now_();
}

task<result<client::http_response>> elector::send(http::verb method, std::string target,
                                                  std::string body,
                                                  real_clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - real_clock::now());
    if (left <= 0ms) {
        co_return error{asio::error::timed_out, "context deadline exceeded"};
    }
    client::http_request req;
    req.method = method;
    req.target = std::move(target);
    req.body = std::move(body);
    req.timeout = std::min(cfg_.request_timeout, left);
    co_return co_await client_.send(std::move(req));
}

task<result<lease_object>> elector::fetch(real_clock::time_point deadline) {
    auto r = co_await send(http::verb::get, lease_path(), {}, deadline);
    if (!r) {
        co_return r.error();
    }
    if (r->status / 100 != 2) {
        co_return status_error(*r, "GET " + lease_path());
    }
    auto lease = parse_lease(r->body);
    if (!lease) {
        co_return lease.error();
    }
    cached_ = *lease;
    co_return std::move(*lease);
}

task<result<lease_object>> elector::write(bool create, lease_record r,
                                          real_clock::time_point deadline) {
    if (!create && !cached_) {
        co_return error{{}, "lease not initialized, call get or create first"};
    }
    const auto method = create ? http::verb::post : http::verb::put;
    auto target = create ? fmt::format("/apis/coordination.k8s.io/v1/namespaces/{}/leases",
                                       cfg_.lease_namespace)
                         : lease_path();
    auto body =
        create ? create_body(cfg_.lease_namespace, cfg_.lease_name, r) : update_body(*cached_, r);
    const auto what = fmt::format("{} {}", create ? "POST" : "PUT", target);
    auto resp = co_await send(method, std::move(target), std::move(body), deadline);
    if (!resp) {
        co_return resp.error();
    }
    if (resp->status / 100 != 2) {
        co_return status_error(*resp, what);
    }
    auto lease = parse_lease(resp->body);
    if (!lease) {
        co_return lease.error();
    }
    cached_ = *lease;
    observe(r);
    co_return std::move(*lease);
}

task<bool> elector::try_acquire_or_renew() {
    co_return co_await try_round(real_clock::now() + cfg_.renew_deadline);
}

task<bool> elector::try_round(real_clock::time_point deadline) {
    const auto began = now_();
    const bool held = co_await try_round_once(deadline);
    if (held) {
        secured_at_ = began;
    }
    co_return held;
}

task<bool> elector::try_round_once(real_clock::time_point deadline) {
    const auto now = now_();
    auto desired = desired_record();
    // 1. Fast path: still leading by our own observation, update the object we last wrote.
    if (is_leader() && lease_valid(now) && cached_) {
        desired.acquire_time = observed_.acquire_time;
        desired.leader_transitions = observed_.leader_transitions;
        auto updated = co_await write(false, desired, deadline);
        if (updated) {
            co_return true;
        }
        // Upstream's spelling, kept so log searches match.
        MS_LOG_ERROR("Failed to update lock optimitically: {}, falling back to slow path",
                     updated.error().message);
        desired = desired_record();
    }
    // 2. Get the record, or create it.
    auto current = co_await fetch(deadline);
    if (!current) {
        if (current.error().http_status != 404) {
            MS_LOG_ERROR("error retrieving resource lock {}: {}", describe(),
                         current.error().message);
            co_return false;
        }
        auto created = co_await write(true, desired, deadline);
        if (!created) {
            MS_LOG_ERROR("error initially creating leader election record: {}",
                         created.error().message);
            co_return false;
        }
        co_return true;
    }
    co_return co_await take_over(std::move(*current), std::move(desired), now, deadline);
}

task<bool> elector::take_over(lease_object current, lease_record desired, clock::time_point now,
                              real_clock::time_point deadline) {
    // 3. Expiry counts from when WE saw the record change, not from its renewTime.
    if (current.record != observed_) {
        observe(current.record);
    }
    if (!observed_.holder_identity.empty() && lease_valid(now) && !is_leader()) {
        MS_LOG_V(4, "lock is held by {} and has not yet expired", observed_.holder_identity);
        co_return false;
    }
    // 4. Keep acquireTime and the transition count when renewing; count a new holder.
    if (is_leader()) {
        desired.acquire_time = current.record.acquire_time;
        desired.leader_transitions = current.record.leader_transitions;
        if (metrics_.slowpath != nullptr) {
            metrics_.slowpath->with({cfg_.name}).inc();
        }
    } else {
        desired.leader_transitions = current.record.leader_transitions + 1;
    }
    auto updated = co_await write(false, desired, deadline);
    if (!updated) {
        MS_LOG_ERROR("Failed to update lock: {}", updated.error().message);
        co_return false;
    }
    co_return true;
}

task<bool> elector::pause(std::chrono::milliseconds d) {
    if (stopped_ || cancelled(co_await asio::this_coro::cancellation_state)) {
        co_return false;
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    waiting_ = &timer;
    auto [ec] = co_await timer.async_wait(use_task);
    waiting_ = nullptr;
    co_return !ec && !stopped_;
}

std::chrono::milliseconds elector::jittered_retry_period() {
    const double stretch = std::uniform_real_distribution<double>(0.0, kJitterFactor)(rng_);
    const double extra = stretch * static_cast<double>(cfg_.retry_period.count());
    return cfg_.retry_period + std::chrono::milliseconds(static_cast<std::int64_t>(extra));
}

task<bool> elector::acquire() {
    MS_LOG_INFO("attempting to acquire leader lease {}...", describe());
    try {
        while (!stopped_ && !cancelled(co_await asio::this_coro::cancellation_state)) {
            if (co_await try_round(real_clock::now() + cfg_.renew_deadline)) {
                set_master_status(true);
                MS_LOG_INFO("successfully acquired lease {}", describe());
                co_return true;
            }
            MS_LOG_V(4, "failed to acquire lease {}", describe());
            // wait.JitterUntil(..., sliding): the wait starts after the try has finished.
            if (!co_await pause(jittered_retry_period())) {
                break;
            }
        }
    } catch (const boost::system::system_error& e) {
        if (!is_aborted(e)) {
            throw;
        }
    }
    co_return false;
}

task<bool> elector::renew_within_deadline() {
    const auto deadline = real_clock::now() + cfg_.renew_deadline;
    // Resumed after the window closed (a pause: SIGSTOP, a frozen VM): another candidate may
    // hold the lease already, so one round decides instead of retrying for renewDeadline more.
    const bool window_closed = !leading();
    for (;;) {
        if (co_await try_round(deadline)) {
            co_return true;
        }
        if (window_closed) {
            co_return false;
        }
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline - real_clock::now());
        if (left <= 0ms) {
            co_return false;
        }
        // PollImmediateUntil: retry every retryPeriod until the deadline fires first.
        if (!co_await pause(std::min(left, cfg_.retry_period)) || left <= cfg_.retry_period) {
            co_return false;
        }
    }
}

task<void> elector::hold() {
    try {
        while (!stopped_ && !cancelled(co_await asio::this_coro::cancellation_state)) {
            if (!co_await renew_within_deadline()) {
                if (stopped_ || cancelled(co_await asio::this_coro::cancellation_state)) {
                    co_return;
                }
                lost_ = true;
                secured_at_.reset();
                set_master_status(false);
                MS_LOG_INFO("failed to renew lease {}: timed out waiting for the condition",
                            describe());
                co_return;
            }
            MS_LOG_V(5, "successfully renewed lease {}", describe());
            if (!co_await pause(cfg_.retry_period)) {
                co_return;
            }
        }
    } catch (const boost::system::system_error& e) {
        if (!is_aborted(e)) {
            throw;
        }
    }
}

task<void> elector::release() {
    secured_at_.reset();  // stepping down: act no more, whatever the write below gives
    if (!is_leader()) {
        co_return;
    }
    lease_record r;
    r.lease_duration_seconds = 1;
    r.acquire_time = format_micro_time(wall_now_());
    r.renew_time = r.acquire_time;
    r.leader_transitions = observed_.leader_transitions;
    auto released = co_await write(false, r, real_clock::now() + cfg_.request_timeout);
    if (!released) {
        MS_LOG_ERROR("Failed to release lock: {}", released.error().message);
        co_return;
    }
    set_master_status(false);
}

}  // namespace multisched::leader
