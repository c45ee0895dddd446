// SPDX-License-Identifier: Apache-2.0
#include "plugins/coscheduling/status_writer.hpp"

#include <algorithm>

#include <boost/beast/http/verb.hpp>
#include <fmt/format.h>

#include "core/cache/object_store.hpp"
#include "core/json/json.hpp"
#include "core/util/log.hpp"

namespace multisched::plugins::coscheduling {
namespace {

constexpr double kWritesPerSecond = 10;
constexpr int kWriteBurst = 100;
constexpr std::size_t kBodyExcerpt = 200;

}  // namespace

std::string now_rfc3339() {
    return scheduler::rfc3339(std::chrono::system_clock::now());
}

std::string pod_group_status_path(const api::pod_group& group) {
    return fmt::format("/apis/scheduling.x-k8s.io/v1alpha1/namespaces/{}/podgroups/{}/status",
                       group.meta.ns, group.meta.name);
}

std::string status_patch(std::string_view phase, std::int32_t scheduled,
                         std::optional<std::string_view> start_time,
                         const std::optional<pod_counts>& counts) {
    json::writer w;
    w.begin_object().key("status").begin_object();
    w.field("phase", phase).key("scheduled").integer(scheduled);
    if (start_time) {
        w.field("scheduleStartTime", *start_time);
    }
    if (counts) {
        w.key("running").integer(counts->running);
        w.key("succeeded").integer(counts->succeeded);
        w.key("failed").integer(counts->failed);
    }
    w.end_object().end_object();
    return w.str();
}

task<void> send_status_patch(client::api_client& client, client::http_request req,
                             std::string group) {
    auto res = co_await client.send(std::move(req));
    if (!res) {
        MS_LOG_WARN("updating the status of pod group {}: {}", group, res.error().message);
        co_return;
    }
    if (res->status == 404 || res->status == 409) {
        MS_LOG_V(2, "updating the status of pod group {}: {} (dropped)", group, res->status);
        co_return;
    }
    if (res->status < 200 || res->status >= 300) {
        std::string_view body = res->body;
        MS_LOG_WARN("updating the status of pod group {}: {} {}", group, res->status,
                    body.substr(0, kBodyExcerpt));
    }
}

status_writer::status_writer(steady_fn steady, wall_fn wall)
    : steady_(std::move(steady)),
      wall_(std::move(wall)),
      bucket_(kWritesPerSecond, kWriteBurst, steady_()) {}

void status_writer::write(framework::handle& h, const api::pod_group& group, std::string_view phase,
                          std::int32_t scheduled, bool start_time,
                          const std::optional<pod_counts>& counts) {
    const std::string key = cache::namespaced_key(group.meta.ns, group.meta.name);
    auto it = last_.find(key);
    const bool known = it != last_.end() && it->second.uid == group.meta.uid;
    const std::string_view was_phase = known ? it->second.phase : group.phase;
    const std::int32_t was_scheduled = known ? it->second.scheduled : group.scheduled;
    const bool same_counts = !counts || (known && it->second.counts == counts);
    if (was_phase == phase && was_scheduled == scheduled && same_counts) {
        return;
    }
    if (!bucket_.try_take(steady_())) {
        MS_LOG_V(2, "pod group {}: status {} not written, over the write rate", key, phase);
        return;
    }
    last_[key] = written{group.meta.uid, std::string(phase), scheduled, counts};
    client::http_request req;
    req.method = boost::beast::http::verb::patch;
    req.target = pod_group_status_path(group);
    req.content_type = kMergePatch;
    const std::string now = start_time ? wall_() : std::string();
    req.body = status_patch(
        phase, scheduled, start_time ? std::optional<std::string_view>(now) : std::nullopt, counts);
    h.spawn_write(send_status_patch(h.client(), std::move(req), key));
}

std::string_view status_writer::written_phase(std::string_view key) const {
    auto it = last_.find(key);
    return it == last_.end() ? std::string_view() : std::string_view(it->second.phase);
}

void status_writer::prune(const cache::object_store<api::pod_group>& groups) {
    std::erase_if(last_, [&](const auto& entry) {
        const auto g = groups.find(entry.first);
        return g == nullptr || g->meta.uid != entry.second.uid;
    });
}

}  // namespace multisched::plugins::coscheduling
