// SPDX-License-Identifier: Apache-2.0
// Ports upstream default_plugins_test.go (TestMergePlugins), checks the default plugin table and
// the pluginConfig half of setDefaults_KubeSchedulerProfile with a fake args defaulter.
#include <set>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "core/config/config.hpp"

namespace multisched::config {
namespace {

std::vector<plugin> list(std::initializer_list<std::pair<const char*, std::int32_t>> items) {
    std::vector<plugin> out;
    for (const auto& [name, weight] : items) {
        out.push_back(plugin{name, weight, {}});
    }
    return out;
}

std::string names(const std::vector<plugin>& l) {
    std::string out;
    for (const auto& p : l) {
        out += p.name + (p.weight != 0 ? ":" + std::to_string(p.weight) : "") + " ";
    }
    return out;
}

TEST_CASE("config.merge_plugin_set") {
    struct test_case {
        std::string name;
        plugin_set defaults;
        plugin_set custom;
        plugin_set want;
    };
    const std::vector<test_case> cases = {
        {"AppendCustomPlugin",
         {list({{"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}}), {}},
         {list({{"CustomPlugin", 0}}), {}},
         {list({{"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}, {"CustomPlugin", 0}}), {}}},
        {"InsertAfterDefaultPlugins2",
         {list({{"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}}), {}},
         {list({{"CustomPlugin", 0}, {"DefaultPlugin2", 0}}), list({{"DefaultPlugin2", 0}})},
         {list({{"DefaultPlugin1", 0}, {"CustomPlugin", 0}, {"DefaultPlugin2", 0}}),
          list({{"DefaultPlugin2", 0}})}},
        {"InsertBeforeAllPlugins",
         {list({{"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}}), {}},
         {list({{"CustomPlugin", 0}, {"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}}),
          list({{"*", 0}})},
         {list({{"CustomPlugin", 0}, {"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}}),
          list({{"*", 0}})}},
        {"ReorderDefaultPlugins",
         {list({{"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}}), {}},
         {list({{"DefaultPlugin2", 0}, {"DefaultPlugin1", 0}}), list({{"*", 0}})},
         {list({{"DefaultPlugin2", 0}, {"DefaultPlugin1", 0}}), list({{"*", 0}})}},
        {"ApplyEmptyCustomPlugin",
         {list({{"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}}), {}},
         {},
         {list({{"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}}), {}}},
        {"CustomPluginOverrideDefaultPlugin",
         {list({{"Plugin1", 0}, {"Plugin2", 0}, {"Plugin3", 0}}), {}},
         {list({{"Plugin1", 2}, {"Plugin3", 3}}), {}},
         {list({{"Plugin1", 2}, {"Plugin2", 0}, {"Plugin3", 3}}), {}}},
        {"OrderPreserveAfterOverride",
         {list({{"Plugin1", 0}, {"Plugin2", 0}, {"Plugin3", 0}}), {}},
         {list({{"Plugin2", 2}, {"Plugin1", 1}}), {}},
         {list({{"Plugin1", 1}, {"Plugin2", 2}, {"Plugin3", 0}}), {}}},
        {"RepeatedCustomPlugin",
         {list({{"Plugin1", 0}, {"Plugin2", 0}, {"Plugin3", 0}}), {}},
         {list({{"Plugin1", 0}, {"Plugin2", 2}, {"Plugin3", 0}, {"Plugin2", 4}}), {}},
         {list({{"Plugin1", 0}, {"Plugin2", 4}, {"Plugin3", 0}, {"Plugin2", 2}}), {}}},
        {"disabled MultiPoint plugin in default set",
         {list({{"DefaultPlugin", 0}}), list({{"DefaultPlugin2", 0}})},
         {list({{"CustomPlugin", 0}}), {}},
         {list({{"DefaultPlugin", 0}, {"CustomPlugin", 0}}), list({{"DefaultPlugin2", 0}})}},
        {"multipoint with only disabled gets merged",
         {list({{"DefaultPlugin", 0}}), {}},
         {{}, list({{"DefaultPlugin", 0}})},
         {{}, list({{"DefaultPlugin", 0}})}},
        {"custom disabled come before default disabled",
         {list({{"A", 0}}), list({{"X", 0}})},
         {{}, list({{"Y", 0}})},
         {list({{"A", 0}}), list({{"Y", 0}, {"X", 0}})}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const plugin_set got = merge_plugin_set(c.defaults, c.custom);
            CHECK(names(got.enabled) == names(c.want.enabled));
            CHECK(names(got.disabled) == names(c.want.disabled));
            CHECK(got == c.want);
        }
    }
}

TEST_CASE("config.merge_plugins_per_point") {
    // Upstream "Append disabled Multipoint plugins".
    plugins defaults;
    defaults.multi_point.enabled = list({{"DefaultPlugin1", 0}, {"DefaultPlugin2", 0}});
    plugins custom;
    custom.multi_point.enabled = list({{"CustomPlugin", 0}, {"CustomPlugin2", 0}});
    custom.multi_point.disabled = list({{"DefaultPlugin2", 0}});
    custom.score.disabled = list({{"CustomPlugin2", 0}});
    const plugins got = merge_plugins(defaults, custom);
    CHECK(names(got.multi_point.enabled) == "DefaultPlugin1 CustomPlugin CustomPlugin2 ");
    CHECK(names(got.multi_point.disabled) == "DefaultPlugin2 ");
    CHECK(names(got.score.disabled) == "CustomPlugin2 ");
    CHECK(got.filter.enabled.empty());
}

TEST_CASE("config.default_plugins") {
    const plugins d = default_plugins();
    CHECK(names(d.multi_point.enabled) ==
          "SchedulingGates PrioritySort NodeUnschedulable NodeName TaintToleration:3 "
          "NodeAffinity:2 NodePorts "
          "NodeResourcesFit:1 VolumeRestrictions NodeVolumeLimits VolumeBinding VolumeZone "
          "PodTopologySpread:2 "
          "InterPodAffinity:2 DefaultPreemption NodeResourcesBalancedAllocation:1 ImageLocality:1 "
          "DefaultBinder ");
    CHECK(d.multi_point.disabled.empty());
    CHECK(d.queue_sort.enabled.empty());
    CHECK(d.score.enabled.empty());
}

TEST_CASE("config.set_defaults") {
    SECTION("no profiles -> one default-scheduler profile with the default plugins") {
        scheduler_config cfg;
        set_defaults(cfg);
        REQUIRE(cfg.profiles.size() == 1);
        CHECK(cfg.profiles[0].scheduler_name == "default-scheduler");
        CHECK(cfg.profiles[0].plugins == default_plugins());
        CHECK(cfg.percentage_of_nodes_to_score == 0);
        CHECK(cfg.client_connection.qps == 50);
        CHECK(cfg.leader_election.resource_lock == "leases");
        CHECK(validate(cfg).empty());
    }
    SECTION("two unnamed profiles stay unnamed") {
        scheduler_config cfg;
        cfg.profiles.resize(2);
        set_defaults(cfg);
        CHECK(cfg.profiles[0].scheduler_name.empty());
        CHECK(cfg.profiles[1].scheduler_name.empty());
    }
    SECTION("zero values mean unset where upstream fields are not pointers") {
        scheduler_config cfg;
        cfg.client_connection.qps = 0;
        cfg.client_connection.burst = 0;
        cfg.client_connection.content_type.clear();
        cfg.leader_election.lease_duration = duration::zero();
        cfg.leader_election.resource_namespace.clear();
        set_defaults(cfg);
        CHECK(cfg.client_connection.qps == 50);
        CHECK(cfg.client_connection.burst == 100);
        CHECK(cfg.client_connection.content_type == kDefaultContentType);
        CHECK(cfg.leader_election.lease_duration == std::chrono::seconds(15));
        CHECK(cfg.leader_election.resource_namespace == "kube-system");
    }
}

TEST_CASE("config.duration") {
    struct test_case {
        std::string text;
        bool ok;
        std::int64_t ns;
        std::string printed;
    };
    const std::vector<test_case> cases = {
        {"15s", true, 15'000'000'000, "15s"},
        {"1m30s", true, 90'000'000'000, "1m30s"},
        {"100ms", true, 100'000'000, "100ms"},
        {"1h", true, 3'600'000'000'000, "1h0m0s"},
        {"1.5s", true, 1'500'000'000, "1.5s"},
        {"-2s", true, -2'000'000'000, "-2s"},
        {"0", true, 0, "0s"},
        {"1us", true, 1000, "1\xC2\xB5s"},
        {"2h45m", true, 9'900'000'000'000, "2h45m0s"},
        {"", false, 0, ""},
        {"15", false, 0, ""},
        {"abc", false, 0, ""},
        {"5x", false, 0, ""},
        {"99999999999999999999h", false, 0, ""},
        {".s", false, 0, ""},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION("parse '" << c.text << "'") {
            const auto d = parse_duration(c.text);
            REQUIRE(d.has_value() == c.ok);
            if (c.ok) {
                CHECK(d->count() == c.ns);
                CHECK(format_duration(*d) == c.printed);
            }
        }
    }
    CHECK(parse_duration("15").error().message == "time: missing unit in duration \"15\"");
    CHECK(parse_duration("5x").error().message == "time: unknown unit \"x\" in duration \"5x\"");
}

// A fake registry of args types: the seven in-tree ones and "Custom". A default is
// {kind: <plugin>Args, x: <args.x or 1>}; args with `bad` are invalid; args with `boom` throw.
std::optional<result<YAML::Node>> fake_defaulter(std::string_view plugin, const YAML::Node& args) {
    static const std::set<std::string_view> kTyped = {
        "DefaultPreemption", "InterPodAffinity",
        "NodeAffinity",      "NodeResourcesBalancedAllocation",
        "NodeResourcesFit",  "PodTopologySpread",
        "VolumeBinding",     "Custom"};
    if (!kTyped.contains(plugin)) {
        return std::nullopt;
    }
    const bool is_map = args.IsMap();
    if (is_map && args["boom"]) {
        throw std::runtime_error("boom");
    }
    if (is_map && args["bad"]) {
        return result<YAML::Node>(boost::system::in_place_error, error{{}, "bad args"});
    }
    YAML::Node out(YAML::NodeType::Map);
    out["kind"] = std::string(plugin) + "Args";
    out["x"] = is_map && args["x"] ? args["x"].as<int>() : 1;
    return result<YAML::Node>(boost::system::in_place_value, out);
}

std::string config_names(const profile_config& p) {
    std::string out;
    for (const auto& pc : p.plugin_config) {
        out += pc.name + " ";
    }
    return out;
}

const plugin_config& entry(const profile_config& p, std::string_view name) {
    for (const auto& pc : p.plugin_config) {
        if (pc.name == name) {
            return pc;
        }
    }
    FAIL("no pluginConfig entry " << name);
    throw std::logic_error("unreachable");
}

TEST_CASE("config.enabled_plugin_names") {
    plugins p;
    p.multi_point.enabled = list({{"B", 0}, {"A", 0}});
    p.score.enabled = list({{"C", 3}, {"A", 1}});
    p.filter.disabled = list({{"D", 0}});
    p.queue_sort.enabled = list({{"a", 0}});
    p.post_bind.enabled = list({{"Z", 0}});
    // Unique, sorted bytewise as Go's sort.Strings ("Z" < "a"); disabled names do not count.
    CHECK(enabled_plugin_names(p) == std::vector<std::string>{"A", "B", "C", "Z", "a"});
    CHECK(enabled_plugin_names(plugins{}).empty());
}

TEST_CASE("config.plugin_config_defaults_default_profile") {
    SECTION("upstream's seven in-tree args entries, in upstream order") {
        scheduler_config cfg;
        set_defaults(cfg, fake_defaulter);
        const auto& p = cfg.profiles[0];
        CHECK(config_names(p) ==
              "DefaultPreemption InterPodAffinity NodeAffinity NodeResourcesBalancedAllocation "
              "NodeResourcesFit PodTopologySpread VolumeBinding ");
        CHECK(yaml_equal(entry(p, "VolumeBinding").args.node(),
                         YAML::Load("{kind: VolumeBindingArgs, x: 1}")));
        CHECK(entry(p, "VolumeBinding").origin.line == 0);
        CHECK(validate(cfg).empty());
    }
    SECTION("no defaulter: no entries, as before") {
        scheduler_config cfg;
        set_defaults(cfg);
        CHECK(cfg.profiles[0].plugin_config.empty());
    }
}

TEST_CASE("config.plugin_config_defaults_user_entries") {
    const std::string text = R"(apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: a
  plugins:
    multiPoint:
      disabled: [{name: PodTopologySpread}]
    score:
      enabled: [{name: Custom, weight: 2}, {name: ImageLocality}]
    filter:
      enabled: [{name: Custom}]
  pluginConfig:
  - name: NodeResourcesFit
    args: {x: 5}
  - name: OutOfTree
    args: {y: 1}
  - name: VolumeBinding
    args: {bad: 1}
  - name: NodeAffinity
  - name: InterPodAffinity
    args: {boom: 1}
- schedulerName: b
  plugins:
    multiPoint:
      disabled: [{name: '*'}]
      enabled: [{name: PrioritySort}, {name: DefaultBinder}, {name: VolumeBinding}]
  pluginConfig:
  - name: DefaultPreemption
    args: {x: 7}
)";
    auto cfg = decode_config(text, "c.yaml", fake_defaulter);
    REQUIRE(cfg.has_value());
    const auto& a = cfg->profiles[0];
    // User entries first, in place; then one entry per enabled plugin with an args type and no
    // entry, sorted by name. PodTopologySpread is disabled, ImageLocality has no args type.
    CHECK(config_names(a) ==
          "NodeResourcesFit OutOfTree VolumeBinding NodeAffinity InterPodAffinity Custom "
          "DefaultPreemption NodeResourcesBalancedAllocation ");
    CHECK(yaml_equal(entry(a, "NodeResourcesFit").args.node(),
                     YAML::Load("{kind: NodeResourcesFitArgs, x: 5}")));
    CHECK(entry(a, "NodeResourcesFit").origin.line == 13);
    CHECK(yaml_equal(entry(a, "NodeAffinity").args.node(),
                     YAML::Load("{kind: NodeAffinityArgs, x: 1}")));  // no args = defaults
    // Out-of-tree, invalid and throwing args stay as written.
    CHECK(yaml_equal(entry(a, "OutOfTree").args.node(), YAML::Load("{y: 1}")));
    CHECK(yaml_equal(entry(a, "VolumeBinding").args.node(), YAML::Load("{bad: 1}")));
    CHECK(yaml_equal(entry(a, "InterPodAffinity").args.node(), YAML::Load("{boom: 1}")));
    CHECK(yaml_equal(entry(a, "Custom").args.node(), YAML::Load("{kind: CustomArgs, x: 1}")));
    // Profile b: an entry for a plugin it does not enable is still defaulted.
    const auto& b = cfg->profiles[1];
    CHECK(config_names(b) == "DefaultPreemption VolumeBinding ");
    CHECK(yaml_equal(entry(b, "DefaultPreemption").args.node(),
                     YAML::Load("{kind: DefaultPreemptionArgs, x: 7}")));
}

TEST_CASE("config.plugin_config_defaults_are_stable") {
    // Encoding a defaulted config and loading it again changes nothing.
    const std::string text = R"(apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: a
  pluginConfig:
  - name: VolumeBinding
    args: {x: 3}
- schedulerName: b
)";
    auto cfg = decode_config(text, "c.yaml", fake_defaulter);
    REQUIRE(cfg.has_value());
    CHECK(validate(*cfg).empty());
    CHECK(cfg->profiles[0].plugin_config.size() == 7);
    CHECK(cfg->profiles[1].plugin_config.size() == 7);
    const std::string encoded = to_yaml(*cfg);
    CHECK(encoded.find("kind: VolumeBindingArgs") != std::string::npos);
    auto again = decode_config(encoded, "again.yaml", fake_defaulter);
    REQUIRE(again.has_value());
    CHECK(to_yaml(*again) == encoded);
    CHECK(config_names(again->profiles[0]) == config_names(cfg->profiles[0]));
}

}  // namespace
}  // namespace multisched::config
