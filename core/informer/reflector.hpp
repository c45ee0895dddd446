// SPDX-License-Identifier: Apache-2.0
// A reflector keeps a local store of one resource in sync with kube-apiserver, as client-go's:
// a LIST, then WATCH from the list's resourceVersion with bookmarks and a server timeout; a watch
// that ends cleanly is reopened from the last resourceVersion; 410 Gone relists; connection
// errors, 429 and 5xx back off (0.8 s doubling to 30 s, jittered) and re-watch from the same
// resourceVersion. The LIST's resourceVersion is client-go's relistResourceVersion: "0" for the
// first (the apiserver's watch cache answers, no etcd read), the last one seen for a relist,
// after a watch's 410 too (watch cache, not paged), "" (a paged consistent read from etcd,
// limit/continue) once a LIST was refused with 410 or "Too large resource version". A LIST's
// items reach the handlers in namespace/name order (etcd's), whichever of the two served it. A
// relist diffs against the store and delivers adds/updates/deletes, so handlers never miss a
// delete. Objects that fail to decode are logged and skipped. The object type is erased: `decode`
// turns one JSON object into a stored object.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/client/api_client.hpp"
#include "core/json/json.hpp"
#include "core/util/backoff.hpp"
#include "core/util/task.hpp"

namespace multisched::informer {

// A decoded object with the identity the store needs.
struct object {
    std::string key;               // store key (pods: uid; nodes: name)
    std::string resource_version;  // metadata.resourceVersion
    std::shared_ptr<const void> value;
};

struct handlers {
    std::function<void(const object&)> on_add;
    std::function<void(const object& old_obj, const object& new_obj)> on_update;
    std::function<void(const object&)> on_delete;
    // Called once, after the first LIST was delivered.
    std::function<void()> on_synced;
};

struct reflector_options {
    std::string resource_path;   // "/api/v1/pods"
    std::string field_selector;  // "" or e.g. "status.phase!=Succeeded,status.phase!=Failed"
    std::size_t page_size = 500;
    std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
    // Watch idle timeout: no event (not even a bookmark) for this long reopens the watch.
    std::chrono::milliseconds watch_idle_timeout{std::chrono::minutes(11)};
    multisched::backoff::params retry;
};

using decode_fn = std::function<result<object>(json::value item)>;

class reflector {
  public:
    reflector(client::api_client& client, reflector_options opts, decode_fn decode, handlers h);

    // Runs until cancelled. Never throws for apiserver trouble: it logs and retries.
    task<void> run();

    bool synced() const { return synced_; }
    std::size_t size() const { return store_.size(); }
    // Visits every stored object (e.g. to find pods a reloaded profile now serves). `fn` must not
    // touch the reflector.
    template <class F>
    void for_each(F&& fn) const {
        for (const auto& [key, obj] : store_) {
            fn(obj);
        }
    }
    // How many LISTs completed (relists after 410 or failures count too).
    std::size_t lists() const { return lists_; }

  private:
    enum class watch_end {
        reopen,
        relist,
        back_off
    };

    task<bool> list_and_replace();
    task<watch_end> watch_once();
    // Applies one watch event; returns false on an ERROR event (sets *end).
    bool apply_event(std::string_view line, watch_end& end);
    void upsert(object obj);
    void remove(const object& obj);
    // The resourceVersion of the next LIST (see the header comment).
    std::string relist_resource_version() const;
    std::string list_target(const std::string& resource_version,
                            const std::string& continue_token) const;
    std::string watch_target() const;

    client::api_client& client_;
    reflector_options opts_;
    decode_fn decode_;
    handlers h_;
    backoff backoff_;
    std::unordered_map<std::string, object> store_;
    std::string resource_version_;
    // The last resourceVersion cannot be listed from (client-go
    // isLastSyncResourceVersionUnavailable): set when a LIST is refused with 410 / too large
    // RV (a watch's 410 does not set it), cleared by a LIST.
    bool resource_version_unavailable_ = false;
    bool synced_ = false;
    std::size_t lists_ = 0;
    std::size_t events_in_watch_ = 0;
};

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view s);

}  // namespace multisched::informer
