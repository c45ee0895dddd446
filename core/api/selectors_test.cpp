// SPDX-License-Identifier: Apache-2.0
// After apimachinery labels/selector_test.go (Requirement.Matches) and component-helpers
// nodeaffinity_test.go (TestNodeSelectorMatch, TestPreferredSchedulingTermsScore), as tables.
#include "core/api/selectors.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace multisched::api {
namespace {

label_map labels(std::initializer_list<std::pair<std::string, std::string>> items) {
    label_map m;
    for (const auto& [k, v] : items) {
        m.set(k, v);
    }
    return m;
}

node make_node(std::string name, label_map l) {
    node n;
    n.meta.name = std::move(name);
    n.meta.labels = std::move(l);
    return n;
}

TEST_CASE("selectors.requirement_matches") {
    struct test_case {
        std::string name;
        node_selector_requirement req;
        bool want;
    };
    const auto l = labels({{"zone", "a"}, {"size", "10"}, {"name", "x"}});
    const std::vector<test_case> cases = {
        {"In matches", {"zone", "In", {"b", "a"}}, true},
        {"In does not match another value", {"zone", "In", {"b"}}, false},
        {"In needs the label", {"region", "In", {"a"}}, false},
        {"NotIn with another value", {"zone", "NotIn", {"b"}}, true},
        {"NotIn with the value", {"zone", "NotIn", {"a"}}, false},
        {"NotIn without the label", {"region", "NotIn", {"a"}}, true},
        {"Exists", {"zone", "Exists", {}}, true},
        {"Exists without the label", {"region", "Exists", {}}, false},
        {"DoesNotExist", {"region", "DoesNotExist", {}}, true},
        {"DoesNotExist with the label", {"zone", "DoesNotExist", {}}, false},
        {"Gt greater", {"size", "Gt", {"9"}}, true},
        {"Gt equal", {"size", "Gt", {"10"}}, false},
        {"Lt less", {"size", "Lt", {"11"}}, true},
        {"Lt equal", {"size", "Lt", {"10"}}, false},
        {"Gt with leading zeros", {"size", "Gt", {"0009"}}, true},
        // A sign makes the bound an invalid label value (labels.NewRequirement checks both).
        {"Gt with a plus sign", {"size", "Gt", {"+9"}}, false},
        {"Lt with a negative bound", {"size", "Lt", {"-1"}}, false},
        {"Gt on a non-integer label", {"name", "Gt", {"1"}}, false},
        {"Gt without the label", {"region", "Gt", {"1"}}, false},
        // Invalid requirements match nothing.
        {"In without values", {"zone", "In", {}}, false},
        {"NotIn without values", {"region", "NotIn", {}}, false},
        {"Exists with values", {"zone", "Exists", {"a"}}, false},
        {"DoesNotExist with values", {"region", "DoesNotExist", {"a"}}, false},
        {"Gt with two values", {"size", "Gt", {"1", "2"}}, false},
        {"Gt with a non-integer bound", {"size", "Gt", {"1.5"}}, false},
        {"Lt with an overflowing bound", {"size", "Lt", {"99999999999999999999"}}, false},
        {"unknown operator", {"zone", "Equals", {"a"}}, false},
        {"invalid key", {"bad key", "DoesNotExist", {}}, false},
        {"invalid value", {"zone", "NotIn", {"-x"}}, false},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            CHECK(matches(c.req, l) == c.want);
        }
    }
}

