// SPDX-License-Identifier: Apache-2.0
// Configuration -> running profiles. Each KubeSchedulerProfile becomes one framework: its merged
// plugin sets are expanded (MultiPoint into every point a plugin implements, specific points
// first), plugins are instantiated once per name with their pluginConfig args, and sorted into
// per-point vectors. A profile_set dispatches pods by spec.schedulerName.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/cache/cache.hpp"
#include "core/client/api_client.hpp"
#include "core/config/config.hpp"
#include "core/framework/framework.hpp"
#include "core/framework/registry.hpp"

namespace multisched::profiles {

class profile_set {
  public:
    // Builds every profile of `cfg` (already defaulted and validated). Errors name the profile
    // and the plugin ("profiles[1] (my-scheduler): plugin \"Foo\" does not exist").
    // `cache` is the shared node cache plugins may query through their handle; it must outlive
    // the profiles.
    static result<profile_set> build(const config::scheduler_config& cfg,
                                     const framework::registry& registry,
                                     client::api_client& client, cache::cache& cache);

    // The profile serving `scheduler_name`, or null.
    std::shared_ptr<framework::framework> find(std::string_view scheduler_name) const;
    // Scheduler names in configuration order.
    const std::vector<std::string>& names() const { return names_; }
    // The QueueSort plugin of the first profile (validated identical across profiles).
    const framework::queue_sort_plugin* queue_sort() const;

  private:
    std::map<std::string, std::shared_ptr<framework::framework>, std::less<>> by_name_;
    std::vector<std::string> names_;
};

// Builds one profile's framework.
result<std::shared_ptr<framework::framework>> build_framework(const config::profile_config& profile,
                                                              const framework::registry& registry,
                                                              client::api_client& client);

}  // namespace multisched::profiles
