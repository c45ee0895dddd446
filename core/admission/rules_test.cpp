// SPDX-License-Identifier: Apache-2.0
#include "core/admission/rules.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace multisched::admission {
namespace {

constexpr std::string_view kHeader = "apiVersion: multisched.io/v1alpha1\nkind: ProfileRouting\n";

// The errors as "<line>:<col>: <path>: <detail>", one per line.
std::string errors_of(const std::string& yaml) {
    return config::format_errors("f", decode_rules_detailed(yaml).errors);
}

TEST_CASE("admission.decode_rules_valid") {
    const std::string yaml = std::string(kHeader) + R"(rules:
- name: gpu-jobs
  schedulerName: gang-scheduler
  override: true
  match:
    namespaces: [ml, research]
    namespaceSelector: {matchLabels: {team: ml}}
    podSelector:
      matchLabels: {app: train, empty: null}
      matchExpressions:
      - {key: tier, operator: In, values: [batch, "1"]}
      - {key: legacy, operator: DoesNotExist}
    resources: [nvidia.com/gpu, cpu]
    priorityClassNames: [batch-low]
- name: everything
  schedulerName: default-scheduler
- name: null-match
  schedulerName: x
  match:
)";
    const auto d = decode_rules_detailed(yaml);
    REQUIRE(d.errors.empty());
    const auto& rules = d.rules.rules;
    REQUIRE(rules.size() == 3);
    const routing_rule& gpu = rules[0];
    CHECK(gpu.name == "gpu-jobs");
    CHECK(gpu.scheduler_name == "gang-scheduler");
    CHECK(gpu.scheduler_name_origin.line == 5);
    CHECK(gpu.scheduler_name_origin.column == 18);
    CHECK(gpu.override_existing);
    CHECK(gpu.match.namespaces == std::vector<std::string>{"ml", "research"});
    REQUIRE(gpu.match.namespace_selector.has_value());
    CHECK(gpu.match.namespace_selector->match_labels.items ==
          api::label_map{{{"team", "ml"}}}.items);
    REQUIRE(gpu.match.pod_selector.has_value());
    CHECK(gpu.match.pod_selector->match_labels.items ==
          api::label_map{{{"app", "train"}, {"empty", ""}}}.items);
    REQUIRE(gpu.match.pod_selector->match_expressions.size() == 2);
    CHECK(gpu.match.pod_selector->match_expressions[0] ==
          api::node_selector_requirement{"tier", "In", {"batch", "1"}});
    CHECK(gpu.match.pod_selector->match_expressions[1] ==
          api::node_selector_requirement{"legacy", "DoesNotExist", {}});
    CHECK(gpu.match.resources == std::vector<std::string>{"nvidia.com/gpu", "cpu"});
    CHECK(gpu.match.priority_class_names == std::vector<std::string>{"batch-low"});
    CHECK(rules[1].name == "everything");
    CHECK_FALSE(rules[1].override_existing);
    CHECK(rules[1].match == rule_match{});
    CHECK(rules[2].match == rule_match{});
    CHECK(d.rules.uses_namespace_labels());
    CHECK_FALSE(routing_rules{{rules[1], rules[2]}}.uses_namespace_labels());
}

TEST_CASE("admission.decode_rules_no_rules") {
    for (const std::string tail : {"", "rules:\n", "rules: []\n"}) {
        const auto d = decode_rules_detailed(std::string(kHeader) + tail);
        CHECK(d.errors.empty());
        CHECK(d.rules.rules.empty());
    }
}

