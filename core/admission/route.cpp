// SPDX-License-Identifier: Apache-2.0
#include "core/admission/route.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "core/api/selectors.hpp"

namespace multisched::admission {
namespace {

bool contains(const std::vector<std::string>& values, std::string_view v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

// The amount of `name` in `list`, in the list's units (cpu in millicores).
std::int64_t amount(const api::resource_list& list, std::string_view name) {
    if (name == api::kResourceCPU) {
        return list.milli_cpu;
    }
    if (name == api::kResourceMemory) {
        return list.memory;
    }
    if (name == api::kResourceEphemeralStorage) {
        return list.ephemeral_storage;
    }
    if (name == api::kResourcePods) {
        return list.pods;
    }
    return list.scalar_value(name);
}

bool requests_resource(const api::pod& pod, std::string_view name) {
    const auto has = [&](const api::container& c) { return amount(c.requests, name) > 0; };
    return std::any_of(pod.containers.begin(), pod.containers.end(), has) ||
           std::any_of(pod.init_containers.begin(), pod.init_containers.end(), has);
}

bool uses_any(const std::vector<std::string>& resources, const api::pod& pod,
              std::span<const std::string> limited) {
    return std::any_of(resources.begin(), resources.end(), [&](const std::string& name) {
        return requests_resource(pod, name) ||
               std::find(limited.begin(), limited.end(), name) != limited.end();
    });
}

bool is_unset(std::string_view scheduler_name) {
    return scheduler_name.empty() || scheduler_name == api::kDefaultSchedulerName;
}

route_decision leave(std::string rule, std::string reason) {
    route_decision d;
    d.rule = std::move(rule);
    d.reason = std::move(reason);
    return d;
}

}  // namespace

bool matches(const rule_match& m, const api::pod& pod, const api::label_map* namespace_labels,
             std::span<const std::string> limited_resources) {
    if (!m.namespaces.empty() && !contains(m.namespaces, pod.meta.ns)) {
        return false;
    }
    if (m.namespace_selector &&
        (namespace_labels == nullptr || !api::matches(*m.namespace_selector, *namespace_labels))) {
        return false;
    }
    if (m.pod_selector && !api::matches(*m.pod_selector, pod.meta.labels)) {
        return false;
    }
    if (!m.resources.empty() && !uses_any(m.resources, pod, limited_resources)) {
        return false;
    }
    return m.priority_class_names.empty() ||
           contains(m.priority_class_names, pod.priority_class_name);
}

route_decision route(const routing_rules& rules, const api::pod& pod,
                     const api::label_map* namespace_labels,
                     std::span<const std::string> limited_resources) {
    if (pod.meta.ns == kSystemNamespace) {
        return leave("", fmt::format("namespace {} is never routed", kSystemNamespace));
    }
    const auto it = std::find_if(rules.rules.begin(), rules.rules.end(), [&](const auto& r) {
        return matches(r.match, pod, namespace_labels, limited_resources);
    });
    if (it == rules.rules.end()) {
        return leave("", "no rule matched");
    }
    const routing_rule& r = *it;
    // Unset means default-scheduler: the apiserver has defaulted the field already.
    const std::string_view current =
        pod.scheduler_name.empty() ? api::kDefaultSchedulerName : pod.scheduler_name;
    if (current == r.scheduler_name) {
        return leave(r.name, fmt::format("rule \"{}\": pod already names scheduler \"{}\"", r.name,
                                         current));
    }
    if (!is_unset(current) && !r.override_existing) {
        return leave(r.name, fmt::format("rule \"{}\": pod names scheduler \"{}\" and the rule "
                                         "does not override",
                                         r.name, current));
    }
    route_decision d;
    d.scheduler_name = r.scheduler_name;
    d.rule = r.name;
    d.reason = fmt::format("rule \"{}\": schedulerName \"{}\" -> \"{}\"", r.name, current,
                           r.scheduler_name);
    return d;
}

}  // namespace multisched::admission
