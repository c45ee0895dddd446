// SPDX-License-Identifier: Apache-2.0
// Extenders: strict decoding (errors with file:line:col and field paths), encoding with upstream's
// omitempty rules, upstream validateExtenders (validation_test.go's extender cases plus the
// qualified-name rules) followed by multisched's refusal, and Go's base64.
#include "core/config/extenders.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/config/config.hpp"

namespace multisched::config {
namespace {

std::string header() {
    return "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += (out.empty() ? "" : "\n") + l;
    }
    return out;
}

const std::string kFull = header() + R"(extenders:
- urlPrefix: http://127.0.0.1:12346/scheduler
  filterVerb: filter
  preemptVerb: preempt
  prioritizeVerb: prioritize
  weight: 5
  bindVerb: bind
  enableHTTPS: true
  tlsConfig:
    insecure: true
    serverName: ext.example.com
    certFile: /etc/ext/cert.pem
    keyFile: /etc/ext/key.pem
    caFile: /etc/ext/ca.pem
    certData: Y2VydA==
    keyData: a2V5
    caData: "Y2\nE="
  httpTimeout: 1m30s
  nodeCacheCapable: true
  managedResources:
  - name: example.com/foo
    ignoredByScheduler: true
  - name: example.com/bar
  ignorable: true
- urlPrefix: http://127.0.0.1:12347
)";

TEST_CASE("config.extenders_decode") {
    auto cfg = decode_config(kFull, "c.yaml");
    REQUIRE(cfg.has_value());
    REQUIRE(cfg->extenders.size() == 2);
    const extender_config& e = cfg->extenders[0];
    CHECK(e.url_prefix == "http://127.0.0.1:12346/scheduler");
    CHECK(e.filter_verb == "filter");
    CHECK(e.preempt_verb == "preempt");
    CHECK(e.prioritize_verb == "prioritize");
    CHECK(e.weight == 5);
    CHECK(e.bind_verb == "bind");
    CHECK(e.enable_https);
    REQUIRE(e.tls_config.has_value());
    CHECK(e.tls_config->insecure);
    CHECK(e.tls_config->server_name == "ext.example.com");
    CHECK(e.tls_config->cert_file == "/etc/ext/cert.pem");
    CHECK(e.tls_config->key_file == "/etc/ext/key.pem");
    CHECK(e.tls_config->ca_file == "/etc/ext/ca.pem");
    CHECK(e.tls_config->cert_data == "cert");
    CHECK(e.tls_config->key_data == "key");
    CHECK(e.tls_config->ca_data == "ca");  // newlines inside base64 are skipped, as Go does
    CHECK(e.http_timeout == std::chrono::seconds(90));
    CHECK(e.node_cache_capable);
    REQUIRE(e.managed_resources.size() == 2);
    CHECK(e.managed_resources[0].name == "example.com/foo");
    CHECK(e.managed_resources[0].ignored_by_scheduler);
    CHECK(e.managed_resources[1].name == "example.com/bar");
    CHECK_FALSE(e.managed_resources[1].ignored_by_scheduler);
    CHECK(e.ignorable);
    // Upstream has no config default for httpTimeout: 0 until the extender client applies 5s.
    const extender_config& minimal = cfg->extenders[1];
    CHECK(minimal.http_timeout == duration::zero());
    CHECK_FALSE(minimal.tls_config.has_value());
    CHECK(minimal.weight == 0);
    CHECK(cfg->origins.at("extenders[0].tlsConfig.caData").line == 19);
    CHECK(cfg->origins.at("extenders[1]").line == 27);
}

TEST_CASE("config.extenders_null_and_empty") {
    auto absent = decode_config(header(), "c.yaml");
    REQUIRE(absent.has_value());
    CHECK(absent->extenders.empty());
    auto null_list = decode_config(header() + "extenders:\n", "c.yaml");
    REQUIRE(null_list.has_value());
    CHECK(null_list->extenders.empty());
    auto empty_list = decode_config(header() + "extenders: []\n", "c.yaml");
    REQUIRE(empty_list.has_value());
    CHECK(empty_list->extenders.empty());
    CHECK(validate(*empty_list).empty());
    CHECK(to_yaml(*empty_list).find("extenders") == std::string::npos);
    auto tls = decode_config(
        header() + "extenders:\n- {urlPrefix: a, tlsConfig: {}}\n- {urlPrefix: b, tlsConfig: ~}\n",
        "c.yaml");
    REQUIRE(tls.has_value());
    CHECK(tls->extenders[0].tls_config == extender_tls_config{});
    CHECK_FALSE(tls->extenders[1].tls_config.has_value());
}

