// SPDX-License-Identifier: Apache-2.0
#include "core/informer/reflector.hpp"

#include <algorithm>
#include <random>
#include <unordered_set>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/util/log.hpp"

namespace multisched::informer {
namespace {

task<bool> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    t.expires_after(d);
    auto [ec] = co_await t.async_wait(use_task);
    co_return !ec;  // false when cancelled
}

bool cancelled(const asio::cancellation_state& cs) {
    return cs.cancelled() != asio::cancellation_type::none;
}

}  // namespace

std::string url_encode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

reflector::reflector(client::api_client& client, reflector_options opts, decode_fn decode,
                     handlers h)
    : client_(client),
      opts_(std::move(opts)),
      decode_(std::move(decode)),
      h_(std::move(h)),
      backoff_(opts_.retry) {}

std::string reflector::relist_resource_version() const {
    if (resource_version_unavailable_) {
        return "";
    }
    return resource_version_.empty() ? "0" : resource_version_;
}

std::string reflector::list_target(const std::string& resource_version,
                                   const std::string& continue_token) const {
    // Paged unless a specific resourceVersion lets the watch cache answer (client-go's pager
    // turns paging off then; with "0" the 1.20 watch cache ignores the limit, etcd honours it).
    const bool paged = resource_version.empty() || resource_version == "0";
    std::string t = opts_.resource_path;
    char sep = '?';
    const auto add = [&](std::string_view name, const std::string& value) {
        t += sep;
        t += name;
        t += '=';
        t += url_encode(value);
        sep = '&';
    };
    if (paged) {
        add("limit", std::to_string(opts_.page_size));
    }
    if (!opts_.field_selector.empty()) {
        add("fieldSelector", opts_.field_selector);
    }
    if (!continue_token.empty()) {
        add("continue", continue_token);  // a continued page carries no resourceVersion
    } else if (!resource_version.empty()) {
        add("resourceVersion", resource_version);
    }
    return t;
}

std::string reflector::watch_target() const {
    // client-go: timeoutSeconds in [300, 600) so watches are spread out and never hang forever.
    static thread_local std::mt19937 rng{std::random_device{}()};
    const int timeout = 300 + std::uniform_int_distribution<int>(0, 299)(rng);
    std::string t = opts_.resource_path +
                    "?watch=1&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(timeout) +
                    "&resourceVersion=" + url_encode(resource_version_);
    if (!opts_.field_selector.empty()) {
        t += "&fieldSelector=" + url_encode(opts_.field_selector);
    }
    return t;
}

void reflector::upsert(object obj) {
    auto it = store_.find(obj.key);
    if (it == store_.end()) {
        auto [ins, ok] = store_.emplace(obj.key, std::move(obj));
        if (h_.on_add) {
            h_.on_add(ins->second);
        }
        return;
    }
    object old = std::move(it->second);
    it->second = std::move(obj);
    if (h_.on_update) {
        h_.on_update(old, it->second);
    }
}

void reflector::remove(const object& obj) {
    auto it = store_.find(obj.key);
    if (it == store_.end()) {
        return;
    }
    // Deliver the last state we had (the event's copy may be a tombstone with less in it).
    object last = std::move(it->second);
    store_.erase(it);
    if (h_.on_delete) {
        h_.on_delete(last);
    }
}

task<bool> reflector::list_and_replace() {
    // Each item with its "namespace/name": a LIST is delivered in that order whatever served it
    // (etcd sorts by key, the 1.20 watch cache answers resourceVersion=0 in hash-map order), so
    // equal-priority pods listed at start-up enter the queue in a reproducible order, the one
    // `simulate` uses.
    std::vector<std::pair<std::string, object>> items;
    std::string continue_token;
    std::string list_rv;
    // `continue` starts the list over (from the first page); the loop ends after the last page.
    for (;;) {
        client::http_request req;  // a named local: see client::api_client::send
        req.target = list_target(relist_resource_version(), continue_token);
        req.timeout = opts_.request_timeout;
        auto res = co_await client_.send(std::move(req));
        if (!res) {
            MS_LOG_WARN("list {} failed: {}", opts_.resource_path, res.error().message);
            co_return false;
        }
        if (res->status == 410 && !continue_token.empty()) {
            // The continue token expired: restart the list for a consistent snapshot.
            items.clear();
            continue_token.clear();
            continue;
        }
        const bool too_large =
            res->status == 504 && res->body.find("Too large resource version") != std::string::npos;
        if ((res->status == 410 || too_large) && !resource_version_unavailable_) {
            // The resourceVersion asked for is compacted away or not reached yet: list again at
            // once with a consistent read (client-go does the same, without a back-off).
            MS_LOG_V(2, "list {} at resourceVersion {}: HTTP {}; listing from etcd",
                     opts_.resource_path, relist_resource_version(), res->status);
            resource_version_unavailable_ = true;
            items.clear();
            continue_token.clear();
            continue;
        }
        if (res->status != 200) {
            MS_LOG_WARN("list {} failed: HTTP {}: {}", opts_.resource_path, res->status,
                        res->body.substr(0, 512));
            co_return false;
        }
        // Item by item: the first LIST of a big cluster is never one tree in memory.
        auto list = json::read_list(res->body, [&](json::value item) {
            auto obj = decode_(item);
            if (!obj) {
                MS_LOG_ERROR("skipping an object from {}: {}", opts_.resource_path,
                             obj.error().message);
                return;
            }
            const json::value meta = item["metadata"];
            std::string order(meta["namespace"].as_string());
            order += '/';
            order += meta["name"].as_string();
            items.emplace_back(std::move(order), std::move(*obj));
        });
        if (!list) {
            MS_LOG_WARN("list {}: cannot parse the response: {}", opts_.resource_path,
                        list.error().message);
            co_return false;
        }
        list_rv = std::move(list->resource_version);
        continue_token = std::move(list->continue_token);
        if (continue_token.empty()) {
            break;
        }
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });

    // Replace: deletes for what vanished, then adds/updates.
    std::unordered_set<std::string> seen;
    seen.reserve(items.size());
    for (const auto& [order, o] : items) {
        seen.insert(o.key);
    }
    std::vector<object> gone;
    for (const auto& [key, o] : store_) {
        if (!seen.contains(key)) {
            gone.push_back(o);
        }
    }
    for (const auto& o : gone) {
        remove(o);
    }
    for (auto& [order, o] : items) {
        auto it = store_.find(o.key);
        if (it != store_.end() && it->second.resource_version == o.resource_version) {
            continue;  // unchanged since we last saw it
        }
        upsert(std::move(o));
    }
    resource_version_ = list_rv;
    resource_version_unavailable_ = false;
    ++lists_;
    if (!synced_) {
        synced_ = true;
        if (h_.on_synced) {
            h_.on_synced();
        }
    }
    co_return true;
}

