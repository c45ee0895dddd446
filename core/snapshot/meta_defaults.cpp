// SPDX-License-Identifier: Apache-2.0
#include "core/snapshot/meta_defaults.hpp"

#include <cstdlib>

namespace multisched::snapshot::detail {
namespace {

void copy_value(json::value v, json::writer& out);

void copy_object(json::value v, json::writer& out, const meta_defaults* defaults) {
    out.begin_object();
    v.for_each_member([&](std::string_view key, json::value member) {
        if (defaults != nullptr && ((key == "uid" && !defaults->uid.empty()) ||
                                    (key == "namespace" && !defaults->ns.empty()))) {
            return;  // replaced below
        }
        out.key(key);
        copy_value(member, out);
    });
    if (defaults != nullptr && !defaults->uid.empty()) {
        out.field("uid", defaults->uid);
    }
    if (defaults != nullptr && !defaults->ns.empty()) {
        out.field("namespace", defaults->ns);
    }
    out.end_object();
}

void copy_value(json::value v, json::writer& out) {
    if (v.is_object()) {
        copy_object(v, out, nullptr);
    } else if (v.is_array()) {
        out.begin_array();
        v.for_each_item([&](json::value item) { copy_value(item, out); });
        out.end_array();
    } else if (v.is_string()) {
        out.string(v.as_string());
    } else if (v.is_bool()) {
        out.boolean(v.as_bool());
    } else if (const auto i = v.as_int()) {
        out.integer(*i);
    } else if (v.is_number()) {
        out.number(std::strtod(v.dump().c_str(), nullptr));
    } else {
        out.null();
    }
}

}  // namespace

std::string with_meta_defaults(json::value obj, const meta_defaults& defaults) {
    json::writer out;
    out.begin_object();
    obj.for_each_member([&](std::string_view key, json::value member) {
        out.key(key);
        if (key == "metadata" && member.is_object()) {
            copy_object(member, out, &defaults);
        } else {
            copy_value(member, out);
        }
    });
    out.end_object();
    return out.str();
}

}  // namespace multisched::snapshot::detail
