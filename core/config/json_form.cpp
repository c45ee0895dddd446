// SPDX-License-Identifier: Apache-2.0
#include "core/config/json_form.hpp"

#include "core/config/yaml_scalar.hpp"

namespace multisched::config {

void yaml_to_json(const YAML::Node& node, json::writer& out) {
    if (!node.IsDefined() || node.IsNull()) {
        out.null();
        return;
    }
    if (node.IsMap()) {
        out.begin_object();
        for (const auto& kv : node) {
            out.key(kv.first.Scalar());
            yaml_to_json(kv.second, out);
        }
        out.end_object();
        return;
    }
    if (node.IsSequence()) {
        out.begin_array();
        for (const auto& item : node) {
            yaml_to_json(item, out);
        }
        out.end_array();
        return;
    }
    const auto v = yaml_scalar::resolve(node);
    switch (v.kind) {
        case yaml_scalar::scalar_kind::null:
            out.null();
            break;
        case yaml_scalar::scalar_kind::boolean:
            out.boolean(v.bool_value);
            break;
        case yaml_scalar::scalar_kind::integer:
            if (v.int_overflow) {
                out.string(node.Scalar());
            } else {
                out.integer(v.int_value);
            }
            break;
        case yaml_scalar::scalar_kind::floating:
            out.number(v.float_value);
            break;
        case yaml_scalar::scalar_kind::string:
            out.string(node.Scalar());
            break;
    }
}

void write_json(const scheduler_config& cfg, json::writer& out) {
    yaml_to_json(YAML::Load(to_yaml(cfg)), out);
}

}  // namespace multisched::config
