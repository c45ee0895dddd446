// SPDX-License-Identifier: Apache-2.0
#include "core/api/decode_reader.hpp"

#include <boost/system/errc.hpp>

#include "core/api/quantity.hpp"

namespace multisched::api::detail {
namespace {

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

}  // namespace

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

label_map read_string_map(reader& r, json::value v, const path& p) {
    if (!r.object(v, p)) {
        return {};
    }
    // Sorted once at the end: the apiserver sends keys in order, anyone else may not (inserting
    // one by one would be quadratic in a hostile 1 MiB object).
    std::vector<std::pair<std::string, std::string>> pairs;
    pairs.reserve(v.size());
    v.for_each_member([&](std::string_view k, json::value val) {
        pairs.emplace_back(std::string(k), r.string(val, p / k));
    });
    return label_map::from_pairs(std::move(pairs));
}

std::string read_string_item(reader& r, json::value v, const path& p) {
    return r.string(v, p);
}

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
    const json::value owners = v["ownerReferences"];
    const path owners_p = p / "ownerReferences";
    if (r.array(owners, owners_p)) {
        std::size_t i = 0;
        owners.for_each_item([&](json::value o) {
            const path op = owners_p[i++];
            if (m.controller || !r.object(o, op) ||
                !r.boolean(o["controller"], op / "controller")) {
                return;
            }
            m.controller = controller_ref{
                r.string(o["apiVersion"], op / "apiVersion"), r.string(o["kind"], op / "kind"),
                r.string(o["name"], op / "name"), r.string(o["uid"], op / "uid")};
        });
    }
    if (m.name.empty()) {
        r.fail(p / "name", "required");
    }
    if (m.uid.empty()) {
        r.fail(p / "uid", "required");
    }
    return m;
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

node_selector_term read_node_selector_term(reader& r, json::value v, const path& p) {
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

std::optional<label_selector> read_label_selector(reader& r, json::value v, const path& p) {
    if (!r.object(v, p)) {
        return std::nullopt;
    }
    label_selector s;
    s.match_labels = read_string_map(r, v["matchLabels"], p / "matchLabels");
    s.match_expressions = read_array<node_selector_requirement>(
        r, v["matchExpressions"], p / "matchExpressions", read_requirement);
    return s;
}

error decode_error(std::string_view kind, std::string_view name, const std::string& what) {
    return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                 fmt::format("{} {}: {}", kind, name.empty() ? "<unnamed>" : name, what)};
}

}  // namespace multisched::api::detail
