// SPDX-License-Identifier: Apache-2.0
// Strict decoding helpers for plugin args (pluginConfig[].args). Upstream decodes args strictly:
// unknown fields are errors. Messages name the plugin and the field path.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "core/util/result.hpp"

namespace multisched::plugins::helper {

// An error "<plugin> args: <message>".
error args_error(std::string_view plugin, std::string_view message);

// Checks that `node` is Null or a map whose keys are all in `known`; `path` ("" at the top) is
// the field path used in messages. At the top level `apiVersion` and `kind` are also accepted;
// `kind`, when present, must be `<plugin>Args`.
result<void> check_keys(const YAML::Node& node, std::string_view plugin, std::string_view path,
                        std::initializer_list<std::string_view> known);

// Reads a scalar as T (int, std::string...), with an error naming `path` when it does not convert.
template <class T>
result<T> read_scalar(const YAML::Node& node, std::string_view plugin, std::string_view path) {
    if (!node.IsScalar()) {
        return args_error(plugin, std::string(path) + ": expected a scalar");
    }
    try {
        return node.as<T>();
    } catch (const YAML::Exception&) {
        return args_error(plugin, std::string(path) + ": invalid value \"" + node.Scalar() + "\"");
    }
}

}  // namespace multisched::plugins::helper
