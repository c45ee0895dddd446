// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/nodeaffinity/node_affinity_test.go (v1.30: TestNodeAffinity,
// TestNodeAffinityPriority) and validation_pluginargs_test.go (TestValidateNodeAffinityArgs), as
// tables, plus strict args decoding and the error paths.
#include "plugins/node_affinity/node_affinity.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::node_affinity {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;

using term = api::node_selector_term;
using req = api::node_selector_requirement;
using name_set = std::set<std::string>;

constexpr std::int64_t kMax = framework::kMaxNodeScore;
constexpr auto kPod = kErrReasonPod;

api::label_map labels(std::initializer_list<std::pair<std::string, std::string>> items) {
    api::label_map m;
    for (const auto& [k, v] : items) {
        m.set(k, v);
    }
    return m;
}

// A pod with these nodeSelector labels and node affinity (built after .obj(): the builders have
// no affinity setters).
api::pod pod_with(api::label_map selector, std::optional<api::node_affinity> na) {
    auto p = make_pod().name("pod1").obj();
    p.node_selector = std::move(selector);
    p.node_affinity = std::move(na);
    return p;
}

api::pod pod_required(std::vector<term> terms, api::label_map selector = {}) {
    return pod_with(std::move(selector), api::node_affinity{std::move(terms), {}});
}

std::shared_ptr<const framework::pod_info> info(const api::pod& p) {
    return framework::make_pod_info(std::make_shared<const api::pod>(p));
}

node_affinity plugin_from(const std::string& yaml) {
    auto args = parse_args(yaml.empty() ? YAML::Node() : YAML::Load(yaml));
    REQUIRE(args.has_value());
    return node_affinity(*args);
}

const req kFooExists{"foo", "Exists", {}};

