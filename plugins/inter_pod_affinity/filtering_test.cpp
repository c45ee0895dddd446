// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/interpodaffinity/filtering_test.go (v1.30: TestRequiredAffinitySingleNode,
// TestRequiredAffinityMultipleNodes, TestPreFilterDisabled, TestPreFilterStateAddRemovePod,
// TestPreFilterStateClone, TestGetTPMapMatchingIncomingAffinityAntiAffinity) as tables, plus
// namespaceSelector edges and missing node objects.
#include <catch2/catch.hpp>

#include "plugins/inter_pod_affinity/inter_pod_affinity.hpp"
#include "plugins/inter_pod_affinity/test_util.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): test helpers
using framework::code;
using testing::selector_exists;
using testing::selector_in;
using testing::selector_not_in;

struct verdict {
    code c;
    std::string reason;
};
const verdict kOk{code::success, ""};
const verdict kAffinity{code::unschedulable_and_unresolvable,
                        std::string(kErrReasonAffinityRulesNotMatch)};
const verdict kAnti{code::unschedulable, std::string(kErrReasonAntiAffinityRulesNotMatch)};
const verdict kExisting{code::unschedulable,
                        std::string(kErrReasonExistingAntiAffinityRulesNotMatch)};

struct filter_case {
    std::string name;
    api::pod pod;
    std::vector<api::pod> pods;
    std::vector<api::node> nodes;
    std::vector<verdict> want;  // per node
    code want_pre_filter = code::success;
    std::string pre_filter_contains = {};
};

void run(const filter_case& tc) {
    INFO(tc.name);
    testing::fake_handle h;
    add_team_namespaces(h);
    h.namespaces["NS1"] = {};
    const cluster c(tc.nodes, tc.pods);
    h.cluster = c.all();
    inter_pod_affinity pl({}, h);
    framework::cycle_state state;
    framework::pre_filter_result result;
    const auto pi = info(tc.pod);
    const auto pre = pl.pre_filter(state, *pi, c.all(), result);
    CHECK(pre.code() == tc.want_pre_filter);
    CHECK_THAT(pre.message(), Catch::Contains(tc.pre_filter_contains));
    CHECK_FALSE(result.node_names.has_value());
    if (!pre.is_success()) {
        return;
    }
    REQUIRE(tc.want.size() == tc.nodes.size());
    for (std::size_t i = 0; i < tc.nodes.size(); ++i) {
        INFO("node " << tc.nodes[i].meta.name);
        const auto got = pl.filter(state, *pi, c.get(tc.nodes[i].meta.name));
        CHECK(got.code() == tc.want[i].c);
        CHECK(got.message() == tc.want[i].reason);
    }
}

const kv kPodLabel = {{"service", "securityscan"}};
const kv kPodLabel2 = {{"security", "S1"}};
const std::vector<std::string> kScanValues = {"securityscan", "value2"};

api::pod_affinity_term ns_term(api::label_selector sel, std::string key,
                               std::vector<std::string> namespaces,
                               std::optional<api::label_selector> ns_sel) {
    return testing::make_term(std::move(sel), std::move(key), std::move(namespaces),
                              std::move(ns_sel));
}

