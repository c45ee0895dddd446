// SPDX-License-Identifier: Apache-2.0
// VolumeBindingArgs: decoded strictly from pluginConfig YAML (kubescheduler.config.k8s.io/v1
// types_pluginargs.go) and checked like upstream ValidateVolumeBindingArgsWithOptions with the
// VolumeCapacityPriority / StorageCapacityScoring gate off: bindTimeoutSeconds >= 0 and no shape.
#pragma once

#include <cstdint>

#include <yaml-cpp/yaml.h>

#include "core/util/result.hpp"

namespace multisched::plugins::volume_binding {

inline constexpr std::int64_t kDefaultBindTimeoutSeconds = 600;

struct volume_binding_args {
    // How long PreBind waits for the PV controller to finish binding and provisioning.
    std::int64_t bind_timeout_seconds = kDefaultBindTimeoutSeconds;
    friend bool operator==(const volume_binding_args&, const volume_binding_args&) = default;
};

// Decodes `args` (Null = defaults). Unknown keys, a non-integer or negative bindTimeoutSeconds and
// any non-null `shape` are errors naming the field, e.g. "VolumeBinding args: bindTimeoutSeconds:
// Invalid value: -1: invalid BindTimeoutSeconds, should not be a negative value".
result<volume_binding_args> parse_args(const YAML::Node& args);

// The args as upstream serialises VolumeBindingArgs (v1, with apiVersion and kind; never a shape,
// its feature gate being off): what --write-config-to and /configz show.
// parse_args(encode_args(a)) == a for valid args.
YAML::Node encode_args(const volume_binding_args& args);
// SetDefaults_VolumeBindingArgs on YAML: encode_args(parse_args(args)); parse_args's errors.
result<YAML::Node> default_args(const YAML::Node& args);

}  // namespace multisched::plugins::volume_binding
