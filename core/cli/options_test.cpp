// SPDX-License-Identifier: Apache-2.0
// Command-line parsing (pflag syntax and errors) and upstream precedence between --config and
// flags (options.go ApplyTo).
#include "core/cli/options.hpp"

#include <cstdio>
#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace multisched::cli {
namespace {

result<options> parse(std::vector<std::string> args) {
    std::vector<const char*> argv = {"kube-scheduler"};
    for (const auto& a : args) {
        argv.push_back(a.c_str());
    }
    return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST_CASE("cli.defaults") {
    auto o = parse({});
    REQUIRE(o.has_value());
    CHECK(o->secure_port == 10259);
    CHECK(o->bind_address == "0.0.0.0");
    CHECK(o->leader_election.leader_elect);
    CHECK(o->leader_election.lease_duration == std::chrono::seconds(15));
    CHECK(o->kube_api_qps == 50);
    CHECK(o->kube_api_burst == 100);
    CHECK(o->pod_max_in_unschedulable_pods_duration == std::chrono::minutes(5));
    CHECK(o->authorization_always_allow_paths ==
          std::vector<std::string>{"/healthz", "/readyz", "/livez"});
    CHECK(o->changed.empty());
    CHECK_FALSE(o->should_exit());
}

TEST_CASE("cli.parse_syntax") {
    struct test_case {
        std::string name;
        std::vector<std::string> args;
        std::function<void(const options&)> check;
    };
    const std::vector<test_case> cases = {
        {"equals", {"--secure-port=1234"}, [](const options& o) { CHECK(o.secure_port == 1234); }},
        {"separate",
         {"--secure-port", "1234"},
         [](const options& o) { CHECK(o.secure_port == 1234); }},
        {"bare_bool",
         {"--leader-elect"},
         [](const options& o) {
             CHECK(o.leader_election.leader_elect);
             CHECK(o.is_changed("leader-elect"));
         }},
        {"bool_false",
         {"--leader-elect=false"},
         [](const options& o) { CHECK_FALSE(o.leader_election.leader_elect); }},
        {"v_equals", {"-v=4"}, [](const options& o) { CHECK(o.verbosity == 4); }},
        {"v_separate", {"-v", "4"}, [](const options& o) { CHECK(o.verbosity == 4); }},
        {"v_adjacent", {"-v4"}, [](const options& o) { CHECK(o.verbosity == 4); }},
        {"v_long", {"--v=4"}, [](const options& o) { CHECK(o.verbosity == 4); }},
        {"underscores",
         {"--kube_api_qps=7.5"},
         [](const options& o) { CHECK(o.kube_api_qps == 7.5f); }},
        {"last_scalar_wins",
         {"--config=a", "--config=b"},
         [](const options& o) { CHECK(o.config_file == "b"); }},
        {"slice_replaces_default_then_appends",
         {"--authorization-always-allow-paths=/a,/b", "--authorization-always-allow-paths=/c"},
         [](const options& o) {
             CHECK(o.authorization_always_allow_paths ==
                   std::vector<std::string>{"/a", "/b", "/c"});
         }},
        {"feature_gates",
         {"--feature-gates=A=true,B=false", "--feature-gates", "C=1"},
         [](const options& o) {
             CHECK(o.feature_gates ==
                   std::map<std::string, bool>{{"A", true}, {"B", false}, {"C", true}});
         }},
        {"durations",
         {"--leader-elect-lease-duration=1m30s", "--leader-elect-retry-period=500ms"},
         [](const options& o) {
             CHECK(o.leader_election.lease_duration == std::chrono::seconds(90));
             CHECK(o.leader_election.retry_period == std::chrono::milliseconds(500));
         }},
        {"kubeadm_static_pod",
         {"--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
          "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf", "--bind-address=127.0.0.1",
          "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true"},
         [](const options& o) {
             CHECK(o.bind_address == "127.0.0.1");
             CHECK(o.kubeconfig == "/etc/kubernetes/scheduler.conf");
         }},
        {"help", {"-h"}, [](const options& o) { CHECK(o.should_exit()); }},
        {"version", {"--version"}, [](const options& o) { CHECK(o.version); }},
        {"version_raw", {"--version=raw"}, [](const options& o) { CHECK(o.version_raw); }},
        {"double_dash_empty", {"--", ""}, [](const options& o) { CHECK(o.changed.empty()); }},
        {"logging_json",
         {"--logging-format=json"},
         [](const options& o) { CHECK(o.logging_format == "json"); }},
        {"master",
         {"--master", "https://1.2.3.4:6443"},
         [](const options& o) { CHECK(o.master == "https://1.2.3.4:6443"); }},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto o = parse(c.args);
            INFO((o ? std::string() : o.error().message));
            REQUIRE(o.has_value());
            c.check(*o);
        }
    }
}

TEST_CASE("cli.parse_errors") {
    struct test_case {
        std::string name;
        std::vector<std::string> args;
        std::string want;
    };
    const std::vector<test_case> cases = {
        {"unknown", {"--foo"}, "unknown flag: --foo"},
        {"unknown_with_value", {"--foo=bar"}, "unknown flag: --foo"},
        {"unknown_shorthand", {"-x"}, "unknown shorthand flag: 'x' in -x"},
        {"bad_int",
         {"--secure-port=abc"},
         "invalid argument \"abc\" for \"--secure-port\" flag: strconv.ParseInt: parsing "
         "\"abc\": invalid syntax"},
        {"int32_range",
         {"--kube-api-burst=3000000000"},
         "invalid argument \"3000000000\" for \"--kube-api-burst\" flag: strconv.ParseInt: "
         "parsing \"3000000000\": value out of range"},
        {"bad_bool",
         {"--leader-elect=maybe"},
         "invalid argument \"maybe\" for \"--leader-elect\" flag: strconv.ParseBool: parsing "
         "\"maybe\": invalid syntax"},
        {"bad_level",
         {"-v=x"},
         "invalid argument \"x\" for \"-v, --v\" flag: strconv.ParseInt: parsing \"x\": invalid "
         "syntax"},
        {"bad_duration",
         {"--leader-elect-lease-duration=15"},
         "invalid argument \"15\" for \"--leader-elect-lease-duration\" flag: time: missing unit "
         "in duration \"15\""},
        {"bad_ip",
         {"--bind-address=localhost"},
         "invalid argument \"localhost\" for \"--bind-address\" flag: failed to parse IP: "
         "\"localhost\""},
        {"bad_float",
         {"--kube-api-qps=fast"},
         "invalid argument \"fast\" for \"--kube-api-qps\" flag: strconv.ParseFloat: parsing "
         "\"fast\": invalid syntax"},
        {"bad_feature_gate",
         {"--feature-gates=A=yes"},
         "invalid argument \"A=yes\" for \"--feature-gates\" flag: invalid value of A=yes, err: "
         "strconv.ParseBool: parsing \"yes\": invalid syntax"},
        {"bad_logging_format",
         {"--logging-format=xml"},
         "invalid argument \"xml\" for \"--logging-format\" flag: Unsupported log format \"xml\" "
         "(supported: text, json)"},
        {"missing_value", {"--config"}, "flag needs an argument: --config"},
        {"positional",
         {"run", "now"},
         "\"kube-scheduler\" does not take any arguments, got [\"run\" \"now\"]"},
        {"bool_with_separate_value",
         {"--leader-elect", "false"},
         "\"kube-scheduler\" does not take any arguments, got [\"false\"]"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto o = parse(c.args);
            REQUIRE_FALSE(o.has_value());
            CHECK(o.error().message == c.want);
        }
    }
}

TEST_CASE("cli.usage_and_version") {
    const std::string usage = usage_text("kube-scheduler");
    for (const auto* needle :
         {"Misc flags:", "Secure serving flags:", "Authentication flags:", "Authorization flags:",
          "Deprecated flags:", "Leader election flags:", "Feature gate flags:", "Metrics flags:",
          "Logs flags:", "--secure-port int", "(default 10259)", "-v, --v Level",
          "--leader-elect-lease-duration duration", "(default 15s)"}) {
        INFO(needle);
        CHECK(usage.find(needle) != std::string::npos);
    }
    CHECK(version_text("0.1.0") == "multisched v0.1.0 (kube-scheduler compatible)");
    CHECK(version_text("v0.1.0") == "multisched v0.1.0 (kube-scheduler compatible)");
}

struct temp_file {
    std::string path;
    explicit temp_file(const std::string& text)
        : path("/tmp/multisched_cli_test_" +
               std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".yaml") {
        std::ofstream(path) << text;
    }
    ~temp_file() { std::remove(path.c_str()); }
};

TEST_CASE("cli.effective_config_precedence") {
    const temp_file file(
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
        "clientConnection:\n  kubeconfig: /from/file\n  qps: 5\n"
        "leaderElection:\n  leaseDuration: 20s\n  resourceName: file-lock\n"
        "profiles:\n- schedulerName: a\n- schedulerName: b\n");
    struct test_case {
        std::string name;
        std::vector<std::string> args;
        std::function<void(const config::scheduler_config&)> check;
    };
    const std::vector<test_case> cases = {
        {"no_config_defaults",
         {},
         [](const config::scheduler_config& c) {
             REQUIRE(c.profiles.size() == 1);
             CHECK(c.profiles[0].scheduler_name == "default-scheduler");
             CHECK(c.leader_election.leader_elect);
             CHECK(c.client_connection.kubeconfig.empty());
         }},
        {"no_config_deprecated_and_leader_flags",
         {"--kubeconfig=/k", "--kube-api-qps=7", "--kube-api-burst=9", "--profiling=false",
          "--leader-elect=false", "--leader-elect-resource-name=x"},
         [](const config::scheduler_config& c) {
             CHECK(c.client_connection.kubeconfig == "/k");
             CHECK(c.client_connection.qps == 7);
             CHECK(c.client_connection.burst == 9);
             CHECK_FALSE(c.enable_profiling);
             CHECK(c.enable_contention_profiling);  // upstream: only the flag given is applied
             CHECK_FALSE(c.leader_election.leader_elect);
             CHECK(c.leader_election.resource_name == "x");
         }},
        {"config_file_wins_over_deprecated_flags",
         {"--config=FILE", "--kubeconfig=/ignored", "--kube-api-qps=99"},
         [](const config::scheduler_config& c) {
             CHECK(c.client_connection.kubeconfig == "/from/file");
             CHECK(c.client_connection.qps == 5);
             CHECK(c.profiles.size() == 2);
         }},
        {"explicit_leader_flags_override_file",
         {"--config=FILE", "--leader-elect-lease-duration=30s"},
         [](const config::scheduler_config& c) {
             CHECK(c.leader_election.lease_duration == std::chrono::seconds(30));
             CHECK(c.leader_election.resource_name == "file-lock");
         }},
        {"default_leader_flags_do_not_override_file",
         {"--config=FILE"},
         [](const config::scheduler_config& c) {
             CHECK(c.leader_election.lease_duration == std::chrono::seconds(20));
         }},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            std::vector<std::string> args;
            for (const auto& a : c.args) {
                args.push_back(a == "--config=FILE" ? "--config=" + file.path : a);
            }
            auto o = parse(args);
            REQUIRE(o.has_value());
            auto cfg = effective_config(*o);
            if (!cfg) {
                FAIL(cfg.error().message);
            }
            c.check(*cfg);
        }
    }

