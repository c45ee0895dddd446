// SPDX-License-Identifier: Apache-2.0
// The in-tree plugin registry: upstream plugin name -> factory, built explicitly (no static
// self-registration). Adding a plugin = one folder under plugins/ + one line in registry.cpp.
#pragma once

#include "core/framework/registry.hpp"

namespace multisched::plugins {

// Every in-tree plugin multisched implements, under upstream's PascalCase names.
framework::registry make_in_tree_registry();

}  // namespace multisched::plugins
