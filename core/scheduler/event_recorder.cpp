// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/event_recorder.hpp"

#include <ctime>

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

}  // namespace

bool token_bucket::try_take(std::chrono::steady_clock::time_point now) {
    if (last_ != std::chrono::steady_clock::time_point{}) {
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    }
    last_ = now;
    if (tokens_ < 1.0) {
        return false;
    }
    tokens_ -= 1.0;
    return true;
}

std::string micro_time(std::chrono::system_clock::time_point t) {
    return utc_format(t, true);
}
std::string rfc3339(std::chrono::system_clock::time_point t) {
    return utc_format(t, false);
}

std::string truncate_note(std::string note) {
    if (note.size() <= kNoteLengthLimit) {
        return note;
    }
    note.resize(kNoteLengthLimit - 4);
    return note + " ...";
}

event_recorder::event_recorder(client::api_client& client, task_group& writes, std::string hostname)
    : client_(client), writes_(writes), hostname_(std::move(hostname)) {}

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
    req.body = api::pod_scheduled_condition_patch(
        "False", reason, message, rfc3339(std::chrono::system_clock::now()), nominated_node);
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
    if (!events_bucket_.try_take()) {
        MS_LOG_V(4, "event rate limit: dropped {} for {}", reason, pod.key());
        return;
    }
    const auto now = std::chrono::system_clock::now();
    const auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    json::writer w;
    w.begin_object()
        .field("apiVersion", "events.k8s.io/v1")
        .field("kind", "Event")
        .key("metadata")
        .begin_object()
        .field("name", fmt::format("{}.{:x}", pod.meta.name, nanos))
        .field("namespace", pod.meta.ns)
        .end_object()
        .field("eventTime", micro_time(now))
        .field("reportingController", scheduler_name)
        .field("reportingInstance", scheduler_name + "-" + hostname_)
        .field("action", action)
        .field("reason", reason)
        .key("regarding")
        .begin_object()
        .field("apiVersion", "v1")
        .field("kind", "Pod")
        .field("namespace", pod.meta.ns)
        .field("name", pod.meta.name)
        .field("uid", pod.meta.uid)
        .field("resourceVersion", pod.meta.resource_version)
        .end_object();
    if (related != nullptr) {
        w.key("related")
            .begin_object()
            .field("apiVersion", "v1")
            .field("kind", "Pod")
            .field("namespace", related->meta.ns)
            .field("name", related->meta.name)
            .field("uid", related->meta.uid)
            .field("resourceVersion", related->meta.resource_version)
            .end_object();
    }
    w.field("note", note).field("type", type).end_object();
    client::http_request req;
    req.method = boost::beast::http::verb::post;
    req.target = "/apis/events.k8s.io/v1/namespaces/" + pod.meta.ns + "/events";
    req.body = w.str();
    writes_.spawn(send(std::move(req), std::string(reason) + " event for " + pod.key()));
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
