// SPDX-License-Identifier: Apache-2.0
// PersistentVolume / claim helpers of upstream component-helpers/storage/volume (v1.30:
// helpers.go, pv_helpers.go) as the scheduler uses them: storage class of a claim, binding state,
// PV node affinity, StorageClass allowedTopologies and FindMatchingVolume.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api/storage_types.hpp"
#include "core/cache/object_store.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::volume_binding {

inline constexpr std::string_view kNotSupportedProvisioner = "kubernetes.io/no-provisioner";
inline constexpr std::string_view kBetaStorageClassAnnotation =
    "volume.beta.kubernetes.io/storage-class";
inline constexpr std::string_view kIsDefaultClassAnnotation =
    "storageclass.kubernetes.io/is-default-class";
inline constexpr std::string_view kBetaIsDefaultClassAnnotation =
    "storageclass.beta.kubernetes.io/is-default-class";
inline constexpr std::string_view kVolumeAvailable = "Available";
inline constexpr std::string_view kClaimLost = "Lost";
inline constexpr std::string_view kFilesystem = "Filesystem";

// The class the DefaultStorageClass admission plugin would give a claim without one: among the
// classes annotated is-default-class=true (GA or beta key) the newest, ties broken by name.
// "" when there is none.
std::string default_class_name(const cache::object_store<api::storage_class>& classes);

// upstream GetPersistentVolumeClaimClass: the beta annotation first, then spec.storageClassName,
// where an unset class means `default_class`. "" means no class.
std::string claim_class(const api::persistent_volume_claim& c, std::string_view default_class);
// upstream GetPersistentVolumeClass: the beta annotation first, then spec.storageClassName.
std::string volume_class(const api::persistent_volume& pv);

// upstream isPVCFullyBound: spec.volumeName set and annotated pv.kubernetes.io/bind-completed.
bool is_pvc_fully_bound(const api::persistent_volume_claim& c);
// upstream IsVolumeBoundToClaim: claimRef names the claim (and its uid, when the ref has one).
bool is_volume_bound_to_claim(const api::persistent_volume& pv,
                              const api::persistent_volume_claim& c);
// upstream CheckVolumeModeMismatches: an empty mode is Filesystem.
bool volume_mode_mismatch(const api::persistent_volume_claim& c, const api::persistent_volume& pv);
// upstream CheckAccessModes: the volume offers every mode the claim asks for.
bool access_modes_satisfied(const api::persistent_volume_claim& c,
                            const api::persistent_volume& pv);
// upstream v1helper.MatchTopologySelectorTerms: no terms match every node; otherwise any term
// whose (valid, non-empty) requirements all hold.
bool topology_matches(const std::vector<api::node_selector_term>& terms,
                      const api::label_map& labels);

// A PV's spec.nodeAffinity.required, checked once (upstream CheckNodeAffinity). Matched against
// node labels only, as upstream does with a name-less node: valid metadata.name field terms pass.
class volume_affinity {
  public:
    volume_affinity() = default;  // no affinity: every node
    explicit volume_affinity(const std::optional<std::vector<api::node_selector_term>>& required);
    bool matches(const api::label_map& node_labels) const;

  private:
    bool any_node_ = true;
    std::vector<api::node_selector_term> terms_;  // valid and non-empty
};

// A volume with its parsed node affinity.
struct candidate_pv {
    std::shared_ptr<const api::persistent_volume> pv;
    volume_affinity affinity;
};

// upstream FindMatchingVolume on the scheduler path (node given, delayBinding true): a volume
// pre-bound to the claim wins (null if its affinity rejects the node); otherwise the smallest
// Available volume of the claim's class with enough capacity, the same volume mode and every
// access mode, matching the claim's selector and the node. Equal capacities: the first in `pvs`.
// Volumes named in `excluded`, being deleted or bound to another claim are skipped. Null when
// nothing matches; an error when the claim's selector does not parse.
result<std::shared_ptr<const api::persistent_volume>> find_matching_volume(
    const api::persistent_volume_claim& claim, std::string_view claim_class,
    std::span<const candidate_pv> pvs, const api::label_map& node_labels,
    const std::set<std::string, std::less<>>& excluded);

// upstream GetBindVolumeToClaim: a copy of `pv` with claimRef set to `claim` (and
// pv.kubernetes.io/bound-by-controller when the volume was not pre-bound to it), and whether
// anything changed.
std::pair<std::shared_ptr<const api::persistent_volume>, bool> bind_volume_to_claim(
    const api::persistent_volume& pv, const api::persistent_volume_claim& claim);

// metadata.resourceVersion as a number (upstream APIObjectVersioner); nullopt if not one.
std::optional<std::uint64_t> parse_resource_version(std::string_view rv);

}  // namespace multisched::plugins::volume_binding
