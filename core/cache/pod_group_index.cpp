// SPDX-License-Identifier: Apache-2.0
#include "core/cache/pod_group_index.hpp"

namespace multisched::cache {

std::string pod_group_key(const api::pod& pod) {
    const std::string_view group = api::pod_group_of(pod);
    if (group.empty()) {
        return {};
    }
    std::string key;
    key.reserve(pod.meta.ns.size() + 1 + group.size());
    key.append(pod.meta.ns).append("/").append(group);
    return key;
}

void pod_group_index::upsert(const std::shared_ptr<const api::pod>& pod) {
    const std::string key = pod_group_key(*pod);
    const std::string& uid = pod->meta.uid;
    if (auto it = group_of_.find(uid); it != group_of_.end() && it->second != key) {
        erase(uid);  // left its group (label changed or removed)
    }
    if (key.empty()) {
        return;
    }
    groups_[key][uid] = pod;
    group_of_[uid] = key;
}

void pod_group_index::erase(const std::string& uid) {
    auto it = group_of_.find(uid);
    if (it == group_of_.end()) {
        return;
    }
    if (auto g = groups_.find(it->second); g != groups_.end()) {
        g->second.erase(uid);
        if (g->second.empty()) {
            groups_.erase(g);
        }
    }
    group_of_.erase(it);
}

const pod_group_index::members* pod_group_index::find(std::string_view key) const {
    auto it = groups_.find(key);
    return it == groups_.end() ? nullptr : &it->second;
}

}  // namespace multisched::cache
