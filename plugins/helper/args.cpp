// SPDX-License-Identifier: Apache-2.0
#include "plugins/helper/args.hpp"

#include <algorithm>

#include "core/config/config.hpp"

namespace multisched::plugins::helper {

error args_error(std::string_view plugin, std::string_view message) {
    return error{{}, std::string(plugin) + " args: " + std::string(message)};
}

result<void> check_keys(const YAML::Node& node, std::string_view plugin, std::string_view path,
                        std::initializer_list<std::string_view> known) {
    if (!node.IsDefined() || node.IsNull()) {
        return {};
    }
    const std::string prefix = path.empty() ? std::string() : std::string(path) + ".";
    if (!node.IsMap()) {
        return args_error(plugin, (path.empty() ? std::string("args") : std::string(path)) +
                                      ": expected a mapping");
    }
    for (const auto& kv : node) {
        const auto key = kv.first.as<std::string>();
        if (std::find(known.begin(), known.end(), key) != known.end()) {
            continue;
        }
        if (path.empty() && key == "apiVersion") {
            continue;
        }
        if (path.empty() && key == "kind") {
            const std::string want = std::string(plugin) + "Args";
            if (!kv.second.IsScalar() || kv.second.Scalar() != want) {
                return args_error(plugin, "kind: must be " + want);
            }
            continue;
        }
        return args_error(plugin, "unknown field \"" + prefix + key + "\"");
    }
    return {};
}

YAML::Node encoded_args_head(std::string_view plugin) {
    YAML::Node out(YAML::NodeType::Map);
    out["apiVersion"] = std::string(config::kApiVersionV1);
    out["kind"] = std::string(plugin) + "Args";
    return out;
}

YAML::Node encode_string_list(const std::vector<std::string>& values) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& v : values) {
        out.push_back(v);
    }
    return out;
}

}  // namespace multisched::plugins::helper
