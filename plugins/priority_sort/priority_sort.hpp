// SPDX-License-Identifier: Apache-2.0
// PrioritySort: orders the active queue by pod priority, higher first, then by the time the pod
// entered the queue, earlier first (upstream plugins/queuesort/priority_sort.go).
// Extension points: QueueSort.
// Args: none (any args given are ignored, as upstream does for plugins without an args kind).
#pragma once

#include <memory>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::priority_sort {

class priority_sort final : public framework::queue_sort_plugin {
  public:
    std::string_view name() const override;
    // a before b: higher .spec.priority (missing = 0), or equal priority and earlier timestamp.
    bool less(const framework::queued_pod_info& a,
              const framework::queued_pod_info& b) const override;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::priority_sort
