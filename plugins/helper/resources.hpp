// SPDX-License-Identifier: Apache-2.0
// Resource-name classification as k8s.io/kubernetes pkg/apis/core/v1/helper and
// pkg/scheduler/util: which names are extended, scalar (extended, hugepages-*,
// attachable-volumes-*, *kubernetes.io/*), and the qualified-name rule
// (metav1validation.ValidateLabelName).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

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

// Two zeroed int64 arrays of `n` entries (requested, allocatable per scored resource) for the
// resource-allocation scorers: on the stack up to kInline resources, on the heap beyond, so that
// scoring one node allocates nothing in the usual cpu+memory case.
class resource_scratch {
  public:
    static constexpr std::size_t kInline = 8;

    explicit resource_scratch(std::size_t n) : n_(n) {
        if (n > kInline) {
            heap_.assign(2 * n, 0);
        }
    }
    std::span<std::int64_t> requested() { return {data(), n_}; }
    std::span<std::int64_t> allocatable() { return {data() + n_, n_}; }

  private:
    std::int64_t* data() { return n_ > kInline ? heap_.data() : inline_.data(); }

    std::size_t n_;
    std::array<std::int64_t, 2 * kInline> inline_{};
    std::vector<std::int64_t> heap_;
};

}  // namespace multisched::plugins::helper
