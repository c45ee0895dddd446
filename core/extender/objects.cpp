// SPDX-License-Identifier: Apache-2.0
// Object model -> v1 JSON. Fields follow Go's marshalling: omitempty ones are left out when
// empty, required ones are always written.
#include "core/extender/objects.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace multisched::extender {
namespace {

// Quantities the API writes with binary suffixes.
bool binary_resource(std::string_view name) {
    return name == api::kResourceMemory || name == api::kResourceEphemeralStorage ||
           name.starts_with("hugepages-");
}

void write_strings(json::writer& w, const std::vector<std::string>& items) {
    w.begin_array();
    for (const auto& s : items) {
        w.string(s);
    }
    w.end_array();
}

// An omitempty []string field.
void strings_field(json::writer& w, std::string_view key, const std::vector<std::string>& items) {
    if (!items.empty()) {
        w.key(key);
        write_strings(w, items);
    }
}

// An omitempty string field.
void string_field(json::writer& w, std::string_view key, std::string_view value) {
    if (!value.empty()) {
        w.field(key, value);
    }
}

void write_string_map(json::writer& w, const api::label_map& m) {
    w.begin_object();
    for (const auto& [k, v] : m.items) {
        w.field(k, v);
    }
    w.end_object();
}

// A ResourceList, names sorted as Go sorts map keys. cpu / memory are written when non-zero or
// when `cpu` / `memory` say the source named them.
void write_resources(json::writer& w, const api::resource_list& r, bool cpu = false,
                     bool memory = false) {
    std::vector<std::pair<std::string_view, std::int64_t>> entries;
    if (cpu || r.milli_cpu != 0) {
        entries.emplace_back(api::kResourceCPU, r.milli_cpu);
    }
    if (memory || r.memory != 0) {
        entries.emplace_back(api::kResourceMemory, r.memory);
    }
    if (r.ephemeral_storage != 0) {
        entries.emplace_back(api::kResourceEphemeralStorage, r.ephemeral_storage);
    }
    if (r.pods != 0) {
        entries.emplace_back(api::kResourcePods, r.pods);
    }
    for (const auto& [name, v] : r.scalar) {
        entries.emplace_back(name, v);
    }
    std::sort(entries.begin(), entries.end());
    w.begin_object();
    for (const auto& [name, v] : entries) {
        w.field(name, format_quantity(name, v));
    }
    w.end_object();
}

bool has_resources(const api::resource_list& r) {
    return r.milli_cpu != 0 || r.memory != 0 || r.ephemeral_storage != 0 || r.pods != 0 ||
           !r.scalar.empty();
}

void write_meta(json::writer& w, const api::object_meta& m) {
    w.begin_object();
    w.field("name", m.name);
    string_field(w, "namespace", m.ns);
    string_field(w, "uid", m.uid);
    string_field(w, "resourceVersion", m.resource_version);
    w.key("creationTimestamp");
    if (m.creation_timestamp.empty()) {
        w.null();  // metav1.Time's zero value, as Go writes it
    } else {
        w.string(m.creation_timestamp);
    }
    if (m.deleting) {
        w.field("deletionTimestamp", "1970-01-01T00:00:00Z");
    }
    if (!m.labels.empty()) {
        w.key("labels");
        write_string_map(w, m.labels);
    }
    if (m.controller) {
        w.key("ownerReferences").begin_array().begin_object();
        w.field("apiVersion", m.controller->api_version).field("kind", m.controller->kind);
        w.field("name", m.controller->name).field("uid", m.controller->uid);
        w.key("controller").boolean(true);
        w.end_object().end_array();
    }
    w.end_object();
}

void write_requirements(json::writer& w, std::string_view key,
                        const std::vector<api::node_selector_requirement>& reqs) {
    if (reqs.empty()) {
        return;
    }
    w.key(key).begin_array();
    for (const auto& r : reqs) {
        w.begin_object();
        w.field("key", r.key).field("operator", r.op);
        strings_field(w, "values", r.values);
        w.end_object();
    }
    w.end_array();
}

void write_node_selector_term(json::writer& w, const api::node_selector_term& t) {
    w.begin_object();
    write_requirements(w, "matchExpressions", t.match_expressions);
    write_requirements(w, "matchFields", t.match_fields);
    w.end_object();
}

void write_label_selector(json::writer& w, std::string_view key,
                          const std::optional<api::label_selector>& s) {
    if (!s) {
        return;
    }
    w.key(key).begin_object();
    if (!s->match_labels.empty()) {
        w.key("matchLabels");
        write_string_map(w, s->match_labels);
    }
    write_requirements(w, "matchExpressions", s->match_expressions);
    w.end_object();
}

void write_node_affinity(json::writer& w, const api::node_affinity& na) {
    w.begin_object();
    if (na.required) {
        w.key("requiredDuringSchedulingIgnoredDuringExecution").begin_object();
        w.key("nodeSelectorTerms").begin_array();
        for (const auto& t : *na.required) {
            write_node_selector_term(w, t);
        }
        w.end_array().end_object();
    }
    if (!na.preferred.empty()) {
        w.key("preferredDuringSchedulingIgnoredDuringExecution").begin_array();
        for (const auto& p : na.preferred) {
            w.begin_object().key("weight").integer(p.weight);
            w.key("preference");
            write_node_selector_term(w, p.preference);
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

void write_affinity_term(json::writer& w, const api::pod_affinity_term& t) {
    w.begin_object();
    write_label_selector(w, "labelSelector", t.selector);
    strings_field(w, "namespaces", t.namespaces);
    w.field("topologyKey", t.topology_key);
    write_label_selector(w, "namespaceSelector", t.namespace_selector);
    strings_field(w, "matchLabelKeys", t.match_label_keys);
    strings_field(w, "mismatchLabelKeys", t.mismatch_label_keys);
    w.end_object();
}

void write_pod_affinity(json::writer& w, const api::pod_affinity& a) {
    w.begin_object();
    if (!a.required.empty()) {
        w.key("requiredDuringSchedulingIgnoredDuringExecution").begin_array();
        for (const auto& t : a.required) {
            write_affinity_term(w, t);
        }
        w.end_array();
    }
    if (!a.preferred.empty()) {
        w.key("preferredDuringSchedulingIgnoredDuringExecution").begin_array();
        for (const auto& t : a.preferred) {
            w.begin_object().key("weight").integer(t.weight);
            w.key("podAffinityTerm");
            write_affinity_term(w, t.term);
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

void write_affinity(json::writer& w, const api::pod& p) {
    if (!p.node_affinity && !p.affinity && !p.anti_affinity) {
        return;
    }
    w.key("affinity").begin_object();
    if (p.node_affinity) {
        w.key("nodeAffinity");
        write_node_affinity(w, *p.node_affinity);
    }
    if (p.affinity) {
        w.key("podAffinity");
        write_pod_affinity(w, *p.affinity);
    }
    if (p.anti_affinity) {
        w.key("podAntiAffinity");
        write_pod_affinity(w, *p.anti_affinity);
    }
    w.end_object();
}

void write_container(json::writer& w, const api::container& c) {
    w.begin_object();
    w.field("name", c.name);
    string_field(w, "image", c.image);
    if (!c.ports.empty()) {
        w.key("ports").begin_array();
        for (const auto& port : c.ports) {
            w.begin_object();
            if (port.host_port != 0) {
                w.key("hostPort").integer(port.host_port);
            }
            w.key("containerPort").integer(port.container_port);
            string_field(w, "protocol", port.protocol);
            string_field(w, "hostIP", port.host_ip);
            w.end_object();
        }
        w.end_array();
    }
    w.key("resources").begin_object();
    if (has_resources(c.requests) || c.has_cpu_request || c.has_memory_request) {
        w.key("requests");
        write_resources(w, c.requests, c.has_cpu_request, c.has_memory_request);
    }
    w.end_object();
    if (c.restart_always) {
        w.field("restartPolicy", "Always");
    }
    w.end_object();
}

void write_containers(json::writer& w, const std::vector<api::container>& containers) {
    w.begin_array();
    for (const auto& c : containers) {
        write_container(w, c);
    }
    w.end_array();
}

void write_read_only(json::writer& w, const api::volume& v) {
    if (v.read_only) {
        w.key("readOnly").boolean(true);
    }
}

// The volume source, at most one as in the API; none for sources the model does not keep.
void write_volume_source(json::writer& w, const api::volume& v) {
    if (!v.pvc_claim_name.empty()) {
        w.key("persistentVolumeClaim").begin_object().field("claimName", v.pvc_claim_name);
        write_read_only(w, v);
        w.end_object();
    } else if (v.ephemeral) {
        w.key("ephemeral").begin_object().key("volumeClaimTemplate").begin_object();
        w.key("spec").begin_object().end_object();
        w.end_object().end_object();
    } else if (!v.gce_pd_name.empty()) {
        w.key("gcePersistentDisk").begin_object().field("pdName", v.gce_pd_name);
        write_read_only(w, v);
        w.end_object();
    } else if (!v.aws_ebs_volume_id.empty()) {
        w.key("awsElasticBlockStore").begin_object().field("volumeID", v.aws_ebs_volume_id);
        write_read_only(w, v);
        w.end_object();
    } else if (!v.rbd_pool.empty() || !v.rbd_image.empty() || !v.rbd_monitors.empty()) {
        w.key("rbd").begin_object().key("monitors");
        write_strings(w, v.rbd_monitors);
        w.field("image", v.rbd_image);
        string_field(w, "pool", v.rbd_pool);
        write_read_only(w, v);
        w.end_object();
    } else if (!v.iscsi_target_portal.empty() || !v.iscsi_iqn.empty() || v.iscsi_lun != 0) {
        w.key("iscsi").begin_object().field("targetPortal", v.iscsi_target_portal);
        w.field("iqn", v.iscsi_iqn).key("lun").integer(v.iscsi_lun);
        write_read_only(w, v);
        w.end_object();
    }
}

void write_volumes(json::writer& w, const std::vector<api::volume>& volumes) {
    if (volumes.empty()) {
        return;
    }
    w.key("volumes").begin_array();
    for (const auto& v : volumes) {
        w.begin_object().field("name", v.name);
        write_volume_source(w, v);
        w.end_object();
    }
    w.end_array();
}

void write_tolerations(json::writer& w, const std::vector<api::toleration>& tolerations) {
    if (tolerations.empty()) {
        return;
    }
    w.key("tolerations").begin_array();
    for (const auto& t : tolerations) {
        w.begin_object();
        string_field(w, "key", t.key);
        string_field(w, "operator", t.op);
        string_field(w, "value", t.value);
        string_field(w, "effect", t.effect);
        if (t.toleration_seconds) {
            w.key("tolerationSeconds").integer(*t.toleration_seconds);
        }
        w.end_object();
    }
    w.end_array();
}

void write_spread_constraints(json::writer& w,
                              const std::vector<api::topology_spread_constraint>& constraints) {
    if (constraints.empty()) {
        return;
    }
    w.key("topologySpreadConstraints").begin_array();
    for (const auto& c : constraints) {
        w.begin_object();
        w.key("maxSkew").integer(c.max_skew);
        w.field("topologyKey", c.topology_key).field("whenUnsatisfiable", c.when_unsatisfiable);
        write_label_selector(w, "labelSelector", c.selector);
        if (c.min_domains) {
            w.key("minDomains").integer(*c.min_domains);
        }
        string_field(w, "nodeAffinityPolicy", c.node_affinity_policy);
        string_field(w, "nodeTaintsPolicy", c.node_taints_policy);
        strings_field(w, "matchLabelKeys", c.match_label_keys);
        w.end_object();
    }
    w.end_array();
}

void write_pod_spec(json::writer& w, const api::pod& p) {
    w.begin_object();
    write_volumes(w, p.volumes);
    if (!p.init_containers.empty()) {
        w.key("initContainers");
        write_containers(w, p.init_containers);
    }
    w.key("containers");
    write_containers(w, p.containers);
    if (!p.node_selector.empty()) {
        w.key("nodeSelector");
        write_string_map(w, p.node_selector);
    }
    string_field(w, "nodeName", p.node_name);
    write_affinity(w, p);
    string_field(w, "schedulerName", p.scheduler_name);
    write_tolerations(w, p.tolerations);
    string_field(w, "priorityClassName", p.priority_class_name);
    if (p.priority) {
        w.key("priority").integer(*p.priority);
    }
    if (has_resources(p.overhead)) {
        w.key("overhead");
        write_resources(w, p.overhead);
    }
    write_spread_constraints(w, p.topology_spread_constraints);
    if (!p.scheduling_gates.empty()) {
        w.key("schedulingGates").begin_array();
        for (const auto& g : p.scheduling_gates) {
            w.begin_object().field("name", g).end_object();
        }
        w.end_array();
    }
    w.end_object();
}

void write_pod_status(json::writer& w, const api::pod& p) {
    w.begin_object();
    string_field(w, "phase", p.phase);
    if (!p.conditions.empty()) {
        w.key("conditions").begin_array();
        for (const auto& c : p.conditions) {
            w.begin_object().field("type", c.type).field("status", c.status);
            string_field(w, "reason", c.reason);
            string_field(w, "message", c.message);
            w.end_object();
        }
        w.end_array();
    }
    string_field(w, "nominatedNodeName", p.nominated_node_name);
    w.end_object();
}

}  // namespace

std::string format_quantity(std::string_view resource, std::int64_t amount) {
    if (resource == api::kResourceCPU) {
        if (amount % 1000 == 0) {
            return std::to_string(amount / 1000);
        }
        return std::to_string(amount) + "m";
    }
    if (binary_resource(resource) && amount > 0) {
        static constexpr std::array<std::string_view, 6> kSuffixes = {"Ki", "Mi", "Gi",
                                                                      "Ti", "Pi", "Ei"};
        std::int64_t v = amount;
        std::size_t shifts = 0;
        while (shifts < kSuffixes.size() && v % 1024 == 0) {
            v /= 1024;
            ++shifts;
        }
        if (shifts > 0) {
            return std::to_string(v) + std::string(kSuffixes[shifts - 1]);
        }
    }
    return std::to_string(amount);
}

void write_pod(json::writer& w, const api::pod& p) {
    w.begin_object();
    w.key("metadata");
    write_meta(w, p.meta);
    w.key("spec");
    write_pod_spec(w, p);
    w.key("status");
    write_pod_status(w, p);
    w.end_object();
}

void write_node(json::writer& w, const api::node& n) {
    w.begin_object();
    w.key("metadata");
    write_meta(w, n.meta);
    w.key("spec").begin_object();
    if (n.unschedulable) {
        w.key("unschedulable").boolean(true);
    }
    if (!n.taints.empty()) {
        w.key("taints").begin_array();
        for (const auto& t : n.taints) {
            w.begin_object().field("key", t.key);
            string_field(w, "value", t.value);
            w.field("effect", t.effect).end_object();
        }
        w.end_array();
    }
    w.end_object();
    w.key("status").begin_object();
    if (has_resources(n.allocatable)) {
        w.key("capacity");
        write_resources(w, n.allocatable);
        w.key("allocatable");
        write_resources(w, n.allocatable);
    }
    if (!n.images.empty()) {
        w.key("images").begin_array();
        for (const auto& img : n.images) {
            w.begin_object();
            strings_field(w, "names", img.names);
            if (img.size_bytes != 0) {
                w.key("sizeBytes").integer(img.size_bytes);
            }
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
    w.end_object();
}

std::string pod_json(const api::pod& p) {
    json::writer w;
    write_pod(w, p);
    return w.str();
}

std::string node_json(const api::node& n) {
    json::writer w;
    write_node(w, n);
    return w.str();
}

}  // namespace multisched::extender