TEST_CASE("admission.decode_rules_errors") {
    struct test_case {
        std::string name;
        std::string yaml;
        std::string want;
    };
    const std::string h(kHeader);
    const std::vector<test_case> cases = {
        {"empty file", "", "f: empty file: expected a ProfileRouting"},
        {"comment only", "# nothing\n", "f: empty file: expected a ProfileRouting"},
        {"not yaml", "a: [b\n", "f:2:1: invalid YAML: end of sequence flow not found"},
        {"two documents", h + "---\n" + h,
         "f: multiple YAML documents: expected one ProfileRouting"},
        {"root is a list", "- a\n", "f:1:1: expected a ProfileRouting object, got list"},
        {"no type meta", "rules: []\n",
         "f:1:1: apiVersion: Required value: must be \"multisched.io/v1alpha1\"\n"
         "f:1:1: kind: Required value: must be \"ProfileRouting\""},
        {"wrong type meta", "apiVersion: v1\nkind: Pod\n",
         "f:1:1: apiVersion: Unsupported value: \"v1\": supported values: "
         "\"multisched.io/v1alpha1\"\n"
         "f:2:1: kind: Unsupported value: \"Pod\": supported values: \"ProfileRouting\""},
        {"unknown top-level field", h + "rule: []\n", "f:3:1: rule: unknown field \"rule\""},
        {"rules not a list", h + "rules: {a: b}\n",
         "f:3:8: rules: cannot unmarshal object into []Rule"},
        {"rule not an object", h + "rules: [x]\n",
         "f:3:9: rules[0]: cannot unmarshal string \"x\" into object"},
        {"missing required fields", h + "rules:\n- override: true\n",
         "f:4:3: rules[0].name: Required value\n"
         "f:4:3: rules[0].schedulerName: Required value"},
        // yaml-cpp places a null item at the next token (line 5 here).
        {"null rule", h + "rules:\n-\n- name: b\n  schedulerName: s\n",
         "f:5:1: rules[0].name: Required value\n"
         "f:5:1: rules[0].schedulerName: Required value"},
        {"empty strings", h + "rules:\n- name: \"\"\n  schedulerName:\n",
         "f:4:9: rules[0].name: Required value\n"
         "f:5:3: rules[0].schedulerName: Required value"},
        {"wrong scalar types", h + "rules:\n- name: [a]\n  schedulerName: 5\n  override: \"yes\"\n",
         "f:4:9: rules[0].name: cannot unmarshal list into string\n"
         "f:5:18: rules[0].schedulerName: cannot unmarshal integer \"5\" into string\n"
         "f:6:13: rules[0].override: cannot unmarshal string \"yes\" into bool"},
        {"unknown rule and match fields",
         h + "rules:\n- name: a\n  schedulerName: s\n  priority: 1\n  match: {labels: {}}\n",
         "f:6:3: rules[0].priority: unknown field \"priority\"\n"
         "f:7:11: rules[0].match.labels: unknown field \"labels\""},
        {"duplicate field", h + "rules:\n- name: a\n  name: b\n  schedulerName: s\n",
         "f:5:3: rules[0].name: duplicate field \"name\" (first set at line 4)"},
        {"duplicate rule names",
         h + "rules:\n- {name: a, schedulerName: s}\n- {name: b, schedulerName: s}\n"
             "- {name: a, schedulerName: t}\n",
         "f:6:4: rules[2].name: Duplicate value: \"a\": already the name of rules[0]"},
        {"empty and bad lists",
         h + "rules:\n- name: a\n  schedulerName: s\n  match:\n    namespaces: []\n"
             "    resources: cpu\n    priorityClassNames: [\"\", null]\n",
         "f:7:17: rules[0].match.namespaces: Required value: an empty list matches no pod; omit "
         "the field to match every pod\n"
         "f:8:16: rules[0].match.resources: cannot unmarshal string \"cpu\" into []string\n"
         "f:9:26: rules[0].match.priorityClassNames[0]: Required value\n"
         "f:9:30: rules[0].match.priorityClassNames[1]: Required value"},
        {"invalid namespace and resource names",
         h + "rules:\n- name: a\n  schedulerName: s\n  match:\n    namespaces: [ok, ML]\n"
             "    resources: [a/b/c]\n",
         "f:7:22: rules[0].match.namespaces[1]: Invalid value: \"ML\": a namespace name must be "
         "a lowercase RFC 1123 label (at most 63 characters: lower case alphanumerics or '-', "
         "starting and ending with an alphanumeric)\n"
         "f:8:17: rules[0].match.resources[0]: Invalid value: \"a/b/c\": a qualified name must "
         "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
         "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
         "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
         "subdomain prefix and '/' (e.g. 'example.com/MyName')"},
        {"unsupported selector operator",
         h + "rules:\n- {name: a, schedulerName: s}\n- {name: b, schedulerName: s}\n"
             "- name: c\n  schedulerName: s\n  match:\n    podSelector:\n"
             "      matchExpressions:\n      - {key: gpu, operator: Has}\n",
         "f:11:20: rules[2].match.podSelector.matchExpressions[0].operator: Unsupported value: "
         "\"Has\": supported values: \"DoesNotExist\", \"Exists\", \"In\", \"NotIn\""},
        {"invalid selector labels and values",
         h + "rules:\n- name: a\n  schedulerName: s\n  match:\n    namespaceSelector:\n"
             "      matchLabels: {\"bad key\": x}\n"
             "      matchExpressions:\n      - {key: k, operator: Exists, values: [v]}\n"
             "      - {key: k, operator: In}\n",
         "f:8:7: rules[0].match.namespaceSelector.matchLabels.key: Invalid value: \"bad key\": "
         "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
         "end with an alphanumeric character\n"
         "f:10:36: rules[0].match.namespaceSelector.matchExpressions[0].values: Forbidden: values "
         "set must be empty for exists and does not exist\n"
         "f:11:9: rules[0].match.namespaceSelector.matchExpressions[1].values: Required value: "
         "for 'in', 'notin' operators, values set can't be empty"},
        {"selector with a type error is not validated further",
         h + "rules:\n- name: a\n  schedulerName: s\n  match:\n    podSelector:\n"
             "      matchExpressions: [{key: k, operator: [In]}]\n      matchLabel: {}\n",
         "f:8:45: rules[0].match.podSelector.matchExpressions[0].operator: cannot unmarshal list "
         "into string\n"
         "f:9:7: rules[0].match.podSelector.matchLabel: unknown field \"matchLabel\""},
        {"errors of several rules are all reported",
         h + "rules:\n- {name: a}\n- {schedulerName: s, match: {namespaces: [X]}}\n",
         "f:4:3: rules[0].schedulerName: Required value\n"
         "f:5:43: rules[1].match.namespaces[0]: Invalid value: \"X\": a namespace name must be a "
         "lowercase RFC 1123 label (at most 63 characters: lower case alphanumerics or '-', "
         "starting and ending with an alphanumeric)\n"
         "f:5:3: rules[1].name: Required value"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(errors_of(c.yaml) == c.want);
    }
}

TEST_CASE("admission.decode_rules_result") {
    const auto ok = decode_rules(std::string(kHeader) + "rules:\n- {name: a, schedulerName: s}\n",
                                 "routing.yaml");
    REQUIRE(ok.has_value());
    CHECK(ok->rules.size() == 1);

    const auto bad =
        decode_rules(std::string(kHeader) + "rules:\n- {name: a}\n- {name: a, schedulerName: s}\n",
                     "routing.yaml");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message ==
          "routing.yaml:4:3: rules[0].schedulerName: Required value\n"
          "routing.yaml:5:4: rules[1].name: Duplicate value: \"a\": already the name of rules[0]");

    const auto huge = decode_rules(std::string(kMaxRulesFileBytes + 1, ' '), "r");
    REQUIRE_FALSE(huge.has_value());
    CHECK(huge.error().message == "r: file is larger than 1048576 bytes");
}

