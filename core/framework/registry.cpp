// SPDX-License-Identifier: Apache-2.0
#include "core/framework/registry.hpp"

namespace multisched::framework {

result<void> registry::add(std::string name, plugin_factory factory) {
    if (factories_.contains(name)) {
        return error{{}, "a plugin named " + name + " already exists"};
    }
    factories_.emplace(std::move(name), std::move(factory));
    return {};
}

const plugin_factory* registry::find(std::string_view name) const {
    auto it = factories_.find(name);
    return it == factories_.end() ? nullptr : &it->second;
}

}  // namespace multisched::framework
