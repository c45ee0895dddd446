// SPDX-License-Identifier: Apache-2.0
// DefaultPreemptionArgs decoding and upstream validation_pluginargs_test.go
// (TestValidateDefaultPreemptionArgs, v1.30) as a table; the factory.
#include <catch2/catch.hpp>

#include "plugins/default_preemption/default_preemption.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::default_preemption {
namespace {

TEST_CASE("default_preemption.args") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::string want_error;  // empty: valid
        std::int32_t want_pct = 10;
        std::int32_t want_abs = 100;
    };
    const std::vector<test_case> cases = {
        {"defaults", "", ""},
        {"empty map", "{}", ""},
        {"kind", "{kind: DefaultPreemptionArgs, apiVersion: kubescheduler.config.k8s.io/v1}", ""},
        {"valid args (default)",
         "{minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100}", "", 10, 100},
        {"null keeps the default", "{minCandidateNodesPercentage: null}", "", 10, 100},
        {"explicit zero percentage", "{minCandidateNodesPercentage: 0}", "", 0, 100},
        {"explicit zero absolute", "{minCandidateNodesAbsolute: 0}", "", 10, 0},
        {"bounds", "{minCandidateNodesPercentage: 100, minCandidateNodesAbsolute: 2147483647}", "",
         100, 2147483647},
        {"negative minCandidateNodesPercentage", "{minCandidateNodesPercentage: -1}",
         "DefaultPreemption args: minCandidateNodesPercentage: Invalid value: -1: not in valid "
         "range [0, 100]"},
        {"too large minCandidateNodesPercentage", "{minCandidateNodesPercentage: 900}",
         "DefaultPreemption args: minCandidateNodesPercentage: Invalid value: 900: not in valid "
         "range [0, 100]"},
        {"negative minCandidateNodesAbsolute", "{minCandidateNodesAbsolute: -1}",
         "DefaultPreemption args: minCandidateNodesAbsolute: Invalid value: -1: not in valid "
         "range [0, inf)"},
        {"all zero", "{minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}",
         "DefaultPreemption args: [minCandidateNodesPercentage: Invalid value: 0: cannot be zero "
         "at the same time as minCandidateNodesAbsolute, minCandidateNodesAbsolute: Invalid "
         "value: 0: cannot be zero at the same time as minCandidateNodesPercentage]"},
        {"both out of range", "{minCandidateNodesPercentage: 200, minCandidateNodesAbsolute: -1}",
         "DefaultPreemption args: [minCandidateNodesPercentage: Invalid value: 200: not in valid "
         "range [0, 100], minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, "
         "inf)]"},
        {"not an integer", "{minCandidateNodesPercentage: ten}",
         "DefaultPreemption args: minCandidateNodesPercentage: invalid value \"ten\""},
        {"out of int32", "{minCandidateNodesAbsolute: 4294967296}",
         "minCandidateNodesAbsolute: invalid value \"4294967296\""},
        {"not a scalar", "{minCandidateNodesAbsolute: [1]}",
         "minCandidateNodesAbsolute: expected a scalar"},
        {"unknown key", "{minCandidateNodes: 1}",
         "DefaultPreemption args: unknown field \"minCandidateNodes\""},
        {"wrong kind", "{kind: NodeAffinityArgs}", "kind: must be DefaultPreemptionArgs"},
        {"not a map", "[1]", "args: expected a mapping"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto r = parse_args(c.yaml.empty() ? YAML::Node() : YAML::Load(c.yaml));
        if (c.want_error.empty()) {
            REQUIRE(r.has_value());
            CHECK(r->min_candidate_nodes_percentage == c.want_pct);
            CHECK(r->min_candidate_nodes_absolute == c.want_abs);
        } else {
            REQUIRE_FALSE(r.has_value());
            if (c.want_error.rfind("DefaultPreemption args: ", 0) == 0) {
                CHECK(r.error().message == c.want_error);
            } else {
                CHECK_THAT(r.error().message, Catch::Contains(c.want_error));
            }
        }
    }
}

TEST_CASE("default_preemption.aggregate_errors") {
    CHECK(aggregate_errors({}).empty());
    CHECK(aggregate_errors({"a"}) == "a");
    CHECK(aggregate_errors({"a", "a"}) == "a");
    CHECK(aggregate_errors({"a", "b", "a"}) == "[a, b]");
}

TEST_CASE("default_preemption.make") {
    testing::fake_handle h;
    auto p = make(YAML::Load("{minCandidateNodesPercentage: 5}"), h);
    REQUIRE(p.has_value());
    CHECK((*p)->name() == "DefaultPreemption");
    CHECK(dynamic_cast<framework::post_filter_plugin*>(p->get()) != nullptr);
    // PostFilter only: no EnqueueExtensions, no PreEnqueue (async preemption is off).
    CHECK(dynamic_cast<framework::enqueue_extensions*>(p->get()) == nullptr);
    CHECK(dynamic_cast<framework::pre_enqueue_plugin*>(p->get()) == nullptr);
    CHECK_FALSE(make(YAML::Load("{minCandidateNodesPercentage: 101}"), h).has_value());
    CHECK_FALSE(make(YAML::Load("{bad: 1}"), h).has_value());
}

TEST_CASE("default_preemption.num_candidates") {
    struct test_case {
        std::string name;
        std::int32_t pct, abs, nodes, want;
    };
    const std::vector<test_case> cases = {
        {"no nodes", 10, 100, 0, 0},
        {"default: absolute above the node count", 10, 100, 50, 50},
        {"default: absolute", 10, 100, 500, 100},
        {"percentage above absolute", 25, 100, 1000, 250},
        {"absolute above percentage", 5, 100, 1000, 100},
        {"percentage only", 40, 0, 5, 2},
        {"absolute only", 0, 3, 100, 3},
        {"capped by the nodes", 100, 1000, 7, 7},
    };
    testing::fake_handle h;
    for (const auto& c : cases) {
        INFO(c.name);
        default_preemption_args args;
        args.min_candidate_nodes_percentage = c.pct;
        args.min_candidate_nodes_absolute = c.abs;
        default_preemption pl(args, h, 1);
        CHECK(pl.num_candidates(c.nodes) == c.want);
    }
}

TEST_CASE("default_preemption.offset_and_num_candidates") {
    testing::fake_handle h;
    default_preemption a({}, h, 4);
    default_preemption b({}, h, 4);
    std::vector<std::int32_t> seen;
    for (int i = 0; i < 20; ++i) {
        const auto [offset, n] = a.offset_and_num_candidates(5);
        CHECK(offset >= 0);
        CHECK(offset < 5);
        CHECK(n == 5);
        CHECK(b.offset_and_num_candidates(5).first == offset);  // a seed makes it repeatable
        seen.push_back(offset);
    }
    CHECK(std::adjacent_find(seen.begin(), seen.end(), std::not_equal_to<>()) != seen.end());
    CHECK(a.offset_and_num_candidates(1).first == 0);
}

}  // namespace
}  // namespace multisched::plugins::default_preemption
