// SPDX-License-Identifier: Apache-2.0
// Node selectors as kube-scheduler evaluates them (component-helpers/scheduling/corev1/
// nodeaffinity and apimachinery labels.Requirement, v1.30): terms are ORed, requirements within a
// term are ANDed, matchFields know only metadata.name. Invalid terms are kept with their errors
// and match nothing (upstream's lazy-error NodeSelector), so one bad term never fails a pod.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/types.hpp"

namespace multisched::api {

inline constexpr std::string_view kObjectNameField = "metadata.name";

// The errors of one label requirement (labels.NewRequirement) or field requirement
// (nodeSelectorRequirementsAsFieldSelector), each prefixed with `path`; empty when valid.
std::vector<std::string> label_requirement_errors(const node_selector_requirement& r,
                                                  std::string_view path);
std::vector<std::string> field_requirement_errors(const node_selector_requirement& r,
                                                  std::string_view path);
// The errors of a term's requirements, under `path` ("nodeSelectorTerms[0]").
std::vector<std::string> term_errors(const node_selector_term& t, std::string_view path);

// labels.Requirement.Matches. Lenient: an invalid requirement (bad operator, wrong value count,
// a non-integer Gt/Lt bound) matches nothing. Gt/Lt also fail when the label is not an integer.
bool matches(const node_selector_requirement& r, const label_map& labels);
// The same for a requirement already known to be valid (no validation on the hot path).
bool matches_valid(const node_selector_requirement& r, const label_map& labels);
// A metadata.name field requirement (In/NotIn with one value) against a node name; an empty
// `node_name` means "no fields", which upstream lets every field requirement pass.
bool matches_field(const node_selector_requirement& r, std::string_view node_name);
// A term against a node: false if the term is empty or invalid, else all requirements hold.
bool matches(const node_selector_term& t, const node& n);
// A pod's nodeSelector: every label must be present with an equal value.
bool matches_node_selector(const label_map& selector, const label_map& labels);

// metav1.LabelSelectorAsSelector's errors, under `path`: matchLabels must be valid label
// key/values and matchExpressions may use only In, NotIn, Exists and DoesNotExist.
std::vector<std::string> label_selector_errors(const label_selector& s, std::string_view path);
// labels.Selector.Matches for a selector known to be valid: every matchLabels pair and every
// expression holds. An empty selector matches everything.
bool matches_valid(const label_selector& s, const label_map& labels);
// The same with validation; an invalid selector matches nothing.
bool matches(const label_selector& s, const label_map& labels);

// upstream nodeaffinity.NodeSelector: the terms of one required selector, checked once.
class node_selector {
  public:
    // `path` prefixes the errors, e.g. "requiredDuringSchedulingIgnoredDuringExecution".
    explicit node_selector(const std::vector<node_selector_term>& terms,
                           std::string_view path = {});
    // True if any valid term matches `n`. Empty and invalid terms are skipped.
    bool matches(const node& n) const;
    // Parse errors of invalid terms (NewNodeSelector fails on these; Match ignores them).
    const std::vector<std::string>& errors() const { return errors_; }

  private:
    std::vector<node_selector_term> terms_;  // valid, non-empty
    std::vector<std::string> errors_;
};

// upstream nodeaffinity.PreferredSchedulingTerms: terms with weight 0 or no requirements are
// dropped; invalid terms are errors (NewPreferredSchedulingTerms fails) and are not scored.
class preferred_terms {
  public:
    explicit preferred_terms(const std::vector<preferred_scheduling_term>& terms,
                             std::string_view path = {});
    // The sum of the weights of the terms that match `n`.
    std::int64_t score(const node& n) const;
    const std::vector<std::string>& errors() const { return errors_; }
    bool empty() const { return terms_.empty(); }

  private:
    std::vector<preferred_scheduling_term> terms_;
    std::vector<std::string> errors_;
};

}  // namespace multisched::api
