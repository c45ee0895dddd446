// SPDX-License-Identifier: Apache-2.0
// Decoding: docs examples, strictness (unknown fields, duplicate keys, wrong types, all errors at
// once with line:column), and hostile inputs that must fail cleanly rather than crash.
#include <cstdio>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/config/config.hpp"

namespace multisched::config {
namespace {

std::string header(std::string_view version = kApiVersionV1) {
    return fmt::format("apiVersion: {}\nkind: KubeSchedulerConfiguration\n", version);
}

TEST_CASE("config.decode_docs_my_scheduler_v1beta2") {
    // kubernetes.io "Configure Multiple Schedulers" example.
    const std::string text =
        "apiVersion: kubescheduler.config.k8s.io/v1beta2\n"
        "kind: KubeSchedulerConfiguration\n"
        "profiles:\n"
        "  - schedulerName: my-scheduler\n"
        "leaderElection:\n"
        "  leaderElect: false\n";
    auto cfg = decode_config(text, "my-scheduler-config.yaml");
    REQUIRE(cfg.has_value());
    CHECK(cfg->api_version == kApiVersionV1beta2);
    REQUIRE(cfg->profiles.size() == 1);
    CHECK(cfg->profiles[0].scheduler_name == "my-scheduler");
    CHECK(cfg->profiles[0].plugins == default_plugins());
    CHECK_FALSE(cfg->leader_election.leader_elect);
    CHECK(cfg->parallelism == 16);
    CHECK(validate(*cfg).empty());
}

TEST_CASE("config.decode_full_v1") {
    const std::string text = header() + R"(
parallelism: 8
percentageOfNodesToScore: 40
podInitialBackoffSeconds: 2
podMaxBackoffSeconds: 20
enableProfiling: false
delayCacheUntilActive: true
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
  qps: 12.5
  burst: 30
leaderElection:
  leaseDuration: 1m30s
  renewDeadline: 45s
  retryPeriod: 500ms
  resourceName: other
profiles:
  - schedulerName: default-scheduler
  - schedulerName: no-scoring-scheduler
    percentageOfNodesToScore: 10
    plugins:
      preScore:
        disabled: [{name: '*'}]
      score:
        disabled:
          - name: '*'
      multiPoint:
        enabled:
          - name: NodeResourcesFit
            weight: 5
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
)";
    auto cfg = decode_config(text, "cfg.yaml");
    REQUIRE(cfg.has_value());
    CHECK(cfg->parallelism == 8);
    CHECK(cfg->percentage_of_nodes_to_score == 40);
    CHECK(cfg->pod_initial_backoff_seconds == 2);
    CHECK(cfg->pod_max_backoff_seconds == 20);
    CHECK_FALSE(cfg->enable_profiling);
    CHECK_FALSE(cfg->enable_contention_profiling);  // defaults to enableProfiling
    CHECK(cfg->delay_cache_until_active);
    CHECK(cfg->client_connection.kubeconfig == "/etc/kubernetes/scheduler.conf");
    CHECK(cfg->client_connection.qps == 12.5f);
    CHECK(cfg->client_connection.burst == 30);
    CHECK(cfg->leader_election.lease_duration == std::chrono::seconds(90));
    CHECK(cfg->leader_election.retry_period == std::chrono::milliseconds(500));
    CHECK(cfg->leader_election.resource_name == "other");
    CHECK(cfg->leader_election.resource_namespace == "kube-system");
    REQUIRE(cfg->profiles.size() == 2);
    const auto& p = cfg->profiles[1];
    CHECK(p.percentage_of_nodes_to_score == 10);
    REQUIRE(p.plugins.score.disabled.size() == 1);
    CHECK(p.plugins.score.disabled[0].name == "*");
    // NodeResourcesFit replaced in place with the custom weight.
    REQUIRE(p.plugins.multi_point.enabled.size() == 18);
    CHECK(p.plugins.multi_point.enabled[7].name == "NodeResourcesFit");
    CHECK(p.plugins.multi_point.enabled[7].weight == 5);
    CHECK(p.plugins.multi_point.enabled[7].origin.line == 31);
    REQUIRE(p.plugin_config.size() == 1);
    CHECK(p.plugin_config[0].args.node()["scoringStrategy"]["type"].as<std::string>() ==
          "MostAllocated");
    CHECK(validate(*cfg).empty());