    SECTION("ignored flags are reported") {
        auto o = parse({"--config=" + file.path, "--kubeconfig=/x", "--profiling=false"});
        REQUIRE(o.has_value());
        const auto warnings = ignored_flag_warnings(*o);
        REQUIRE(warnings.size() == 2);
        CHECK(warnings[0].starts_with("--kubeconfig is ignored because --config is set"));
    }
    SECTION("a flag that breaks validation is named") {
        auto o = parse({"--config=" + file.path, "--leader-elect-renew-deadline=25s"});
        REQUIRE(o.has_value());
        auto cfg = effective_config(*o);
        REQUIRE_FALSE(cfg.has_value());
        CHECK(cfg.error().message ==
              fmt::format("{}:7:3: leaderElection.leaseDuration: Invalid value: 25s: must be "
                          "greater than `RenewDeadline`",
                          file.path));
    }
    SECTION("renew deadline flag error") {
        auto o = parse({"--leader-elect-retry-period=0s"});
        REQUIRE(o.has_value());
        auto cfg = effective_config(*o);
        REQUIRE_FALSE(cfg.has_value());
        CHECK(cfg.error().message ==
              "flag --leader-elect-retry-period: "
              "leaderElection.retryPeriod: Invalid value: 0s: must be "
              "greater than zero");
    }
    SECTION("file errors are returned") {
        auto o = parse({"--config=/nonexistent.yaml"});
        REQUIRE(o.has_value());
        auto cfg = effective_config(*o);
        REQUIRE_FALSE(cfg.has_value());
        CHECK(cfg.error().message == "open /nonexistent.yaml: No such file or directory");
    }
    SECTION("write_config_file round-trips") {
        auto o = parse({"--config=" + file.path});
        REQUIRE(o.has_value());
        auto cfg = effective_config(*o);
        REQUIRE(cfg.has_value());
        const std::string out = file.path + ".out";
        REQUIRE(write_config_file(out, *cfg).has_value());
        auto again = config::load_config_file(out);
        std::remove(out.c_str());
        REQUIRE(again.has_value());
        CHECK(config::to_yaml(*again) == config::to_yaml(*cfg));
    }
}

}  // namespace
}  // namespace multisched::cli
