// SPDX-License-Identifier: Apache-2.0
// Which profile a new pod goes to: the first rule of a ProfileRouting file (rules.hpp) whose
// match holds decides. Pure and synchronous; the caller supplies the namespace's labels.
//
// Order of decisions:
//   1. A pod in kube-system is never touched (before any rule).
//   2. The first rule whose match holds is the matched rule; none: the pod is left alone.
//   3. An empty spec.schedulerName and "default-scheduler" both count as unset (the apiserver
//      defaults the field before mutating admission runs). A pod that names another scheduler is
//      left alone unless the matched rule has override: true.
//   4. No change when the rule's schedulerName is the pod's already.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/admission/rules.hpp"
#include "core/api/types.hpp"

namespace multisched::admission {

inline constexpr std::string_view kSystemNamespace = "kube-system";

struct route_decision {
    // The value to set spec.schedulerName to; nullopt: leave the pod alone.
    std::optional<std::string> scheduler_name;
    // The name of the matched rule; empty when no rule matched (or kube-system).
    std::string rule;
    // One line for logs: why the pod was routed or left alone.
    std::string reason;
};

// Whether `m` holds for `pod` (namespace: pod.meta.ns). `namespace_labels` nullptr means the
// namespace's labels are unknown: a namespaceSelector then does not hold. `limited_resources`
// names the resources with a non-zero limit in some container or init container (api::pod keeps
// requests only; the apiserver copies a limit into a missing request before admission, so this
// matters only for a request set explicitly to zero).
bool matches(const rule_match& m, const api::pod& pod, const api::label_map* namespace_labels,
             std::span<const std::string> limited_resources = {});

// The decision for `pod` (see the order above). Selectors are evaluated with validation, so
// rules built in code with invalid selectors simply do not match.
route_decision route(const routing_rules& rules, const api::pod& pod,
                     const api::label_map* namespace_labels,
                     std::span<const std::string> limited_resources = {});

}  // namespace multisched::admission