TEST_CASE("node_affinity.filter") {
    struct test_case {
        std::string name;
        api::pod pod;
        api::label_map node_labels;
        std::string want;  // empty: success
        std::string node_name = "node1";
        std::string args = {};  // NodeAffinityArgs YAML
        framework::code want_pre_filter = framework::code::success;
        std::optional<name_set> want_names = std::nullopt;
    };
    const auto skip = framework::code::skip;
    const std::string added =
        "addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
        "{nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, "
        "values: [foo, bar]}]}]}}";
    const std::vector<test_case> cases = {
        {"missing labels", pod_with(labels({{"foo", "bar"}}), std::nullopt), {}, std::string(kPod)},
        {"same labels", pod_with(labels({{"foo", "bar"}}), std::nullopt), labels({{"foo", "bar"}}),
         ""},
        {"node labels are superset", pod_with(labels({{"foo", "bar"}}), std::nullopt),
         labels({{"foo", "bar"}, {"baz", "blah"}}), ""},
        {"node labels are subset",
         pod_with(labels({{"foo", "bar"}, {"baz", "blah"}}), std::nullopt),
         labels({{"foo", "bar"}}), std::string(kPod)},
        {"Pod with matchExpressions using In operator that matches the existing node",
         pod_required({{{{"foo", "In", {"bar", "value2"}}}, {}}}), labels({{"foo", "bar"}}), ""},
        {"Pod with matchExpressions using Gt operator that matches the existing node",
         pod_required({{{{"kernel-version", "Gt", {"0204"}}}, {}}}),
         labels({{"kernel-version", "0206"}}), ""},
        {"Pod with matchExpressions using NotIn operator that matches the existing node",
         pod_required({{{{"mem-type", "NotIn", {"DDR", "DDR2"}}}, {}}}),
         labels({{"mem-type", "DDR3"}}), ""},
        {"Pod with matchExpressions using Exists operator that matches the existing node",
         pod_required({{{{"GPU", "Exists", {}}}, {}}}), labels({{"GPU", "NVIDIA-GRID-K1"}}), ""},
        {"Pod with affinity that don't match node's labels won't schedule onto the node",
         pod_required({{{{"foo", "In", {"value1", "value2"}}}, {}}}), labels({{"foo", "bar"}}),
         std::string(kPod)},
        {"Pod with empty MatchExpressions is not a valid value will match no objects and won't "
         "schedule onto the node",
         pod_required({term{}}), labels({{"foo", "bar"}}), std::string(kPod)},
        {"Pod with a nil []NodeSelectorTerm in affinity, can't match the node's labels and won't "
         "schedule onto the node",
         pod_required({}), labels({{"foo", "bar"}}), std::string(kPod)},
        {"Pod with no Affinity will schedule onto a node", pod_with({}, std::nullopt),
         labels({{"foo", "bar"}}), "", "node1", "", skip},
        {"Pod with Affinity but nil NodeSelector will schedule onto a node",
         pod_with({}, api::node_affinity{}), labels({{"foo", "bar"}}), "", "node1", "", skip},
        {"Pod with multiple matchExpressions ANDed that matches the existing node",
         pod_required({{{{"GPU", "Exists", {}}, {"GPU", "NotIn", {"AMD", "INTER"}}}, {}}}),
         labels({{"GPU", "NVIDIA-GRID-K1"}}), ""},
        {"Pod with multiple matchExpressions ANDed that doesn't match the existing node",
         pod_required({{{{"GPU", "Exists", {}}, {"GPU", "In", {"AMD", "INTER"}}}, {}}}),
         labels({{"GPU", "NVIDIA-GRID-K1"}}), std::string(kPod)},
        {"Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and "
         "will schedule onto the node",
         pod_required({{{{"foo", "In", {"bar", "value2"}}}, {}},
                       {{{"diffkey", "In", {"wrong", "value2"}}}, {}}}),
         labels({{"foo", "bar"}}), ""},
        {"Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) "
         "both are satisfied, will schedule onto the node",
         pod_required({{{kFooExists}, {}}}, labels({{"foo", "bar"}})), labels({{"foo", "bar"}}),
         ""},
        {"Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing "
         "that we are deprecating) is not satisfied, won't schedule onto the node",
         pod_required({{{kFooExists}, {}}}, labels({{"foo", "bar"}})),
         labels({{"foo", "barrrrrr"}}), std::string(kPod)},
        {"Pod with an invalid value in Affinity term won't be scheduled onto the node",
         pod_required({{{{"foo", "NotIn", {"invalid value: ___@#$%^"}}}, {}}}),
         labels({{"foo", "bar"}}), std::string(kPod)},
        {"Pod with matchFields using In operator that matches the existing node",
         pod_required({{{}, {{"metadata.name", "In", {"node1"}}}}}),
         {},
         "",
         "node1",
         "",
         framework::code::success,
         name_set{"node1"}},
        {"Pod with matchFields using In operator that does not match the existing node",
         pod_required({{{}, {{"metadata.name", "In", {"node1"}}}}}),
         {},
         std::string(kPod),
         "node2",
         "",
         framework::code::success,
         name_set{"node1"}},
        {"Pod with two terms: matchFields does not match, but matchExpressions matches",
         pod_required({{{}, {{"metadata.name", "In", {"node1"}}}}, {{{"foo", "In", {"bar"}}}, {}}}),
         labels({{"foo", "bar"}}), "", "node2"},
        {"Pod with one term: matchFields does not match, but matchExpressions matches",
         pod_required({{{{"foo", "In", {"bar"}}}, {{"metadata.name", "In", {"node1"}}}}}),
         labels({{"foo", "bar"}}), std::string(kPod), "node2", "", framework::code::success,
         name_set{"node1"}},
        {"Pod with one term: both matchFields and matchExpressions match",
         pod_required({{{{"foo", "In", {"bar"}}}, {{"metadata.name", "In", {"node1"}}}}}),
         labels({{"foo", "bar"}}), "", "node1", "", framework::code::success, name_set{"node1"}},
        {"Pod with two terms: both matchFields and matchExpressions do not match",
         pod_required({{{}, {{"metadata.name", "In", {"node1"}}}},
                       {{{"foo", "In", {"not-match-to-bar"}}}, {}}}),
         labels({{"foo", "bar"}}), std::string(kPod), "node2"},
        {"Pod with two terms of node.Name affinity",
         pod_required({{{}, {{"metadata.name", "In", {"node1"}}}},
                       {{}, {{"metadata.name", "In", {"node2"}}}}}),
         {},
         "",
         "node2",
         "",
         framework::code::success,
         name_set{"node1", "node2"}},
        {"Pod with two conflicting mach field requirements",
         pod_required(
             {{{}, {{"metadata.name", "In", {"node1"}}, {"metadata.name", "In", {"node2"}}}}}),
         {},
         std::string(kPod),
         "node2",
         "",
         framework::code::unschedulable_and_unresolvable},
        {"Matches added affinity and Pod's node affinity",
         pod_required({{{{"zone", "In", {"bar"}}}, {}}}), labels({{"zone", "bar"}}), "", "node1",
         added},
        {"Matches added affinity but not Pod's node affinity",
         pod_required({{{{"zone", "In", {"bar"}}}, {}}}), labels({{"zone", "foo"}}),
         std::string(kPod), "node1", added},
        {"Doesn't match added affinity", pod_with({}, std::nullopt), labels({{"zone", "baz"}}),
         std::string(kErrReasonEnforced), "node1", added},
        {"Matches node selector and added affinity",
         pod_with(labels({{"foo", "bar"}}), std::nullopt),
         labels({{"foo", "bar"}, {"zone", "foo"}}), "", "node1", added},
        {"Matches node selector but not added affinity",
         pod_with(labels({{"foo", "bar"}}), std::nullopt), labels({{"foo", "bar"}, {"zone", "x"}}),
         std::string(kErrReasonEnforced), "node1", added},
        // Ours: the edges of the PreFilter fast path.
        {"a NotIn name requirement does not narrow the nodes",
         pod_required({{{}, {{"metadata.name", "NotIn", {"node1"}}}}}),
         {},
         "",
         "node2"},
        {"terms pinning no common name across requirements in one term but names in another",
         pod_required(
             {{{}, {{"metadata.name", "In", {"node1"}}, {"metadata.name", "In", {"node2"}}}},
              {{}, {{"metadata.name", "In", {"node3"}}}}}),
         {},
         "",
         "node3",
         "",
         framework::code::success,
         name_set{"node3"}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto plugin = plugin_from(c.args);
            const auto pod = info(c.pod);
            auto n = make_node().name(c.node_name).obj();
            n.meta.labels = c.node_labels;
            const auto ni = make_node_info(n);
            framework::cycle_state state;
            framework::pre_filter_result pre;
            const auto pst = plugin.pre_filter(state, *pod, {}, pre);
            CHECK(pst.code() == c.want_pre_filter);
            if (c.want_pre_filter == framework::code::unschedulable_and_unresolvable) {
                CHECK(pst.message() == kErrReasonConflict);
            }
            CHECK(pre.node_names == c.want_names);
            const auto st = plugin.filter(state, *pod, ni);
            if (c.want.empty()) {
                CHECK(st.is_success());
            } else {
                CHECK(st.code() == framework::code::unschedulable_and_unresolvable);
                CHECK(st.message() == c.want);
            }
            // Filter without PreFilter state (PreFilter disabled) decides the same.
            framework::cycle_state fresh;
            CHECK(plugin.filter(fresh, *pod, ni).code() == st.code());
        }
    }
}