TEST_CASE("inter_pod_affinity.filter_single_node") {
    const auto node1 = node("node1", {{"region", "r1"}, {"zone", "z11"}});
    const auto existing = pod(kPodLabel, "", "node1").name("p").obj();
    const auto team1 = selector_in("team", {"team1"});
    const std::vector<filter_case> cases = {
        {"A pod that has no required pod affinity scheduling rules can schedule onto a node with "
         "no existing pods",
         pod({}).obj(),
         {},
         {node1},
         {kOk},
         code::skip},
        {"satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In "
         "operator that matches the existing pod",
         pod(kPodLabel2).pod_affinity("region", selector_in("service", kScanValues)).obj(),
         {existing},
         {node1},
         {kOk}},
        {"satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity "
         "using not in operator in labelSelector that matches the existing pod",
         pod(kPodLabel2)
             .pod_affinity("region", selector_not_in("service", {"securityscan3", "value3"}))
             .obj(),
         {existing},
         {node1},
         {kOk}},
        {"Does not satisfy the PodAffinity with labelSelector because of diff Namespace",
         pod(kPodLabel2)
             .affinity_term(false, ns_term(selector_in("service", kScanValues), "",
                                           {"DiffNameSpace"}, std::nullopt))
             .obj(),
         {pod(kPodLabel, "ns", "node1").obj()},
         {node1},
         {kAffinity}},
        {"Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing "
         "pod",
         pod(kPodLabel).pod_affinity("", selector_in("service", {"antivirusscan", "value2"})).obj(),
         {existing},
         {node1},
         {kAffinity}},
        {"satisfies the PodAffinity with different label Operators in multiple "
         "RequiredDuringSchedulingIgnoredDuringExecution ",
         pod(kPodLabel2)
             .pod_affinity("region",
                           exprs({{"service", "Exists", {}}, {"wrongkey", "DoesNotExist", {}}}))
             .pod_affinity("region", exprs({{"service", "In", {"securityscan"}},
                                            {"service", "NotIn", {"WrongValue"}}}))
             .obj(),
         {existing},
         {node1},
         {kOk}},
        {"The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot "
         "schedule onto the node because one of the matchExpression item don't match.",
         pod(kPodLabel2)
             .pod_affinity("region",
                           exprs({{"service", "Exists", {}}, {"wrongkey", "DoesNotExist", {}}}))
             .pod_affinity("region", exprs({{"service", "In", {"securityscan2"}},
                                            {"service", "NotIn", {"WrongValue"}}}))
             .obj(),
         {existing},
         {node1},
         {kAffinity}},
        {"satisfies the PodAffinity and PodAntiAffinity with the existing pod",
         pod(kPodLabel2)
             .pod_affinity("region", selector_in("service", kScanValues))
             .pod_anti_affinity("node", selector_in("service", {"antivirusscan", "value2"}))
             .obj(),
         {existing},
         {node1},
         {kOk}},
        {"satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the "
         "existing pod",
         pod(kPodLabel2)
             .pod_affinity("region", selector_in("service", kScanValues))
             .pod_anti_affinity("node", selector_in("service", {"antivirusscan", "value2"}))
             .obj(),
         {pod(kPodLabel, "", "node1")
              .pod_anti_affinity("node", selector_in("service", {"antivirusscan", "value2"}))
              .obj()},
         {node1},
         {kOk}},
        {"satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
         pod(kPodLabel2)
             .pod_affinity("region", selector_in("service", kScanValues))
             .pod_anti_affinity("zone", selector_in("service", kScanValues))
             .obj(),
         {existing},
         {node1},
         {kAnti}},
        {"satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity "
         "symmetry with the existing pod",
         pod(kPodLabel)
             .pod_affinity("region", selector_in("service", kScanValues))
             .pod_anti_affinity("node", selector_in("service", {"antivirusscan", "value2"}))
             .obj(),
         {pod(kPodLabel, "", "node1")
              .pod_anti_affinity("zone", selector_in("service", kScanValues))
              .obj()},
         {node1},
         {kExisting}},
        {"pod matches its own Label in PodAffinity and that matches the existing pod Labels",
         pod(kPodLabel).pod_affinity("region", selector_not_in("service", kScanValues)).obj(),
         {pod(kPodLabel, "", "node2").obj()},
         {node1},
         {kAffinity}},
        {"verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity "
         "constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod",
         pod(kPodLabel).obj(),
         {pod(kPodLabel, "", "node1")
              .pod_anti_affinity("zone", selector_in("service", kScanValues))
              .obj()},
         {node1},
         {kExisting}},
        {"verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity "
         "constraints. satisfy PodAntiAffinity symmetry with the existing pod",
         pod(kPodLabel).obj(),
         {pod(kPodLabel, "", "node1")
              .pod_anti_affinity("zone", selector_not_in("service", kScanValues))
              .obj()},
         {node1},
         {kOk},
         code::skip},
        {"satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity "
         "symmetry with incoming pod",
         pod(kPodLabel)
             .pod_anti_affinity("region", selector_exists("service"))
             .pod_anti_affinity("region", selector_exists("security"))
             .obj(),
         {pod(kPodLabel2, "", "node1")
              .pod_anti_affinity("zone", selector_exists("security"))
              .obj()},
         {node1},
         {kAnti}},
        {"PodAntiAffinity symmetry check a1: incoming pod and existing pod partially match each "
         "other on AffinityTerms",
         pod(kPodLabel)
             .pod_anti_affinity("zone", selector_exists("service"))
             .pod_anti_affinity("zone", selector_exists("security"))
             .obj(),
         {pod(kPodLabel2, "", "node1")
              .pod_anti_affinity("zone", selector_exists("security"))
              .obj()},
         {node1},
         {kAnti}},
        {"PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each "
         "other on AffinityTerms",
         pod(kPodLabel2).pod_anti_affinity("zone", selector_exists("security")).obj(),
         {pod(kPodLabel, "", "node1")
              .pod_anti_affinity("zone", selector_exists("service"))
              .pod_anti_affinity("zone", selector_exists("security"))
              .obj()},
         {node1},
         {kExisting}},
        {"PodAntiAffinity symmetry check b1: incoming pod and existing pod partially match each "
         "other on AffinityTerms",
         pod({{"abc", ""}, {"xyz", ""}})
             .pod_anti_affinity("zone", selector_exists("abc"))
             .pod_anti_affinity("zone", selector_exists("def"))
             .obj(),
         {pod({{"def", ""}, {"xyz", ""}}, "", "node1")
              .pod_anti_affinity("zone", selector_exists("abc"))
              .pod_anti_affinity("zone", selector_exists("def"))
              .obj()},
         {node1},
         {kAnti}},
        {"PodAntiAffinity symmetry check b2: incoming pod and existing pod partially match each "
         "other on AffinityTerms",
         pod({{"def", ""}, {"xyz", ""}})
             .pod_anti_affinity("zone", selector_exists("abc"))
             .pod_anti_affinity("zone", selector_exists("def"))
             .obj(),
         {pod({{"abc", ""}, {"xyz", ""}}, "", "node1")
              .pod_anti_affinity("zone", selector_exists("abc"))
              .pod_anti_affinity("zone", selector_exists("def"))
              .obj()},
         {node1},
         {kAnti}},
        {"PodAffinity fails PreFilter with an invalid affinity label syntax",
         pod(kPodLabel)
             .pod_affinity("region", selector_in("service", {"{{.bad-value.}}"}))
             .pod_affinity("node", selector_in("service", {"antivirusscan", "value2"}))
             .obj(),
         {},
         {node1},
         {},
         code::unschedulable_and_unresolvable,
         "parsing pod: requiredAffinityTerms: labelSelector.matchExpressions[0].values[0]: "
         "Invalid value: \"{{.bad-value.}}\""},
        {"PodAntiAffinity fails PreFilter with an invalid antiaffinity label syntax",
         pod(kPodLabel)
             .pod_affinity("region", selector_in("service", {"foo"}))
             .pod_anti_affinity("node", selector_in("service", {"{{.bad-value.}}"}))
             .obj(),
         {},
         {node1},
         {},
         code::unschedulable_and_unresolvable,
         "parsing pod: requiredAntiAffinityTerms: "},
        {"several invalid term groups are aggregated",
         pod(kPodLabel)
             .pod_affinity("region", selector_in("service", {"{{.bad-value.}}"}))
             .pod_anti_affinity("node", selector_in("service", {"{{.bad-value.}}"}))
             .obj(),
         {},
         {node1},
         {},
         code::unschedulable_and_unresolvable,
         "parsing pod: [requiredAffinityTerms: labelSelector.matchExpressions[0].values[0]: "
         "Invalid value"},
        {"an invalid preferred term fails PreFilter too (NewPodInfo parses every term)",
         pod(kPodLabel)
             .pod_affinity("region", selector_in("service", {"{{.bad-value.}}"}), 5)
             .obj(),
         {},
         {node1},
         {},
         code::unschedulable_and_unresolvable,
         "parsing pod: preferredAffinityTerms: "},
        {"invalid namespaceSelector fails PreFilter",
         pod(kPodLabel)
             .affinity_term(false, ns_term(selector_exists("service"), "region", {},
                                           exprs({{"team", "Gt", {"1"}}})))
             .obj(),
         {},
         {node1},
         {},
         code::unschedulable_and_unresolvable,
         "parsing pod: requiredAffinityTerms: namespaceSelector.matchExpressions[0].operator"},
        {"affinity with NamespaceSelector",
         pod(kPodLabel2)
             .affinity_term(false,
                            ns_term(selector_in("service", kScanValues), "region", {}, team1))
             .obj(),
         {pod(kPodLabel, "subteam1.team1", "node1").obj()},
         {node1},
         {kOk}},
        {"affinity with non-matching NamespaceSelector",
         pod(kPodLabel2)
             .affinity_term(false,
                            ns_term(selector_in("service", kScanValues), "region", {}, team1))
             .obj(),
         {pod(kPodLabel, "subteam1.team2", "node1").obj()},
         {node1},
         {kAffinity}},
        {"affinity with NamespaceSelector does not select pods of unknown namespaces",
         pod(kPodLabel2)
             .affinity_term(false, ns_term(selector_in("service", kScanValues), "region", {},
                                           exprs({{"team", "DoesNotExist", {}}})))
             .obj(),
         {pod(kPodLabel, "unknown", "node1").obj()},
         {node1},
         {kAffinity}},
        {"affinity with an empty NamespaceSelector selects pods of unknown namespaces",
         pod(kPodLabel2)
             .affinity_term(false, ns_term(selector_in("service", kScanValues), "region", {},
                                           api::label_selector{}))
             .obj(),
         {pod(kPodLabel, "unknown", "node1").obj()},
         {node1},
         {kOk}},
        {"anti-affinity with matching NamespaceSelector",
         pod(kPodLabel2, "subteam1.team1")
             .affinity_term(true, ns_term(selector_in("service", kScanValues), "zone", {}, team1))
             .obj(),
         {pod(kPodLabel, "subteam2.team1", "node1").obj()},
         {node1},
         {kAnti}},
        {"anti-affinity with matching all NamespaceSelector",
         pod(kPodLabel2, "subteam1.team1")
             .affinity_term(true, ns_term(selector_in("service", kScanValues), "zone", {},
                                          api::label_selector{}))
             .obj(),
         {pod(kPodLabel, "subteam2.team1", "node1").obj()},
         {node1},
         {kAnti}},
        {"anti-affinity with non-matching NamespaceSelector",
         pod(kPodLabel2, "subteam1.team1")
             .affinity_term(true, ns_term(selector_in("service", kScanValues), "zone", {}, team1))
             .obj(),
         {pod(kPodLabel, "subteam1.team2", "node1").obj()},
         {node1},
         {kOk}},
        {"existing pod's anti-affinity NamespaceSelector sees the incoming pod's namespace labels",
         pod(kPodLabel, "subteam1.team1").obj(),
         {pod({}, "other", "node1")
              .affinity_term(true, ns_term(selector_exists("service"), "zone", {}, team1))
              .obj()},
         {node1},
         {kExisting}},
        {"existing pod's anti-affinity: an unknown namespace of the incoming pod has no labels",
         pod(kPodLabel, "unknown").obj(),
         {pod({}, "other", "node1")
              .affinity_term(true, ns_term(selector_exists("service"), "zone", {},
                                           exprs({{"team", "DoesNotExist", {}}})))
              .obj()},
         {node1},
         {kExisting}},
    };
    for (const auto& tc : cases) {
        run(tc);
    }
}

