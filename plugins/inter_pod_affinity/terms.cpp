// SPDX-License-Identifier: Apache-2.0
#include "plugins/inter_pod_affinity/terms.hpp"

#include <algorithm>
#include <optional>

#include "core/api/selectors.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

bool is_empty(const api::label_selector& s) {
    return s.match_labels.empty() && s.match_expressions.empty();
}

bool in_namespaces(const framework::affinity_term& t, const std::string& ns) {
    return std::find(t.namespaces.begin(), t.namespaces.end(), ns) != t.namespaces.end();
}

bool selects_pod(const framework::affinity_term& t, const api::pod& p) {
    return t.selector != nullptr && api::matches_valid(*t.selector, p.meta.labels);
}

const api::pod_affinity_term& term_of(const api::pod_affinity_term& t) {
    return t;
}
const api::pod_affinity_term& term_of(const api::weighted_pod_affinity_term& w) {
    return w.term;
}

// Whether make_pod_info dropped a selector the API object carries (it keeps the terms in order
// and nulls invalid selectors): the allocation-free check before looking for the message.
template <class Raw>
bool any_dropped(const std::vector<Raw>& raw, const std::vector<framework::affinity_term>& parsed) {
    for (std::size_t i = 0; i < raw.size() && i < parsed.size(); ++i) {
        const api::pod_affinity_term& t = term_of(raw[i]);
        if ((t.selector && parsed[i].selector == nullptr) ||
            (t.namespace_selector && parsed[i].namespace_selector == nullptr)) {
            return true;
        }
    }
    return false;
}

// The first selector error of `raw` (upstream getAffinityTerms stops at the first).
template <class Raw>
std::optional<std::string> first_error(const std::vector<Raw>& raw) {
    for (const auto& r : raw) {
        const api::pod_affinity_term& t = term_of(r);
        if (t.selector) {
            if (auto errs = api::label_selector_errors(*t.selector, "labelSelector");
                !errs.empty()) {
                return errs.front();
            }
        }
        if (t.namespace_selector) {
            if (auto errs = api::label_selector_errors(*t.namespace_selector, "namespaceSelector");
                !errs.empty()) {
                return errs.front();
            }
        }
    }
    return std::nullopt;
}

template <class Raw>
void check_group(std::vector<std::string>& errs, std::string_view name, const std::vector<Raw>& raw,
                 const std::vector<framework::affinity_term>& parsed) {
    if (!any_dropped(raw, parsed)) {
        return;
    }
    if (auto e = first_error(raw)) {
        errs.push_back(std::string(name) + ": " + *e);
    }
}

}  // namespace

const api::label_map* namespace_cache::labels(std::string_view ns) {
    if (auto it = cache_.find(ns); it != cache_.end()) {
        return it->second;
    }
    const api::label_map* l = handle_.namespace_labels(ns);
    cache_.emplace(ns, l);
    return l;
}

bool matches_incoming(const framework::affinity_term& t, const api::pod& incoming,
                      const api::label_map& ns_labels) {
    const bool in_ns =
        in_namespaces(t, incoming.meta.ns) ||
        (t.namespace_selector != nullptr && api::matches_valid(*t.namespace_selector, ns_labels));
    return in_ns && selects_pod(t, incoming);
}

bool matches_other(const framework::affinity_term& t, const api::pod& other, namespace_cache& ns) {
    bool in_ns = in_namespaces(t, other.meta.ns);
    if (!in_ns && t.namespace_selector != nullptr) {
        if (is_empty(*t.namespace_selector)) {
            in_ns = true;
        } else {
            const api::label_map* labels = ns.labels(other.meta.ns);
            in_ns = labels != nullptr && api::matches_valid(*t.namespace_selector, *labels);
        }
    }
    return in_ns && selects_pod(t, other);
}

bool matches_all(const std::vector<framework::affinity_term>& terms, const api::pod& other,
                 namespace_cache& ns) {
    if (terms.empty()) {
        return false;
    }
    return std::all_of(terms.begin(), terms.end(),
                       [&](const auto& t) { return matches_other(t, other, ns); });
}

std::uint64_t pod_counter::key(std::span<const framework::affinity_term> terms, bool all) {
    text_.assign(all ? "InterPodAffinity/all\x1d" : "InterPodAffinity/one\x1d");
    for (const auto& t : terms) {
        for (const auto& n : t.namespaces) {
            text_.append(n).push_back('\x1f');
        }
        text_.push_back('\x1e');
        if (t.namespace_selector == nullptr) {
            text_.push_back('-');
        } else if (is_empty(*t.namespace_selector)) {
            text_.push_back('*');  // every namespace
        } else {
            return 0;
        }
        if (t.selector == nullptr) {
            text_.push_back('-');  // matches no pod
        } else {
            text_.push_back('s');
            framework::append_selector_text(text_, *t.selector);
        }
        text_.push_back('\x1d');
    }
    return keys_.key(text_);
}

std::string parse_error(const framework::pod_info& pi) {
    const api::pod& pod = *pi.pod;
    std::vector<std::string> errs;
    if (pod.affinity) {
        check_group(errs, "requiredAffinityTerms", pod.affinity->required, pi.required_affinity);
    }
    if (pod.anti_affinity) {
        check_group(errs, "requiredAntiAffinityTerms", pod.anti_affinity->required,
                    pi.required_anti_affinity);
    }
    if (pod.affinity) {
        check_group(errs, "preferredAffinityTerms", pod.affinity->preferred, pi.preferred_affinity);
    }
    if (pod.anti_affinity) {
        check_group(errs, "preferredAntiAffinityTerms", pod.anti_affinity->preferred,
                    pi.preferred_anti_affinity);
    }
    if (errs.size() <= 1) {
        return errs.empty() ? std::string() : errs.front();
    }
    // utilerrors.NewAggregate(...).Error(): "[a, b]".
    std::string out = "[";
    for (std::size_t i = 0; i < errs.size(); ++i) {
        out += (i == 0 ? "" : ", ") + errs[i];
    }
    return out + "]";
}

}  // namespace multisched::plugins::inter_pod_affinity