TEST_CASE("node_affinity.filter_missing_node") {
    node_affinity plugin(node_affinity_args{});
    framework::cycle_state state;
    const framework::node_info ni("ghost");
    CHECK(plugin.filter(state, *info(pod_with({}, std::nullopt)), ni).code() ==
          framework::code::error);
}

TEST_CASE("node_affinity.score") {
    using pref = api::preferred_scheduling_term;
    const auto label1 = labels({{"foo", "bar"}});
    const auto label2 = labels({{"key", "value"}});
    const auto label3 = labels({{"az", "az1"}});
    const auto label4 = labels({{"abc", "az11"}, {"def", "az22"}});
    const auto label5 = labels({{"foo", "bar"}, {"key", "value"}, {"az", "az1"}});
    const api::node_affinity affinity1{std::nullopt, {pref{2, {{{"foo", "In", {"bar"}}}, {}}}}};
    const api::node_affinity affinity2{
        std::nullopt,
        {pref{2, {{{"foo", "In", {"bar"}}}, {}}}, pref{4, {{{"key", "In", {"value"}}}, {}}},
         pref{5, {{{"foo", "In", {"bar"}}, {"key", "In", {"value"}}, {"az", "In", {"az1"}}}, {}}}}};
    struct test_case {
        std::string name;
        std::optional<api::node_affinity> affinity;
        std::vector<api::label_map> nodes;
        std::vector<std::int64_t> want;  // empty: PreScore returns Skip
        std::string args = {};
    };
    const std::vector<test_case> cases = {
        {"all nodes are same priority as NodeAffinity is nil",
         std::nullopt,
         {label1, label2, label3},
         {}},
        {"no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' "
         "priority is zero",
         affinity1,
         {label4, label2, label3},
         {0, 0, 0}},
        {"only machine1 matches the preferred scheduling requirements of pod",
         affinity1,
         {label1, label2, label3},
         {kMax, 0, 0}},
        {"all machines matches the preferred scheduling requirements of pod but with different "
         "priorities ",
         affinity2,
         {label1, label5, label2},
         {18, kMax, 36}},
        {"added affinity",
         std::nullopt,
         {label1, label2, label5},
         {0, kMax, kMax},
         "addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 5, "
         "preference: {matchExpressions: [{key: key, operator: In, values: [value]}]}}]}"},
        {"added affinity and pod has default affinity",
         affinity1,
         {label1, label2, label5},
         {40, 60, kMax},
         "addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 3, "
         "preference: {matchExpressions: [{key: key, operator: In, values: [value]}]}}]}"},
        {"a term matching by metadata.name",
         api::node_affinity{std::nullopt, {pref{7, {{}, {{"metadata.name", "In", {"n1"}}}}}}},
         {label1, label1},
         {0, kMax}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto plugin = plugin_from(c.args);
            const auto pod = info(pod_with({}, c.affinity));
            std::vector<framework::node_info> infos;
            for (std::size_t i = 0; i < c.nodes.size(); ++i) {
                auto n = make_node().name("n" + std::to_string(i)).obj();
                n.meta.labels = c.nodes[i];
                infos.push_back(make_node_info(n));
            }
            std::vector<const framework::node_info*> ptrs;
            for (const auto& ni : infos) {
                ptrs.push_back(&ni);
            }
            framework::cycle_state state;
            const auto pst = plugin.pre_score(state, *pod, ptrs);
            if (c.want.empty()) {
                CHECK(pst.is_skip());
            } else {
                REQUIRE(pst.is_success());
                std::vector<std::int64_t> scores(infos.size(), -1);
                for (std::size_t i = 0; i < infos.size(); ++i) {
                    REQUIRE(plugin.score(state, *pod, infos[i], scores[i]).is_success());
                }
                REQUIRE(plugin.has_normalize());
                REQUIRE(plugin.normalize_score(state, *pod, ptrs, scores).is_success());
                CHECK(scores == c.want);
            }
        }
    }
}

