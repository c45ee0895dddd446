// SPDX-License-Identifier: Apache-2.0
// For the admission tests: rules decoded from the `rules:` list of a file (the header is added
// here); the test fails when they do not decode.
#pragma once

#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "core/admission/rules.hpp"

namespace multisched::admission::test_util {

inline routing_rules rules_of(const std::string& list) {
    auto d = decode_rules_detailed(
        "apiVersion: multisched.io/v1alpha1\nkind: ProfileRouting\nrules:\n" + list);
    INFO(config::format_errors("rules", d.errors));
    REQUIRE(d.errors.empty());
    return std::move(d.rules);
}

}  // namespace multisched::admission::test_util
