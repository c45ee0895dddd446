// SPDX-License-Identifier: Apache-2.0
#include "plugins/coscheduling/lifecycle.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "core/json/json.hpp"
#include "core/util/log.hpp"
#include "plugins/coscheduling/coscheduling.hpp"

namespace multisched::plugins::coscheduling {

pod_counts count_pod_phases(const cache::pod_group_index::members* members) {
    pod_counts c;
    if (members == nullptr) {
        return c;
    }
    for (const auto& [uid, p] : *members) {
        if (p->phase == "Running") {
            ++c.running;
        } else if (p->phase == "Succeeded") {
            ++c.succeeded;
        } else if (p->phase == "Failed") {
            ++c.failed;
        }
    }
    return c;
}

std::string group_pods_target(const api::pod_group& group) {
    // scheduling.x-k8s.io/pod-group=<name>, percent-encoded ('/' and '='); names are DNS
    // subdomains, which need no encoding.
    return fmt::format(
        "/api/v1/namespaces/{}/pods?labelSelector=scheduling.x-k8s.io%2Fpod-group%3D{}",
        group.meta.ns, group.meta.name);
}

result<pod_counts> count_terminal_pods(std::string_view pod_list_body) {
    auto doc = json::document::parse(pod_list_body);
    if (!doc) {
        return doc.error();
    }
    const json::value items = doc->root()["items"];
    if (!items.is_array()) {
        return error{{}, "not a PodList: no items"};
    }
    pod_counts c;
    items.for_each_item([&](const json::value& item) {
        const std::string_view phase = item["status"]["phase"].as_string();
        if (phase == "Succeeded") {
            ++c.succeeded;
        } else if (phase == "Failed") {
            ++c.failed;
        }
    });
    return c;
}

std::string_view lifecycle_phase(std::string_view current, std::size_t min_member,
                                 const pod_counts& counts) {
    if (is_final_phase(current)) {
        return current;
    }
    const auto min = static_cast<std::int64_t>(min_member);
    const std::int64_t running = counts.running;
    const std::int64_t succeeded = counts.succeeded;
    const std::int64_t failed = counts.failed;
    if (succeeded >= min && min > 0) {
        return kPhaseFinished;
    }
    if (failed != 0 && failed + running + succeeded >= min) {
        return kPhaseFailed;
    }
    if (running + succeeded >= min) {
        return kPhaseRunning;
    }
    return current;
}

bool is_final_phase(std::string_view phase) {
    return phase == kPhaseFailed || phase == kPhaseFinished;
}

// -- the plugin's part: following Scheduled groups ---------------------------------------------

void coscheduling::follow(const std::string& key, clock::time_point now) {
    auto [it, added] = state_->followed.try_emplace(key);
    if (added) {
        const auto* members = index().find(key);
        it->second.members = members != nullptr ? members->size() : 0;
    }
    if (state_->next_follow <= now) {
        state_->next_follow = now + kLifecyclePeriod;
        wake_at_(state_->next_follow);
    }
}

void coscheduling::follow_lifecycles(clock::time_point now) {
    if (state_->followed.empty() || now < state_->next_follow) {
        return;
    }
    state_->next_follow = now + kLifecyclePeriod;
    for (auto it = state_->followed.begin(); it != state_->followed.end();) {
        const std::string& key = it->first;
        auto& f = it->second;
        const auto group = handle_.objects().pod_groups.find(key);
        if (group == nullptr) {
            it = state_->followed.erase(it);
            continue;
        }
        const auto* members = index().find(key);
        const std::size_t now_members = members != nullptr ? members->size() : 0;
        const bool left = now_members < f.members;
        f.members = now_members;
        if (f.listing) {
            ++it;
            continue;
        }
        if (left) {
            f.listing = true;
            client::http_request req;
            req.target = group_pods_target(*group);
            handle_.spawn_write(list_terminal_pods(key, std::move(req)));
            ++it;
            continue;
        }
        it = write_lifecycle(key, *group) ? std::next(it) : state_->followed.erase(it);
    }
    if (!state_->followed.empty()) {
        wake_at_(state_->next_follow);
    }
}

bool coscheduling::write_lifecycle(const std::string& key, const api::pod_group& group) {
    auto f = state_->followed.find(key);
    const auto* members = index().find(key);
    // Terminal members are in the LIST, and in the index only until the informer drops them.
    pod_counts counts = count_pod_phases(members);
    if (f != state_->followed.end()) {
        counts.succeeded = std::max(counts.succeeded, f->second.terminal.succeeded);
        counts.failed = std::max(counts.failed, f->second.terminal.failed);
    }
    std::string_view current = state_->writer.written_phase(key);
    if (current.empty()) {
        current = group.phase;
    }
    const std::string_view phase = lifecycle_phase(current, required_members(group), counts);
    state_->writer.write(handle_, group, phase,
                         static_cast<std::int32_t>(count_placed(handle_, members)), false, counts);
    return !is_final_phase(phase);
}

task<void> coscheduling::list_terminal_pods(std::string key, client::http_request req) {
    auto res = co_await handle_.client().send(std::move(req));
    auto f = state_->followed.find(key);
    if (f == state_->followed.end()) {
        co_return;
    }
    f->second.listing = false;
    result<pod_counts> terminal =
        !res ? result<pod_counts>(res.error())
        : res->status != 200
            ? result<pod_counts>(error{{}, fmt::format("the apiserver answered {}", res->status)})
            : count_terminal_pods(res->body);
    if (!terminal) {
        // Counted again at the next look: members still short of the last count list again.
        f->second.members = std::numeric_limits<std::size_t>::max();
        MS_LOG_WARN("pod group {}: listing its pods: {}", key, terminal.error().message);
        co_return;
    }
    f->second.terminal = *terminal;
    const auto group = handle_.objects().pod_groups.find(key);
    if (group == nullptr || !write_lifecycle(key, *group)) {
        state_->followed.erase(key);
    }
}

}  // namespace multisched::plugins::coscheduling
