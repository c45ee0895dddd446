// SPDX-License-Identifier: Apache-2.0
// Resource-name classification as k8s.io/kubernetes pkg/apis/core/v1/helper and
// pkg/scheduler/util: which names are extended, scalar (extended, hugepages-*,
// attachable-volumes-*, *kubernetes.io/*), and the qualified-name rule
// (metav1validation.ValidateLabelName).
#pragma once

#include <string_view>

namespace multisched::plugins::helper {

// [prefix/]name where prefix is a DNS-1123 subdomain (<= 253) and name is <= 63 characters of
// [A-Za-z0-9._-], starting and ending alphanumeric.
bool is_qualified_name(std::string_view s);
// Contains "/", not "kubernetes.io/", not "requests."-prefixed, and "requests.<name>" is qualified.
bool is_extended_resource_name(std::string_view name);
// Extended, hugepages-*, attachable-volumes-*, or prefixed native (contains "kubernetes.io/").
bool is_scalar_resource_name(std::string_view name);

}  // namespace multisched::plugins::helper
