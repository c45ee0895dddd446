// SPDX-License-Identifier: Apache-2.0
// Fuzz target: label and node selectors as pods carry them. The input is a Pod (JSON); every
// selector it holds (node affinity terms, pod (anti-)affinity terms and their namespace
// selectors, topology spread constraints, nodeSelector) is validated and, when valid, matched
// against the pod's own labels and a node labelled like the pod and named like it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/api/decode.hpp"
#include "core/api/selectors.hpp"
#include "core/json/json.hpp"

namespace {

namespace api = multisched::api;

void exercise(const api::label_selector& s, const api::label_map& labels) {
    if (api::label_selector_errors(s, "labelSelector").empty()) {
        (void)api::matches_valid(s, labels);
    }
    (void)api::matches(s, labels);
}

void exercise(const std::optional<api::pod_affinity>& a, const api::label_map& labels) {
    if (!a) {
        return;
    }
    auto term = [&](const api::pod_affinity_term& t) {
        if (t.selector) {
            exercise(*t.selector, labels);
        }
        if (t.namespace_selector) {
            exercise(*t.namespace_selector, labels);
        }
    };
    for (const auto& t : a->required) {
        term(t);
    }
    for (const auto& w : a->preferred) {
        term(w.term);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto doc = multisched::json::document::parse(
        std::string_view(reinterpret_cast<const char*>(data), size));
    if (!doc) {
        return 0;
    }
    auto pod = api::decode_pod(doc->root());
    if (!pod) {
        return 0;
    }
    const api::label_map& labels = pod->meta.labels;
    api::node node;
    node.meta.name = pod->meta.name;
    node.meta.labels = labels;
    if (pod->node_affinity) {
        auto term = [&](const api::node_selector_term& t) {
            if (api::term_errors(t, "term").empty()) {
                (void)api::matches(t, node);
            }
        };
        if (pod->node_affinity->required) {
            for (const auto& t : *pod->node_affinity->required) {
                term(t);
            }
        }
        for (const auto& p : pod->node_affinity->preferred) {
            term(p.preference);
        }
    }
    exercise(pod->affinity, labels);
    exercise(pod->anti_affinity, labels);
    for (const auto& c : pod->topology_spread_constraints) {
        if (c.selector) {
            exercise(*c.selector, labels);
        }
    }
    (void)api::matches_node_selector(pod->node_selector, labels);
    return 0;
}
