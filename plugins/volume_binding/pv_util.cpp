// SPDX-License-Identifier: Apache-2.0
#include "plugins/volume_binding/pv_util.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/api/selectors.hpp"

namespace multisched::plugins::volume_binding {
namespace {

bool is_default_class(const api::storage_class& sc) {
    for (const auto key : {kIsDefaultClassAnnotation, kBetaIsDefaultClassAnnotation}) {
        if (const std::string* v = sc.annotations.find(key); v != nullptr && *v == "true") {
            return true;
        }
    }
    return false;
}

bool is_empty(const api::node_selector_term& t) {
    return t.match_expressions.empty() && t.match_fields.empty();
}

}  // namespace

std::string default_class_name(const cache::object_store<api::storage_class>& classes) {
    const api::storage_class* best = nullptr;
    for (const auto& [name, sc] : classes.items()) {
        if (!is_default_class(*sc)) {
            continue;
        }
        // Newest first; the map is ordered by name, so the first of equal timestamps wins.
        if (best == nullptr || sc->meta.creation_timestamp > best->meta.creation_timestamp) {
            best = sc.get();
        }
    }
    return best == nullptr ? std::string() : best->meta.name;
}

std::string claim_class(const api::persistent_volume_claim& c, std::string_view default_class) {
    if (const std::string* beta = c.annotations.find(kBetaStorageClassAnnotation)) {
        return *beta;
    }
    if (c.storage_class_name) {
        return *c.storage_class_name;
    }
    return std::string(default_class);
}

std::string volume_class(const api::persistent_volume& pv) {
    if (const std::string* beta = pv.annotations.find(kBetaStorageClassAnnotation)) {
        return *beta;
    }
    return pv.storage_class_name;
}

bool is_pvc_fully_bound(const api::persistent_volume_claim& c) {
    return !c.volume_name.empty() && c.annotations.contains(api::kAnnBindCompleted);
}

bool is_volume_bound_to_claim(const api::persistent_volume& pv,
                              const api::persistent_volume_claim& c) {
    if (!pv.claim_ref) {
        return false;
    }
    const auto& ref = *pv.claim_ref;
    if (ref.name != c.meta.name || ref.ns != c.meta.ns) {
        return false;
    }
    return ref.uid.empty() || ref.uid == c.meta.uid;
}

bool volume_mode_mismatch(const api::persistent_volume_claim& c, const api::persistent_volume& pv) {
    const std::string_view want = c.volume_mode.empty() ? kFilesystem : c.volume_mode;
    const std::string_view have = pv.volume_mode.empty() ? kFilesystem : pv.volume_mode;
    return want != have;
}

bool access_modes_satisfied(const api::persistent_volume_claim& c,
                            const api::persistent_volume& pv) {
    return std::all_of(c.access_modes.begin(), c.access_modes.end(), [&](const std::string& m) {
        return std::find(pv.access_modes.begin(), pv.access_modes.end(), m) !=
               pv.access_modes.end();
    });
}

bool topology_matches(const std::vector<api::node_selector_term>& terms,
                      const api::label_map& labels) {
    if (terms.empty()) {
        return true;
    }
    return std::any_of(terms.begin(), terms.end(), [&](const api::node_selector_term& t) {
        // An empty term selects nothing; an invalid requirement fails its term.
        return !t.match_expressions.empty() &&
               std::all_of(t.match_expressions.begin(), t.match_expressions.end(),
                           [&](const auto& r) { return api::matches(r, labels); });
    });
}

volume_affinity::volume_affinity(
    const std::optional<std::vector<api::node_selector_term>>& required) {
    if (!required) {
        return;
    }
    any_node_ = false;
    for (const auto& t : *required) {
        if (!is_empty(t) && api::term_errors(t, "").empty()) {
            terms_.push_back(t);
        }
    }
}

bool volume_affinity::matches(const api::label_map& node_labels) const {
    if (any_node_) {
        return true;
    }
    return std::any_of(terms_.begin(), terms_.end(), [&](const api::node_selector_term& t) {
        return std::all_of(t.match_expressions.begin(), t.match_expressions.end(),
                           [&](const auto& r) { return api::matches_valid(r, node_labels); });
    });
}

result<std::shared_ptr<const api::persistent_volume>> find_matching_volume(
    const api::persistent_volume_claim& claim, std::string_view claim_class,
    std::span<const candidate_pv> pvs, const api::label_map& node_labels,
    const std::set<std::string, std::less<>>& excluded) {
    if (claim.selector) {
        if (auto errs = api::label_selector_errors(*claim.selector, "selector"); !errs.empty()) {
            return error{{},
                         fmt::format("error creating internal label selector for claim: {}/{}: {}",
                                     claim.meta.ns, claim.meta.name, errs.front())};
        }
    }
    const candidate_pv* smallest = nullptr;
    for (const auto& c : pvs) {
        const api::persistent_volume& pv = *c.pv;
        if (excluded.contains(pv.meta.name)) {
            continue;
        }
        const bool bound_to_claim = is_volume_bound_to_claim(pv, claim);
        if ((pv.claim_ref && !bound_to_claim) || pv.capacity < claim.storage_request ||
            volume_mode_mismatch(claim, pv) || pv.meta.deleting) {
            continue;
        }
        const bool node_ok = c.affinity.matches(node_labels);
        if (bound_to_claim) {
            // A volume pre-bound to the claim is the only candidate for it.
            return node_ok ? c.pv : nullptr;
        }
        if (pv.phase != kVolumeAvailable ||
            (claim.selector && !api::matches_valid(*claim.selector, pv.meta.labels)) ||
            volume_class(pv) != claim_class || !node_ok || !access_modes_satisfied(claim, pv)) {
            continue;
        }
        if (smallest == nullptr || smallest->pv->capacity > pv.capacity) {
            smallest = &c;
        }
    }
    return smallest == nullptr ? nullptr : smallest->pv;
}

std::pair<std::shared_ptr<const api::persistent_volume>, bool> bind_volume_to_claim(
    const api::persistent_volume& pv, const api::persistent_volume_claim& claim) {
    auto out = std::make_shared<api::persistent_volume>(pv);
    bool dirty = false;
    const bool set_bound_by_controller = !is_volume_bound_to_claim(pv, claim);
    const api::object_reference want{claim.meta.ns, claim.meta.name, claim.meta.uid};
    if (!pv.claim_ref || !(*pv.claim_ref == want)) {
        out->claim_ref = want;
        dirty = true;
    }
    if (set_bound_by_controller && !out->annotations.contains(api::kAnnBoundByController)) {
        out->annotations.set(std::string(api::kAnnBoundByController), "yes");
        dirty = true;
    }
    return {std::move(out), dirty};
}

std::optional<std::uint64_t> parse_resource_version(std::string_view rv) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), v);
    if (ec != std::errc() || end != rv.data() + rv.size() || rv.empty()) {
        return std::nullopt;
    }
    return v;
}

}  // namespace multisched::plugins::volume_binding
