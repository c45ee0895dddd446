// SPDX-License-Identifier: Apache-2.0
#include "core/framework/memo_keys.hpp"

#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::framework {
namespace {

TEST_CASE("memo_keys.equal_texts_share_a_key_and_keys_are_never_reused") {
    memo_keys a;
    memo_keys b;
    const auto ka = a.key("x");
    CHECK(a.key("x") == ka);
    CHECK(a.key("y") != ka);
    CHECK(b.key("x") != ka);  // another table: its own keys
    CHECK(ka != 0);

    // Past kMaxTexts the table starts afresh; the old texts get new keys, never old ones.
    std::set<std::uint64_t> seen{ka, a.key("y")};
    for (std::size_t i = 0; i < memo_keys::kMaxTexts + 10; ++i) {
        CHECK(seen.insert(a.key("t" + std::to_string(i))).second);
    }
    CHECK(a.size() <= memo_keys::kMaxTexts);
    CHECK(seen.insert(a.key("x")).second);
}

TEST_CASE("memo_keys.selector_texts_tell_selectors_apart") {
    using multisched::testing::selector_exists;
    using multisched::testing::selector_labels;
    const auto text = [](const api::label_selector& s) {
        std::string out;
        append_selector_text(out, s);
        return out;
    };
    api::label_selector in_b;
    in_b.match_expressions.push_back({"a", "In", {"b"}});
    api::label_selector in_b_c;
    in_b_c.match_expressions.push_back({"a", "In", {"b", "c"}});
    api::label_selector in_bc;
    in_bc.match_expressions.push_back({"a", "In", {"bc"}});
    api::label_selector two;
    two.match_expressions.push_back({"a", "In", {"b"}});
    two.match_expressions.push_back({"c", "Exists", {}});
    const std::vector<api::label_selector> distinct = {
        {},
        selector_labels({{"a", "b"}}),
        selector_labels({{"a", "bc"}}),
        selector_labels({{"ab", "c"}}),
        selector_labels({{"a", "b"}, {"c", "d"}}),
        selector_exists("a"),
        in_b,
        in_b_c,
        in_bc,
        two,
    };
    std::set<std::string> texts;
    for (const auto& s : distinct) {
        CHECK(texts.insert(text(s)).second);
    }
    CHECK(text(selector_labels({{"a", "b"}})) == text(selector_labels({{"a", "b"}})));

    std::string labels_ab_c;
    append_labels_text(labels_ab_c, api::label_map::from_pairs({{"ab", "c"}}));
    std::string labels_a_bc;
    append_labels_text(labels_a_bc, api::label_map::from_pairs({{"a", "bc"}}));
    CHECK(labels_ab_c != labels_a_bc);
}

}  // namespace
}  // namespace multisched::framework
