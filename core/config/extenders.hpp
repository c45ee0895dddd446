// SPDX-License-Identifier: Apache-2.0
// Internal to core/config: the `extenders` list of KubeSchedulerConfiguration v1 (upstream
// staging/src/k8s.io/kube-scheduler/config/v1 types.go Extender, extender/v1 ExtenderTLSConfig):
// strict decoding, upstream validateExtenders, and encoding in upstream field order with its
// omitempty rules. Go's base64 for []byte fields is here too.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/config/config.hpp"
#include "core/config/field_reader.hpp"
#include "core/util/result.hpp"

namespace multisched::config {

// Decodes `list` (null = none) at `path` ("extenders") into `out`, reporting through `reader`.
void decode_extenders(field_reader& reader, const YAML::Node& list, const std::string& path,
                      std::vector<extender_config>& out);

// upstream validateExtenders: {field path, detail} pairs in upstream order, empty when valid.
// Does not include multisched's refusal of extenders (validate.cpp adds that last).
std::vector<std::pair<std::string, std::string>> validate_extenders(
    const std::vector<extender_config>& extenders);

// Emits the list as the value of the current key.
void emit_extenders(YAML::Emitter& out, const std::vector<extender_config>& extenders);

// Go's base64.StdEncoding: padded, '\r' and '\n' ignored when decoding. Errors read as Go's
// ("illegal base64 data at input byte 3").
std::string encode_base64(std::string_view bytes);
result<std::string> decode_base64(std::string_view text);

// upstream validation.IsQualifiedName: every message, empty when `value` is a qualified name.
std::vector<std::string> qualified_name_errors(std::string_view value);
// upstream v1helper.IsExtendedResourceName: "example.com/foo" yes; "cpu", "kubernetes.io/x",
// "requests.foo/x" no.
bool is_extended_resource_name(std::string_view name);

}  // namespace multisched::config
