// SPDX-License-Identifier: Apache-2.0
// PreBind (upstream volume_binding.go PreBind, binder.go BindPodVolumes / bindAPIUpdate /
// checkBindings): write the decisions, then watch the informer stores until the PV controller
// has bound every claim.
#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "core/client/api_client.hpp"
#include "core/json/json.hpp"
#include "plugins/volume_binding/volume_binding.hpp"

namespace multisched::plugins::volume_binding {
namespace {

using framework::status;

constexpr std::size_t kBodyExcerpt = 256;
constexpr std::string_view kMergePatch = "application/merge-patch+json";

std::string pv_target(std::string_view name) {
    return fmt::format("/api/v1/persistentvolumes/{}", name);
}

std::string pvc_target(const api::persistent_volume_claim& c) {
    return fmt::format("/api/v1/namespaces/{}/persistentvolumeclaims/{}", c.meta.ns, c.meta.name);
}

// {"metadata":{"resourceVersion":rv,"annotations":{bound-by-controller}},"spec":{"claimRef":...}}
// The resourceVersion makes the apiserver refuse the patch if the volume changed meanwhile.
std::string claim_ref_patch(const api::persistent_volume& pv,
                            const api::persistent_volume_claim& claim) {
    json::writer w;
    w.begin_object().key("metadata").begin_object();
    w.field("resourceVersion", pv.meta.resource_version);
    if (const std::string* v = pv.annotations.find(api::kAnnBoundByController)) {
        w.key("annotations").begin_object().field(api::kAnnBoundByController, *v).end_object();
    }
    w.end_object().key("spec").begin_object().key("claimRef").begin_object();
    w.field("kind", "PersistentVolumeClaim").field("apiVersion", "v1");
    w.field("namespace", claim.meta.ns).field("name", claim.meta.name);
    w.field("uid", claim.meta.uid).field("resourceVersion", claim.meta.resource_version);
    w.end_object().end_object().end_object();
    return w.str();
}

// {"metadata":{"resourceVersion":rv,"annotations":{"volume.kubernetes.io/selected-node":node}}}
std::string selected_node_patch(const api::persistent_volume_claim& claim, std::string_view node) {
    json::writer w;
    w.begin_object().key("metadata").begin_object();
    w.field("resourceVersion", claim.meta.resource_version);
    w.key("annotations").begin_object().field(api::kAnnSelectedNode, node).end_object();
    w.end_object().end_object();
    return w.str();
}

// The apiserver's Status message of a refused request, else its code and a body excerpt.
std::string refusal_message(const client::http_response& res, std::string_view target) {
    if (auto doc = json::document::parse(res.body); doc) {
        if (auto msg = doc->root()["message"].as_string(); !msg.empty()) {
            return std::string(msg);
        }
    }
    return fmt::format("PATCH {}: {} {}", target, res.status,
                       std::string_view(res.body).substr(0, kBodyExcerpt));
}

// metadata.resourceVersion of the object the apiserver returned (0: unknown).
std::uint64_t returned_version(const client::http_response& res) {
    auto doc = json::document::parse(res.body);
    if (!doc) {
        return 0;
    }
    return parse_resource_version(doc->root()["metadata"]["resourceVersion"].as_string())
        .value_or(0);
}

// One merge patch: the resourceVersion the apiserver answered with, or the error message.
task<result<std::uint64_t>> send_patch(client::api_client* client, std::string target,
                                       std::string body) {
    client::http_request req;
    req.method = boost::beast::http::verb::patch;
    req.target = target;
    req.body = std::move(body);
    req.content_type = kMergePatch;
    auto res = co_await client->send(std::move(req));
    if (!res) {
        co_return error{res.error().code, res.error().message};
    }
    if (res->status < 200 || res->status >= 300) {
        co_return error{{}, refusal_message(*res, target), res->status};
    }
    co_return returned_version(*res);
}

std::uint64_t version(const api::object_meta& meta) {
    return parse_resource_version(meta.resource_version).value_or(0);
}

// One claim as upstream checkBindings sees it, on the informer's objects (not the overlay, which
// the scheduling loop may assume again): bound, still to wait for, or failed (`error` set).
struct progress {
    bool bound = false;
    std::string error;
};

// What PreBind checks against: the informer stores, our writes' versions, the node.
struct check_context {
    const cache::cluster_objects& objects;
    const volume_binding::written_versions& written;
    const api::node& node;