TEST_CASE("config.extenders_decode_errors") {
    struct test_case {
        std::string name;
        std::string body;
        std::vector<std::string> want;
    };
    const std::vector<test_case> cases = {
        {"not a list",
         "extenders: {urlPrefix: x}\n",
         {"c.yaml:3:12: extenders: cannot unmarshal object into list"}},
        {"unknown field",
         "extenders:\n- urlPrefix: x\n  filterverb: f\n",
         {"c.yaml:5:3: extenders[0].filterverb: unknown field \"filterverb\""}},
        {"unknown tls field",
         "extenders:\n- tlsConfig:\n    foo: 1\n",
         {"c.yaml:5:5: extenders[0].tlsConfig.foo: unknown field \"foo\""}},
        {"unknown managed resource field",
         "extenders:\n- managedResources:\n  - name: example.com/x\n    ignored: true\n",
         {"c.yaml:6:5: extenders[0].managedResources[0].ignored: unknown field \"ignored\""}},
        {"duplicate field",
         "extenders:\n- weight: 1\n  weight: 2\n",
         {"c.yaml:5:3: extenders[0].weight: duplicate field \"weight\" (first set at line 4)"}},
        {"weight not an integer",
         "extenders:\n- weight: heavy\n",
         {"c.yaml:4:11: extenders[0].weight: cannot unmarshal string \"heavy\" into int64"}},
        {"weight out of range",
         "extenders:\n- weight: 9223372036854775808\n",
         {"c.yaml:4:11: extenders[0].weight: cannot unmarshal number 9223372036854775808 into "
          "int64: value out of range"}},
        {"verb not a string",
         "extenders:\n- filterVerb: 12\n",
         {"c.yaml:4:15: extenders[0].filterVerb: cannot unmarshal integer \"12\" into string"}},
        {"bool",
         "extenders:\n- ignorable: maybe\n",
         {"c.yaml:4:14: extenders[0].ignorable: cannot unmarshal string \"maybe\" into bool"}},
        {"duration without unit",
         "extenders:\n- httpTimeout: '30'\n",
         {"c.yaml:4:16: extenders[0].httpTimeout: time: missing unit in duration \"30\""}},
        {"duration as a number",
         "extenders:\n- httpTimeout: 30\n",
         {"c.yaml:4:16: extenders[0].httpTimeout: cannot unmarshal integer \"30\" into "
          "duration"}},
        {"tls not an object",
         "extenders:\n- tlsConfig: [a]\n",
         {"c.yaml:4:14: extenders[0].tlsConfig: cannot unmarshal list into object"}},
        {"bad base64",
         "extenders:\n- tlsConfig: {caData: 'YQ'}\n",
         {"c.yaml:4:23: extenders[0].tlsConfig.caData: illegal base64 data at input byte 0"}},
        {"base64 not a string",
         "extenders:\n- tlsConfig: {keyData: 12}\n",
         {"c.yaml:4:24: extenders[0].tlsConfig.keyData: cannot unmarshal integer \"12\" into "
          "[]byte (a base64 string)"}},
        {"all errors at once",
         "extenders:\n- urlPrefix: [x]\n  tlsConfig: {insecure: 3, certData: '*'}\n- bogus: 1\n",
         {"c.yaml:4:14: extenders[0].urlPrefix: cannot unmarshal list into string",
          "c.yaml:5:25: extenders[0].tlsConfig.insecure: cannot unmarshal integer \"3\" into bool",
          "c.yaml:5:38: extenders[0].tlsConfig.certData: illegal base64 data at input byte 0",
          "c.yaml:6:3: extenders[1].bogus: unknown field \"bogus\""}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto cfg = decode_config(header() + c.body, "c.yaml");
            REQUIRE_FALSE(cfg.has_value());
            CHECK(cfg.error().message == joined(c.want));
        }
    }
}

