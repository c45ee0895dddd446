// SPDX-License-Identifier: Apache-2.0
// The one node cache shared by every profile: each node's allocatable and every pod assigned to
// it, whoever placed it. Pods this process is binding are *assumed* (counted on their node) until
// the watch confirms them; a failed bind forgets them. Assumed pods never expire (kube-scheduler
// removed the expiry: it raced with slow binds and overcommitted nodes, k/k #106361).
//
// Single-threaded: informer handlers and the scheduling cycle run on the one io_context, and a
// scheduling cycle never awaits, so the cache cannot change during a cycle and the cycle reads it
// directly instead of copying a snapshot.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/cache/object_store.hpp"
#include "core/framework/node_info.hpp"
#include "core/framework/nominator.hpp"

namespace multisched::cache {

class cache {
  public:
    // Adds or replaces a node object.
    void add_node(std::shared_ptr<const api::node> node);
    // Removes the node object. Its pods stay accounted until they are removed themselves.
    void remove_node(std::string_view name);

    // An assigned pod seen by the watch (spec.nodeName set). Confirms the pod if it was assumed,
    // moves it if its node changed, otherwise adds or replaces it.
    void add_pod(std::shared_ptr<const framework::pod_info> pod);
    // The pod is gone (deleted, terminal, or unassigned again): removes it wherever it is.
    void remove_pod(std::string_view uid);

    // Counts `pod` on `node` before the bind. Returns false if the pod is already in the cache.
    bool assume_pod(std::shared_ptr<const framework::pod_info> pod, const std::string& node);
    // Undoes assume_pod after a failed bind/reserve/permit; no-op for a confirmed pod.
    void forget_pod(std::string_view uid);
    bool is_assumed(std::string_view uid) const;
    // The node a cached (assumed or confirmed) pod is on; empty if unknown.
    std::string node_of(std::string_view uid) const;

    // Nodes with a node object, zone by zone in round-robin (kube-scheduler's nodeTree), so a
    // partial scan (percentageOfNodesToScore) samples every zone. Valid until the next change.
    const std::vector<framework::node_info*>& nodes();
    framework::node_info* find_node(std::string_view name);
    // Subsets of nodes(), in its order: the nodes holding a pod with any pod (anti-)affinity
    // term, and those holding a pod with a required anti-affinity term (upstream snapshot's
    // HavePodsWithAffinityList / HavePodsWithRequiredAntiAffinityList). Rebuilt lazily after a
    // change that can alter them; valid until the next change.
    const std::vector<framework::node_info*>& nodes_with_pod_affinity();
    const std::vector<framework::node_info*>& nodes_with_required_anti_affinity();

    // Nodes with a node object. O(1): ImageLocality asks once per scored node.
    std::size_t node_count() const { return node_objects_; }
    // How many nodes list `image` (one of node.status.images[].names) — upstream's
    // ImageStateSummary.NumNodes, kept up to date as nodes come and go.
    std::size_t nodes_with_image(std::string_view image) const;
    std::size_t pod_count() const { return pods_.size(); }

    // Namespaces and their labels (InterPodAffinity's namespaceSelector).
    void set_namespace(const std::string& name, api::label_map labels);
    void remove_namespace(std::string_view name);
    // Null if the namespace is unknown.
    const api::label_map* namespace_labels(std::string_view name) const;

    // The storage objects and disruption budgets, written by their informers.
    cluster_objects& objects() { return objects_; }
    const cluster_objects& objects() const { return objects_; }

    // Pods nominated to nodes by preemption and not bound yet.
    framework::nominator& nominated() { return nominated_; }
    const framework::nominator& nominated() const { return nominated_; }
    std::size_t assumed_count() const;

  private:
    struct pod_state {
        std::shared_ptr<const framework::pod_info> info;
        std::string node;
        bool assumed = false;
    };

    framework::node_info& node_info_for(const std::string& name);
    void remove_from_node(const pod_state& state);
    void rebuild_node_list();
    void rebuild_affinity_lists();
    // Puts `pod` on its node's info; marks the affinity lists stale if it has affinity terms.
    void add_to_node(const std::string& node, std::shared_ptr<const framework::pod_info> pod);
    void count_images(const api::node& node, int delta);

    std::unordered_map<std::string, std::unique_ptr<framework::node_info>> nodes_;
    std::unordered_map<std::string, pod_state> pods_;  // by uid
    std::vector<framework::node_info*> node_list_;
    std::vector<framework::node_info*> with_pod_affinity_;
    std::vector<framework::node_info*> with_required_anti_affinity_;
    // Lets the string-keyed maps be searched with a string_view without a copy.
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    // image name -> nodes listing it
    std::unordered_map<std::string, std::size_t, string_hash, std::equal_to<>> image_nodes_;
    std::map<std::string, api::label_map, std::less<>> namespaces_;
    cluster_objects objects_;
    framework::nominator nominated_;
    bool node_list_dirty_ = true;
    bool affinity_lists_dirty_ = true;  // also rebuilt whenever node_list_ is
    std::size_t node_objects_ = 0;      // entries of nodes_ whose node() is set
};

// kube-scheduler's zone key for a node: region and zone labels (GA, then beta), "" if none.
std::string zone_key(const api::node& node);

}  // namespace multisched::cache
