// SPDX-License-Identifier: Apache-2.0
#include "profiles/cluster_list.hpp"

#include <cctype>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json/json.hpp"

namespace multisched::profiles {
namespace {

struct resource {
    std::string_view path;  // the collection, e.g. /api/v1/nodes
    std::string_view kind;  // of its items
    std::string_view api_version;
    bool required = false;
    std::string_view selector;  // fieldSelector, percent-encoded
};

// What the scheduler's informers follow (profiles/cluster_informers.cpp, the pod and node
// reflectors), pods without the terminated ones as the daemon lists them.
constexpr resource kResources[] = {
    {"/api/v1/nodes", "Node", "v1", true, ""},
    {"/api/v1/pods", "Pod", "v1", true, "status.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed"},
    {"/api/v1/namespaces", "Namespace", "v1", false, ""},
    {"/api/v1/persistentvolumes", "PersistentVolume", "v1", false, ""},
    {"/api/v1/persistentvolumeclaims", "PersistentVolumeClaim", "v1", false, ""},
    {"/apis/storage.k8s.io/v1/storageclasses", "StorageClass", "storage.k8s.io/v1", false, ""},
    {"/apis/storage.k8s.io/v1/csinodes", "CSINode", "storage.k8s.io/v1", false, ""},
    {"/api/v1/services", "Service", "v1", false, ""},
    {"/api/v1/replicationcontrollers", "ReplicationController", "v1", false, ""},
    {"/apis/apps/v1/replicasets", "ReplicaSet", "apps/v1", false, ""},
    {"/apis/apps/v1/statefulsets", "StatefulSet", "apps/v1", false, ""},
    {"/apis/policy/v1/poddisruptionbudgets", "PodDisruptionBudget", "policy/v1", false, ""},
    {"/apis/scheduling.x-k8s.io/v1alpha1/podgroups", "PodGroup", "scheduling.x-k8s.io/v1alpha1",
     false, ""},
};
constexpr resource kPdbV1beta1{"/apis/policy/v1beta1/poddisruptionbudgets", "PodDisruptionBudget",
                               "policy/v1beta1", false, ""};

bool retryable(unsigned status) {
    return status == 429 || status >= 500;
}

// Go's url.QueryEscape for a continue token (base64: '+', '/' and '=' need escaping).
std::string query_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += c;
        } else {
            out += fmt::format("%{:02X}", u);
        }
    }
    return out;
}

// One page: the answer to GET `target`, retried per the options. Sets `status` to the final
// HTTP status (0 after transport errors only).
task<result<std::string>> get_page(client::api_client& client, const std::string& target,
                                   const cluster_list_options& opts, std::size_t& requests,
                                   unsigned& status) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto delay = opts.first_backoff;
    std::string last;
    for (int attempt = 1;; ++attempt) {
        client::http_request req;
        req.target = target;
        req.timeout = opts.request_timeout;
        ++requests;
        auto res = co_await client.send(std::move(req));
        if (res && res->status == 200) {
            status = 200;
            co_return std::move(res->body);
        }
        if (res) {
            status = res->status;
            std::string body = res->body.substr(0, 200);
            last = fmt::format("HTTP {}: {}", res->status, body);
            if (!retryable(res->status)) {
                co_return error{{}, std::move(last)};
            }
        } else {
            status = 0;
            last = res.error().message;
        }
        if (attempt >= opts.attempts) {
            co_return error{{}, fmt::format("{} (after {} attempts)", last, attempt)};
        }
        timer.expires_after(delay);
        if (auto [ec] = co_await timer.async_wait(use_task); ec) {
            co_return error{{}, "cancelled"};
        }
        delay *= 2;
    }
}

// Appends every item of every page of `r` to `items` (with kind and apiVersion set).
task<result<void>> list_all(client::api_client& client, const resource& r,
                            const cluster_list_options& opts, rapidjson::Document& out,
                            std::size_t& requests, unsigned& status) {
    auto& alloc = out.GetAllocator();
    std::string continue_token;
    do {
        std::string target = fmt::format("{}?limit={}", r.path, opts.page_size);
        if (!r.selector.empty()) {
            target += fmt::format("&fieldSelector={}", r.selector);
        }
        if (!continue_token.empty()) {
            target += "&continue=" + query_escape(continue_token);
        }
        auto page = co_await get_page(client, target, opts, requests, status);
        if (!page) {
            co_return page.error();
        }
        rapidjson::Document doc;
        if (!json::parse_into(doc, *page) || !doc.IsObject() || !doc.HasMember("items") ||
            !(doc["items"].IsArray() || doc["items"].IsNull())) {
            co_return error{{}, "the answer is not a list"};
        }
        if (doc["items"].IsArray()) {
            for (auto& item : doc["items"].GetArray()) {
                if (!item.IsObject()) {
                    continue;  // the loader would report it; an apiserver never sends one
                }
                if (!item.HasMember("kind")) {
                    item.AddMember("kind", rapidjson::Value(r.kind.data(), r.kind.size(), alloc),
                                   alloc);
                }
                if (!item.HasMember("apiVersion")) {
                    item.AddMember(
                        "apiVersion",
                        rapidjson::Value(r.api_version.data(), r.api_version.size(), alloc), alloc);
                }
                out["items"].PushBack(rapidjson::Value(item, alloc), alloc);
            }
        }
        continue_token.clear();
        if (doc.HasMember("metadata") && doc["metadata"].IsObject() &&
            doc["metadata"].HasMember("continue") && doc["metadata"]["continue"].IsString()) {
            continue_token = doc["metadata"]["continue"].GetString();
        }
    } while (!continue_token.empty());
    co_return result<void>{};
}

}  // namespace

task<result<cluster_list>> list_cluster(client::api_client& client, cluster_list_options opts) {
    rapidjson::Document all;
    all.SetObject();
    auto& alloc = all.GetAllocator();
    all.AddMember("apiVersion", "v1", alloc);
    all.AddMember("kind", "List", alloc);
    all.AddMember("items", rapidjson::Value(rapidjson::kArrayType), alloc);
    cluster_list out;
    for (const resource& r : kResources) {
        unsigned status = 0;
        auto listed = co_await list_all(client, r, opts, all, out.requests, status);
        if (!listed && r.kind == "PodDisruptionBudget" && status == 404) {
            listed = co_await list_all(client, kPdbV1beta1, opts, all, out.requests, status);
        }
        if (listed) {
            continue;
        }
        const std::string why =
            fmt::format("cannot list {}: {}{}", r.path, listed.error().message,
                        status == 401 || status == 403 ? " (may the credentials list it?)" : "");
        if (r.required) {
            co_return error{{}, why};
        }
        if (r.kind == "PodGroup" && status == 404) {
            continue;  // the CRD is not installed: no gangs to simulate, nothing to report
        }
        out.problems.push_back(why + ": skipped");
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    all.Accept(w);
    out.text.assign(buf.GetString(), buf.GetSize());
    co_return out;
}

}  // namespace multisched::profiles