bool reflector::apply_event(std::string_view line, watch_end& end) {
    auto doc = json::document::parse(line);
    if (!doc) {
        MS_LOG_ERROR("watch {}: cannot parse an event: {}", opts_.resource_path,
                     doc.error().message);
        return true;
    }
    const json::value root = doc->root();
    const std::string_view type = root["type"].as_string();
    const json::value obj = root["object"];
    if (type == "ERROR") {
        const auto code = obj["code"].as_int().value_or(0);
        MS_LOG_V(2, "watch {} ended with an error event: {} {}", opts_.resource_path, code,
                 obj["message"].as_string());
        // 410: relist at the last resourceVersion, which stays usable (client-go: a LIST at RV
        // x returns data at least as fresh as x, so the watch cache can answer it). Only a LIST
        // refused with 410 forces the consistent read from etcd.
        end = code == 410 ? watch_end::relist : watch_end::back_off;
        return false;
    }
    const std::string rv(obj["metadata"]["resourceVersion"].as_string());
    if (type == "BOOKMARK") {
        if (!rv.empty()) {
            resource_version_ = rv;
        }
        return true;
    }
    auto decoded = decode_(obj);
    if (!decoded) {
        MS_LOG_ERROR("skipping a {} event from {}: {}", type, opts_.resource_path,
                     decoded.error().message);
    } else if (type == "ADDED" || type == "MODIFIED") {
        upsert(std::move(*decoded));
    } else if (type == "DELETED") {
        remove(*decoded);
    } else {
        MS_LOG_WARN("watch {}: unknown event type {}", opts_.resource_path, type);
    }
    if (!rv.empty()) {
        resource_version_ = rv;
    }
    return true;
}

task<reflector::watch_end> reflector::watch_once() {
    auto stream = co_await client_.watch(watch_target(), opts_.watch_idle_timeout);
    if (!stream) {
        const auto status = stream.error().http_status;
        MS_LOG_WARN("watch {} failed: {}", opts_.resource_path, stream.error().message);
        // 410: relist at the last resourceVersion, as after an ERROR event's 410.
        co_return status == 410 ? watch_end::relist : watch_end::back_off;
    }
    events_in_watch_ = 0;
    const auto opened = std::chrono::steady_clock::now();
    for (;;) {
        auto line = co_await (*stream)->next();
        if (!line) {
            MS_LOG_V(2, "watch {} interrupted: {}", opts_.resource_path, line.error().message);
            co_return watch_end::back_off;
        }
        if (!line->has_value()) {
            // Server-side timeout: reopen at once, unless it closed suspiciously fast.
            const bool very_short =
                events_in_watch_ == 0 &&
                std::chrono::steady_clock::now() - opened < std::chrono::seconds(1);
            co_return very_short ? watch_end::back_off : watch_end::reopen;
        }
        watch_end end = watch_end::reopen;
        if (!apply_event(**line, end)) {
            co_return end;
        }
        ++events_in_watch_;
        backoff_.reset();
    }
}

task<void> reflector::run() {
    for (;;) {
        if (!co_await list_and_replace()) {
            if (!co_await sleep_for(backoff_.next())) {
                co_return;
            }
            continue;
        }
        for (;;) {
            const watch_end end = co_await watch_once();
            if (cancelled(co_await asio::this_coro::cancellation_state)) {
                co_return;
            }
            if (end == watch_end::relist) {
                break;
            }
            if (end == watch_end::back_off && !co_await sleep_for(backoff_.next())) {
                co_return;
            }
        }
    }
}

}  // namespace multisched::informer
