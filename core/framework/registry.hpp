// SPDX-License-Identifier: Apache-2.0
// Plugin name -> factory. Built explicitly (plugins/registry.hpp make_in_tree_registry()); no
// static self-registration. A factory validates its args and returns a plugin or an error.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::framework {

// `args` is the plugin's pluginConfig args node (Null when the profile gives none); factories
// reject unknown keys and out-of-range values with a message naming the field.
using plugin_factory =
    std::function<result<std::unique_ptr<plugin>>(const YAML::Node& args, handle& h)>;

class registry {
  public:
    // Adds a factory; refuses a name that is already registered.
    result<void> add(std::string name, plugin_factory factory);
    const plugin_factory* find(std::string_view name) const;
    bool contains(std::string_view name) const { return find(name) != nullptr; }

  private:
    std::map<std::string, plugin_factory, std::less<>> factories_;
};

}  // namespace multisched::framework