TEST_CASE("config.extenders_encode") {
    auto cfg = decode_config(kFull, "c.yaml");
    REQUIRE(cfg.has_value());
    const std::string text = to_yaml(*cfg);
    INFO(text);
    const YAML::Node encoded = YAML::Load(text)["extenders"];
    // Upstream's JSON tags: everything omitempty but urlPrefix, httpTimeout (a struct) and
    // managedResources[].name; []byte as base64.
    const YAML::Node want = YAML::Load(R"([
  {urlPrefix: "http://127.0.0.1:12346/scheduler", filterVerb: filter, preemptVerb: preempt,
   prioritizeVerb: prioritize, weight: 5, bindVerb: bind, enableHTTPS: true,
   tlsConfig: {insecure: true, serverName: ext.example.com, certFile: /etc/ext/cert.pem,
               keyFile: /etc/ext/key.pem, caFile: /etc/ext/ca.pem, certData: Y2VydA==,
               keyData: a2V5, caData: Y2E=},
   httpTimeout: 1m30s, nodeCacheCapable: true,
   managedResources: [{name: example.com/foo, ignoredByScheduler: true}, {name: example.com/bar}],
   ignorable: true},
  {urlPrefix: "http://127.0.0.1:12347", httpTimeout: 0s}])");
    CHECK(yaml_equal(encoded, want));
    CHECK_FALSE(yaml_equal(encoded[1], want[0]));
    // Decoding the encoding gives the same extenders back.
    auto again = decode_config(text, "again.yaml");
    REQUIRE(again.has_value());
    CHECK(again->extenders == cfg->extenders);
    CHECK(to_yaml(*again) == text);
}

TEST_CASE("config.extenders_encode_round_trips_odd_strings") {
    scheduler_config cfg;
    set_defaults(cfg);
    extender_config e;
    e.url_prefix = "";
    e.filter_verb = "123";
    e.bind_verb = "true";
    e.tls_config = extender_tls_config{};
    e.tls_config->server_name = "null";
    e.tls_config->ca_data = std::string("\0\xff\x01", 3);
    e.http_timeout = std::chrono::milliseconds(1500);
    cfg.extenders.push_back(e);
    cfg.extenders.emplace_back();
    const std::string text = to_yaml(cfg);
    INFO(text);
    auto again = decode_config(text, "again.yaml");
    REQUIRE(again.has_value());
    CHECK(again->extenders == cfg.extenders);
}

