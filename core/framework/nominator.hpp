// SPDX-License-Identifier: Apache-2.0
// The nominated pods: pods that preemption made room for on a node (status.nominatedNodeName)
// and that are not bound yet (upstream's nominator in the scheduling queue). Filter counts the
// nominated pods of equal or higher priority on a node as if they were already there, so a
// lower-priority pod does not take the room that was freed for them.
//
// Single-threaded, like the cache. Maintained by the scheduler: informer updates of unassigned
// pods with a nominatedNodeName, PostFilter nominations (before the status patch comes back),
// and removal when a pod is bound, deleted or loses its nomination.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/framework/node_info.hpp"

namespace multisched::framework {

class nominator {
  public:
    // Nominates `pod` to `node`, replacing an earlier nomination of the same pod (by uid). An
    // empty `node` removes the nomination.
    void add(std::shared_ptr<const pod_info> pod, const std::string& node);
    void remove(std::string_view uid);
    // The pods nominated to `node`, in nomination order. Valid until the next change.
    std::span<const std::shared_ptr<const pod_info>> pods_on(std::string_view node) const;
    // The node `uid` is nominated to, "" if none.
    std::string node_of(std::string_view uid) const;
    bool empty() const { return node_of_.empty(); }

  private:
    std::unordered_map<std::string, std::vector<std::shared_ptr<const pod_info>>> by_node_;
    std::unordered_map<std::string, std::string> node_of_;  // uid -> node
};

}  // namespace multisched::framework
