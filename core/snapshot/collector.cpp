// SPDX-License-Identifier: Apache-2.0
#include "core/snapshot/collector.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include <fmt/format.h>

#include "core/api/decode.hpp"
#include "core/snapshot/meta_defaults.hpp"

namespace multisched::snapshot::detail {

enum class kind_id {
    pod,
    node,
    pv,
    pvc,
    storage_class,
    csi_node,
    pdb,
    namespace_object,
    service,
    replication_controller,
    workload_set,
    pod_group
};

struct kind_info {
    std::string_view kind;
    std::string_view group;         // the API group of apiVersion ("" is core)
    std::string_view decoder_name;  // the word api::decode_* errors start with
    bool namespaced = false;
    kind_id id = kind_id::pod;
};

namespace {

// The kinds kube-scheduler (and so multisched) watches, in the groups it watches them in.
constexpr kind_info kKinds[] = {
    {"Pod", "", "pod", true, kind_id::pod},
    {"Node", "", "node", false, kind_id::node},
    {"PersistentVolume", "", "persistentvolume", false, kind_id::pv},
    {"PersistentVolumeClaim", "", "persistentvolumeclaim", true, kind_id::pvc},
    {"StorageClass", "storage.k8s.io", "storageclass", false, kind_id::storage_class},
    {"CSINode", "storage.k8s.io", "csinode", false, kind_id::csi_node},
    {"PodDisruptionBudget", "policy", "poddisruptionbudget", true, kind_id::pdb},
    {"Namespace", "", "namespace", false, kind_id::namespace_object},
    {"Service", "", "service", true, kind_id::service},
    {"ReplicationController", "", "replicationcontroller", true, kind_id::replication_controller},
    {"ReplicaSet", "apps", "workload", true, kind_id::workload_set},
    {"StatefulSet", "apps", "workload", true, kind_id::workload_set},
    {"PodGroup", "scheduling.x-k8s.io", "podgroup", true, kind_id::pod_group},
};

const kind_info* find_kind(std::string_view kind) {
    for (const kind_info& k : kKinds) {
        if (k.kind == kind) {
            return &k;
        }
    }
    return nullptr;
}

// "apps/v1" -> "apps", "v1" -> "".
std::string_view group_of(std::string_view api_version) {
    const auto slash = api_version.find('/');
    return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// " (default/x)", " (n1)" or "" without a name: the object part of lines about unknown kinds.
std::string name_part(std::string_view ns, std::string_view name) {
    if (name.empty()) {
        return {};
    }
    return ns.empty() ? fmt::format(" ({})", name) : fmt::format(" ({}/{})", ns, name);
}

// The decoder's message without its "<kind> <name>: " prefix (the problem line names the object).
std::string_view decoder_reason(std::string_view message, std::string_view decoder_name) {
    if (message.size() > decoder_name.size() && message.starts_with(decoder_name) &&
        message[decoder_name.size()] == ' ') {
        const auto colon = message.find(": ", decoder_name.size());
        if (colon != std::string_view::npos) {
            return message.substr(colon + 2);
        }
    }
    return message;
}

// What a hand-written object leaves out: metadata.namespace of a namespaced kind ("default") and
// metadata.uid (synthesized). Nothing when metadata or its name is missing (the decoder says so);
// a member of the wrong type is kept for the decoder to report.
meta_defaults defaults_for(const kind_info& info, json::value meta, std::string_view ns,
                           std::string_view name) {
    meta_defaults d;
    if (!meta.is_object() || name.empty()) {
        return d;
    }
    if (info.namespaced && meta["namespace"].is_null()) {
        d.ns = "default";
        ns = d.ns;
    }
    const json::value uid = meta["uid"];
    if (uid.is_null() || (uid.is_string() && uid.as_string().empty())) {
        d.uid = info.namespaced ? fmt::format("snapshot-uid-{}-{}/{}", lower(info.kind), ns, name)
                                : fmt::format("snapshot-uid-{}-{}", lower(info.kind), name);
    }
    return d;
}

bool is_terminated(const api::pod& p) {
    return p.phase == "Succeeded" || p.phase == "Failed";
}

}  // namespace

void collector::add(std::string where, json::value obj, std::string_view list_item_kind) {
    const std::size_t seq = next_seq_++;
    if (!obj.is_object()) {
        push_problem(seq, fmt::format("{}: not an object: skipped", where));
        return;
    }
    const json::value meta = obj["metadata"];
    const std::string name(meta["name"].as_string());
    std::string ns(meta["namespace"].as_string());
    const std::string kind(obj["kind"].as_string(list_item_kind));
    if (kind.empty()) {
        push_problem(seq, fmt::format("{}: no kind{}: skipped", where, name_part(ns, name)));
        return;
    }
    const kind_info* info = find_kind(kind);
    const std::string_view api_version = obj["apiVersion"].as_string();
    if (info == nullptr) {
        push_problem(seq, fmt::format("{}: kind {}{} is not simulated: skipped", where, kind,
                                      name_part(ns, name)));
        return;
    }
    if (!api_version.empty() && group_of(api_version) != info->group) {
        push_problem(seq, fmt::format("{}: kind {}{} of apiVersion {} is not simulated: skipped",
                                      where, kind, name_part(ns, name), api_version));
        return;
    }
    const meta_defaults defaults = defaults_for(*info, meta, ns, name);
    if (!defaults.ns.empty()) {
        ns = defaults.ns;
    }
    item it;
    it.seq = seq;
    it.where = std::move(where);
    it.label = fmt::format("{} {}{}", kind, info->namespaced && !ns.empty() ? ns + "/" : "",
                           name.empty() ? "<unnamed>" : name);
    it.info = info;
    if (defaults.uid.empty() && defaults.ns.empty()) {
        decode(it, obj);
        return;
    }
    // The rewritten text comes from a parsed object: it always parses.
    const auto doc = json::document::parse(with_meta_defaults(obj, defaults));
    if (!doc) {
        push_problem(seq,
                     fmt::format("{} ({}): {}: skipped", it.where, it.label, doc.error().message));
        return;
    }
    decode(it, doc->root());
}

void collector::problem(std::string line) {
    push_problem(next_seq_++, std::move(line));
}

void collector::decode(const item& it, json::value obj) {
    cluster_snapshot& s = out_.snapshot;
    switch (it.info->id) {
        case kind_id::pod:
            stage_pod(it, api::decode_pod(obj));
            return;
        case kind_id::node:
            keep(it, api::decode_node(obj), s.nodes);
            return;
        case kind_id::pv:
            keep(it, api::decode_pv(obj), s.pvs);
            return;
        case kind_id::pvc:
            keep(it, api::decode_pvc(obj), s.pvcs);
            return;
        case kind_id::storage_class:
            keep(it, api::decode_storage_class(obj), s.storage_classes);
            return;
        case kind_id::csi_node:
            keep(it, api::decode_csi_node(obj), s.csi_nodes);
            return;
        case kind_id::pdb:
            keep(it, api::decode_pdb(obj), s.pdbs);
            return;
        case kind_id::namespace_object:
            keep(it, api::decode_namespace(obj), s.namespaces);
            return;
        case kind_id::service:
            keep(it, api::decode_service(obj), s.services);
            return;
        case kind_id::replication_controller:
            keep(it, api::decode_replication_controller(obj), s.replication_controllers);
            return;
        case kind_id::workload_set:
            keep(it, api::decode_workload_set(obj), s.workload_sets);
            return;
        case kind_id::pod_group:
            keep(it, api::decode_pod_group(obj), s.pod_groups);
            return;
    }
}

// Whether a decoded object is kept: it decoded, and no earlier object has its kind and name.
template <class T>
bool collector::accept(const item& it, const result<T>& r) {
    if (!r) {
        push_problem(it.seq, fmt::format("{} ({}): {}: skipped", it.where, it.label,
                                         decoder_reason(r.error().message, it.info->decoder_name)));
        return false;
    }
    const std::string key = fmt::format("{}\n{}\n{}", it.info->kind,
                                        it.info->namespaced ? r->meta.ns : "", r->meta.name);
    const auto [first, inserted] = names_.try_emplace(key, it.where);
    if (!inserted) {
        push_problem(it.seq, fmt::format("{} ({}): duplicate of {}: skipped", it.where, it.label,
                                         first->second));
        return false;
    }
    return true;
}

template <class T>
void collector::keep(const item& it, result<T> r, std::vector<std::shared_ptr<const T>>& out) {
    if (!accept(it, r)) {
        return;
    }
    out.push_back(std::make_shared<const T>(std::move(*r)));
}

void collector::stage_pod(const item& it, result<api::pod> r) {
    if (!accept(it, r)) {
        return;
    }
    const auto [first, inserted] =
        pod_uids_.try_emplace(r->meta.uid, fmt::format("{} ({})", it.where, it.label));
    if (!inserted) {
        push_problem(it.seq, fmt::format("{} ({}): duplicate uid {} of {}: skipped", it.where,
                                         it.label, r->meta.uid, first->second));
        return;
    }
    staged_pods_.push_back(staged_pod{it, std::move(*r)});
}

void collector::push_problem(std::size_t seq, std::string line) {
    problems_.emplace_back(seq, std::move(line));
}

load_result collector::finish() {
    std::unordered_set<std::string_view> node_names;
    for (const auto& n : out_.snapshot.nodes) {
        node_names.insert(n->meta.name);
    }
    for (staged_pod& sp : staged_pods_) {
        if (is_terminated(sp.pod)) {
            ++out_.terminated_pods;
            continue;
        }
        if (!sp.pod.node_name.empty() && !node_names.contains(sp.pod.node_name)) {
            push_problem(sp.at.seq,
                         fmt::format("{} ({}): bound to node {}, which is not in the snapshot: "
                                     "skipped",
                                     sp.at.where, sp.at.label, sp.pod.node_name));
            continue;
        }
        out_.snapshot.pods.push_back(std::make_shared<const api::pod>(std::move(sp.pod)));
    }
    staged_pods_.clear();
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [seq, line] : problems_) {
        out_.problems.push_back(std::move(line));
    }
    problems_.clear();
    return std::move(out_);
}

}  // namespace multisched::snapshot::detail
