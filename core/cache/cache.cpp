// SPDX-License-Identifier: Apache-2.0
#include "core/cache/cache.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/util/log.hpp"

namespace multisched::cache {

std::string zone_key(const api::node& node) {
    const auto label = [&](std::string_view ga, std::string_view beta) -> std::string {
        if (const auto* v = node.meta.labels.find(ga)) {
            return *v;
        }
        if (const auto* v = node.meta.labels.find(beta)) {
            return *v;
        }
        return {};
    };
    const std::string region =
        label("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region");
    const std::string zone =
        label("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone");
    if (region.empty() && zone.empty()) {
        return {};
    }
    // Upstream joins with ":\x00:" so no label value can forge another zone's key.
    return region + std::string(":\0:", 3) + zone;
}

framework::node_info& cache::node_info_for(const std::string& name) {
    auto& slot = nodes_[name];
    if (!slot) {
        slot = std::make_unique<framework::node_info>(name);
    }
    return *slot;
}

void cache::count_images(const api::node& node, int delta) {
    // A node counts once per name, even if it lists a name under two images.
    std::set<std::string_view> names;
    for (const auto& image : node.images) {
        names.insert(image.names.begin(), image.names.end());
    }
    for (const auto name : names) {
        auto& n = image_nodes_[std::string(name)];
        n = delta > 0 ? n + 1 : (n > 0 ? n - 1 : 0);
        if (n == 0) {
            image_nodes_.erase(std::string(name));
        }
    }
}

std::size_t cache::nodes_with_image(std::string_view image) const {
    auto it = image_nodes_.find(image);
    return it == image_nodes_.end() ? 0 : it->second;
}

void cache::add_node(std::shared_ptr<const api::node> node) {
    auto& info = node_info_for(node->meta.name);
    if (info.node() != nullptr) {
        count_images(*info.node(), -1);
    }
    count_images(*node, +1);
    const bool is_new = info.node() == nullptr;
    if (is_new) {
        ++node_objects_;
    }
    const bool zone_changed = !is_new && zone_key(*info.node()) != zone_key(*node);
    info.set_node(std::move(node));
    if (is_new || zone_changed) {
        node_list_dirty_ = true;
    }
}

void cache::remove_node(std::string_view name) {
    auto it = nodes_.find(std::string(name));
    if (it == nodes_.end()) {
        return;
    }
    if (it->second->node() != nullptr) {
        count_images(*it->second->node(), -1);
        --node_objects_;
    }
    if (it->second->pods().empty()) {
        nodes_.erase(it);
    } else {
        // Pods still reference it (their deletions may arrive later): keep the accounting.
        it->second->set_node(nullptr);
    }
    node_list_dirty_ = true;
}

void cache::remove_from_node(const pod_state& state) {
    auto it = nodes_.find(state.node);
    if (it == nodes_.end()) {
        return;
    }
    it->second->remove_pod(state.info->pod->meta.uid);
    if (state.info->has_affinity()) {
        affinity_lists_dirty_ = true;
    }
    if (it->second->node() == nullptr && it->second->pods().empty()) {
        nodes_.erase(it);
    }
}

void cache::add_to_node(const std::string& node, std::shared_ptr<const framework::pod_info> pod) {
    if (pod->has_affinity()) {
        affinity_lists_dirty_ = true;
    }
    node_info_for(node).add_pod(std::move(pod));
}

void cache::add_pod(std::shared_ptr<const framework::pod_info> pod) {
    const std::string& uid = pod->pod->meta.uid;
    const std::string& node = pod->pod->node_name;
    auto it = pods_.find(uid);
    if (it != pods_.end()) {
        if (it->second.assumed && it->second.node != node) {
            MS_LOG_WARN("pod {} was assumed on node {} but is bound to {}", pod->pod->key(),
                        it->second.node, node);
        }
        remove_from_node(it->second);
        pods_.erase(it);
    }
    add_to_node(node, pod);
    pods_.emplace(uid, pod_state{std::move(pod), node, false});
}

void cache::remove_pod(std::string_view uid) {
    auto it = pods_.find(std::string(uid));
    if (it == pods_.end()) {
        return;
    }
    remove_from_node(it->second);
    pods_.erase(it);
}

bool cache::assume_pod(std::shared_ptr<const framework::pod_info> pod, const std::string& node) {
    const std::string& uid = pod->pod->meta.uid;
    if (pods_.contains(uid)) {
        return false;
    }
    add_to_node(node, pod);
    pods_.emplace(uid, pod_state{std::move(pod), node, true});
    return true;
}

void cache::forget_pod(std::string_view uid) {
    auto it = pods_.find(std::string(uid));
    if (it == pods_.end() || !it->second.assumed) {
        return;
    }
    remove_from_node(it->second);
    pods_.erase(it);
}

bool cache::is_assumed(std::string_view uid) const {
    auto it = pods_.find(std::string(uid));
    return it != pods_.end() && it->second.assumed;
}

std::string cache::node_of(std::string_view uid) const {
    auto it = pods_.find(std::string(uid));
    return it == pods_.end() ? std::string() : it->second.node;
}

framework::node_info* cache::find_node(std::string_view name) {
    auto it = nodes_.find(std::string(name));
    return it == nodes_.end() ? nullptr : it->second.get();
}

std::size_t cache::assumed_count() const {
    return static_cast<std::size_t>(std::count_if(
        pods_.begin(), pods_.end(), [](const auto& kv) { return kv.second.assumed; }));
}

const std::vector<framework::node_info*>& cache::nodes() {
    if (node_list_dirty_) {
        rebuild_node_list();
    }
    return node_list_;
}

const std::vector<framework::node_info*>& cache::nodes_with_pod_affinity() {
    if (node_list_dirty_ || affinity_lists_dirty_) {
        rebuild_affinity_lists();
    }
    return with_pod_affinity_;
}

const std::vector<framework::node_info*>& cache::nodes_with_required_anti_affinity() {
    if (node_list_dirty_ || affinity_lists_dirty_) {
        rebuild_affinity_lists();
    }
    return with_required_anti_affinity_;
}

void cache::rebuild_affinity_lists() {
    with_pod_affinity_.clear();
    with_required_anti_affinity_.clear();
    for (auto* n : nodes()) {
        if (!n->pods_with_affinity().empty()) {
            with_pod_affinity_.push_back(n);
        }
        if (!n->pods_with_required_anti_affinity().empty()) {
            with_required_anti_affinity_.push_back(n);
        }
    }
    affinity_lists_dirty_ = false;
}

void cache::rebuild_node_list() {
    // Zones in name order, nodes in name order within a zone: deterministic for tests and for
    // simulate. Then take one node from each zone in turn.
    std::map<std::string, std::vector<framework::node_info*>> zones;
    for (auto& [name, info] : nodes_) {
        if (info->node() != nullptr) {
            zones[zone_key(*info->node())].push_back(info.get());
        }
    }
    node_list_.clear();
    std::size_t longest = 0;
    for (auto& [zone, list] : zones) {
        std::sort(list.begin(), list.end(),
                  [](const auto* a, const auto* b) { return a->name() < b->name(); });
        longest = std::max(longest, list.size());
    }
    for (std::size_t i = 0; i < longest; ++i) {
        for (const auto& [zone, list] : zones) {
            if (i < list.size()) {
                node_list_.push_back(list[i]);
            }
        }
    }
    node_list_dirty_ = false;
    affinity_lists_dirty_ = true;
}

void cache::set_namespace(const std::string& name, api::label_map labels) {
    namespaces_[name] = std::move(labels);
}

void cache::remove_namespace(std::string_view name) {
    auto it = namespaces_.find(name);
    if (it != namespaces_.end()) {
        namespaces_.erase(it);
    }
}

const api::label_map* cache::namespace_labels(std::string_view name) const {
    auto it = namespaces_.find(name);
    return it == namespaces_.end() ? nullptr : &it->second;
}

}  // namespace multisched::cache
