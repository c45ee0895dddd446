// SPDX-License-Identifier: Apache-2.0
// JSON -> object model. The field paths in errors are built only when an error is reported, so
// decoding a well-formed object allocates nothing beyond the decoded strings.
#include "core/api/decode.hpp"

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/api/decode_reader.hpp"

namespace multisched::api {

using namespace detail;

namespace {

container_port read_port(reader& r, json::value v, const path& p) {
    container_port port;
    if (!r.object(v, p)) {
        return port;
    }
    port.container_port = r.int32(v["containerPort"], p / "containerPort");
    port.host_port = r.int32(v["hostPort"], p / "hostPort");
    port.protocol = r.string(v["protocol"], p / "protocol");
    if (port.protocol.empty()) {
        port.protocol = "TCP";  // the API default
    }
    port.host_ip = r.string(v["hostIP"], p / "hostIP");
    return port;
}

container read_container(reader& r, json::value v, const path& p, bool init) {
    container c;
    if (!r.object(v, p)) {
        return c;
    }
    c.name = r.string(v["name"], p / "name");
    c.image = r.string(v["image"], p / "image");
    const json::value res = v["resources"];
    const path res_p = p / "resources";
    if (r.object(res, res_p)) {
        auto req = read_resource_list(r, res["requests"], res_p / "requests");
        c.requests = std::move(req.list);
        c.has_cpu_request = req.has_cpu;
        c.has_memory_request = req.has_memory;
    }
    c.ports = read_array<container_port>(r, v["ports"], p / "ports", read_port);
    const std::string policy = r.string(v["restartPolicy"], p / "restartPolicy");
    // Only init containers can be sidecars; restartPolicy on a regular container means other
    // things (container restart rules) and is ignored here.
    c.restart_always = init && policy == "Always";
    return c;
}

container read_regular_container(reader& r, json::value v, const path& p) {
    return read_container(r, v, p, false);
}

container read_init_container(reader& r, json::value v, const path& p) {
    return read_container(r, v, p, true);
}

toleration read_toleration(reader& r, json::value v, const path& p) {
    toleration t;
    if (!r.object(v, p)) {
        return t;
    }
    t.key = r.string(v["key"], p / "key");
    t.op = r.string(v["operator"], p / "operator");
    t.value = r.string(v["value"], p / "value");
    t.effect = r.string(v["effect"], p / "effect");
    t.toleration_seconds = r.integer(v["tolerationSeconds"], p / "tolerationSeconds",
                                     std::numeric_limits<std::int64_t>::min(),
                                     std::numeric_limits<std::int64_t>::max());
    return t;
}

std::string read_gate(reader& r, json::value v, const path& p) {
    if (!r.object(v, p)) {
        return {};
    }
    return r.string(v["name"], p / "name");
}

pod_condition read_condition(reader& r, json::value v, const path& p) {
    pod_condition c;
    if (!r.object(v, p)) {
        return c;
    }
    c.type = r.string(v["type"], p / "type");
    c.status = r.string(v["status"], p / "status");
    c.reason = r.string(v["reason"], p / "reason");
    c.message = r.string(v["message"], p / "message");
    return c;
}

taint read_taint(reader& r, json::value v, const path& p) {
    taint t;
    if (!r.object(v, p)) {
        return t;
    }
    t.key = r.string(v["key"], p / "key");
    t.value = r.string(v["value"], p / "value");
    t.effect = r.string(v["effect"], p / "effect");
    return t;
}

container_image read_image(reader& r, json::value v, const path& p) {
    container_image img;
    if (!r.object(v, p)) {
        return img;
    }
    img.names = read_array<std::string>(r, v["names"], p / "names", read_string_item);
    img.size_bytes =
        r.integer(v["sizeBytes"], p / "sizeBytes", std::numeric_limits<std::int64_t>::min(),
                  std::numeric_limits<std::int64_t>::max())
            .value_or(0);
    return img;
}

preferred_scheduling_term read_preferred_term(reader& r, json::value v, const path& p) {
    preferred_scheduling_term t;
    if (!r.object(v, p)) {
        return t;
    }
    t.weight = r.int32(v["weight"], p / "weight");
    const json::value pref = v["preference"];
    const path pref_p = p / "preference";
    if (r.object(pref, pref_p)) {
        t.preference = read_node_selector_term(r, pref, pref_p);
    }
    return t;
}

// spec.affinity.nodeAffinity (podAffinity and podAntiAffinity: decode_pod_constraints.cpp).
std::optional<node_affinity> read_node_affinity(reader& r, json::value affinity, const path& p) {
    if (!r.object(affinity, p)) {
        return std::nullopt;
    }
    const json::value v = affinity["nodeAffinity"];
    const path na_p = p / "nodeAffinity";
    if (!r.object(v, na_p)) {
        return std::nullopt;
    }
    node_affinity na;
    const json::value req = v["requiredDuringSchedulingIgnoredDuringExecution"];
    const path req_p = na_p / "requiredDuringSchedulingIgnoredDuringExecution";
    if (r.object(req, req_p)) {
        na.required = read_array<node_selector_term>(
            r, req["nodeSelectorTerms"], req_p / "nodeSelectorTerms", read_node_selector_term);
    }
    na.preferred = read_array<preferred_scheduling_term>(
        r, v["preferredDuringSchedulingIgnoredDuringExecution"],
        na_p / "preferredDuringSchedulingIgnoredDuringExecution", read_preferred_term);
    return na;
}

void read_pod_spec(reader& r, json::value v, const path& p, pod& out) {
    if (!r.object(v, p)) {
        return;
    }
    out.node_name = r.string(v["nodeName"], p / "nodeName");
    out.scheduler_name = r.string(v["schedulerName"], p / "schedulerName");
    out.priority_class_name = r.string(v["priorityClassName"], p / "priorityClassName");
    const json::value prio = v["priority"];
    if (!prio.is_null()) {
        const auto value = r.integer(prio, p / "priority", std::numeric_limits<std::int32_t>::min(),
                                     std::numeric_limits<std::int32_t>::max());
        if (value) {
            out.priority = static_cast<std::int32_t>(*value);
        }
    }
    out.containers =
        read_array<container>(r, v["containers"], p / "containers", read_regular_container);
    out.init_containers =
        read_array<container>(r, v["initContainers"], p / "initContainers", read_init_container);
    out.overhead = read_resource_list(r, v["overhead"], p / "overhead").list;
    out.node_selector = read_string_map(r, v["nodeSelector"], p / "nodeSelector");
    out.tolerations =
        read_array<toleration>(r, v["tolerations"], p / "tolerations", read_toleration);
    out.scheduling_gates =
        read_array<std::string>(r, v["schedulingGates"], p / "schedulingGates", read_gate);
    out.node_affinity = read_node_affinity(r, v["affinity"], p / "affinity");
    read_pod_constraints(r, v, p, out);
}

void read_pod_status(reader& r, json::value v, const path& p, pod& out) {
    if (!r.object(v, p)) {
        return;
    }
    out.phase = r.string(v["phase"], p / "phase");
    out.nominated_node_name = r.string(v["nominatedNodeName"], p / "nominatedNodeName");
    out.conditions =
        read_array<pod_condition>(r, v["conditions"], p / "conditions", read_condition);
}

}  // namespace

result<pod> decode_pod(json::value obj) {
    reader r;
    const path root;
    pod out;
    if (!obj.is_object()) {
        r.wrong_type(obj, root, "an object");
        return decode_error("pod", "", r.error());
    }
    out.meta = read_meta(r, obj["metadata"], root / "metadata");
    read_pod_spec(r, obj["spec"], root / "spec", out);
    read_pod_status(r, obj["status"], root / "status", out);
    if (r.failed()) {
        const std::string key = out.meta.name.empty() ? std::string() : out.key();
        return decode_error("pod", key, r.error());
    }
    return out;
}

result<node> decode_node(json::value obj) {
    reader r;
    const path root;
    node out;
    if (!obj.is_object()) {
        r.wrong_type(obj, root, "an object");
        return decode_error("node", "", r.error());
    }
    out.meta = read_meta(r, obj["metadata"], root / "metadata");
    const json::value spec = obj["spec"];
    const path spec_p = root / "spec";
    if (r.object(spec, spec_p)) {
        out.unschedulable = r.boolean(spec["unschedulable"], spec_p / "unschedulable");
        out.taints = read_array<taint>(r, spec["taints"], spec_p / "taints", read_taint);
    }
    const json::value status = obj["status"];
    const path status_p = root / "status";
    if (r.object(status, status_p)) {
        out.allocatable =
            read_resource_list(r, status["allocatable"], status_p / "allocatable").list;
        out.images =
            read_array<container_image>(r, status["images"], status_p / "images", read_image);
    }
    if (r.failed()) {
        return decode_error("node", out.meta.name, r.error());
    }
    return out;
}

}  // namespace multisched::api
