// SPDX-License-Identifier: Apache-2.0
#include "core/api/encode.hpp"

#include "core/json/json.hpp"

namespace multisched::api {

std::string binding_body(const pod& p, std::string_view node) {
    json::writer w;
    w.begin_object();
    w.field("apiVersion", "v1").field("kind", "Binding");
    w.key("metadata").begin_object();
    w.field("name", p.meta.name).field("namespace", p.meta.ns).field("uid", p.meta.uid);
    w.end_object();
    w.key("target").begin_object();
    w.field("apiVersion", "v1").field("kind", "Node").field("name", node);
    w.end_object();
    w.end_object();
    return w.str();
}

std::string pod_scheduled_condition_patch(std::string_view status, std::string_view reason,
                                          std::string_view message, std::string_view now_rfc3339,
                                          std::optional<std::string_view> nominated_node) {
    json::writer w;
    w.begin_object();
    w.key("status").begin_object();
    if (nominated_node) {
        if (nominated_node->empty()) {
            w.key("nominatedNodeName").null();
        } else {
            w.field("nominatedNodeName", *nominated_node);
        }
    }
    w.key("conditions").begin_array();
    w.begin_object();
    w.field("type", "PodScheduled").field("status", status).field("reason", reason);
    w.field("message", message);
    w.key("lastProbeTime").null();
    w.field("lastTransitionTime", now_rfc3339);
    w.end_object();
    w.end_array();
    w.end_object();
    w.end_object();
    return w.str();
}

}  // namespace multisched::api