TEST_CASE("selectors.requirement_errors") {
    struct test_case {
        std::string name;
        node_selector_requirement req;
        std::string want;  // empty: valid
    };
    const std::vector<test_case> cases = {
        {"valid prefixed key", {"example.com/zone", "In", {"a"}}, ""},
        {"empty prefix", {"/zone", "In", {"a"}}, "p.key: Invalid value: \"/zone\": prefix part"},
        {"upper-case prefix", {"Example.com/zone", "In", {"a"}}, "prefix part must be a lowercase"},
        {"empty key",
         {"", "Exists", {}},
         "p.key: Invalid value: \"\": name part must be non-empty"},
        {"long name", {std::string(64, 'a'), "Exists", {}}, "no more than 63 characters"},
        {"unsupported operator", {"a", "Foo", {}}, "p.operator: Unsupported value: \"Foo\""},
        {"Gt bound", {"a", "Gt", {"x"}}, "p.values[0]: Invalid value: \"x\": for 'Gt', 'Lt'"},
        {"In empty", {"a", "In", {}}, "p.values: Required value: for 'in', 'notin' operators"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const auto errs = label_requirement_errors(c.req, "p");
            if (c.want.empty()) {
                CHECK(errs.empty());
            } else {
                REQUIRE_FALSE(errs.empty());
                CHECK_THAT(errs[0], Catch::Contains(c.want));
            }
        }
    }
}

TEST_CASE("selectors.field_requirement") {
    struct test_case {
        std::string name;
        node_selector_requirement req;
        std::string node_name;
        bool want;
    };
    const std::vector<test_case> cases = {
        {"In matches the name", {"metadata.name", "In", {"n1"}}, "n1", true},
        {"In another name", {"metadata.name", "In", {"n2"}}, "n1", false},
        {"NotIn another name", {"metadata.name", "NotIn", {"n2"}}, "n1", true},
        {"NotIn the name", {"metadata.name", "NotIn", {"n1"}}, "n1", false},
        {"two values are invalid", {"metadata.name", "In", {"n1", "n2"}}, "n1", false},
        {"other keys are invalid", {"metadata.uid", "In", {"n1"}}, "n1", false},
        {"Exists is invalid", {"metadata.name", "Exists", {"n1"}}, "n1", false},
        {"a node without a name has no fields to check", {"metadata.name", "In", {"n2"}}, "", true},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            CHECK(matches_field(c.req, c.node_name) == c.want);
        }
    }
    CHECK_THAT(field_requirement_errors({"metadata.name", "In", {"a", "b"}}, "f")[0],
               Catch::Equals("f.values: Invalid value: [\"a\",\"b\"]: must have one element"));
}

TEST_CASE("selectors.node_selector_match") {
    struct test_case {
        std::string name;
        std::vector<node_selector_term> terms;
        node n;
        bool want;
        std::size_t want_errors = 0;
    };
    const auto n1 = make_node("n1", labels({{"label_1", "label_1_val"}, {"label_2", "v2"}}));
    const std::vector<test_case> cases = {
        {"no terms matches nothing", {}, n1, false},
        {"empty term matches nothing", {{}}, n1, false},
        {"label selector match", {{{{"label_1", "In", {"label_1_val"}}}, {}}}, n1, true},
        {"requirements are ANDed",
         {{{{"label_1", "In", {"label_1_val"}}, {"label_2", "In", {"other"}}}, {}}},
         n1,
         false},
        {"terms are ORed",
         {{{{"label_1", "In", {"nope"}}}, {}}, {{}, {{"metadata.name", "In", {"n1"}}}}},
         n1,
         true},
        {"field selector mismatch", {{{}, {{"metadata.name", "In", {"n2"}}}}}, n1, false},
        {"labels and fields are ANDed",
         {{{{"label_1", "In", {"label_1_val"}}}, {{"metadata.name", "NotIn", {"n1"}}}}},
         n1,
         false},
        {"an invalid term is skipped, a valid one still matches",
         {{{{"invalid key", "In", {"x"}}}, {}}, {{{"label_2", "Exists", {}}}, {}}},
         n1,
         true,
         1},
        {"only invalid terms match nothing",
         {{{}, {{"metadata.name", "In", {"n1", "n2"}}}}, {{{"label_1", "Gt", {"a"}}}, {}}},
         n1,
         false,
         2},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const node_selector sel(c.terms);
            CHECK(sel.matches(c.n) == c.want);
            CHECK(sel.errors().size() == c.want_errors);
            bool any = false;
            for (const auto& t : c.terms) {
                any = any || matches(t, c.n);
            }
            CHECK(any == c.want);
        }
    }
    const node_selector bad({{{}, {{"metadata.uid", "In", {"x"}}}}}, "req");
    REQUIRE(bad.errors().size() == 1);
    CHECK(bad.errors()[0] ==
          "req.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "
          "\"metadata.uid\": not a valid field selector key");
}

