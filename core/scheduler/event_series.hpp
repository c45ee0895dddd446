// SPDX-License-Identifier: Apache-2.0
// Client-side aggregation of events.k8s.io/v1 Events, as client-go's tools/events broadcaster
// does it. Events with the same isomorphic key (type, action, reason, reporting controller and
// instance, regarding and related references; not the note) form a series: the first is
// created, the second writes series {count: 2} at once, later ones only count in memory until
// the periodic refresh (30 min) or finish (6 min of silence) writes the count. Entries leave the
// cache 6 min after their last occurrence, so memory is bounded by the distinct keys recorded in
// the last 6 minutes. Pure data and bookkeeping: no I/O, no clock (callers pass `now`).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace multisched::scheduler {

using wall_time = std::chrono::system_clock::time_point;

// A series that has not been observed for this long is finished: its final count is written
// and it leaves the cache (a singleton leaves after this long too). Upstream finishTime.
inline constexpr std::chrono::minutes kSeriesFinishTime{6};
// Every series still in the cache is written again this often. Upstream refreshTime.
inline constexpr std::chrono::minutes kSeriesRefreshTime{30};

// A core/v1 ObjectReference as events.k8s.io/v1 carries it in regarding/related.
struct object_ref {
    std::string api_version;
    std::string kind;
    std::string ns;
    std::string name;
    std::string uid;
    std::string resource_version;
    auto operator<=>(const object_ref&) const = default;
};

// What makes two events the same event for aggregation (upstream eventKey). The note is not
// part of it: a series keeps the note of its first occurrence.
struct event_key {
    std::string type;
    std::string action;
    std::string reason;
    std::string reporting_controller;
    std::string reporting_instance;
    object_ref regarding;
    std::optional<object_ref> related;
    auto operator<=>(const event_key&) const = default;
};

struct event_series {
    std::int32_t count = 0;
    wall_time last_observed{};
};

// The cached state of one event: its object name and the fields outside the key.
struct cached_event {
    std::string name;  // metadata.name, "<regarding name>.<hex unix nanos>"
    std::string ns;    // metadata.namespace
    wall_time event_time{};
    std::string note;
    std::optional<event_series> series;
};

// One write to the apiserver for an event. With `series_patch` set: PATCH (strategic merge)
// <collection>/<name>, and on 404 POST `create_body` (the full event with its series) to
// <collection>. Without: POST `create_body`. <collection> is `target`, or when empty
// /apis/events.k8s.io/v1/namespaces/<ns>/events.
struct event_write {
    std::string ns;
    std::string name;
    std::string target;
    std::string create_body;
    std::optional<std::string> series_patch;
    std::string what;  // for log lines, e.g. "FailedScheduling event for ns/pod"
};

// The events.k8s.io/v1 Event JSON for `key` + `ev` (with `series` when it has one).
std::string encode_event(const event_key& key, const cached_event& ev);
// The strategic-merge patch writing a series: {"series":{"count":N,"lastObservedTime":"..."}}.
std::string encode_series_patch(const event_series& s);
// The write for `ev` as it stands: a series PATCH (with create fallback) or a create.
event_write make_write(const event_key& key, const cached_event& ev);

class series_cache {
  public:
    // Records one occurrence of `key` at `now`; `first` is the event to cache if the key is new
    // (its name, namespace, event_time and note). Returns the write to send: a create for a new
    // key, the series PATCH {count: 2} for the second occurrence, nothing for later ones (the
    // count and lastObservedTime change in memory only).
    std::optional<event_write> observe(const event_key& key, cached_event first, wall_time now);

    // Upstream finishSeries at `now`: each series last observed more than kSeriesFinishTime
    // before `now` is handed to `send` (its final count) and dropped, unless `send` returns
    // false (not sent: it stays for the next round); singletons older than that are dropped.
    void finish(wall_time now, const std::function<bool(event_write)>& send);
    // Upstream refreshExistingEventSeries: hands every cached series to `send`.
    void refresh(const std::function<bool(event_write)>& send) const;

    std::size_t size() const { return entries_.size(); }

  private:
    std::map<event_key, cached_event> entries_;
};

}  // namespace multisched::scheduler
