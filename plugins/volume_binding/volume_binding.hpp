// SPDX-License-Identifier: Apache-2.0
// VolumeBinding: places pods whose PersistentVolumeClaims are bound, can be bound to an available
// PV, or can be provisioned on the node, then binds them before the pod (upstream
// plugins/volumebinding, v1.30, without StorageCapacityScoring and CSIStorageCapacity).
// Extension points: PreFilter, Filter, Reserve/Unreserve, PreBind, EnqueueExtensions.
// Args (VolumeBindingArgs): bindTimeoutSeconds (default 600); `shape` is rejected.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"
#include "plugins/volume_binding/args.hpp"
#include "plugins/volume_binding/assume_cache.hpp"
#include "plugins/volume_binding/state.hpp"

namespace multisched::plugins::volume_binding {

inline constexpr std::string_view kErrReasonBindConflict =
    "node(s) didn't find available persistent volumes to bind";
inline constexpr std::string_view kErrReasonNodeConflict =
    "node(s) had volume node affinity conflict";
inline constexpr std::string_view kErrReasonPVNotExist =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
inline constexpr std::string_view kErrUnboundImmediate =
    "pod has unbound immediate PersistentVolumeClaims";
// How often PreBind looks at the informer stores while the PV controller works.
inline constexpr std::chrono::milliseconds kPollInterval{1000};

class volume_binding final : public framework::pre_filter_plugin,
                             public framework::filter_plugin,
                             public framework::reserve_plugin,
                             public framework::pre_bind_plugin,
                             public framework::enqueue_extensions {
  public:
    // `poll_interval` is for tests; PreBind gives up after args.bind_timeout_seconds.
    volume_binding(const volume_binding_args& args, framework::handle& h,
                   std::chrono::milliseconds poll_interval = kPollInterval);

    std::string_view name() const override;
    // Skip when no volume uses a claim. UnschedulableAndUnresolvable when a claim is missing,
    // lost or being deleted, or an unbound claim is not WaitForFirstConsumer (or is pre-bound).
    // Otherwise records the claims and candidate volumes in the cycle state.
    framework::status pre_filter(framework::cycle_state& state, const framework::pod_info& pod,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result& result) override;
    // upstream FindPodVolumes: UnschedulableAndUnresolvable with the conflict reasons, Error on a
    // broken claim selector or missing class; on success stores the node's decisions.
    framework::status filter(framework::cycle_state& state, const framework::pod_info& pod,
                             const framework::node_info& node) override;
    // Assumes the node's bindings and provisionings in the overlay (upstream AssumePodVolumes).
    framework::status reserve(framework::cycle_state& state, const framework::pod_info& pod,
                              const std::string& node) override;
    // Reverts what reserve assumed for `node`; idempotent.
    void unreserve(framework::cycle_state& state, const framework::pod_info& pod,
                   const std::string& node) override;
    // Patches the chosen PVs (claimRef) and claims to provision (selected-node), then waits for
    // the PV controller to bind every claim. Error on API failure, on a binding undone, or after
    // bindTimeoutSeconds ("binding volumes: context deadline exceeded").
    task<framework::status> pre_bind(std::shared_ptr<framework::cycle_state> state,
                                     std::shared_ptr<const framework::pod_info> pod,
                                     std::string node) override;
    std::vector<framework::cluster_event> events_to_register() const override;

    // The overlay, for tests.
    const assume_cache& assumed() const { return assumed_; }

    // The resourceVersions the apiserver returned to PreBind's patches, by PV name and claim key:
    // PreBind waits until the informer has caught up with them.
    struct written_versions {
        std::map<std::string, std::uint64_t, std::less<>> pvs;
        std::map<std::string, std::uint64_t, std::less<>> pvcs;
    };

  private:
    // upstream bindAPIUpdate: the patches in order; on failure reverts the assumptions not yet
    // written and returns the error.
    task<result<std::shared_ptr<const written_versions>>> bind_api_update(
        std::shared_ptr<const pod_volumes> volumes);
    // upstream's poll of checkBindings until every claim is bound or bind_timeout_ passed.
    task<framework::status> wait_for_bindings(std::shared_ptr<const pod_volumes> volumes,
                                              std::shared_ptr<const written_versions> written);
    // scheduler_volume_scheduling_stage_error_total{operation}: upstream's binder counts its
    // failed FindPodVolumes ("predicate", in Filter), AssumePodVolumes ("assume", Reserve) and
    // BindPodVolumes ("bind", PreBind). Returns `s` unchanged.
    framework::status count_stage_error(std::string_view stage, framework::status s) const;

    framework::handle& handle_;
    std::chrono::milliseconds bind_timeout_;
    std::chrono::milliseconds poll_interval_;
    assume_cache assumed_;
};

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::volume_binding