    // Encoding and decoding again gives the same config.
    auto again = decode_config(to_yaml(*cfg), "again.yaml");
    REQUIRE(again.has_value());
    CHECK(again->profiles[1].plugins == cfg->profiles[1].plugins);
    CHECK(again->leader_election.lease_duration == cfg->leader_election.lease_duration);
    CHECK(again->client_connection.qps == cfg->client_connection.qps);
    CHECK(to_yaml(*again) == to_yaml(*cfg));
}

TEST_CASE("config.decode_json") {
    const std::string text = R"({
  "apiVersion": "kubescheduler.config.k8s.io/v1",
  "kind": "KubeSchedulerConfiguration",
  "parallelism": 4,
  "profiles": [{"schedulerName": "a"}, {"schedulerName": "b"}]
})";
    auto cfg = decode_config(text, "cfg.json");
    REQUIRE(cfg.has_value());
    CHECK(cfg->parallelism == 4);
    CHECK(cfg->profiles.size() == 2);
}

TEST_CASE("config.decode_errors") {
    struct test_case {
        std::string name;
        std::string text;
        std::vector<std::string> want;  // exact lines
    };
    const std::vector<test_case> cases = {
        {"unknown_field",
         header() + "parallelizm: 3\n",
         {"c.yaml:3:1: parallelizm: unknown field \"parallelizm\""}},
        {"unknown_nested_field",
         header() + "profiles:\n  - schedulerName: a\n    plugin:\n      score: {}\n",
         {"c.yaml:5:5: profiles[0].plugin: unknown field \"plugin\""}},
        {"duplicate_key",
         header() + "parallelism: 3\nparallelism: 4\n",
         {"c.yaml:4:1: parallelism: duplicate field \"parallelism\" (first set at line 3)"}},
        {"wrong_type_int",
         header() + "parallelism: \"16\"\n",
         {"c.yaml:3:14: parallelism: cannot unmarshal string \"16\" into int32"}},
        {"wrong_type_string",
         header() + "profiles:\n- schedulerName: 123\n",
         {"c.yaml:4:18: profiles[0].schedulerName: cannot unmarshal integer \"123\" into "
          "string"}},
        {"wrong_type_list",
         header() + "profiles: {a: 1}\n",
         {"c.yaml:3:11: profiles: cannot unmarshal object into list"}},
        {"int32_overflow",
         header() + "parallelism: 4294967296\n",
         {"c.yaml:3:14: parallelism: cannot unmarshal number 4294967296 into int32: value out "
          "of range"}},
        {"bad_duration",
         header() + "leaderElection:\n  leaseDuration: \"15\"\n",
         {"c.yaml:4:18: leaderElection.leaseDuration: time: missing unit in duration \"15\""}},
        {"number_duration",
         header() + "leaderElection:\n  leaseDuration: 15\n",
         {"c.yaml:4:18: leaderElection.leaseDuration: cannot unmarshal integer \"15\" into "
          "duration"}},
        {"other_kind",
         "apiVersion: v1\nkind: Pod\n",
         {"c.yaml:2:7: kind: couldn't decode as KubeSchedulerConfiguration, got Pod"}},
        {"missing_kind",
         "apiVersion: kubescheduler.config.k8s.io/v1\n",
         {"c.yaml:1:1: kind: Required value: expected \"KubeSchedulerConfiguration\""}},
        {"bad_version",
         "apiVersion: kubescheduler.config.k8s.io/v2\nkind: KubeSchedulerConfiguration\n",
         {"c.yaml:1:13: apiVersion: Unsupported value: \"kubescheduler.config.k8s.io/v2\": "
          "supported values: \"kubescheduler.config.k8s.io/v1\", "
          "\"kubescheduler.config.k8s.io/v1beta3\", \"kubescheduler.config.k8s.io/v1beta2\""}},
        {"empty_file", "", {"c.yaml: empty configuration: expected a KubeSchedulerConfiguration"}},
        {"comment_only",
         "# nothing\n",
         {"c.yaml: empty configuration: expected a KubeSchedulerConfiguration"}},
        {"scalar_document",
         "hello\n",
         {"c.yaml:1:1: couldn't decode as KubeSchedulerConfiguration: expected an object, got "
          "string \"hello\""}},
        {"all_errors_at_once",
         header() + "parallelism: x\n"
                    "profiles:\n"
                    "  - schedulerName: a\n"
                    "    plugins:\n"
                    "      score:\n"
                    "        enabled:\n"
                    "          - name: NodeResourcesFit\n"
                    "            weight: heavy\n"
                    "          - nam: Foo\n"
                    "leaderElection:\n"
                    "  leaderElect: maybe\n",
         {"c.yaml:3:14: parallelism: cannot unmarshal string \"x\" into int32",
          "c.yaml:10:21: profiles[0].plugins.score.enabled[0].weight: cannot unmarshal string "
          "\"heavy\" into int32",
          "c.yaml:11:13: profiles[0].plugins.score.enabled[1].nam: unknown field \"nam\"",
          "c.yaml:13:16: leaderElection.leaderElect: cannot unmarshal string \"maybe\" into "
          "bool"}},
        {"v1beta3_only_has_v1_fields",
         header(kApiVersionV1beta3) + "healthzBindAddress: x\n",
         {"c.yaml:3:1: healthzBindAddress: unknown field \"healthzBindAddress\""}},
        {"v1beta2_bind_address_must_be_empty",
         header(kApiVersionV1beta2) + "metricsBindAddress: 0.0.0.0:10251\n",
         {"c.yaml:3:21: metricsBindAddress: Invalid value: \"0.0.0.0:10251\": must be empty "
          "(insecure serving was removed; use --bind-address and --secure-port)"}},
        {"multiple_documents", header() + "---\n" + header(), {}},
        {"truncated", header() + "profiles:\n  - schedulerName: [a, b\n", {}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto cfg = decode_config(c.text, "c.yaml");
            REQUIRE_FALSE(cfg.has_value());
            const std::string& msg = cfg.error().message;
            INFO(msg);
            if (c.want.empty()) {
                CHECK(msg.starts_with("c.yaml:"));
                continue;
            }
            std::string want;
            for (const auto& line : c.want) {
                want += (want.empty() ? "" : "\n") + line;
            }
            CHECK(msg == want);
        }
    }
}