TEST_CASE("config.extenders_validate") {
    struct test_case {
        std::string name;
        std::string body;
        std::vector<std::string> want;  // empty: valid
    };
    const std::vector<test_case> cases = {
        {"valid", "extenders:\n- urlPrefix: a\n  prioritizeVerb: p\n  weight: 1\n", {}},
        {"prioritize needs a weight",
         "extenders:\n- urlPrefix: a\n  prioritizeVerb: p\n",
         {"c.yaml:4:3: extenders[0].weight: Invalid value: 0: must have a positive weight "
          "applied to it"}},
        {"negative weight",
         "extenders:\n- prioritizeVerb: p\n  weight: -1\n",
         {"c.yaml:5:3: extenders[0].weight: Invalid value: -1: must have a positive weight "
          "applied to it"}},
        {"weight without prioritize is not checked", "extenders:\n- weight: -1\n", {}},
        {"only one binder",
         "extenders:\n- bindVerb: bind\n- bindVerb: bind\n- filterVerb: f\n- bindVerb: b\n",
         {"c.yaml:3:1: extenders: Invalid value: \"found 3 extenders implementing bind\": only one "
          "extender can implement bind"}},
        {"native resource",
         "extenders:\n- managedResources: [{name: kubernetes.io/foo}, {name: cpu}]\n",
         {"c.yaml:4:23: extenders[0].managedResources[0].name: Invalid value: "
          "\"kubernetes.io/foo\": is an invalid extended resource name",
          "c.yaml:4:50: extenders[0].managedResources[1].name: Invalid value: \"cpu\": is an "
          "invalid extended resource name"}},
        {"requests prefix",
         "extenders:\n- managedResources: [{name: requests.example.com/foo}]\n",
         {"c.yaml:4:23: extenders[0].managedResources[0].name: Invalid value: "
          "\"requests.example.com/foo\": is an invalid extended resource name"}},
        {"not a qualified name",
         "extenders:\n- managedResources: [{name: 'a/b/c'}]\n",
         {"c.yaml:4:23: extenders[0].managedResources[0].name: Invalid value: \"a/b/c\": a "
          "qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
          "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
          "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
          "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}},
        {"duplicates across extenders",
         "extenders:\n- managedResources: [{name: example.com/foo}]\n"
         "- managedResources: [{name: example.com/bar}, {name: example.com/foo}]\n",
         {"c.yaml:5:48: extenders[1].managedResources[1].name: Invalid value: "
          "\"example.com/foo\": duplicate extender managed resource name"}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto cfg = decode_config(header() + c.body, "c.yaml");
            REQUIRE(cfg.has_value());
            const auto got = validate_config(*cfg);
            if (c.want.empty()) {
                CHECK(got.has_value());
            } else {
                REQUIRE_FALSE(got.has_value());
                CHECK(got.error().message == joined(c.want));
            }
        }
    }
}

TEST_CASE("config.extenders_errors_with_others") {
    auto cfg =
        decode_config(header() + "parallelism: 0\nextenders:\n- prioritizeVerb: p\n", "c.yaml");
    REQUIRE(cfg.has_value());
    CHECK(validate_config(*cfg).error().message ==
          joined({"c.yaml:3:1: parallelism: Invalid value: 0: should be an integer value greater "
                  "than zero",
                  "c.yaml:5:3: extenders[0].weight: Invalid value: 0: must have a positive weight "
                  "applied to it"}));
}

TEST_CASE("config.qualified_name_errors") {
    const std::string name_regex =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
        "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
        "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const std::string prefix_regex =
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
        "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
        "'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"example.com/foo", {}},
        {"foo", {}},
        {"a.b-c/X_y.z", {}},
        {"a.b_c/x", {prefix_regex}},
        {std::string(63, 'a'), {}},
        {std::string(64, 'a'), {"name part must be no more than 63 characters"}},
        {"/foo", {"prefix part must be non-empty"}},
        {"Example.com/foo", {prefix_regex}},
        {std::string(254, 'a') + "/foo", {"prefix part must be no more than 253 characters"}},
        {"example.com/", {"name part must be non-empty", name_regex}},
        {"", {"name part must be non-empty", name_regex}},
        {"-foo", {name_regex}},
        {"foo_", {name_regex}},
    };
    for (const auto& [value, want] : cases) {
        INFO(value);
        CHECK(qualified_name_errors(value) == want);
    }
}

TEST_CASE("config.is_extended_resource_name") {
    CHECK(is_extended_resource_name("example.com/foo"));
    CHECK(is_extended_resource_name("nvidia.com/gpu"));
    CHECK_FALSE(is_extended_resource_name("cpu"));
    CHECK_FALSE(is_extended_resource_name("hugepages-2Mi"));
    CHECK_FALSE(is_extended_resource_name("kubernetes.io/foo"));
    CHECK_FALSE(is_extended_resource_name("node.kubernetes.io/foo"));
    CHECK_FALSE(is_extended_resource_name("requests.example.com/foo"));
    // The quota form "requests.<name>" must be a qualified name too: its prefix is 9 bytes longer.
    CHECK(is_extended_resource_name(std::string(244, 'a') + "/foo"));
    CHECK_FALSE(is_extended_resource_name(std::string(245, 'a') + "/foo"));
}

TEST_CASE("config.base64") {
    struct test_case {
        std::string in;
        bool ok;
        std::string want;  // the bytes, or Go's error message
    };
    const std::vector<test_case> cases = {
        {"", true, ""},
        {"YQ==", true, "a"},
        {"YWI=", true, "ab"},
        {"YWJj", true, "abc"},
        {"YW\nJj\r\n", true, "abc"},
        {"YWJjZGVmZ2hp", true, "abcdefghi"},
        {"YQ", false, "illegal base64 data at input byte 0"},
        {"YWJjZA", false, "illegal base64 data at input byte 4"},
        {"YQ=", false, "illegal base64 data at input byte 3"},
        {"YQ=a", false, "illegal base64 data at input byte 2"},
        {"Y===", false, "illegal base64 data at input byte 1"},
        {"YQ==YQ==", false, "illegal base64 data at input byte 4"},
        {"Y*==", false, "illegal base64 data at input byte 1"},
        {"YW-j", false, "illegal base64 data at input byte 2"},
    };
    for (const auto& c : cases) {
        INFO(c.in);
        const auto got = decode_base64(c.in);
        REQUIRE(got.has_value() == c.ok);
        if (c.ok) {
            CHECK(*got == c.want);
        } else {
            CHECK(got.error().message == c.want);
        }
    }
    for (std::size_t n = 0; n < 300; n += 7) {
        std::string bytes;
        for (std::size_t i = 0; i < n; ++i) {
            bytes += static_cast<char>((i * 37 + n) & 0xff);
        }
        const auto back = decode_base64(encode_base64(bytes));
        REQUIRE(back.has_value());
        CHECK(*back == bytes);
    }
    CHECK(encode_base64("abc") == "YWJj");
    CHECK(encode_base64("ab") == "YWI=");
    CHECK(encode_base64("a") == "YQ==");
}

}  // namespace
}  // namespace multisched::config
