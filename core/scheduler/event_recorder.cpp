// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/event_recorder.hpp"

#include <algorithm>
#include <ctime>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "core/api/encode.hpp"
#include "core/json/json.hpp"
#include "core/util/log.hpp"

namespace multisched::scheduler {
namespace {

constexpr std::size_t kNoteLengthLimit = 1024;

std::string utc_format(std::chrono::system_clock::time_point t, bool micros) {
    const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
    const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!micros) {
        return std::string(buf) + "Z";
    }
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
    return fmt::format("{}.{:06}Z", buf, us);
}

object_ref pod_ref(const api::pod& pod) {
    object_ref r;
    r.api_version = "v1";
    r.kind = "Pod";
    r.ns = pod.meta.ns;
    r.name = pod.meta.name;
    r.uid = pod.meta.uid;
    r.resource_version = pod.meta.resource_version;
    return r;
}

// True once the coroutine owning `s` was asked to stop; its next async wait would throw.
bool cancelled(const asio::cancellation_state& s) {
    return s.cancelled() != asio::cancellation_type::none;
}

}  // namespace

std::string micro_time(std::chrono::system_clock::time_point t) {
    return utc_format(t, true);
}
std::string rfc3339(std::chrono::system_clock::time_point t) {
    return utc_format(t, false);
}

std::string object_event_name(const std::string& object_name, wall_time now) {
    const auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    return fmt::format("{}.{:x}", object_name, nanos);
}

std::string truncate_note(std::string note) {
    if (note.size() <= kNoteLengthLimit) {
        return note;
    }
    note.resize(kNoteLengthLimit - 4);
    return note + " ...";
}

event_recorder::event_recorder(client::api_client& client, task_group& writes, std::string hostname,
                               event_recorder_options options)
    : client_(client),
      writes_(writes),
      hostname_(std::move(hostname)),
      options_(options),
      clock_([] { return std::chrono::system_clock::now(); }),
      jitter_rng_(std::random_device{}()) {}

void event_recorder::scheduled(const api::pod& pod, const std::string& scheduler_name,
                               const std::string& node) {
    post_event(pod, scheduler_name, "Normal", "Scheduled", "Binding",
               "Successfully assigned " + pod.key() + " to " + node);
}

void event_recorder::failed_scheduling(const api::pod& pod, const std::string& scheduler_name,
                                       const std::string& reason, const std::string& message,
                                       std::optional<std::string> nominated_node) {
    post_event(pod, scheduler_name, "Warning", "FailedScheduling", "Scheduling",
               truncate_note(message));
    if (nominated_node && *nominated_node == pod.nominated_node_name) {
        nominated_node.reset();  // already what the pod says
    }
    for (const auto& c : pod.conditions) {
        if (!nominated_node && c.type == "PodScheduled" && c.status == "False" &&
            c.reason == reason && c.message == message) {
            return;  // unchanged: upstream skips the patch too
        }
    }
    client::http_request req;
    req.method = boost::beast::http::verb::patch;
    req.target = "/api/v1/namespaces/" + pod.meta.ns + "/pods/" + pod.meta.name + "/status";
    req.content_type = "application/strategic-merge-patch+json";
    req.body = api::pod_scheduled_condition_patch("False", reason, message, rfc3339(clock_()),
                                                  nominated_node);
    writes_.spawn(send(std::move(req), "PodScheduled condition of " + pod.key()));
}

void event_recorder::record(const api::pod& regarding, const api::pod* related,
                            const std::string& scheduler_name, std::string_view type,
                            std::string_view reason, std::string_view action, std::string note) {
    post_event(regarding, scheduler_name, type, reason, action, std::move(note), related);
}

void event_recorder::post_event(const api::pod& pod, const std::string& scheduler_name,
                                std::string_view type, std::string_view reason,
                                std::string_view action, std::string note,
                                const api::pod* related) {
    const auto now = clock_();
    event_key key;
    key.type = type;
    key.action = action;
    key.reason = reason;
    key.reporting_controller = scheduler_name;
    key.reporting_instance = scheduler_name + "-" + hostname_;
    key.regarding = pod_ref(pod);
    if (related != nullptr) {
        key.related = pod_ref(*related);
    }
    cached_event first;
    first.name = object_event_name(pod.meta.name, now);
    first.ns = pod.meta.ns.empty() ? "default" : pod.meta.ns;
    first.event_time = now;
    first.note = std::move(note);
    auto write = series_.observe(key, std::move(first), now);
    if (write && !spawn_write(std::move(*write), options_.max_tries)) {
        MS_LOG_V(4, "event rate limit: dropped {} for {}", reason, pod.key());
    }
}

void event_recorder::lease_event(const std::string& lease_namespace, const std::string& lease_name,
                                 const std::string& lease_uid,
                                 const std::string& lease_resource_version,
                                 const std::string& component, const std::string& message) {
    const auto now = clock_();
    const std::string ns = lease_namespace.empty() ? "default" : lease_namespace;
    json::writer w;
    w.begin_object()
        .field("apiVersion", "v1")
        .field("kind", "Event")
        .key("metadata")
        .begin_object()
        .field("name", object_event_name(lease_name, now))
        .field("namespace", ns)
        .end_object()
        .key("involvedObject")
        .begin_object()
        .field("kind", "Lease")
        .field("namespace", lease_namespace)
        .field("name", lease_name)
        .field("uid", lease_uid)
        .field("apiVersion", "coordination.k8s.io/v1")
        .field("resourceVersion", lease_resource_version)
        .end_object()
        .field("reason", "LeaderElection")
        .field("message", message)
        // The legacy recorder kube-scheduler uses has source {component} and no host.
        .key("source")
        .begin_object()
        .field("component", component)
        .end_object()
        .field("firstTimestamp", rfc3339(now))
        .field("lastTimestamp", rfc3339(now))
        .key("count")
        .integer(1)
        .field("type", "Normal")
        .key("eventTime")
        .null()
        .field("reportingComponent", component)
        .field("reportingInstance", "")
        .end_object();
    event_write write;
    write.ns = ns;
    write.name = lease_name;
    write.create_body = w.str();
    write.target = "/api/v1/namespaces/" + ns + "/events";
    write.what = "LeaderElection event for lease " + ns + "/" + lease_name;
    if (!spawn_write(std::move(write), options_.max_tries)) {
        MS_LOG_WARN("event rate limit: dropped LeaderElection event for {}/{}", ns, lease_name);
    }
}

