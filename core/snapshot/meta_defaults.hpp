// SPDX-License-Identifier: Apache-2.0
// Internal to core/snapshot: a snapshot item's JSON with the metadata defaults the loader fills in
// (uid, namespace) written into it.
#pragma once

#include <string>

#include "core/json/json.hpp"

namespace multisched::snapshot::detail {

// Defaults for an object's metadata: each one, when non-empty, replaces the member.
struct meta_defaults {
    std::string uid;
    std::string ns;  // metadata.namespace
};

// `obj` (an object whose metadata is an object) rewritten as JSON text with `defaults` set in its
// metadata; every other member is copied unchanged (numbers beyond int64 as doubles).
std::string with_meta_defaults(json::value obj, const meta_defaults& defaults);

}  // namespace multisched::snapshot::detail