TEST_CASE("config.decode_yaml11_scalars") {
    // go-yaml v2 typing: yes/on are bools, 0x10 is an int, quoted strings stay strings.
    auto cfg = decode_config(header() +
                                 "enableProfiling: off\nparallelism: 0x10\n"
                                 "profiles:\n- schedulerName: \"123\"\n",
                             "c.yaml");
    REQUIRE(cfg.has_value());
    CHECK_FALSE(cfg->enable_profiling);
    CHECK(cfg->parallelism == 16);
    CHECK(cfg->profiles[0].scheduler_name == "123");
}

TEST_CASE("config.decode_null_values_are_unset") {
    auto cfg = decode_config(header() + "parallelism:\nprofiles:\n- schedulerName: ~\n", "c.yaml");
    REQUIRE(cfg.has_value());
    CHECK(cfg->parallelism == 16);
    CHECK(cfg->profiles[0].scheduler_name == "default-scheduler");
}

TEST_CASE("config.decode_hostile_inputs_never_crash") {
    std::vector<std::pair<std::string, std::string>> inputs = {
        {"nested_flow", std::string(100000, '[')},
        {"nested_maps",
         [] {
             std::string s;
             for (int i = 0; i < 5000; ++i) {
                 s += std::string(static_cast<std::size_t>(i % 200), ' ') + "a:\n";
             }
             return s;
         }()},
        {"nested_block",
         [] {
             std::string s = header() + "profiles:\n";
             for (int i = 0; i < 1500; ++i) {
                 s += std::string(static_cast<std::size_t>(i), ' ') + "- \n";
             }
             return s;
         }()},
        {"tab_indent", "apiVersion: x\n\tkind: y\n"},
        {"nul_bytes", std::string("apiVersion: \0\0\0kind", 20)},
        {"invalid_utf8", "apiVersion: \xff\xfe\xfd\nkind: \xc3\x28\n"},
        {"alias_loop", header() + "a: &x [*x]\n"},
        {"billion_laughs", header() +
                               "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\n"
                               "c: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c]\n"},
        {"args_alias", header() + "profiles:\n- pluginConfig:\n  - name: X\n    args: &a {b: 1}\n"
                                  "  - name: Y\n    args: *a\n"},
        {"complex_key", header() + "? [a]\n: 1\n"},
        {"stray_comma", ","},
        {"stray_comma_after_scalar", "\"x\" ,"},
        {"second_document_comma", header() + "---\n,\n"},
        {"json_truncated", "{\"apiVersion\": \"kubescheduler.config.k8s.io/v1\", \"kind\": "},
    };
    std::mt19937 rng(42);
    for (int i = 0; i < 50; ++i) {
        std::string garbage(static_cast<std::size_t>(rng() % 4096), '\0');
        for (auto& ch : garbage) {
            ch = static_cast<char>(rng() % 256);
        }
        inputs.emplace_back("random_" + std::to_string(i), garbage);
    }
    // Truncations of a valid config at every byte.
    const std::string valid = header() +
                              "profiles:\n- schedulerName: a\n  plugins:\n    score:\n"
                              "      enabled: [{name: X, weight: 2}]\n";
    for (std::size_t n = 0; n < valid.size(); ++n) {
        inputs.emplace_back("truncated_" + std::to_string(n), valid.substr(0, n));
    }
    // One pass without sections: Catch re-runs the whole test case for each section.
    for (const auto& [name, text] : inputs) {
        INFO(name);
        auto cfg = decode_config(text, "c.yaml");
        if (cfg.has_value()) {
            (void)validate(*cfg);
            (void)to_yaml(*cfg);
        } else {
            CHECK_FALSE(cfg.error().message.empty());
        }
    }
}

