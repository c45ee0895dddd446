// SPDX-License-Identifier: Apache-2.0
// Profile routing rules: which scheduler profile a new pod is sent to, decided by the mutating
// admission webhook (review.hpp) from an ordered list of rules in a small YAML file. This header
// owns the file format, its strict decoding (every error collected, each naming its field path
// and line) and the check against the profiles this scheduler serves. Pure: no I/O.
//
// The file (one YAML document):
//
//   apiVersion: multisched.io/v1alpha1      # required, exactly this
//   kind: ProfileRouting                    # required, exactly this
//   rules:                                  # optional; absent or null = no rules (route nothing)
//   - name: gpu-jobs                        # required, non-empty, unique (logs and errors)
//     schedulerName: gang-scheduler         # required: the profile pods are routed to
//     override: false                       # default false: a pod that already names a
//                                           #   scheduler other than default-scheduler is kept
//     match:                                # optional; absent or {} matches every pod
//       namespaces: [ml, research]          # pod namespace is one of these (RFC 1123 labels)
//       namespaceSelector: {matchLabels: {team: ml}, matchExpressions: [...]}
//       podSelector: {matchLabels: {...}, matchExpressions: [...]}
//       resources: [nvidia.com/gpu]         # some container or init container requests or
//                                           #   limits one of these (non-zero amount)
//       priorityClassNames: [batch-low]     # spec.priorityClassName is one of these
//
// Conditions given in `match` are ANDed; the entries of a list are ORed. A given list must not be
// empty (it would match nothing: omit the field instead). Selectors are metav1.LabelSelector
// (operators In, NotIn, Exists, DoesNotExist); an empty selector {} matches everything and a
// namespaceSelector never matches when the namespace's labels are unknown. Rules are tried in
// order and the first whose match holds decides (route.hpp); later rules are not consulted even
// when the first one leaves the pod alone.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/types.hpp"
#include "core/config/config.hpp"
#include "core/util/result.hpp"

namespace multisched::admission {

inline constexpr std::string_view kRulesApiVersion = "multisched.io/v1alpha1";
inline constexpr std::string_view kRulesKind = "ProfileRouting";
// Rules files larger than this are refused before parsing.
inline constexpr std::size_t kMaxRulesFileBytes = 1024 * 1024;

// The `match` block. Empty vectors and nullopt selectors are "not given" (no constraint).
struct rule_match {
    std::vector<std::string> namespaces;
    std::optional<api::label_selector> namespace_selector;
    std::optional<api::label_selector> pod_selector;
    std::vector<std::string> resources;
    std::vector<std::string> priority_class_names;
    bool operator==(const rule_match&) const = default;
};

struct routing_rule {
    std::string name;
    std::string scheduler_name;
    bool override_existing = false;  // `override` in the file
    rule_match match;
    // Position of the rule's schedulerName value (for validate()); zeros when built in code.
    config::field_origin scheduler_name_origin;
};

struct routing_rules {
    std::vector<routing_rule> rules;
    // True if some rule has a namespaceSelector: the caller must look up namespace labels.
    bool uses_namespace_labels() const;
};

// One decoding or validation error: {origin (1-based line:column), path, detail}. The path is a
// field path as in "rules[2].match.podSelector.matchExpressions[0].operator".
using rule_error = config::field_error;

// The outcome of decoding: `rules` is meaningful only when `errors` is empty. Errors come in file
// order, except that a rule's missing fields follow its other errors and duplicate names come
// last.
struct decoded_rules {
    routing_rules rules;
    std::vector<rule_error> errors;
};

// Decodes the bytes of a rules file. Never throws. Errors: malformed YAML, more than one
// document, an empty file, wrong apiVersion/kind, unknown or duplicate fields, wrong types,
// missing required fields, empty lists, invalid namespace names, invalid label selectors,
// duplicate rule names.
decoded_rules decode_rules_detailed(std::string_view yaml_text);

// The same as a result: the error message has one line per error,
// "<source_name>:<line>:<column>: <path>: <detail>" (see config::format_errors).
result<routing_rules> decode_rules(std::string_view yaml_text, std::string_view source_name);

// Rules naming a profile this scheduler does not serve, as
//   rules[0].schedulerName: Unsupported value: "gang": not a profile of this scheduler; served: a,
//   b
// Empty when every rule routes to a served profile.
std::vector<rule_error> validate(const routing_rules& rules,
                                 const std::set<std::string>& served_profiles);

// validate() folded into a result; the message is config::format_errors(source_name, errors).
result<void> validate_rules(const routing_rules& rules,
                            const std::set<std::string>& served_profiles,
                            std::string_view source_name);

}  // namespace multisched::admission
