// SPDX-License-Identifier: Apache-2.0
// Resource-name classification as k8s.io/kubernetes pkg/apis/core/v1/helper and
// pkg/scheduler/util: which names are extended, scalar (extended, hugepages-*,
// attachable-volumes-*, *kubernetes.io/*), and the qualified-name rule
// (metav1validation.ValidateLabelName).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/framework/node_info.hpp"

namespace multisched::plugins::helper {

// [prefix/]name where prefix is a DNS-1123 subdomain (<= 253) and name is <= 63 characters of
// [A-Za-z0-9._-], starting and ending alphanumeric.
bool is_qualified_name(std::string_view s);
// Contains "/", not "kubernetes.io/", not "requests."-prefixed, and "requests.<name>" is qualified.
bool is_extended_resource_name(std::string_view name);
// Extended, hugepages-*, attachable-volumes-*, or prefixed native (contains "kubernetes.io/").
bool is_scalar_resource_name(std::string_view name);

// One resource of a node as the resource-allocation scorers see it (upstream
// resource_allocation.go calculateResourceAllocatableRequest): the node's allocatable and what
// is requested on it including the incoming pod. With use_requested false, cpu and memory count
// the non-zero defaults (NodeResourcesFit); with true, the plain requests (BalancedAllocation).
// {0, 0} means "leave this resource out": a scalar resource the pod does not request, one the
// node does not have, or a node without its object.
struct allocatable_and_requested {
    std::int64_t allocatable = 0;
    std::int64_t requested = 0;
};
allocatable_and_requested resource_on_node(const framework::node_info& node,
                                           std::string_view resource, std::int64_t pod_request,
                                           bool use_requested);

}  // namespace multisched::plugins::helper
