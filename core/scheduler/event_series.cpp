// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/event_series.hpp"

#include "core/json/json.hpp"
#include "core/scheduler/event_recorder.hpp"

namespace multisched::scheduler {
namespace {

// Empty fields are left out, as Go's omitempty does for ObjectReference.
void write_ref(json::writer& w, std::string_view field, const object_ref& r) {
    w.key(field).begin_object();
    const std::pair<std::string_view, const std::string*> fields[] = {
        {"apiVersion", &r.api_version},
        {"kind", &r.kind},
        {"namespace", &r.ns},
        {"name", &r.name},
        {"uid", &r.uid},
        {"resourceVersion", &r.resource_version},
    };
    for (const auto& [name, value] : fields) {
        if (!value->empty()) {
            w.field(name, *value);
        }
    }
    w.end_object();
}

void write_series(json::writer& w, const event_series& s) {
    w.key("series")
        .begin_object()
        .key("count")
        .integer(s.count)
        .field("lastObservedTime", micro_time(s.last_observed))
        .end_object();
}

}  // namespace

std::string encode_event(const event_key& key, const cached_event& ev) {
    json::writer w;
    w.begin_object()
        .field("apiVersion", "events.k8s.io/v1")
        .field("kind", "Event")
        .key("metadata")
        .begin_object()
        .field("name", ev.name)
        .field("namespace", ev.ns)
        .end_object()
        .field("eventTime", micro_time(ev.event_time));
    if (ev.series) {
        write_series(w, *ev.series);
    }
    w.field("reportingController", key.reporting_controller)
        .field("reportingInstance", key.reporting_instance)
        .field("action", key.action)
        .field("reason", key.reason);
    write_ref(w, "regarding", key.regarding);
    if (key.related) {
        write_ref(w, "related", *key.related);
    }
    w.field("note", ev.note).field("type", key.type).end_object();
    return w.str();
}

std::string encode_series_patch(const event_series& s) {
    json::writer w;
    w.begin_object();
    write_series(w, s);
    w.end_object();
    return w.str();
}

event_write make_write(const event_key& key, const cached_event& ev) {
    event_write out;
    out.ns = ev.ns;
    out.name = ev.name;
    out.create_body = encode_event(key, ev);
    if (ev.series) {
        out.series_patch = encode_series_patch(*ev.series);
    }
    out.what = key.reason + " event for " + key.regarding.ns + "/" + key.regarding.name;
    return out;
}

std::optional<event_write> series_cache::observe(const event_key& key, cached_event first,
                                                 wall_time now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        first.series.reset();
        it = entries_.emplace(key, std::move(first)).first;
        return make_write(key, it->second);
    }
    auto& ev = it->second;
    if (ev.series) {
        ++ev.series->count;
        ev.series->last_observed = now;
        return std::nullopt;
    }
    event_series s;
    s.count = 2;
    s.last_observed = now;
    ev.series = s;
    return make_write(key, ev);
}

void series_cache::finish(wall_time now, const std::function<bool(event_write)>& send) {
    const auto cutoff = now - kSeriesFinishTime;
    for (auto it = entries_.begin(); it != entries_.end();) {
        const auto& ev = it->second;
        const bool expired = ev.series ? ev.series->last_observed < cutoff : ev.event_time < cutoff;
        if (!expired || (ev.series && !send(make_write(it->first, ev)))) {
            ++it;
            continue;
        }
        it = entries_.erase(it);
    }
}

void series_cache::refresh(const std::function<bool(event_write)>& send) const {
    for (const auto& [key, ev] : entries_) {
        if (ev.series) {
            send(make_write(key, ev));
        }
    }
}

}  // namespace multisched::scheduler