TEST_CASE("node_affinity.score_errors") {
    node_affinity plugin(node_affinity_args{});
    framework::cycle_state state;
    std::int64_t score = -1;
    SECTION("invalid preferred term fails PreScore and Score") {
        const auto pod =
            info(pod_with({}, api::node_affinity{std::nullopt, {{1, {{{"foo", "In", {}}}, {}}}}}));
        const auto st = plugin.pre_score(state, *pod, {});
        CHECK(st.code() == framework::code::error);
        CHECK_THAT(st.message(), Catch::StartsWith("[0].preference.matchExpressions[0].values"));
        const auto ni = make_node_info(make_node().name("n").obj());
        CHECK(plugin.score(state, *pod, ni, score).code() == framework::code::error);
    }
    SECTION("missing node object") {
        const framework::node_info ni("ghost");
        const auto st = plugin.score(state, *info(pod_with({}, std::nullopt)), ni, score);
        CHECK(st.code() == framework::code::error);
    }
}

TEST_CASE("node_affinity.args") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::string want_error;  // empty: valid
    };
    const std::string req = "addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: ";
    const std::string prefer = "addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: ";
    const std::vector<test_case> cases = {
        {"empty", "", ""},
        {"empty map", "{}", ""},
        {"kind", "{kind: NodeAffinityArgs, apiVersion: kubescheduler.config.k8s.io/v1}", ""},
        {"valid added affinity",
         req +
             "{nodeSelectorTerms: [{matchExpressions: [{key: label-1, operator: In, values: "
             "[label-1-val]}]}]}, " +
             "preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: "
             "{matchFields: [{key: metadata.name, operator: In, values: [node-1]}]}}]}",
         ""},
        {"invalid added affinity",
         req + "{nodeSelectorTerms: [{matchExpressions: [{key: label 1, operator: In, values: "
               "[label-1-val]}]}]}}",
         "NodeAffinity args: addedAffinity.requiredDuringSchedulingIgnoredDuringExecution."
         "nodeSelectorTerms[0].matchExpressions[0].key: Invalid value: \"label 1\": name part"},
        {"invalid preferred term",
         prefer + "[{weight: 1, preference: {matchFields: [{key: metadata.name, operator: In, "
                  "values: [node-1, node-2]}]}}]}",
         "NodeAffinity args: addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
         "preference.matchFields[0].values: Invalid value: [\"node-1\",\"node-2\"]: must have "
         "one element"},
        {"unknown top-level key", "{foo: 1}", "NodeAffinity args: unknown field \"foo\""},
        {"unknown nested key", req + "{nodeSelectorTerms: [{matchLabels: {}}]}}",
         "unknown field \"addedAffinity.requiredDuringSchedulingIgnoredDuringExecution."
         "nodeSelectorTerms[0].matchLabels\""},
        {"wrong kind", "{kind: Foo}", "kind: must be NodeAffinityArgs"},
        {"terms not a list", req + "{nodeSelectorTerms: {}}}",
         "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: "
         "expected a list"},
        {"weight not an integer", prefer + "[{weight: x}]}",
         "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: invalid value "
         "\"x\""},
        {"addedAffinity not a map", "{addedAffinity: [1]}", "addedAffinity: expected a mapping"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto r = parse_args(c.yaml.empty() ? YAML::Node() : YAML::Load(c.yaml));
            if (c.want_error.empty()) {
                CHECK(r.has_value());
            } else {
                REQUIRE_FALSE(r.has_value());
                CHECK_THAT(r.error().message, Catch::Contains(c.want_error));
            }
        }
    }
    auto r = parse_args(YAML::Load(req + "{nodeSelectorTerms: [{matchFields: [{key: metadata.name, "
                                         "operator: NotIn, values: [a]}]}]}}"));
    REQUIRE(r.has_value());
    REQUIRE(r->added_affinity.has_value());
    const std::vector<term> want = {{{}, {{"metadata.name", "NotIn", {"a"}}}}};
    CHECK(r->added_affinity->required == want);
}

TEST_CASE("node_affinity.events") {
    const auto events = node_affinity(node_affinity_args{}).events_to_register();
    REQUIRE(events.size() == 1);
    CHECK(events[0].resource == framework::event_resource::node);
    CHECK(events[0].actions == (framework::action_add | framework::action_update_node_label |
                                framework::action_update_node_taint));
}

TEST_CASE("node_affinity.make") {
    testing::fake_handle h;
    auto p = make(YAML::Load("{}"), h);
    REQUIRE(p.has_value());
    CHECK((*p)->name() == "NodeAffinity");
    CHECK_FALSE(make(YAML::Load("{bad: 1}"), h).has_value());
}

}  // namespace
}  // namespace multisched::plugins::node_affinity
