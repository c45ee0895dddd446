// SPDX-License-Identifier: Apache-2.0
// What a plugin may use of the running scheduler. Given to plugin factories; outlives plugins.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/types.hpp"
#include "core/cache/object_store.hpp"
#include "core/util/task.hpp"

namespace multisched::client {
class api_client;
}
namespace multisched::metrics {
struct scheduler_metrics;
}

namespace multisched::framework {

class node_info;
class framework;
class nominator;

class handle {
  public:
    virtual ~handle() = default;
    // The apiserver client (binding, status writes). Plugins never open connections themselves.
    virtual client::api_client& client() = 0;
    // The scheduler name of the profile the plugin belongs to.
    virtual const std::string& profile_name() const = 0;
    // Cluster-wide facts beyond the nodes a point is given (upstream's snapshot): the number of
    // nodes, and how many of them list `image` in status.images (ImageLocality's spread).
    virtual std::size_t node_count() const = 0;
    virtual std::size_t nodes_with_image(std::string_view image) const = 0;
    // Every node of the cluster as the current cycle sees it (upstream's snapshot NodeInfos().
    // List()), zone-interleaved. Valid during one scheduling cycle only.
    virtual std::span<const node_info* const> all_nodes() = 0;
    // Subsets of all_nodes(), in its order: the nodes holding a pod with any pod (anti-)affinity
    // term, and those holding a pod with a required anti-affinity term (upstream's
    // HavePodsWithAffinityList / HavePodsWithRequiredAntiAffinityList). nullopt when the handle
    // does not track them: the caller then scans all_nodes(). Valid during one cycle only.
    virtual std::optional<std::span<const node_info* const>> nodes_with_pod_affinity() {
        return std::nullopt;
    }
    virtual std::optional<std::span<const node_info* const>> nodes_with_required_anti_affinity() {
        return std::nullopt;
    }
    // The labels of namespace `ns` (InterPodAffinity's namespaceSelector); null if unknown.
    virtual const api::label_map* namespace_labels(std::string_view ns) const = 0;
    // The selector of the Services, ReplicationControllers, ReplicaSets and StatefulSets that
    // select or own `pod` (upstream helper.DefaultSelector), for PodTopologySpread's default
    // constraints. Empty when nothing selects the pod: no default constraints then.
    virtual api::label_selector default_selector(const api::pod& pod) const = 0;
    // Persistent volumes and claims, storage classes, CSINodes and PodDisruptionBudgets as the
    // informers last saw them (the volume plugins and preemption read them).
    virtual const cache::cluster_objects& objects() const = 0;
    // Pods nominated to nodes by preemption and not bound yet.
    virtual const nominator& nominated() const = 0;
    // Whether the pod is assumed in the cache (placed by a scheduling cycle, not yet confirmed
    // bound by the informer).
    virtual bool is_assumed(std::string_view /*uid*/) const { return false; }
    // The framework of the profile this handle belongs to (preemption re-runs its filters).
    // Null only while the profile is being built.
    virtual framework* profile_framework() = 0;
    // Posts an events.k8s.io/v1 Event about `regarding` (`related`: optional second object),
    // rate-limited with every other scheduler event; reportingController is the profile name.
    virtual void record_event(const api::pod& regarding, const api::pod* related,
                              std::string_view type, std::string_view reason,
                              std::string_view action, std::string note) = 0;
    // Runs `work` (API writes a synchronous point decided on, e.g. preemption deleting its
    // victims) in the scheduler's tracked task group for writes: it outlives the cycle, is
    // cancelled at shutdown, and its exceptions are logged. Use instead of co_spawn(detached).
    virtual void spawn_write(task<void> work) = 0;
    // Moves these pending pods (by uid) from the unschedulable pool or backoff to the active
    // queue now, through PreEnqueue (upstream PodActivator): e.g. a gang's siblings once the
    // group can be placed. Unknown, in-flight and already active pods are left alone.
    virtual void activate(const std::vector<std::string>& /*uids*/) {}
    // The scheduler's metrics (preemption records its attempts and victims); null when metrics
    // are off (tests, simulation).
    virtual metrics::scheduler_metrics* metrics() { return nullptr; }
    // The slot of state a plugin keeps beyond its own lifetime, named by `key` (the plugin's
    // name): one slot per process, shared by the plugin's instances in every profile and handed
    // to the instances that replace them when the configuration is reloaded. Null when the handle
    // keeps no such state: the plugin keeps its own then. Use persistent_state() below.
    virtual std::shared_ptr<void>* persistent_slot(std::string_view /*key*/) { return nullptr; }
    // The seed of plugins' random choices (DefaultPreemption's dry-run offset) when the run must
    // be reproducible (simulate --seed); nullopt: plugins seed from std::random_device.
    virtual std::optional<std::uint64_t> random_seed() const { return std::nullopt; }
};

// The state of type T in `h`'s slot `key`, made with `make()` when the slot is empty (or when
// the handle has no slots). Every caller of one key must use the same T.
template <class T, class Make>
std::shared_ptr<T> persistent_state(handle& h, std::string_view key, Make&& make) {
    std::shared_ptr<void>* slot = h.persistent_slot(key);
    if (slot == nullptr) {
        return make();
    }
    if (*slot == nullptr) {
        *slot = make();
    }
    return std::static_pointer_cast<T>(*slot);
}

}  // namespace multisched::framework