TEST_CASE("inter_pod_affinity.filter_multiple_nodes") {
    const kv rg_china = {{"region", "China"}};
    const kv rg_china_az1 = {{"region", "China"}, {"az", "az1"}};
    const kv rg_india = {{"region", "India"}};
    const auto china_india = [&](std::string a, std::string b, std::string c) {
        return std::vector<api::node>{node(std::move(a), rg_china),
                                      node(std::move(b), rg_china_az1),
                                      node(std::move(c), rg_india)};
    };
    const auto ab = [](kv a, kv b) {
        return std::vector<api::node>{node("nodeA", a), node("nodeB", b)};
    };
    const kv r1z1a = {{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeA"}};
    const kv r1z1b = {{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeB"}};
    const kv r1z2b = {{"region", "r1"}, {"zone", "z2"}, {"hostname", "nodeB"}};
    const kv foo_bar = {{"foo", ""}, {"bar", ""}};
    const std::vector<filter_case> cases = {
        {"A pod can be scheduled onto all the nodes that have the same topology key & label value "
         "with one of them has an existing pod that matches the affinity rules",
         pod({}).pod_affinity("region", selector_in("foo", {"bar"})).obj(),
         {pod({{"foo", "bar"}}, "", "node1").name("p1").obj()},
         china_india("node1", "node2", "node3"),
         {kOk, kOk, kAffinity}},
        {"The affinity rule is to schedule all of the pods of this collection to the same zone. "
         "The "
         "first pod of the collection should not be blocked from being scheduled onto any node, "
         "even there's no existing pod that matches the rule anywhere.",
         pod({{"foo", "bar"}, {"service", "securityscan"}})
             .pod_affinity("zone", selector_in("foo", {"bar"}))
             .pod_affinity("zone", selector_in("service", {"securityscan"}))
             .obj(),
         {pod({{"foo", "bar"}}, "", "nodeA").name("p1").obj()},
         ab({{"zone", "az1"}, {"hostname", "h1"}}, {{"zone", "az2"}, {"hostname", "h2"}}),
         {kOk, kOk}},
        {"The first pod of the collection can only be scheduled on nodes labelled with the "
         "requested topology keys",
         pod({{"foo", "bar"}, {"service", "securityscan"}})
             .pod_affinity("zone", selector_in("foo", {"bar"}))
             .pod_affinity("zone", selector_in("service", {"securityscan"}))
             .obj(),
         {pod({{"foo", "bar"}}, "", "nodeA").name("p1").obj()},
         ab({{"zoneLabel", "az1"}, {"hostname", "h1"}}, {{"zoneLabel", "az2"}, {"hostname", "h2"}}),
         {kAffinity, kAffinity}},
        {"NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that "
         "matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB.",
         pod({}).pod_anti_affinity("region", selector_in("foo", {"abc"})).obj(),
         {pod({{"foo", "abc"}}, "", "nodeA").obj()},
         ab({{"region", "r1"}, {"hostname", "nodeA"}}, {{"region", "r1"}, {"hostname", "nodeB"}}),
         {kAnti, kAnti}},
        {"This test ensures that anti-affinity matches a pod when any term of the anti-affinity "
         "rule matches a pod.",
         pod({})
             .pod_anti_affinity("region", selector_in("foo", {"abc"}))
             .pod_anti_affinity("zone", selector_in("service", {"securityscan"}))
             .obj(),
         {pod({{"foo", "abc"}, {"service", "securityscan"}}, "", "nodeA").obj()},
         ab({{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeA"}}, r1z2b),
         {kAnti, kAnti}},
        {"NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that "
         "matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB "
         "but can be scheduled onto nodeC",
         pod({}).pod_anti_affinity("region", selector_in("foo", {"abc"})).obj(),
         {pod({{"foo", "abc"}}, "", "nodeA").obj()},
         china_india("nodeA", "nodeB", "nodeC"),
         {kAnti, kAnti, kOk}},
        {"NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that "
         "matches the inter pod affinity rule. The pod can not be scheduled onto nodeA, nodeB, but "
         "can be scheduled onto nodeC (NodeC has an existing pod that match the inter pod affinity "
         "rule but in different namespace)",
         pod({{"foo", "123"}}, "NS1")
             .pod_anti_affinity("region", selector_in("foo", {"bar"}))
             .obj(),
         {pod({{"foo", "bar"}}, "NS1", "nodeA").obj(),
          pod({}, "NS2", "nodeC").pod_anti_affinity("region", selector_in("foo", {"123"})).obj()},
         china_india("nodeA", "nodeB", "nodeC"),
         {kAnti, kAnti, kOk}},
        {"Test existing pod's anti-affinity: if an existing pod has a term with invalid "
         "topologyKey, labelSelector of the term is firstly checked, and then topologyKey of the "
         "term is also checked",
         pod({{"foo", ""}}).obj(),
         {pod({}, "", "nodeA")
              .pod_anti_affinity("invalid-node-label", selector_exists("foo"))
              .obj()},
         ab(r1z1a, r1z1b),
         {kOk, kOk},
         code::skip},
        {"Test incoming pod's anti-affinity: even if labelSelector matches, we still check if "
         "topologyKey matches",
         pod({}, "", "nodeA").pod_anti_affinity("invalid-node-label", selector_exists("foo")).obj(),
         {pod({{"foo", ""}}, "", "nodeA").obj()},
         ab(r1z1a, r1z1b),
         {kOk, kOk}},
        {"Test existing pod's anti-affinity: incoming pod wouldn't considered as a fit as it "
         "violates each existingPod's terms on all nodes",
         pod(foo_bar).obj(),
         {pod({}, "", "nodeA").pod_anti_affinity("zone", selector_exists("foo")).obj(),
          pod({}, "", "nodeA").pod_anti_affinity("region", selector_exists("bar")).obj()},
         ab(r1z1a, r1z2b),
         {kExisting, kExisting}},
        {"Test incoming pod's anti-affinity: incoming pod wouldn't considered as a fit as it at "
         "least violates one anti-affinity rule of existingPod",
         pod({})
             .pod_anti_affinity("zone", selector_exists("foo"))
             .pod_anti_affinity("region", selector_exists("bar"))
             .obj(),
         {pod({{"foo", ""}}, "", "nodeA").obj(), pod({{"bar", ""}}, "", "nodeB").obj()},
         ab(r1z1a, r1z2b),
         {kAnti, kAnti}},
        {"Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, "
         "it's counted as a single term match - case when one term has invalid topologyKey",
         pod(foo_bar).obj(),
         {pod({}, "", "nodeA")
              .pod_anti_affinity("invalid-node-label", selector_exists("foo"))
              .pod_anti_affinity("zone", selector_exists("bar"))
              .obj()},
         ab(r1z1a, r1z2b),
         {kExisting, kOk}},
        {"Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, "
         "it's counted as a single term match - case when one term has invalid topologyKey",
         pod({})
             .pod_anti_affinity("invalid-node-label", selector_exists("foo"))
             .pod_anti_affinity("zone", selector_exists("bar"))
             .obj(),
         {pod(foo_bar, "", "nodeA").name("podA").obj()},
         ab(r1z1a, r1z2b),
         {kAnti, kOk}},
        {"Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, "
         "it's counted as a single term match - case when all terms have valid topologyKey",
         pod(foo_bar).obj(),
         {pod({}, "", "nodeA")
              .pod_anti_affinity("region", selector_exists("foo"))
              .pod_anti_affinity("zone", selector_exists("bar"))
              .obj()},
         ab(r1z1a, r1z2b),
         {kExisting, kExisting}},
        {"Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, "
         "it's counted as a single term match - case when all terms have valid topologyKey",
         pod({})
             .pod_anti_affinity("region", selector_exists("foo"))
             .pod_anti_affinity("zone", selector_exists("bar"))
             .obj(),
         {pod(foo_bar, "", "nodeA").obj()},
         ab(r1z1a, r1z2b),
         {kAnti, kAnti}},
        {"Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one "
         "anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC",
         pod(foo_bar).obj(),
         {pod({}, "", "nodeA")
              .pod_anti_affinity("zone", selector_exists("foo"))
              .pod_anti_affinity("zone", selector_exists("labelA"))
              .obj(),
          pod({}, "", "nodeB")
              .pod_anti_affinity("zone", selector_exists("bar"))
              .pod_anti_affinity("zone", selector_exists("labelB"))
              .obj()},
         {node("nodeA", r1z1a), node("nodeB", r1z2b),
          node("nodeC", {{"region", "r1"}, {"zone", "z3"}, {"hostname", "nodeC"}})},
         {kExisting, kExisting, kOk}},
        {"Test incoming pod's affinity: firstly check if all affinityTerms match, and then check "
         "if all topologyKeys match",
         pod({})
             .pod_affinity("region", selector_exists("foo"))
             .pod_affinity("zone", selector_exists("bar"))
             .obj(),
         {pod(foo_bar, "", "nodeA").name("pod1").obj()},
         ab(r1z1a, r1z1b),
         {kOk, kOk}},
        {"Test incoming pod's affinity: firstly check if all affinityTerms match, and then check "
         "if all topologyKeys match, and the match logic should be satisfied on the same pod",
         pod({})
             .pod_affinity("region", selector_exists("foo"))
             .pod_affinity("zone", selector_exists("bar"))
             .obj(),
         {pod({{"foo", ""}}, "", "nodeA").name("pod1").obj(),
          pod({{"bar", ""}}, "", "nodeB").name("pod2").obj()},
         ab(r1z1a, r1z2b),
         {kAffinity, kAffinity}},
        {"pods on a node without a node object count nowhere",
         pod({}).pod_anti_affinity("region", selector_in("foo", {"abc"})).obj(),
         {pod({{"foo", "abc"}}, "", "gone").obj()},
         ab(r1z1a, r1z2b),
         {kOk, kOk}},
    };
    for (const auto& tc : cases) {
        run(tc);
    }
}

TEST_CASE("inter_pod_affinity.filter_without_pre_filter") {
    // upstream TestPreFilterDisabled.
    testing::fake_handle h;
    inter_pod_affinity pl({}, h);
    framework::cycle_state state;
    const auto n = testing::make_node_info(node("node1", {}));
    const auto got = pl.filter(state, *info(pod({}).obj()), n);
    CHECK(got.code() == code::error);
    CHECK(got.message() ==
          "error reading \"PreFilterInterPodAffinity\" from cycleState: not found");
    const auto p = info(pod({}).obj());
    CHECK(pl.add_pod(state, *p, *p, n).code() == code::error);
    CHECK(pl.remove_pod(state, *p, *p, n).code() == code::error);
}

TEST_CASE("inter_pod_affinity.filter_node_without_object") {
    testing::fake_handle h;
    inter_pod_affinity pl({}, h);
    const cluster c({}, {pod({{"foo", ""}}, "", "nodeA").obj()});
    framework::cycle_state state;
    framework::pre_filter_result result;
    const auto p = info(pod({}).pod_affinity("zone", selector_exists("foo")).obj());
    REQUIRE(pl.pre_filter(state, *p, c.all(), result).is_success());
    const auto got = pl.filter(state, *p, c.get("nodeA"));
    CHECK(got.code() == code::error);
    CHECK(got.message() == "node not found");
    // The PreFilter extensions ignore a node without labels.
    CHECK(pl.add_pod(state, *p, *p, c.get("nodeA")).is_success());
}

}  // namespace
}  // namespace multisched::plugins::inter_pod_affinity
