// SPDX-License-Identifier: Apache-2.0
// Ports the cases of upstream validation_test.go (TestValidateKubeSchedulerConfiguration) that
// apply to v1, plus multisched's own rules; configs go through decode + defaults like at startup.
#include <catch2/catch.hpp>

#include "core/config/config.hpp"

namespace multisched::config {
namespace {

constexpr std::string_view kValid = R"(apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
parallelism: 8
percentageOfNodesToScore: 35
podInitialBackoffSeconds: 1
podMaxBackoffSeconds: 1
clientConnection:
  acceptContentTypes: application/json
  contentType: application/json
  qps: 10
  burst: 10
leaderElection:
  leaderElect: true
  leaseDuration: 30s
  renewDeadline: 15s
  retryPeriod: 5s
  resourceNamespace: name
  resourceName: name
profiles:
  - schedulerName: me
    plugins:
      queueSort:
        enabled: [{name: CustomSort}]
      score:
        disabled: [{name: "*"}]
    pluginConfig:
      - name: DefaultPreemption
        args: {minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100}
  - schedulerName: other
    plugins:
      queueSort:
        enabled: [{name: CustomSort}]
      bind:
        enabled: [{name: CustomBind}]
)";

scheduler_config valid_config() {
    auto cfg = decode_config(kValid, "cfg.yaml");
    REQUIRE(cfg.has_value());
    return *cfg;
}

TEST_CASE("config.validate") {
    struct test_case {
        std::string name;
        std::function<void(scheduler_config&)> mutate;
        std::string want;  // "" = valid; else the full message
    };
    const std::vector<test_case> cases = {
        {"good", [](scheduler_config&) {}, ""},
        {"bad-parallelism-invalid-value", [](scheduler_config& c) { c.parallelism = 0; },
         "cfg.yaml:3:1: parallelism: Invalid value: 0: should be an integer value greater than "
         "zero"},
        {"bad-resource-name-not-set",
         [](scheduler_config& c) { c.leader_election.resource_name.clear(); },
         "cfg.yaml:18:3: leaderElection.resourceName: Required value"},
        {"bad-resource-namespace-not-set",
         [](scheduler_config& c) { c.leader_election.resource_namespace.clear(); },
         "cfg.yaml:17:3: leaderElection.resourceNamespace: Required value"},
        {"bad-resource-lock",
         [](scheduler_config& c) { c.leader_election.resource_lock = "configmap"; },
         "cfg.yaml:12:1: leaderElection.resourceLock: Invalid value: \"configmap\": resourceLock "
         "value must be \"leases\""},
        {"resource-lock-ignored-without-leader-election",
         [](scheduler_config& c) {
             c.leader_election.resource_lock = "configmap";
             c.leader_election.leader_elect = false;
         },
         ""},
        {"bad-lease-not-greater-than-renew",
         [](scheduler_config& c) { c.leader_election.renew_deadline = std::chrono::seconds(30); },
         "cfg.yaml:14:3: leaderElection.leaseDuration: Invalid value: 30s: must be greater than "
         "`RenewDeadline`"},
        {"bad-retry-period",
         [](scheduler_config& c) { c.leader_election.retry_period = duration::zero(); },
         "cfg.yaml:16:3: leaderElection.retryPeriod: Invalid value: 0s: must be greater than "
         "zero"},
        {"bad-burst", [](scheduler_config& c) { c.client_connection.burst = -1; },
         "cfg.yaml:11:3: clientConnection.burst: Invalid value: -1: must be non-negative"},
        {"bad-percentage-of-nodes-to-score",
         [](scheduler_config& c) { c.percentage_of_nodes_to_score = 101; },
         "cfg.yaml:4:1: percentageOfNodesToScore: Invalid value: 101: not in valid range "
         "[0-100]"},
        {"bad-profile-percentage",
         [](scheduler_config& c) { c.profiles[1].percentage_of_nodes_to_score = -1; },
         "cfg.yaml:29:5: profiles[1].percentageOfNodesToScore: Invalid value: -1: not in valid "
         "range [0-100]"},
        {"scheduler-name-not-set", [](scheduler_config& c) { c.profiles[1].scheduler_name = ""; },
         "cfg.yaml:29:5: profiles[1].schedulerName: Required value"},
        {"repeated-scheduler-name",
         [](scheduler_config& c) { c.profiles[0].scheduler_name = "other"; },
         "cfg.yaml:29:5: profiles[1].schedulerName: Duplicate value: \"other\""},
        {"different-queue-sort",
         [](scheduler_config& c) {
             c.profiles[1].plugins.queue_sort.enabled[0].name = "AnotherSort";
         },
         "cfg.yaml:31:7: profiles[1].plugins.queueSort: Invalid value: {enabled: [AnotherSort], "
         "disabled: []}: must be the same for all profiles"},
        {"one-empty-queue-sort", [](scheduler_config& c) { c.profiles[0].plugins.queue_sort = {}; },
         "cfg.yaml:31:7: profiles[1].plugins.queueSort: Invalid value: {enabled: [CustomSort], "
         "disabled: []}: must be the same for all profiles"},
        {"two-queue-sorts",
         [](scheduler_config& c) {
             for (auto& p : c.profiles) {
                 p.plugins.queue_sort.enabled.push_back(plugin{"Second", 0, {}});
             }
         },
         "cfg.yaml:22:7: profiles[0].plugins.queueSort.Enabled: Invalid value: 2: only one "
         "queue sort plugin can be enabled"},
        {"duplicated-plugin-config",
         [](scheduler_config& c) {
             c.profiles[0].plugin_config = {{"config", {}, {}}, {"config", {}, {}}};
         },
         "cfg.yaml:26:5: profiles[0].pluginConfig[1]: Duplicate value: \"config\""},
        {"mismatch-queue-sort-args",
         [](scheduler_config& c) {
             c.profiles[1].plugin_config.push_back(
                 {"CustomSort", raw_yaml(YAML::Load("{a: 1}")), {}});
         },
         "cfg.yaml:29:5: profiles[1].pluginConfig.args: Invalid value: {a: 1}: queueSort must "
         "be the same for all profiles"},
        {"bad-removed-plugins",
         [](scheduler_config& c) {
             c.profiles[0].plugins.filter.enabled.push_back(plugin{"EBSLimits", 0, {}});
         },
         "cfg.yaml:21:5: profiles[0].plugins.filter.enabled[0]: Invalid value: \"EBSLimits\": "
         "was invalid in version \"kubescheduler.config.k8s.io/v1\" (KubeSchedulerConfiguration "
         "is version \"kubescheduler.config.k8s.io/v1\")"},
        {"bad-removed-plugin-config",
         [](scheduler_config& c) {
             c.profiles[1].plugin_config.push_back({"AzureDiskLimits", {}, {}});
         },
         "cfg.yaml:29:5: profiles[1].pluginConfig[0]: Invalid value: \"AzureDiskLimits\": was "
         "invalid in version \"kubescheduler.config.k8s.io/v1\" (KubeSchedulerConfiguration is "
         "version \"kubescheduler.config.k8s.io/v1\")"},
        {"good-removed-plugin-in-multipoint",  // upstream does not check MultiPoint
         [](scheduler_config& c) {
             c.profiles[0].plugins.multi_point.enabled.push_back(plugin{"GCEPDLimits", 0, {}});
         },
         ""},
        {"negative-weight",
         [](scheduler_config& c) {
             c.profiles[0].plugins.score.enabled.push_back(plugin{"X", -2, {}});
         },
         "cfg.yaml:24:7: profiles[0].plugins.score.enabled[0].weight: Invalid value: -2: must be "
         "non-negative"},
        {"bad-initial-backoff", [](scheduler_config& c) { c.pod_initial_backoff_seconds = 0; },
         "cfg.yaml:5:1: podInitialBackoffSeconds: Invalid value: 0: must be greater than 0"},
        {"bad-max-backoff", [](scheduler_config& c) { c.pod_initial_backoff_seconds = 2; },
         "cfg.yaml:6:1: podMaxBackoffSeconds: Invalid value: 1: must be greater than or equal "
         "to PodInitialBackoffSeconds"},
        {"no-profiles", [](scheduler_config& c) { c.profiles.clear(); },
         "cfg.yaml:19:1: profiles: Required value"},
        {"extenders",
         [](scheduler_config& c) {
             c.extenders.resize(1);
             c.extenders[0].url_prefix = "http://x";
             c.extenders[0].prioritize_verb = "prioritize";
         },
         "cfg.yaml: extenders[0].weight: Invalid value: 0: must have a positive weight applied to "
         "it"},
        {"several-errors-at-once",
         [](scheduler_config& c) {
             c.parallelism = -1;
             c.profiles[0].scheduler_name = "";
             c.profiles[1].scheduler_name = "";
         },
         "cfg.yaml:3:1: parallelism: Invalid value: -1: should be an integer value greater than "
         "zero\n"
         "cfg.yaml:20:5: profiles[0].schedulerName: Required value\n"
         "cfg.yaml:29:5: profiles[1].schedulerName: Required value\n"
         "cfg.yaml:29:5: profiles[1].schedulerName: Duplicate value: \"\""},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            scheduler_config cfg = valid_config();
            c.mutate(cfg);
            const auto got = validate_config(cfg);
            if (c.want.empty()) {
                CHECK(got.has_value());
                if (!got) {
                    FAIL(got.error().message);
                }
            } else {
                REQUIRE_FALSE(got.has_value());
                CHECK(got.error().message == c.want);
            }
        }
    }
}

