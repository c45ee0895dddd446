// SPDX-License-Identifier: Apache-2.0
// The members of every pod group: the non-terminal pods, pending or bound, labelled
// scheduling.x-k8s.io/pod-group=<name>, by group key "namespace/name". Fed by the pod informer's
// handlers (whichever scheduler a pod names), read by the Coscheduling plugin to count a group's
// members and to simulate placing the ones still pending. Single-threaded like the node cache.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/api/storage_types.hpp"

namespace multisched::cache {

class pod_group_index {
  public:
    // uid -> the pod as last seen.
    using members = std::map<std::string, std::shared_ptr<const api::pod>, std::less<>>;

    // Records the newest version of `pod`: added to its group, moved if its label changed,
    // dropped if it has none.
    void upsert(const std::shared_ptr<const api::pod>& pod);
    void erase(const std::string& uid);
    // The members of group `key` ("namespace/name"); null when it has none.
    const members* find(std::string_view key) const;
    std::size_t group_count() const { return groups_.size(); }

  private:
    std::map<std::string, members, std::less<>> groups_;
    std::unordered_map<std::string, std::string> group_of_;  // uid -> group key
};

// The group key of `pod` ("namespace/name"), or "" when it joins no group.
std::string pod_group_key(const api::pod& pod);

}  // namespace multisched::cache