TEST_CASE("selectors.preferred_terms_score") {
    const auto n = make_node("n1", labels({{"a", "1"}, {"b", "2"}}));
    const std::vector<preferred_scheduling_term> terms = {
        {3, {{{"a", "In", {"1"}}}, {}}},
        {5, {{{"b", "Exists", {}}}, {{"metadata.name", "In", {"n1"}}}}},
        {7, {{{"c", "Exists", {}}}, {}}},
        {11, {}},                          // empty: dropped
        {0, {{{"a", "Exists", {}}}, {}}},  // weight 0: dropped
        {13, {{{"a", "In", {}}}, {}}},     // invalid: an error, not scored
    };
    const preferred_terms p(terms, "pref");
    CHECK(p.score(n) == 8);
    REQUIRE(p.errors().size() == 1);
    CHECK_THAT(p.errors()[0], Catch::StartsWith("pref[5].preference.matchExpressions[0].values"));
}

TEST_CASE("selectors.node_selector_labels") {
    const auto l = labels({{"a", "1"}, {"b", "2"}});
    CHECK(matches_node_selector(labels({}), l));
    CHECK(matches_node_selector(labels({{"a", "1"}}), l));
    CHECK_FALSE(matches_node_selector(labels({{"a", "2"}}), l));
    CHECK_FALSE(matches_node_selector(labels({{"a", "1"}, {"c", "3"}}), l));
}

TEST_CASE("selectors.label_selector_matches") {
    struct test_case {
        std::string name;
        label_selector sel;
        bool want;
    };
    const auto l = labels({{"app", "web"}, {"tier", "front"}});
    const std::vector<test_case> cases = {
        {"empty selector matches everything", {}, true},
        {"matchLabels equal", {labels({{"app", "web"}}), {}}, true},
        {"matchLabels other value", {labels({{"app", "db"}}), {}}, false},
        {"matchLabels missing key", {labels({{"zone", "a"}}), {}}, false},
        {"labels and expressions ANDed",
         {labels({{"app", "web"}}), {{"tier", "In", {"back"}}}},
         false},
        {"NotIn on absent key", {{}, {{"zone", "NotIn", {"a"}}}}, true},
        {"Exists", {{}, {{"tier", "Exists", {}}}}, true},
        {"DoesNotExist", {{}, {{"tier", "DoesNotExist", {}}}}, false},
        {"Gt is not a label-selector operator", {{}, {{"tier", "Gt", {"1"}}}}, false},
        {"In without values is invalid", {{}, {{"app", "In", {}}}}, false},
        {"invalid matchLabels value", {labels({{"app", "-web"}}), {}}, false},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        CHECK(matches(tc.sel, l) == tc.want);
    }
}

TEST_CASE("selectors.label_selector_errors") {
    CHECK(label_selector_errors({}, "s").empty());
    CHECK(label_selector_errors({{}, {{"a", "Gt", {"1"}}}}, "s") ==
          std::vector<std::string>{
              "s.matchExpressions[0].operator: Unsupported value: \"Gt\": supported values: "
              "\"DoesNotExist\", \"Exists\", \"In\", \"NotIn\""});
    CHECK(label_selector_errors({labels({{"a/b/c", "x"}}), {}}, "s").size() == 1);
}

}  // namespace
}  // namespace multisched::api
