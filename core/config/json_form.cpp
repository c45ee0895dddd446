// SPDX-License-Identifier: Apache-2.0
#include "core/config/json_form.hpp"

#include "core/config/yaml_json.hpp"

namespace multisched::config {

void write_json(const scheduler_config& cfg, json::writer& out) {
    // to_yaml's output is shallow, has scalar keys only, and always converts.
    (void)write_yaml_as_json(YAML::Load(to_yaml(cfg)), out);
}

}  // namespace multisched::config
