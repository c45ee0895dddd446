// SPDX-License-Identifier: Apache-2.0
// Matching pod (anti-)affinity terms the way InterPodAffinity does (upstream AffinityTerm.Matches
// and mergeAffinityTermNamespacesIfNotEmpty), and the parse errors NewPodInfo reports for the
// incoming pod.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "core/api/types.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/memo_keys.hpp"
#include "core/framework/node_info.hpp"
#include "plugins/inter_pod_affinity/topology_counts.hpp"

namespace multisched::plugins::inter_pod_affinity {

// Namespace labels looked up once per namespace (upstream lists namespaces once per cycle).
// Keys are views into the pods being matched: use within one call only.
class namespace_cache {
  public:
    explicit namespace_cache(const framework::handle& h) : handle_(h) {}
    // The labels of `ns`; null when the namespace is unknown.
    const api::label_map* labels(std::string_view ns);

  private:
    const framework::handle& handle_;
    boost::unordered_flat_map<std::string_view, const api::label_map*, string_hash, std::equal_to<>>
        cache_;
};

// An existing pod's term against the incoming pod (upstream t.Matches(pod, nsLabels)):
// `ns_labels` are the incoming pod's namespace labels, empty when the namespace is unknown.
bool matches_incoming(const framework::affinity_term& t, const api::pod& incoming,
                      const api::label_map& ns_labels);

// The incoming pod's term against another pod. Upstream first turns a non-empty
// namespaceSelector into the names of the namespaces it selects: such a selector matches pods in
// known namespaces only; an empty selector ({}) keeps matching every namespace.
bool matches_other(const framework::affinity_term& t, const api::pod& other, namespace_cache& ns);

// upstream podMatchesAllAffinityTerms for the incoming pod's terms: false when `terms` is empty.
bool matches_all(const std::vector<framework::affinity_term>& terms, const api::pod& other,
                 namespace_cache& ns);

// Counting the pods of a node that the incoming pod's terms match, remembered per node
// (node_info::remember) so that a cycle recounts only the nodes that changed.
class pod_counter {
  public:
    // The memo key of `terms` matched together (matches_all; `all` true) or of one term; 0 when
    // a term has a non-empty namespaceSelector, whose matches also depend on namespace labels.
    std::uint64_t key(std::span<const framework::affinity_term> terms, bool all);
    // How many of `node`'s pods `match` accepts; through the node's memo when `key` is not 0.
    template <class Match>
    static std::int64_t count(const framework::node_info& node, std::uint64_t key, Match&& match) {
        if (key != 0) {
            if (const std::int64_t* known = node.recall(key)) {
                return *known;
            }
        }
        std::int64_t n = 0;
        for (const auto& p : node.pods()) {
            if (match(*p->pod)) {
                ++n;
            }
        }
        if (key != 0) {
            node.remember(key, n);
        }
        return n;
    }

  private:
    framework::memo_keys keys_;
    std::string text_;  // reused buffer
};

// The errors upstream NewPodInfo reports for invalid labelSelector / namespaceSelector in the
// pod's (anti-)affinity, e.g. "requiredAffinityTerms: labelSelector.matchExpressions[0].
// values[0]: Invalid value: ..."; several groups are joined as "[a, b]". Empty when valid.
std::string parse_error(const framework::pod_info& pod);

}  // namespace multisched::plugins::inter_pod_affinity
