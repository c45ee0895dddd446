// SPDX-License-Identifier: Apache-2.0
// The configuration as JSON: the body kube-scheduler serves at /configz under "componentconfig".
#pragma once

#include <string>

#include "core/config/config.hpp"
#include "core/json/json.hpp"

namespace multisched::config {

// to_yaml(cfg) in JSON form (one object), for /configz: written as the next value of `out`.
void write_json(const scheduler_config& cfg, json::writer& out);

}  // namespace multisched::config
