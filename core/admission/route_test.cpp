// SPDX-License-Identifier: Apache-2.0
#include "core/admission/route.hpp"

#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/admission/rules_test_util.hpp"
#include "test/util/builders.hpp"

namespace multisched::admission {
namespace {

using test_util::rules_of;
using testing::make_pod;

api::pod with_priority_class(api::pod p, std::string name) {
    p.priority_class_name = std::move(name);
    return p;
}

TEST_CASE("admission.route_conditions") {
    struct test_case {
        std::string name;
        std::string rules;
        api::pod pod;
        std::optional<api::label_map> ns_labels;
        std::vector<std::string> limited;
        std::optional<std::string> want;  // nullopt: left alone
        std::string want_rule;
    };
    const std::string empty_match = "- {name: all, schedulerName: s}\n";
    const std::string by_ns =
        "- {name: r, schedulerName: s, match: {namespaces: [ml, research]}}\n";
    const std::string by_ns_sel =
        "- {name: r, schedulerName: s, match: {namespaceSelector: {matchLabels: {team: ml}}}}\n";
    const std::string by_pod_sel =
        "- name: r\n  schedulerName: s\n  match:\n    podSelector:\n"
        "      matchLabels: {app: train}\n"
        "      matchExpressions: [{key: tier, operator: NotIn, values: [web]}]\n";
    const std::string by_gpu =
        "- {name: r, schedulerName: s, match: {resources: [example.com/gpu, cpu]}}\n";
    const std::string by_prio =
        "- {name: r, schedulerName: s, match: {priorityClassNames: [low, batch]}}\n";
    const std::string ns_and_pod =
        "- {name: r, schedulerName: s, match: {namespaces: [ml], podSelector: {matchLabels: "
        "{app: train}}}}\n";
    const api::label_map ml{{{"team", "ml"}}};
    const api::label_map web{{{"team", "web"}}};
    const auto train = make_pod().ns("ml").label("app", "train").obj();
    const std::vector<test_case> cases = {
        {"no rules", "", make_pod().ns("ml").obj(), {}, {}, std::nullopt, ""},
        {"empty match matches any pod", empty_match, make_pod().ns("x").obj(), {}, {}, "s", "all"},
        {"namespace listed", by_ns, make_pod().ns("research").obj(), {}, {}, "s", "r"},
        {"namespace not listed", by_ns, make_pod().ns("web").obj(), {}, {}, std::nullopt, ""},
        {"namespace selector matches", by_ns_sel, make_pod().ns("a").obj(), ml, {}, "s", "r"},
        {"namespace selector mismatch",
         by_ns_sel,
         make_pod().ns("a").obj(),
         web,
         {},
         std::nullopt,
         ""},
        {"namespace labels unknown",
         by_ns_sel,
         make_pod().ns("a").obj(),
         std::nullopt,
         {},
         std::nullopt,
         ""},
        {"pod selector matches", by_pod_sel, train, {}, {}, "s", "r"},
        {"pod selector expression fails",
         by_pod_sel,
         make_pod().label("app", "train").label("tier", "web").obj(),
         {},
         {},
         std::nullopt,
         ""},
        {"pod selector label missing", by_pod_sel, make_pod().obj(), {}, {}, std::nullopt, ""},
        {"extended resource requested",
         by_gpu,
         make_pod().req({{"example.com/gpu", "1"}}).obj(),
         {},
         {},
         "s",
         "r"},
        {"cpu requested (any of the list)",
         by_gpu,
         make_pod().req({{"cpu", "10m"}}).obj(),
         {},
         {},
         "s",
         "r"},
        {"init container request counts",
         by_gpu,
         make_pod().req({{"memory", "1Gi"}}).init_req({{"example.com/gpu", "2"}}).obj(),
         {},
         {},
         "s",
         "r"},
        {"zero request does not count",
         by_gpu,
         make_pod().req({{"example.com/gpu", "0"}, {"memory", "1Gi"}}).obj(),
         {},
         {},
         std::nullopt,
         ""},
        {"limit only counts",
         by_gpu,
         make_pod().req({{"example.com/gpu", "0"}}).obj(),
         {},
         {"example.com/gpu"},
         "s",
         "r"},
        {"other limit does not count", by_gpu, make_pod().obj(), {}, {"memory"}, std::nullopt, ""},
        {"priority class listed",
         by_prio,
         with_priority_class(make_pod().obj(), "batch"),
         {},
         {},
         "s",
         "r"},
        {"priority class not listed",
         by_prio,
         with_priority_class(make_pod().obj(), "high"),
         {},
         {},
         std::nullopt,
         ""},
        {"no priority class", by_prio, make_pod().obj(), {}, {}, std::nullopt, ""},
        {"AND: both hold", ns_and_pod, train, {}, {}, "s", "r"},
        {"AND: namespace fails",
         ns_and_pod,
         make_pod().ns("x").label("app", "train").obj(),
         {},
         {},
         std::nullopt,
         ""},
        {"AND: pod selector fails",
         ns_and_pod,
         make_pod().ns("ml").obj(),
         {},
         {},
         std::nullopt,
         ""},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const routing_rules rules = rules_of(c.rules);
        const auto d = route(rules, c.pod, c.ns_labels ? &*c.ns_labels : nullptr, c.limited);
        CHECK(d.scheduler_name == c.want);
        CHECK(d.rule == c.want_rule);
        CHECK(matches(rules.rules.empty() ? rule_match{} : rules.rules[0].match, c.pod,
                      c.ns_labels ? &*c.ns_labels : nullptr,
                      c.limited) == (rules.rules.empty() || c.want.has_value()));
    }
}

TEST_CASE("admission.route_decisions") {
    struct test_case {
        std::string name;
        std::string rules;
        api::pod pod;
        std::optional<std::string> want;
        std::string want_rule;
        std::string want_reason;
    };
    const std::string ml_to_gang =
        "- {name: ml, schedulerName: gang, match: {namespaces: [ml]}}\n"
        "- {name: rest, schedulerName: other}\n";
    const std::string overriding =
        "- {name: force, schedulerName: gang, override: true, match: {namespaces: [ml]}}\n";
    const std::string keep_then_force =
        "- {name: keep, schedulerName: gang, match: {namespaces: [ml]}}\n"
        "- {name: force, schedulerName: other, override: true}\n";
    const std::vector<test_case> cases = {
        {"first matching rule wins", ml_to_gang, make_pod().ns("ml").obj(), "gang", "ml",
         "rule \"ml\": schedulerName \"default-scheduler\" -> \"gang\""},
        {"later rule when the first does not match", ml_to_gang, make_pod().ns("web").obj(),
         "other", "rest", "rule \"rest\": schedulerName \"default-scheduler\" -> \"other\""},
        {"default-scheduler counts as unset", ml_to_gang,
         make_pod().ns("ml").scheduler("default-scheduler").obj(), "gang", "ml",
         "rule \"ml\": schedulerName \"default-scheduler\" -> \"gang\""},
        {"a named scheduler is kept without override", ml_to_gang,
         make_pod().ns("ml").scheduler("mine").obj(), std::nullopt, "ml",
         "rule \"ml\": pod names scheduler \"mine\" and the rule does not override"},
        {"override replaces a named scheduler", overriding,
         make_pod().ns("ml").scheduler("mine").obj(), "gang", "force",
         "rule \"force\": schedulerName \"mine\" -> \"gang\""},
        {"the first match decides even when it keeps the pod", keep_then_force,
         make_pod().ns("ml").scheduler("mine").obj(), std::nullopt, "keep",
         "rule \"keep\": pod names scheduler \"mine\" and the rule does not override"},
        {"already routed: no patch", overriding, make_pod().ns("ml").scheduler("gang").obj(),
         std::nullopt, "force", "rule \"force\": pod already names scheduler \"gang\""},
        {"routing to default-scheduler of an unset pod: no patch",
         "- {name: d, schedulerName: default-scheduler}\n", make_pod().ns("ml").obj(), std::nullopt,
         "d", "rule \"d\": pod already names scheduler \"default-scheduler\""},
        {"kube-system is never touched", "- {name: all, schedulerName: gang, override: true}\n",
         make_pod().ns("kube-system").obj(), std::nullopt, "",
         "namespace kube-system is never routed"},
        {"kube-system even when listed",
         "- {name: sys, schedulerName: gang, match: {namespaces: [kube-system]}}\n",
         make_pod().ns("kube-system").obj(), std::nullopt, "",
         "namespace kube-system is never routed"},
        {"no match", "- {name: ml, schedulerName: gang, match: {namespaces: [ml]}}\n",
         make_pod().ns("web").obj(), std::nullopt, "", "no rule matched"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto d = route(rules_of(c.rules), c.pod, nullptr);
        CHECK(d.scheduler_name == c.want);
        CHECK(d.rule == c.want_rule);
        CHECK(d.reason == c.want_reason);
    }
}

TEST_CASE("admission.route_invalid_selector_in_code_matches_nothing") {
    routing_rules rules;
    routing_rule r;
    r.name = "bad";
    r.scheduler_name = "s";
    r.match.pod_selector = api::label_selector{};
    r.match.pod_selector->match_expressions.push_back({"k", "Gt", {}});  // invalid: no value
    rules.rules.push_back(r);
    const auto d = route(rules, make_pod().label("k", "5").obj(), nullptr);
    CHECK_FALSE(d.scheduler_name.has_value());
    CHECK(d.reason == "no rule matched");
}

}  // namespace
}  // namespace multisched::admission
