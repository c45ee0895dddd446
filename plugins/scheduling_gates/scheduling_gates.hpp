// SPDX-License-Identifier: Apache-2.0
// SchedulingGates: keeps pods with spec.schedulingGates out of the active queue until every gate
// is removed (upstream plugins/schedulinggates, v1.30).
// Extension points: PreEnqueue, EnqueueExtensions (the pod's own update).
// Args: none (ignored).
#pragma once

#include <memory>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::scheduling_gates {

class scheduling_gates final : public framework::pre_enqueue_plugin,
                               public framework::enqueue_extensions {
  public:
    std::string_view name() const override;
    // Success without gates; otherwise UnschedulableAndUnresolvable
    // "waiting for scheduling gates: [a b]" (Go's %v of the gate names).
    framework::status pre_enqueue(const api::pod& pod) override;
    std::vector<framework::cluster_event> events_to_register() const override;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::scheduling_gates
