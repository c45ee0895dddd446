// SPDX-License-Identifier: Apache-2.0
// Configuration -> running profiles. Each KubeSchedulerProfile becomes one framework: its merged
// plugin sets are expanded (MultiPoint into every point a plugin implements, specific points
// first), plugins are instantiated once per name with their pluginConfig args, and sorted into
// per-point vectors. A profile_set dispatches pods by spec.schedulerName.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cache/cache.hpp"
#include "core/client/api_client.hpp"
#include "core/config/config.hpp"
#include "core/framework/framework.hpp"
#include "core/framework/registry.hpp"

namespace multisched::profiles {

// Where plugins' events go (handle::record_event): regarding, related, reporting profile, type,
// reason, action, note. Set once the event recorder exists.
using event_sink = std::function<void(
    const api::pod& regarding, const api::pod* related, const std::string& profile,
    std::string_view type, std::string_view reason, std::string_view action, std::string note)>;

// What plugins reach of the running scheduler beyond the cache: its event recorder and its
// tracked task group for API writes. Shared by every profile's handle.
struct plugin_runtime {
    event_sink record;
    std::function<void(task<void>)> spawn;
    // The process's metrics: every framework built with this runtime records into them.
    metrics::scheduler_metrics* metrics = nullptr;
    // handle::activate: the queue's activate.
    std::function<void(const std::vector<std::string>&)> activate;
    // handle::persistent_slot: plugins' state kept across reloads, by key.
    std::map<std::string, std::shared_ptr<void>, std::less<>> persistent;
    // handle::random_seed: set by the simulation (--seed); nullopt in the daemon.
    std::optional<std::uint64_t> random_seed;
};

class profile_set {
  public:
    // Builds every profile of `cfg` (already defaulted and validated). Errors name the profile
    // and the plugin ("profiles[1] (my-scheduler): plugin \"Foo\" does not exist").
    // `cache` is the shared node cache plugins may query through their handle; it must outlive
    // the profiles.
    // `runtime` is shared with the sets that replace this one on reload (null: a fresh one).
    static result<profile_set> build(const config::scheduler_config& cfg,
                                     const framework::registry& registry,
                                     client::api_client& client, cache::cache& cache,
                                     std::shared_ptr<plugin_runtime> runtime = nullptr);

    // The profile serving `scheduler_name`, or null.
    std::shared_ptr<framework::framework> find(std::string_view scheduler_name) const;
    // Scheduler names in configuration order.
    const std::vector<std::string>& names() const { return names_; }
    // The first profile's framework, whose QueueSort plugin orders the one queue (validated
    // identical across profiles).
    std::shared_ptr<framework::framework> first() const;
    // The QueueSort plugin of the first profile.
    const framework::queue_sort_plugin* queue_sort() const;
    // Reload: each profile that `previous` also serves takes over its pods held at Permit.
    void adopt_waiting(const profile_set& previous);
    const std::shared_ptr<plugin_runtime>& runtime() const { return runtime_; }
    // Routes plugins' events (preemption's Preempted) to `sink` and their API writes
    // (handle::spawn_write) to `writes`; before this, events are dropped and writes refused.
    void set_runtime(event_sink sink, std::function<void(task<void>)> writes) {
        runtime_->record = std::move(sink);
        runtime_->spawn = std::move(writes);
    }
    // handle::activate reaches `activate` (the queue) from now on, here and in later sets.
    void set_activator(std::function<void(const std::vector<std::string>&)> activate) {
        runtime_->activate = std::move(activate);
    }
    // Frameworks and plugins record into `m` from now on, and so do the profiles of sets built
    // later with this set's runtime (reload). `m` must outlive every framework.
    void set_metrics(metrics::scheduler_metrics* m);

  private:
    std::map<std::string, std::shared_ptr<framework::framework>, std::less<>> by_name_;
    std::vector<std::string> names_;
    std::shared_ptr<plugin_runtime> runtime_ = std::make_shared<plugin_runtime>();
};

// Builds one profile's framework. `extender_ignored_resources` (the extenders' managed
// resources with ignoredByScheduler) are appended to NodeResourcesFit's ignoredResources, as
// upstream does for every profile.
result<std::shared_ptr<framework::framework>> build_framework(
    const config::profile_config& profile, const framework::registry& registry,
    client::api_client& client, cache::cache& cache, std::shared_ptr<plugin_runtime> runtime,
    const std::vector<std::string>& extender_ignored_resources = {});

}  // namespace multisched::profiles
