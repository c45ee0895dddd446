// SPDX-License-Identifier: Apache-2.0
#include "core/cache/default_selector.hpp"

#include "core/api/selectors.hpp"

namespace multisched::cache {
namespace {

void merge(api::label_map& into, const api::label_map& from) {
    for (const auto& [k, v] : from.items) {
        into.set(k, v);
    }
}

// Adds the requirements of `s` (matchLabels as In requirements) to `out`; an invalid selector
// adds nothing, as upstream skips selectors LabelSelectorAsSelector rejects.
void add_requirements(api::label_selector& out, const std::optional<api::label_selector>& s) {
    if (!s || !api::label_selector_errors(*s, "").empty()) {
        return;
    }
    for (const auto& [k, v] : s->match_labels.items) {
        out.match_expressions.push_back({k, "In", {v}});
    }
    for (const auto& r : s->match_expressions) {
        out.match_expressions.push_back(r);
    }
}

}  // namespace

api::label_selector default_selector(const cluster_objects& objects, const api::pod& pod) {
    api::label_selector out;
    const std::string prefix = pod.meta.ns + "/";
    for (auto it = objects.services.items().lower_bound(prefix);
         it != objects.services.items().end() && it->first.starts_with(prefix); ++it) {
        const auto& selector = it->second->selector;
        if (selector && api::matches_node_selector(*selector, pod.meta.labels)) {
            merge(out.match_labels, *selector);
        }
    }
    const auto& owner = pod.meta.controller;
    if (!owner) {
        return out;
    }
    const std::string key = namespaced_key(pod.meta.ns, owner->name);
    if (owner->api_version == "v1" && owner->kind == "ReplicationController") {
        if (const auto rc = objects.replication_controllers.find(key)) {
            merge(out.match_labels, rc->selector);
        }
    } else if (owner->api_version == "apps/v1" && owner->kind == "ReplicaSet") {
        if (const auto rs = objects.replica_sets.find(key)) {
            add_requirements(out, rs->selector);
        }
    } else if (owner->api_version == "apps/v1" && owner->kind == "StatefulSet") {
        if (const auto ss = objects.stateful_sets.find(key)) {
            add_requirements(out, ss->selector);
        }
    }
    return out;
}

}  // namespace multisched::cache