TEST_CASE("admission.validate_served_profiles") {
    const auto d = decode_rules_detailed(std::string(kHeader) +
                                         "rules:\n- {name: a, schedulerName: gang}\n"
                                         "- name: b\n  schedulerName: default-scheduler\n"
                                         "- {name: c, schedulerName: other}\n");
    REQUIRE(d.errors.empty());
    const std::set<std::string> served = {"default-scheduler", "a", "b"};
    CHECK(config::format_errors("r.yaml", validate(d.rules, served)) ==
          "r.yaml:4:28: rules[0].schedulerName: Unsupported value: \"gang\": not a profile of "
          "this scheduler; served: a, b, default-scheduler\n"
          "r.yaml:7:28: rules[2].schedulerName: Unsupported value: \"other\": not a profile of "
          "this scheduler; served: a, b, default-scheduler");
    const auto r = validate_rules(d.rules, served, "r.yaml");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("rules[2].schedulerName") != std::string::npos);

    CHECK(validate(d.rules, {"gang", "default-scheduler", "other"}).empty());
    CHECK(validate_rules(d.rules, {"gang", "default-scheduler", "other"}, "r.yaml").has_value());
    CHECK(validate(routing_rules{}, {}).empty());
}

}  // namespace
}  // namespace multisched::admission
