// SPDX-License-Identifier: Apache-2.0
// The metadata rewrite of snapshot items.
#include "core/snapshot/meta_defaults.hpp"

#include <catch2/catch.hpp>

namespace multisched::snapshot::detail {
namespace {

TEST_CASE("snapshot.with_meta_defaults") {
    auto doc = json::document::parse(
        R"({"kind":"Pod","metadata":{"name":"a","uid":"","labels":{"x":"1"}},)"
        R"("spec":{"priority":5,"f":0.25,"big":18446744073709551615,"n":null,"b":false}})");
    REQUIRE(doc.has_value());
    meta_defaults both;
    both.uid = "u";
    both.ns = "default";
    CHECK(with_meta_defaults(doc->root(), both) ==
          R"({"kind":"Pod","metadata":{"name":"a","labels":{"x":"1"},"uid":"u",)"
          R"("namespace":"default"},"spec":{"priority":5,"f":0.25,)"
          R"("big":18446744073709553000.0,"n":null,"b":false}})");
    meta_defaults none;
    CHECK(with_meta_defaults(doc->root(), none) ==
          R"({"kind":"Pod","metadata":{"name":"a","uid":"","labels":{"x":"1"}},)"
          R"("spec":{"priority":5,"f":0.25,"big":18446744073709553000.0,"n":null,"b":false}})");
}

}  // namespace
}  // namespace multisched::snapshot::detail
