// SPDX-License-Identifier: Apache-2.0
// InterPodAffinityArgs decoding and upstream validation_pluginargs_test.go
// (TestValidateInterPodAffinityArgs, v1.30) as a table; events and the factory.
#include <catch2/catch.hpp>

#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

TEST_CASE("inter_pod_affinity.args") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::string want_error;  // empty: valid
        std::int32_t want_weight = 1;
        bool want_ignore = false;
    };
    const std::vector<test_case> cases = {
        {"empty", "", ""},
        {"empty map", "{}", ""},
        {"kind", "{kind: InterPodAffinityArgs, apiVersion: kubescheduler.config.k8s.io/v1}", ""},
        {"valid args", "{hardPodAffinityWeight: 10}", "", 10},
        {"zero weight", "{hardPodAffinityWeight: 0}", "", 0},
        {"max weight", "{hardPodAffinityWeight: 100}", "", 100},
        {"null weight keeps the default", "{hardPodAffinityWeight: null}", "", 1},
        {"ignore preferred terms", "{ignorePreferredTermsOfExistingPods: true}", "", 1, true},
        {"hardPodAffinityWeight less than min", "{hardPodAffinityWeight: -1}",
         "InterPodAffinity args: hardPodAffinityWeight: Invalid value: -1: not in valid range "
         "[0, 100]"},
        {"hardPodAffinityWeight more than max", "{hardPodAffinityWeight: 101}",
         "InterPodAffinity args: hardPodAffinityWeight: Invalid value: 101: not in valid range "
         "[0, 100]"},
        {"weight not an integer", "{hardPodAffinityWeight: x}",
         "InterPodAffinity args: hardPodAffinityWeight: invalid value \"x\""},
        {"weight out of int32", "{hardPodAffinityWeight: 4294967296}",
         "hardPodAffinityWeight: invalid value \"4294967296\""},
        {"weight not a scalar", "{hardPodAffinityWeight: [1]}",
         "hardPodAffinityWeight: expected a scalar"},
        {"ignore not a bool", "{ignorePreferredTermsOfExistingPods: maybe}",
         "ignorePreferredTermsOfExistingPods: invalid value \"maybe\""},
        {"unknown key", "{hardPodAffinityWeightt: 1}",
         "InterPodAffinity args: unknown field \"hardPodAffinityWeightt\""},
        {"wrong kind", "{kind: NodeAffinityArgs}", "kind: must be InterPodAffinityArgs"},
        {"not a map", "[1]", "args: expected a mapping"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto r = parse_args(c.yaml.empty() ? YAML::Node() : YAML::Load(c.yaml));
        if (c.want_error.empty()) {
            REQUIRE(r.has_value());
            CHECK(r->hard_pod_affinity_weight == c.want_weight);
            CHECK(r->ignore_preferred_terms_of_existing_pods == c.want_ignore);
        } else {
            REQUIRE_FALSE(r.has_value());
            CHECK_THAT(r.error().message, Catch::Contains(c.want_error));
        }
    }
}

TEST_CASE("inter_pod_affinity.events") {
    testing::fake_handle h;
    const auto events = inter_pod_affinity({}, h).events_to_register();
    REQUIRE(events.size() == 2);
    CHECK(events[0].resource == framework::event_resource::assigned_pod);
    CHECK(events[0].actions ==
          (framework::action_add | framework::action_update | framework::action_delete));
    CHECK(events[1].resource == framework::event_resource::node);
    CHECK(events[1].actions == (framework::action_add | framework::action_update_node_label));
}

TEST_CASE("inter_pod_affinity.make") {
    testing::fake_handle h;
    auto p = make(YAML::Load("{hardPodAffinityWeight: 5}"), h);
    REQUIRE(p.has_value());
    CHECK((*p)->name() == "InterPodAffinity");
    auto* pf = dynamic_cast<framework::pre_filter_plugin*>(p->get());
    REQUIRE(pf != nullptr);
    CHECK(pf->extensions() != nullptr);
    CHECK(dynamic_cast<framework::filter_plugin*>(p->get()) != nullptr);
    CHECK(dynamic_cast<framework::score_plugin*>(p->get())->has_normalize());
    CHECK_FALSE(make(YAML::Load("{hardPodAffinityWeight: 200}"), h).has_value());
    CHECK_FALSE(make(YAML::Load("{bad: 1}"), h).has_value());
}

}  // namespace
}  // namespace multisched::plugins::inter_pod_affinity
