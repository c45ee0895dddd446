// SPDX-License-Identifier: Apache-2.0
// JSON -> object model. The field paths in errors are built only when an error is reported, so
// decoding a well-formed object allocates nothing beyond the decoded strings.
#include "core/api/decode.hpp"

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <boost/system/errc.hpp>
#include <fmt/format.h>

#include "core/api/quantity.hpp"

namespace multisched::api {
namespace {

// One step of a field path ("spec", "containers", [1], ...), linked to its parent on the stack.
struct path {
    const path* parent = nullptr;
    std::string_view key;
    std::size_t index = 0;
    bool is_index = false;

    path operator/(std::string_view k) const { return path{this, k, 0, false}; }
    path operator[](std::size_t i) const { return path{this, {}, i, true}; }

    // "spec.containers[1].resources"; the root (no key, no parent) renders as "".
    std::string str() const {
        std::string prefix = parent != nullptr ? parent->str() : std::string();
        if (is_index) {
            return fmt::format("{}[{}]", prefix, index);
        }
        if (key.empty()) {
            return prefix;
        }
        return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
    }
};

std::string_view type_name(json::value v) {
    if (v.is_null()) {
        return "null";
    }
    if (v.is_bool()) {
        return "bool";
    }
    if (v.is_number()) {
        return "number";
    }
    if (v.is_string()) {
        return "string";
    }
    if (v.is_array()) {
        return "array";
    }
    return "object";
}

// Typed reads of optional fields. An absent or null field reads as the type's zero value, as in
// Go; a field of another type records an error (the first one wins) and reads as zero.
class reader {
  public:
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }

    void fail(const path& p, std::string_view what) {
        if (failed()) {
            return;
        }
        const std::string where = p.str();
        error_ = where.empty() ? std::string(what) : fmt::format("{}: {}", where, what);
    }

    void wrong_type(json::value v, const path& p, std::string_view want) {
        fail(p, fmt::format("expected {}, got {}", want, type_name(v)));
    }

    std::string string(json::value v, const path& p) {
        if (v.is_string()) {
            return std::string(v.as_string());
        }
        if (!v.is_null()) {
            wrong_type(v, p, "a string");
        }
        return {};
    }

    bool boolean(json::value v, const path& p) {
        if (v.is_bool()) {
            return v.as_bool();
        }
        if (!v.is_null()) {
            wrong_type(v, p, "a boolean");
        }
        return false;
    }

    // An integer within [lo, hi]; nullopt when absent, null or invalid.
    std::optional<std::int64_t> integer(json::value v, const path& p, std::int64_t lo,
                                        std::int64_t hi) {
        if (v.is_null()) {
            return std::nullopt;
        }
        const auto i = v.as_int();
        if (!i) {
            wrong_type(v, p, "an integer");
            return std::nullopt;
        }
        if (*i < lo || *i > hi) {
            fail(p, fmt::format("{} is out of range [{}, {}]", *i, lo, hi));
            return std::nullopt;
        }
        return i;
    }

    std::int32_t int32(json::value v, const path& p) {
        constexpr auto kLo = std::numeric_limits<std::int32_t>::min();
        constexpr auto kHi = std::numeric_limits<std::int32_t>::max();
        return static_cast<std::int32_t>(integer(v, p, kLo, kHi).value_or(0));
    }

    // True if `v` is an object to read; false if absent/null (fine) or another type (error).
    bool object(json::value v, const path& p) {
        if (v.is_object()) {
            return true;
        }
        if (!v.is_null()) {
            wrong_type(v, p, "an object");
        }
        return false;
    }

    bool array(json::value v, const path& p) {
        if (v.is_array()) {
            return true;
        }
        if (!v.is_null()) {
            wrong_type(v, p, "an array");
        }
        return false;
    }

