// SPDX-License-Identifier: Apache-2.0
// Extender protocol codecs. Decoding follows Go's encoding/json as kube-scheduler uses it: keys
// match struct fields ignoring ASCII case, every occurrence of a key is applied in document
// order (a later one wins; maps merge), null leaves strings and numbers alone and resets lists,
// maps and pointers.
#include "core/extender/protocol.hpp"

#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "core/extender/answer_reader.hpp"
#include "core/extender/objects.hpp"
#include "core/json/json.hpp"

namespace multisched::extender {
namespace {

using detail::answer_reader;
using detail::child;
using detail::item;
using detail::same_field;

// metadata.name of a v1 object.
std::string object_name(answer_reader& r, json::value obj, const std::string& path) {
    std::string name;
    if (!r.object(obj, path)) {
        return name;
    }
    obj.for_each_member([&](std::string_view key, json::value meta) {
        if (!same_field(key, "metadata")) {
            return;
        }
        const std::string meta_path = child(path, key);
        if (!r.object(meta, meta_path)) {
            return;
        }
        meta.for_each_member([&](std::string_view mkey, json::value v) {
            if (same_field(mkey, "name")) {
                name = r.string(v, child(meta_path, mkey)).value_or(name);
            }
        });
    });
    return name;
}

// The names of a v1.NodeList's items; nullopt for null.
std::optional<std::vector<std::string>> node_list_names(answer_reader& r, json::value list,
                                                        const std::string& path) {
    if (!r.object(list, path)) {
        return std::nullopt;
    }
    std::vector<std::string> names;
    list.for_each_member([&](std::string_view key, json::value items) {
        if (!same_field(key, "items")) {
            return;
        }
        const std::string items_path = child(path, key);
        names.clear();
        if (!r.array(items, items_path)) {
            return;
        }
        std::size_t i = 0;
        items.for_each_item([&](json::value node) {
            names.push_back(object_name(r, node, item(items_path, i++)));
        });
    });
    return names;
}

meta_victims read_meta_victims(answer_reader& r, json::value v, const std::string& path) {
    meta_victims out;
    if (!r.object(v, path)) {
        return out;
    }
    v.for_each_member([&](std::string_view key, json::value field) {
        const std::string field_path = child(path, key);
        if (same_field(key, "NumPDBViolations")) {
            out.num_pdb_violations = r.integer(field, field_path).value_or(out.num_pdb_violations);
            return;
        }
        if (!same_field(key, "Pods")) {
            return;
        }
        out.pod_uids.clear();
        if (!r.array(field, field_path)) {
            return;
        }
        std::size_t i = 0;
        field.for_each_item([&](json::value pod) {
            const std::string pod_path = item(field_path, i++);
            std::string uid;
            if (!pod.is_object()) {
                r.wrong_type(pod_path, "an object", pod);  // upstream dereferences nil here
                return;
            }
            pod.for_each_member([&](std::string_view pkey, json::value u) {
                if (same_field(pkey, "UID")) {
                    uid = r.string(u, child(pod_path, pkey)).value_or(uid);
                }
            });
            out.pod_uids.push_back(std::move(uid));
        });
    });
    return out;
}

void write_meta_victims(json::writer& w, const victims_map& candidates) {
    w.begin_object();
    for (const auto& [node, v] : candidates) {
        w.key(node).begin_object().key("Pods").begin_array();
        for (const auto& p : v.pods) {
            if (p && p->pod) {
                w.begin_object().field("UID", p->pod->meta.uid).end_object();
            }
        }
        w.end_array().key("NumPDBViolations").integer(v.num_pdb_violations).end_object();
    }
    w.end_object();
}

void write_victims(json::writer& w, const victims_map& candidates) {
    w.begin_object();
    for (const auto& [node, v] : candidates) {
        w.key(node).begin_object().key("Pods").begin_array();
        for (const auto& p : v.pods) {
            if (p && p->pod) {
                write_pod(w, *p->pod);
            }
        }
        w.end_array().key("NumPDBViolations").integer(v.num_pdb_violations).end_object();
    }
    w.end_object();
}

}  // namespace

std::string encode_extender_args(const api::pod& pod, std::span<const node_ptr> nodes,
                                 bool node_cache_capable) {
    json::writer w;
    w.begin_object().key("Pod");
    write_pod(w, pod);
    w.key("Nodes");
    if (node_cache_capable) {
        w.null();
    } else {
        w.begin_object().key("metadata").begin_object().end_object().key("items");
        if (nodes.empty()) {
            w.null();  // Go's nil Items slice
        } else {
            w.begin_array();
            for (const auto& n : nodes) {
                if (n) {
                    write_node(w, *n);
                }
            }
            w.end_array();
        }
        w.end_object();
    }
    w.key("NodeNames");
    if (node_cache_capable) {
        w.begin_array();
        for (const auto& n : nodes) {
            if (n) {
                w.string(n->meta.name);
            }
        }
        w.end_array();
    } else {
        w.null();
    }
    w.end_object();
    return w.str();
}

result<filter_result> decode_filter_result(std::string_view extender, std::string_view body) {
    answer_reader r(extender, "filter result");
    auto doc = r.parse(body);
    if (!doc) {
        return doc.error();
    }
    filter_result out;
    const json::value root = doc->root();
    if (r.object(root, "")) {
        root.for_each_member([&](std::string_view key, json::value v) {
            const std::string path(key);
            if (same_field(key, "Nodes")) {
                out.nodes = node_list_names(r, v, path);
            } else if (same_field(key, "NodeNames")) {
                out.node_names = r.strings(v, path);
            } else if (same_field(key, "FailedNodes")) {
                r.string_map(v, path, out.failed_nodes);
            } else if (same_field(key, "FailedAndUnresolvableNodes")) {
                r.string_map(v, path, out.failed_and_unresolvable_nodes);
            } else if (same_field(key, "Error")) {
                out.error = r.string(v, path).value_or(out.error);
            }
        });
    }
    if (!r.ok()) {
        return r.failure();
    }
    return out;
}

result<filter_outcome> resolve_filter_result(std::string_view extender, filter_result answer,
                                             std::span<const std::string> input,
                                             bool node_cache_capable) {
    if (!answer.error.empty()) {
        return error{{}, std::move(answer.error)};
    }
    filter_outcome out;
    std::optional<std::vector<std::string>>* passed = nullptr;
    if (node_cache_capable && answer.node_names) {
        passed = &answer.node_names;
    } else if (answer.nodes) {
        passed = &answer.nodes;
    }
    if (passed != nullptr) {
        const std::unordered_set<std::string_view> known(input.begin(), input.end());
        for (const auto& name : **passed) {
            if (!known.contains(name)) {
                return error{{},
                             fmt::format("extender \"{}\" claims a filtered node \"{}\" which is "
                                         "not found in the input node list",
                                         extender, name)};
            }
        }
        out.feasible = std::move(**passed);
    }
    out.failed = std::move(answer.failed_nodes);
    out.failed_and_unresolvable = std::move(answer.failed_and_unresolvable_nodes);
    return out;
}

result<host_priority_list> decode_host_priority_list(std::string_view extender,
                                                     std::string_view body) {
    answer_reader r(extender, "prioritize result");
    auto doc = r.parse(body);
    if (!doc) {
        return doc.error();
    }
    host_priority_list out;
    const json::value root = doc->root();
    if (r.array(root, "")) {
        std::size_t i = 0;
        root.for_each_item([&](json::value v) {
            const std::string path = item("", i++);
            host_priority hp;
            if (r.object(v, path)) {
                v.for_each_member([&](std::string_view key, json::value f) {
                    if (same_field(key, "Host")) {
                        hp.host = r.string(f, child(path, key)).value_or(hp.host);
                    } else if (same_field(key, "Score")) {
                        hp.score = r.integer(f, child(path, key)).value_or(hp.score);
                    }
                });
            }
            out.push_back(std::move(hp));
        });
    }
    if (!r.ok()) {
        return r.failure();
    }
    return out;
}

std::string encode_binding_args(const api::pod& pod, std::string_view node) {
    json::writer w;
    w.begin_object();
    w.field("PodName", pod.meta.name).field("PodNamespace", pod.meta.ns);
    w.field("PodUID", pod.meta.uid).field("Node", node);
    w.end_object();
    return w.str();
}

result<std::string> decode_binding_result(std::string_view extender, std::string_view body) {
    answer_reader r(extender, "bind result");
    auto doc = r.parse(body);
    if (!doc) {
        return doc.error();
    }
    std::string message;
    const json::value root = doc->root();
    if (r.object(root, "")) {
        root.for_each_member([&](std::string_view key, json::value v) {
            if (same_field(key, "Error")) {
                message = r.string(v, std::string(key)).value_or(message);
            }
        });
    }
    if (!r.ok()) {
        return r.failure();
    }
    return message;
}

std::string encode_preemption_args(const api::pod& pod, const victims_map& candidates,
                                   bool node_cache_capable) {
    json::writer w;
    w.begin_object().key("Pod");
    write_pod(w, pod);
    w.key("NodeNameToVictims");
    if (node_cache_capable) {
        w.null();
    } else {
        write_victims(w, candidates);
    }
    w.key("NodeNameToMetaVictims");
    if (node_cache_capable) {
        write_meta_victims(w, candidates);
    } else {
        w.null();
    }
    w.end_object();
    return w.str();
}

result<meta_victims_map> decode_preemption_result(std::string_view extender,
                                                  std::string_view body) {
    answer_reader r(extender, "preemption result");
    auto doc = r.parse(body);
    if (!doc) {
        return doc.error();
    }
    meta_victims_map out;
    const json::value root = doc->root();
    if (r.object(root, "")) {
        root.for_each_member([&](std::string_view key, json::value v) {
            if (!same_field(key, "NodeNameToMetaVictims")) {
                return;
            }
            const std::string path(key);
            if (!r.object(v, path)) {
                out.clear();  // null resets the map; other types were reported
                return;
            }
            v.for_each_member([&](std::string_view node, json::value mv) {
                out.insert_or_assign(std::string(node),
                                     read_meta_victims(r, mv, child(path, node)));
            });
        });
    }
    if (!r.ok()) {
        return r.failure();
    }
    return out;
}

result<victims_map> resolve_victims(std::string_view extender, const meta_victims_map& answer,
                                    const node_lookup& lookup) {
    victims_map out;
    for (const auto& [node, meta] : answer) {
        const framework::node_info* info = lookup ? lookup(node) : nullptr;
        if (info == nullptr || info->node() == nullptr) {
            return error{{},
                         fmt::format("extender {}: nodeinfo not found for node name \"{}\"",
                                     extender, node)};
        }
        victims v;
        v.num_pdb_violations = meta.num_pdb_violations;
        for (const auto& uid : meta.pod_uids) {
            std::shared_ptr<const framework::pod_info> found;
            for (const auto& p : info->pods()) {
                if (p && p->pod && p->pod->meta.uid == uid) {
                    found = p;
                    break;
                }
            }
            if (!found) {
                return error{{},
                             fmt::format("extender: {} claims to preempt pod (UID: {}) on "
                                         "node: {}, but the pod is not found on that node",
                                         extender, uid, node)};
            }
            v.pods.push_back(std::move(found));
        }
        out.emplace(node, std::move(v));
    }
    return out;
}

}  // namespace multisched::extender
