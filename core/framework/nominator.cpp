// SPDX-License-Identifier: Apache-2.0
#include "core/framework/nominator.hpp"

#include <algorithm>

namespace multisched::framework {

void nominator::add(std::shared_ptr<const pod_info> pod, const std::string& node) {
    const std::string uid = pod->pod->meta.uid;
    remove(uid);
    if (node.empty()) {
        return;
    }
    by_node_[node].push_back(std::move(pod));
    node_of_.emplace(uid, node);
}

void nominator::remove(std::string_view uid) {
    auto it = node_of_.find(std::string(uid));
    if (it == node_of_.end()) {
        return;
    }
    auto list = by_node_.find(it->second);
    if (list != by_node_.end()) {
        auto& pods = list->second;
        pods.erase(std::remove_if(pods.begin(), pods.end(),
                                  [&](const auto& p) { return p->pod->meta.uid == uid; }),
                   pods.end());
        if (pods.empty()) {
            by_node_.erase(list);
        }
    }
    node_of_.erase(it);
}

std::span<const std::shared_ptr<const pod_info>> nominator::pods_on(std::string_view node) const {
    if (by_node_.empty()) {
        return {};  // the common case, asked once per filtered node
    }
    auto it = by_node_.find(std::string(node));
    if (it == by_node_.end()) {
        return {};
    }
    return it->second;
}

std::string nominator::node_of(std::string_view uid) const {
    auto it = node_of_.find(std::string(uid));
    return it == node_of_.end() ? std::string() : it->second;
}

}  // namespace multisched::framework
