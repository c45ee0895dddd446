// SPDX-License-Identifier: Apache-2.0
// The API side effects of a preemption: upstream prepareCandidate (victims get the
// DisruptionTarget condition, are deleted and get a Preempted event) and ClearNominatedNodeName.
#include <chrono>
#include <ctime>

#include <boost/beast/http/verb.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include "core/json/json.hpp"
#include "core/util/log.hpp"
#include "plugins/default_preemption/default_preemption.hpp"

namespace multisched::plugins::default_preemption {
namespace {

using boost::beast::http::verb;

constexpr std::string_view kStrategicMergePatch = "application/strategic-merge-patch+json";
constexpr std::size_t kBodyExcerpt = 200;

enum class outcome {
    done,
    gone,
    failed
};

std::string pod_path(const api::pod& p) {
    return fmt::format("/api/v1/namespaces/{}/pods/{}", p.meta.ns, p.meta.name);
}

std::string now_rfc3339() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(now));
}

// upstream UpdatePodCondition reports no change when the condition is already there as wanted.
bool has_disruption_target(const api::pod& p, std::string_view message) {
    for (const auto& c : p.conditions) {
        if (c.type == kDisruptionTarget) {
            return c.status == "True" && c.reason == kReasonPreemptionByScheduler &&
                   c.message == message;
        }
    }
    return false;
}

// Sends `req`: done on 2xx, gone on 404, failed (logged) otherwise.
task<outcome> send_checked(client::api_client& client, client::http_request req, std::string what) {
    auto res = co_await client.send(std::move(req));
    if (!res) {
        MS_LOG_WARN("preemption: {}: {}", what, res.error().message);
        co_return outcome::failed;
    }
    if (res->status == 404) {
        co_return outcome::gone;
    }
    if (res->status < 200 || res->status >= 300) {
        std::string_view body = res->body;
        MS_LOG_WARN("preemption: {}: {} {}", what, res->status, body.substr(0, kBodyExcerpt));
        co_return outcome::failed;
    }
    co_return outcome::done;
}

// upstream PreemptPod for one victim. False when it failed and the preemption must stop.
task<bool> preempt_victim(client::api_client& client, framework::handle& h, std::string message,
                          std::shared_ptr<const api::pod> preemptor,
                          std::shared_ptr<const api::pod> victim, std::string node) {
    if (!has_disruption_target(*victim, message)) {
        client::http_request patch;
        patch.method = verb::patch;
        patch.target = pod_path(*victim) + "/status";
        patch.body = disruption_target_patch(message, now_rfc3339());
        patch.content_type = kStrategicMergePatch;
        const outcome o = co_await send_checked(client, std::move(patch),
                                                "adding DisruptionTarget to " + victim->key());
        if (o != outcome::done) {
            co_return o == outcome::gone;
        }
    }
    client::http_request del;
    del.method = verb::delete_;
    del.target = pod_path(*victim);
    const outcome o = co_await send_checked(client, std::move(del), "deleting " + victim->key());
    if (o != outcome::done) {
        co_return o == outcome::gone;  // already deleted: nothing to report
    }
    MS_LOG_V(2, "preemptor pod {} preempted victim pod {} on node {}", preemptor->key(),
             victim->key(), node);
    h.record_event(*victim, preemptor.get(), "Normal", "Preempted", "Preempting",
                   fmt::format("Preempted by pod {} on node {}", preemptor->meta.uid, node));
    co_return true;
}

}  // namespace

std::string disruption_target_patch(std::string_view message, std::string_view now_rfc3339) {
    json::writer w;
    w.begin_object().key("status").begin_object().key("conditions").begin_array();
    w.begin_object();
    w.field("type", kDisruptionTarget).field("status", "True");
    w.key("lastProbeTime").null();
    w.field("lastTransitionTime", now_rfc3339);
    w.field("reason", kReasonPreemptionByScheduler).field("message", message);
    w.end_object();
    w.end_array().end_object().end_object();
    return w.str();
}

std::string clear_nomination_patch() {
    json::writer w;
    w.begin_object().key("status").begin_object().key("nominatedNodeName").null();
    w.end_object().end_object();
    return w.str();
}

task<void> prepare_candidate(client::api_client& client, framework::handle& h, preparation p) {
    const std::string message = p.profile + ": preempting to accommodate a higher priority pod";
    for (const auto& victim : p.victims) {
        if (!co_await preempt_victim(client, h, message, p.preemptor, victim, p.node)) {
            MS_LOG_WARN("preemption: preempting victims of pod {} on node {} failed; stopping",
                        p.preemptor->key(), p.node);
            co_return;
        }
    }
    // Lower-priority pods nominated to the node may no longer fit there: their nomination is
    // cleared so that they are scheduled again. Failures are not critical.
    for (const auto& pod : p.clear_nominations) {
        client::http_request patch;
        patch.method = verb::patch;
        patch.target = pod_path(*pod) + "/status";
        patch.body = clear_nomination_patch();
        patch.content_type = kStrategicMergePatch;
        co_await send_checked(client, std::move(patch), "clearing nomination of " + pod->key());
    }
}

}  // namespace multisched::plugins::default_preemption
