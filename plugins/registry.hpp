// SPDX-License-Identifier: Apache-2.0
// The in-tree plugin registry: upstream plugin name -> factory, built explicitly (no static
// self-registration). Adding a plugin = one folder under plugins/ + one line in registry.cpp.
#pragma once

#include "core/config/config.hpp"
#include "core/framework/registry.hpp"

namespace multisched::plugins {

// Every in-tree plugin multisched implements, under upstream's PascalCase names.
framework::registry make_in_tree_registry();

// Defaults the pluginConfig args of the in-tree plugins that have an args type, in their
// upstream v1 form (config::set_defaults fills pluginConfig with it, as upstream's
// setDefaults_KubeSchedulerProfile); std::nullopt for plugins without args.
config::args_defaulter make_args_defaulter();

}  // namespace multisched::plugins