    std::uint64_t written_version(const std::map<std::string, std::uint64_t, std::less<>>& m,
                                  std::string_view key) const {
        const auto it = m.find(key);
        return it == m.end() ? 0 : it->second;
    }
    std::string affinity_error(const api::persistent_volume& pv) const {
        return fmt::format(
            "pv \"{}\" node affinity doesn't match node \"{}\": no matching NodeSelectorTerms",
            pv.meta.name, node.meta.name);
    }
};

progress check_static(const binding_info& b, const check_context& ctx) {
    const auto pv = ctx.objects.pvs.find(b.pv->meta.name);
    if (pv == nullptr) {
        return {false, fmt::format("failed to check binding: could not find "
                                   "v1.PersistentVolume \"{}\"",
                                   b.pv->meta.name)};
    }
    const std::string key = cache::namespaced_key(b.claim->meta.ns, b.claim->meta.name);
    const auto pvc = ctx.objects.pvcs.find(key);
    if (pvc == nullptr) {
        return {false, fmt::format("failed to check binding: could not find "
                                   "v1.PersistentVolumeClaim \"{}\"",
                                   key)};
    }
    if (ctx.written_version(ctx.written.pvs, pv->meta.name) > version(pv->meta)) {
        return {};  // the informer has not seen our update yet
    }
    if (!volume_affinity(pv->node_affinity).matches(ctx.node.meta.labels)) {
        return {false, ctx.affinity_error(*pv)};
    }
    // The PV controller drops the claimRef when it undoes a binding.
    if (!pv->claim_ref || pv->claim_ref->uid.empty()) {
        return {false, fmt::format("ClaimRef got reset for pv \"{}\"", pv->meta.name)};
    }
    return {is_pvc_fully_bound(*pvc), ""};
}

progress check_provisioned(const api::persistent_volume_claim& c, const check_context& ctx) {
    const std::string key = cache::namespaced_key(c.meta.ns, c.meta.name);
    const auto pvc = ctx.objects.pvcs.find(key);
    if (pvc == nullptr) {
        return {false, fmt::format("failed to check provisioning pvc: could not find "
                                   "v1.PersistentVolumeClaim \"{}\"",
                                   key)};
    }
    if (ctx.written_version(ctx.written.pvcs, key) > version(pvc->meta)) {
        return {};
    }
    if (pvc->annotations.empty()) {
        return {false, fmt::format("selectedNode annotation reset for PVC \"{}\"", pvc->meta.name)};
    }
    // The provisioner drops the annotation when it fails, to have the pod rescheduled.
    const std::string* selected = pvc->annotations.find(api::kAnnSelectedNode);
    if (selected == nullptr || *selected != ctx.node.meta.name) {
        return {false, fmt::format("provisioning failed for PVC \"{}\"", pvc->meta.name)};
    }
    if (!pvc->volume_name.empty()) {
        const auto pv = ctx.objects.pvs.find(pvc->volume_name);
        if (pv == nullptr) {
            return {};  // not seen yet; a deleted volume unbinds the claim eventually
        }
        if (!volume_affinity(pv->node_affinity).matches(ctx.node.meta.labels)) {
            return {false, ctx.affinity_error(*pv)};
        }
    }
    return {is_pvc_fully_bound(*pvc), ""};
}

// upstream checkBindings: every claim bound (true), one failed (error), or keep waiting.
progress check_bindings(const pod_volumes& volumes, const check_context& ctx) {
    for (const auto& b : volumes.static_bindings) {
        if (progress p = check_static(b, ctx); !p.bound) {
            return p;
        }
    }
    for (const auto& c : volumes.dynamic_provisions) {
        if (progress p = check_provisioned(*c, ctx); !p.bound) {
            return p;
        }
    }
    return {true, ""};
}

}  // namespace

task<framework::status> volume_binding::pre_bind(std::shared_ptr<framework::cycle_state> cs,
                                                 std::shared_ptr<const framework::pod_info> /*pod*/,
                                                 std::string node) {
    const auto* st = cs->read<state>(kStateKey);
    if (st == nullptr) {
        co_return status::error(
            fmt::format("reading \"{}\" from cycleState: not found", kStateKey));
    }
    if (st->all_bound) {
        co_return status{};
    }
    const auto it = st->by_node.find(node);
    if (it == st->by_node.end() || it->second.node == nullptr) {
        co_return status::error(fmt::format("no pod volumes found for node \"{}\"", node));
    }
    // Our own copy: the state may change while we wait. Shared pointers, not aggregates, cross
    // the co_awaits (GCC 12 double-destroys aggregate temporaries there).
    auto volumes = std::make_shared<const pod_volumes>(it->second);
    auto written = co_await bind_api_update(volumes);
    if (!written) {
        co_return count_stage_error("bind", status::error(written.error().message));
    }
    status result = co_await wait_for_bindings(volumes, *written);
    if (!result.is_success()) {
        co_return count_stage_error("bind", std::move(result));
    }
    co_return result;
}

task<result<std::shared_ptr<const volume_binding::written_versions>>>
volume_binding::bind_api_update(std::shared_ptr<const pod_volumes> volumes) {
    auto written = std::make_shared<written_versions>();
    client::api_client* client = &handle_.client();
    const auto& bindings = volumes->static_bindings;
    const auto& claims = volumes->dynamic_provisions;
    for (std::size_t i = 0; i < bindings.size(); ++i) {
        // Named locals: GCC 12 mishandles temporaries inside a co_await expression.
        const api::persistent_volume& pv = *bindings[i].pv;
        std::string target = pv_target(pv.meta.name);
        std::string body = claim_ref_patch(pv, *bindings[i].claim);
        auto v = co_await send_patch(client, std::move(target), std::move(body));
        if (!v) {
            // Keep what the apiserver accepted; drop the assumptions it never saw.
            pod_volumes rest;
            rest.static_bindings.assign(bindings.begin() + static_cast<std::ptrdiff_t>(i),
                                        bindings.end());
            rest.dynamic_provisions = claims;
            for (const auto& b : rest.static_bindings) {
                assumed_.pvs.restore(b.pv->meta.name);
            }
            for (const auto& c : rest.dynamic_provisions) {
                assumed_.pvcs.restore(cache::namespaced_key(c->meta.ns, c->meta.name));
            }
            co_return v.error();
        }
        written->pvs[pv.meta.name] = *v;
    }
    for (std::size_t i = 0; i < claims.size(); ++i) {
        const api::persistent_volume_claim& c = *claims[i];
        const std::string* selected = c.annotations.find(api::kAnnSelectedNode);
        std::string target = pvc_target(c);
        std::string body = selected_node_patch(c, selected != nullptr ? *selected : "");
        auto v = co_await send_patch(client, std::move(target), std::move(body));
        if (!v) {
            for (std::size_t j = i; j < claims.size(); ++j) {
                assumed_.pvcs.restore(
                    cache::namespaced_key(claims[j]->meta.ns, claims[j]->meta.name));
            }
            co_return v.error();
        }
        written->pvcs[cache::namespaced_key(c.meta.ns, c.meta.name)] = *v;
    }
    co_return std::shared_ptr<const written_versions>(std::move(written));
}

task<framework::status> volume_binding::wait_for_bindings(
    std::shared_ptr<const pod_volumes> volumes, std::shared_ptr<const written_versions> written) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + bind_timeout_;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    // upstream wait.PollUntilContextTimeout(immediate=false): wait an interval, then check; the
    // deadline ends the wait without a last check.
    for (auto now = clock::now(); now < deadline; now = clock::now()) {
        const bool at_deadline = now + poll_interval_ >= deadline;
        timer.expires_at(at_deadline ? deadline : now + poll_interval_);
        auto [ec] = co_await timer.async_wait(use_task);
        if (ec) {
            co_return status::error("binding volumes: context canceled");
        }
        if (at_deadline) {
            break;
        }
        const check_context ctx{handle_.objects(), *written, *volumes->node};
        const progress p = check_bindings(*volumes, ctx);
        if (!p.error.empty()) {
            co_return status::error("binding volumes: " + p.error);
        }
        if (p.bound) {
            co_return status{};
        }
    }
    co_return status::error("binding volumes: context deadline exceeded");
}

}  // namespace multisched::plugins::volume_binding
