// SPDX-License-Identifier: Apache-2.0
// The configuration as JSON: the body kube-scheduler serves at /configz under "componentconfig".
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "core/config/config.hpp"
#include "core/json/json.hpp"

namespace multisched::config {

// Writes a YAML value as JSON: maps become objects, sequences arrays, quoted scalars strings, and
// plain scalars are typed as go-yaml types them (null, bool, integer, float, else string).
void yaml_to_json(const YAML::Node& node, json::writer& out);

// to_yaml(cfg) in JSON form (one object), for /configz: written as the next value of `out`.
void write_json(const scheduler_config& cfg, json::writer& out);

}  // namespace multisched::config
