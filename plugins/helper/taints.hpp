// SPDX-License-Identifier: Apache-2.0
// Toleration matching shared by plugins that look at taints (NodeUnschedulable, TaintToleration).
// Same rules as k8s.io/api core/v1 Toleration.ToleratesTaint.
#pragma once

#include <span>

#include "core/api/types.hpp"

namespace multisched::plugins::helper {

// Whether `t` tolerates `taint`: an empty effect matches every effect, an empty key matches every
// key, operator Exists ignores the value, Equal ("" included) compares it, any other operator
// never matches.
bool tolerates_taint(const api::toleration& t, const api::taint& taint);

// Whether any of `tolerations` tolerates `taint`.
bool tolerations_tolerate_taint(std::span<const api::toleration> tolerations,
                                const api::taint& taint);

}  // namespace multisched::plugins::helper