  private:
    std::string error_;
};

// Reads a JSON array into a vector with `read(reader&, json::value item, const path& item_path)`.
template <class T, class F>
std::vector<T> read_array(reader& r, json::value v, const path& p, F&& read) {
    std::vector<T> out;
    if (!r.array(v, p)) {
        return out;
    }
    out.reserve(v.size());
    std::size_t i = 0;
    v.for_each_item([&](json::value item) {
        out.push_back(read(r, item, p[i]));
        ++i;
    });
    return out;
}

label_map read_string_map(reader& r, json::value v, const path& p) {
    label_map m;
    if (!r.object(v, p)) {
        return m;
    }
    m.items.reserve(v.size());
    v.for_each_member(
        [&](std::string_view k, json::value val) { m.set(std::string(k), r.string(val, p / k)); });
    return m;
}

// The text of a quantity: a JSON string, or a bare number (Quantity.UnmarshalJSON accepts both).
std::optional<std::string> quantity_text(reader& r, json::value v, const path& p) {
    if (v.is_string()) {
        return std::string(v.as_string());
    }
    if (v.is_number()) {
        const auto i = v.as_int();
        return i ? std::to_string(*i) : v.dump();
    }
    r.wrong_type(v, p, "a quantity string");
    return std::nullopt;
}

struct resources_read {
    resource_list list;
    bool has_cpu = false;
    bool has_memory = false;
};

// A ResourceList: name -> quantity; cpu in millicores, the rest in whole units (rounded up).
// A null quantity is a named zero, as in Go. Duplicate names: the last one counts.
resources_read read_resource_list(reader& r, json::value v, const path& p) {
    resources_read out;
    if (!r.object(v, p)) {
        return out;
    }
    std::vector<std::pair<std::string_view, std::int64_t>> values;
    values.reserve(v.size());
    v.for_each_member([&](std::string_view name, json::value qv) {
        std::int64_t amount = 0;
        if (!qv.is_null()) {
            const path qp = p / name;
            const auto text = quantity_text(r, qv, qp);
            if (!text) {
                return;
            }
            const auto q = quantity::parse(*text);
            if (!q) {
                r.fail(qp, q.error().message);
                return;
            }
            amount = name == kResourceCPU ? q->milli_value() : q->value();
        }
        out.has_cpu = out.has_cpu || name == kResourceCPU;
        out.has_memory = out.has_memory || name == kResourceMemory;
        for (auto& [n, a] : values) {
            if (n == name) {
                a = amount;
                return;
            }
        }
        values.emplace_back(name, amount);
    });
    for (const auto& [name, amount] : values) {
        out.list.add(name, amount);
    }
    return out;
}

object_meta read_meta(reader& r, json::value v, const path& p) {
    object_meta m;
    if (!r.object(v, p)) {
        r.fail(p, "required");
        return m;
    }
    m.name = r.string(v["name"], p / "name");
    m.ns = r.string(v["namespace"], p / "namespace");
    m.uid = r.string(v["uid"], p / "uid");
    m.resource_version = r.string(v["resourceVersion"], p / "resourceVersion");
    m.creation_timestamp = r.string(v["creationTimestamp"], p / "creationTimestamp");
    m.labels = read_string_map(r, v["labels"], p / "labels");
    m.deleting = !r.string(v["deletionTimestamp"], p / "deletionTimestamp").empty();
    if (m.name.empty()) {
        r.fail(p / "name", "required");
    }
    if (m.uid.empty()) {
        r.fail(p / "uid", "required");
    }
    return m;
}

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

std::string read_string_item(reader& r, json::value v, const path& p) {
    return r.string(v, p);
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

node_selector_requirement read_requirement(reader& r, json::value v, const path& p) {
    node_selector_requirement req;
    if (!r.object(v, p)) {
        return req;
    }
    req.key = r.string(v["key"], p / "key");
    req.op = r.string(v["operator"], p / "operator");
    req.values = read_array<std::string>(r, v["values"], p / "values", read_string_item);
    return req;
}

node_selector_term read_selector_term(reader& r, json::value v, const path& p) {
    node_selector_term t;
    if (!r.object(v, p)) {
        return t;
    }
    t.match_expressions = read_array<node_selector_requirement>(
        r, v["matchExpressions"], p / "matchExpressions", read_requirement);
    t.match_fields = read_array<node_selector_requirement>(r, v["matchFields"], p / "matchFields",
                                                           read_requirement);
    return t;
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
        t.preference = read_selector_term(r, pref, pref_p);
    }
    return t;
}

// spec.affinity.nodeAffinity; podAffinity and podAntiAffinity are not read yet.
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
            r, req["nodeSelectorTerms"], req_p / "nodeSelectorTerms", read_selector_term);
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

error decode_error(std::string_view kind, std::string_view name, const std::string& what) {
    return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                 fmt::format("{} {}: {}", kind, name.empty() ? "<unnamed>" : name, what)};
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