void event_recorder::finish_series(wall_time now) {
    series_.finish(now,
                   [this](event_write w) { return spawn_write(std::move(w), options_.max_tries); });
}

void event_recorder::refresh_series() {
    series_.refresh([this](event_write w) { return spawn_write(std::move(w), 1); });
}

task<void> event_recorder::run_series_maintenance() {
    const auto refresh_every = std::max<std::int64_t>(1, kSeriesRefreshTime / kSeriesFinishTime);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (std::int64_t tick = 1;; ++tick) {
        if (cancelled(co_await asio::this_coro::cancellation_state)) {
            co_return;  // a tick already due when the cancellation came
        }
        timer.expires_after(options_.maintenance_period);
        const auto [ec] = co_await timer.async_wait(use_task);
        if (ec) {
            co_return;  // cancelled
        }
        finish_series(clock_());
        if (tick % refresh_every == 0) {
            refresh_series();
        }
    }
}

bool event_recorder::spawn_write(event_write w, int tries) {
    if (pending_writes_ >= options_.max_pending_writes) {
        ++dropped_;
        return false;
    }
    ++pending_writes_;
    writes_.spawn(write_event(std::move(w), tries));
    return true;
}

task<void> event_recorder::write_event(event_write w, int tries) {
    // However the write ends (done, given up, cancelled), it is no longer pending.
    struct finished {
        std::size_t& pending;
        ~finished() { --pending; }
    } done{pending_writes_};
    for (int attempt = 1;; ++attempt) {
        const write_step step = co_await try_write(w);
        if (!step.retry) {
            co_return;
        }
        if (attempt >= tries) {
            MS_LOG_WARN("writing {} failed: giving up after {} tries", w.what, attempt);
            co_return;
        }
        if (cancelled(co_await asio::this_coro::cancellation_state)) {
            co_return;
        }
        asio::steady_timer pause(co_await asio::this_coro::executor);
        pause.expires_after(step.retry_after ? std::chrono::milliseconds(*step.retry_after)
                                             : jittered_delay());
        const auto [ec] = co_await pause.async_wait(use_task);
        if (ec) {
            co_return;  // cancelled: shutting down
        }
    }
}

task<event_recorder::write_step> event_recorder::try_write(event_write w) {
    const std::string collection =
        w.target.empty() ? "/apis/events.k8s.io/v1/namespaces/" + w.ns + "/events" : w.target;
    const bool series = w.series_patch.has_value();
    if (series) {
        client::http_request patch;
        patch.method = boost::beast::http::verb::patch;
        patch.target = collection + "/" + w.name;
        patch.content_type = "application/strategic-merge-patch+json";
        patch.body = *w.series_patch;
        auto res = co_await client_.send(std::move(patch));
        if (!res || res->status != 404) {
            co_return judge(res, w.what, false);
        }
        // The Event expired or was deleted: create it again, series included.
        MS_LOG_V(4, "writing {}: event {} not found, creating it", w.what, w.name);
    }
    client::http_request create;
    create.method = boost::beast::http::verb::post;
    create.target = collection;
    create.body = std::move(w.create_body);
    auto res = co_await client_.send(std::move(create));
    co_return judge(res, w.what, series);
}

event_recorder::write_step event_recorder::judge(const result<client::http_response>& res,
                                                 const std::string& what, bool retry_conflict) {
    write_step step;
    if (!res) {
        MS_LOG_WARN("writing {} failed: {}", what, res.error().message);
        step.retry = true;
        return step;
    }
    const unsigned status = res->status;
    if (status < 300) {
        return step;
    }
    if (status == 409 && !retry_conflict) {
        MS_LOG_V(5, "writing {}: already exists, not retried", what);
        return step;
    }
    MS_LOG_WARN("writing {} failed: HTTP {}: {}", what, status, res->body.substr(0, 300));
    step.retry = status == 409 || status == 429 || status >= 500;
    step.retry_after = res->retry_after;
    return step;
}

std::chrono::milliseconds event_recorder::jittered_delay() {
    const auto base = options_.retry_delay;
    if (base.count() <= 0) {
        return std::chrono::milliseconds(0);
    }
    std::uniform_int_distribution<std::int64_t> extra(0, base.count() / 4);
    return base + std::chrono::milliseconds(extra(jitter_rng_));
}

task<void> event_recorder::send(client::http_request req, std::string what) {
    auto res = co_await client_.send(std::move(req));
    if (!res) {
        MS_LOG_WARN("writing {} failed: {}", what, res.error().message);
        co_return;
    }
    if (res->status >= 300) {
        MS_LOG_WARN("writing {} failed: HTTP {}: {}", what, res->status, res->body.substr(0, 300));
    }
}

}  // namespace multisched::scheduler
