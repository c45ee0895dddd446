// SPDX-License-Identifier: Apache-2.0
// Strict decoding helpers for plugin args (pluginConfig[].args). Upstream decodes args strictly:
// unknown fields are errors. Messages name the plugin and the field path. Also the pieces every
// plugin's encode_args / default_args share (upstream's v1 serialisation of typed args).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// {apiVersion: kubescheduler.config.k8s.io/v1, kind: <plugin>Args}: the start of every plugin's
// encode_args (upstream writes typed args with their TypeMeta); the caller adds the fields.
YAML::Node encoded_args_head(std::string_view plugin);

// The strings as a YAML sequence, in order ([] when empty).
YAML::Node encode_string_list(const std::vector<std::string>& values);

// A config.ResourceSpec list as v1 writes it: [{name, weight}], weight omitted when 0 (omitempty).
// Spec is any type with a string `name` and an integer `weight`.
template <class Spec>
YAML::Node encode_resource_specs(const std::vector<Spec>& specs) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& s : specs) {
        YAML::Node item(YAML::NodeType::Map);
        item["name"] = s.name;
        if (s.weight != 0) {
            item["weight"] = s.weight;
        }
        out.push_back(item);
    }
    return out;
}

// The body of every plugin's default_args (SetDefaults_<plugin>Args seen on YAML): `encode` of the
// parsed, defaulted args, or parse_args's error unchanged. Both alternatives are built with
// in_place tags: YAML::Node's unconstrained template constructor makes it look constructible from
// any type, so result<YAML::Node> accepts no implicit conversion from `error`.
template <class Args, class Encode>
result<YAML::Node> encode_parsed(const result<Args>& parsed, Encode&& encode) {
    if (!parsed) {
        return result<YAML::Node>(boost::system::in_place_error, parsed.error());
    }
    return result<YAML::Node>(boost::system::in_place_value, std::forward<Encode>(encode)(*parsed));
}

}  // namespace multisched::plugins::helper