TEST_CASE("config.duplicate_scheduler_names") {
    const std::string text =
        "apiVersion: kubescheduler.config.k8s.io/v1\n"
        "kind: KubeSchedulerConfiguration\n"
        "profiles:\n"
        "  - schedulerName: a\n"
        "  - schedulerName: b\n"
        "  - schedulerName: a\n";
    auto cfg = decode_config(text, "/etc/kubernetes/cfg.yaml");
    REQUIRE(cfg.has_value());
    CHECK(validate_config(*cfg).error().message ==
          "/etc/kubernetes/cfg.yaml:6:5: profiles[2].schedulerName: Duplicate value: \"a\"");
}

TEST_CASE("config.explicit_empty_scheduler_name_is_not_defaulted") {
    auto cfg = decode_config(
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
        "profiles:\n- schedulerName: \"\"\n",
        "c.yaml");
    REQUIRE(cfg.has_value());
    CHECK(validate_config(*cfg).error().message ==
          "c.yaml:4:3: profiles[0].schedulerName: Required value");
}

TEST_CASE("config.plugin_args_are_checked_by_the_plugins_parser") {
    // A stand-in for plugins::make_args_defaulter(): "Fit" rejects a negative weight, "Boom"
    // throws, other plugins have no args type.
    const args_defaulter defaulter =
        [](std::string_view plugin, const YAML::Node& args) -> std::optional<result<YAML::Node>> {
        if (plugin == "Boom") {
            throw std::runtime_error("bad conversion");
        }
        if (plugin != "Fit") {
            return std::nullopt;
        }
        if (args["weight"] && args["weight"].as<int>() < 0) {
            return result<YAML::Node>(boost::system::in_place_error,
                                      error{{}, "Fit args: weight: Invalid value: -1"});
        }
        return result<YAML::Node>(boost::system::in_place_value, args);
    };
    auto cfg = decode_config(
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
        "profiles:\n"
        "- schedulerName: a\n"
        "  pluginConfig:\n"
        "  - name: Fit\n"
        "    args: {weight: 2}\n"
        "  - name: Other\n"
        "    args: {anything: 1}\n"
        "- schedulerName: b\n"
        "  pluginConfig:\n"
        "  - name: Fit\n"
        "    args: {weight: -1}\n"
        "  - name: Boom\n"
        "    args: {}\n",
        "c.yaml");
    REQUIRE(cfg.has_value());
    CHECK(validate_config(*cfg).has_value());  // without the plugins' parsers: nothing to see
    const auto checked = validate_config(*cfg, defaulter);
    REQUIRE_FALSE(checked.has_value());
    CHECK(checked.error().message ==
          "c.yaml:12:5: profiles[1].pluginConfig[0].args: Fit args: weight: Invalid value: -1\n"
          "c.yaml:14:5: profiles[1].pluginConfig[1].args: invalid args: bad conversion");
}

}  // namespace
}  // namespace multisched::config