TEST_CASE("config.load_config_file") {
    SECTION("missing file") {
        auto cfg = load_config_file("/nonexistent/cfg.yaml");
        REQUIRE_FALSE(cfg.has_value());
        CHECK(cfg.error().message == "open /nonexistent/cfg.yaml: No such file or directory");
    }
    SECTION("10 MB file") {
        const std::string path = "/tmp/multisched_config_test_big.yaml";
        {
            std::ofstream out(path);
            out << header() << "profiles:\n- schedulerName: a\n  pluginConfig:\n"
                << "  - name: Big\n    args:\n      blob: \"";
            out << std::string(10 * 1024 * 1024, 'x') << "\"\n";
        }
        auto cfg = load_config_file(path);
        std::remove(path.c_str());
        REQUIRE(cfg.has_value());
        CHECK(cfg->source_name == path);
    }
    SECTION("file over the limit is refused") {
        auto cfg = decode_config(std::string(kMaxConfigFileBytes + 1, ' '), "big.yaml");
        REQUIRE_FALSE(cfg.has_value());
        CHECK(cfg.error().message.find("larger than") != std::string::npos);
    }
}

TEST_CASE("config.empty_profiles_list_is_an_error") {
    const auto empty = decode_config(
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
        "profiles: []\n",
        "c.yaml");
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().message.find("c.yaml:3:11: profiles: Required value") != std::string::npos);

    const auto absent = decode_config(
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n", "c.yaml");
    REQUIRE(absent.has_value());
    REQUIRE(absent->profiles.size() == 1);
    CHECK(absent->profiles[0].scheduler_name == "default-scheduler");
}

}  // namespace
}  // namespace multisched::config
