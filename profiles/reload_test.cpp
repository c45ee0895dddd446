// SPDX-License-Identifier: Apache-2.0
#include "profiles/reload.hpp"

#include <filesystem>
#include <fstream>
#include <stdlib.h>

#include <catch2/catch.hpp>

namespace multisched::profiles {
namespace {

namespace fs = std::filesystem;

config::scheduler_config decoded(const std::string& yaml) {
    auto cfg = config::decode_config(yaml, "cfg.yaml");
    REQUIRE(cfg.has_value());
    REQUIRE(config::validate_config(*cfg).has_value());
    return *cfg;
}

const std::string kHeader =
    "apiVersion: kubescheduler.config.k8s.io/v1\n"
    "kind: KubeSchedulerConfiguration\n"
    "clientConnection: {kubeconfig: /etc/kubernetes/scheduler.conf}\n";

const std::string kTwoProfiles = kHeader +
                                 "profiles:\n"
                                 "- schedulerName: default-scheduler\n"
                                 "- schedulerName: batch\n"
                                 "  pluginConfig:\n"
                                 "  - name: NodeResourcesFit\n"
                                 "    args: {scoringStrategy: {type: MostAllocated}}\n";

struct plan_case {
    std::string name;
    std::string candidate;
    std::vector<std::string> added, removed, changed, unchanged, needs_restart;
    bool globals_changed = false;
};

TEST_CASE("reload.plan") {
    const std::vector<plan_case> cases = {
        {"same file", kTwoProfiles, {}, {}, {}, {"default-scheduler", "batch"}, {}, false},
        {"reordered keys and comments only",
         kHeader +
             "# edited\nprofiles:\n- schedulerName: default-scheduler\n- pluginConfig:\n"
             "  - args: {scoringStrategy: {type: MostAllocated}}\n    name: NodeResourcesFit\n"
             "  schedulerName: batch\n",
         {},
         {},
         {},
         {"default-scheduler", "batch"},
         {},
         false},
        {"third profile added",
         kTwoProfiles + "- schedulerName: gpu\n",
         {"gpu"},
         {},
         {},
         {"default-scheduler", "batch"},
         {},
         false},
        {"profile removed",
         kHeader + "profiles:\n- schedulerName: default-scheduler\n",
         {},
         {"batch"},
         {},
         {"default-scheduler"},
         {},
         false},
        {"args changed",
         kHeader + "profiles:\n- schedulerName: default-scheduler\n- schedulerName: batch\n"
                   "  pluginConfig:\n  - name: NodeResourcesFit\n"
                   "    args: {scoringStrategy: {type: LeastAllocated}}\n",
         {},
         {},
         {"batch"},
         {"default-scheduler"},
         {},
         false},
        {"plugin disabled",
         kTwoProfiles + "  plugins: {score: {disabled: [{name: ImageLocality}]}}\n",
         {},
         {},
         {"batch"},
         {"default-scheduler"},
         {},
         false},
        {"profile percentage changed",
         kTwoProfiles + "  percentageOfNodesToScore: 30\n",
         {},
         {},
         {"batch"},
         {"default-scheduler"},
         {},
         false},
        {"global knobs are applied live",
         kTwoProfiles + "percentageOfNodesToScore: 20\npodInitialBackoffSeconds: 2\n",
         {},
         {},
         {},
         {"default-scheduler", "batch"},
         {},
         true},
        {"restart-only fields are kept and reported",
         "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
         "clientConnection: {kubeconfig: /other.conf, qps: 10}\n"
         "leaderElection: {leaderElect: false}\nparallelism: 4\nenableProfiling: false\n"
         "profiles:\n- schedulerName: default-scheduler\n- schedulerName: batch\n"
         "  pluginConfig:\n  - name: NodeResourcesFit\n"
         "    args: {scoringStrategy: {type: MostAllocated}}\n",
         {},
         {},
         {},
         {"default-scheduler", "batch"},
         // enableContentionProfiling defaults to enableProfiling, so it changed too.
         {"clientConnection", "leaderElection", "parallelism", "enableProfiling",
          "enableContentionProfiling"},
         false},
    };
    const auto running = decoded(kTwoProfiles);
    for (const auto& c : cases) {
        INFO(c.name);
        const auto plan = plan_reload(running, decoded(c.candidate));
        CHECK(plan.added == c.added);
        CHECK(plan.removed == c.removed);
        CHECK(plan.changed == c.changed);
        CHECK(plan.unchanged == c.unchanged);
        CHECK(plan.needs_restart == c.needs_restart);
        CHECK(plan.globals_changed == c.globals_changed);
        // What will run keeps every restart-only field of the running configuration.
        CHECK(plan.next.client_connection.kubeconfig == running.client_connection.kubeconfig);
        CHECK(plan.next.client_connection.qps == running.client_connection.qps);
        CHECK(plan.next.leader_election.leader_elect == running.leader_election.leader_elect);
        CHECK(plan.next.parallelism == running.parallelism);
        CHECK(plan.next.enable_profiling == running.enable_profiling);
    }
}

// A config file in a temporary directory, and a reloader whose hooks record what they saw.
struct reloader_fixture {
    fs::path dir;
    fs::path file;
    config::scheduler_config running = decoded(kTwoProfiles);
    std::vector<reload_plan> applied;
    bool refuse_apply = false;
    std::unique_ptr<config_reloader> reloader;

    reloader_fixture() {
        std::string tmpl = (fs::temp_directory_path() / "reload_XXXXXX").string();
        dir = ::mkdtemp(tmpl.data());
        file = dir / "config.yaml";
        write(kTwoProfiles);
        config_reloader::hooks h;
        h.load = [this]() -> result<config::scheduler_config> {
            auto cfg = config::load_config_file(file.string());
            if (!cfg) {
                return cfg.error();
            }
            if (auto ok = config::validate_config(*cfg); !ok) {
                return ok.error();
            }
            return cfg;
        };
        h.running = [this]() -> const config::scheduler_config& { return running; };
        h.apply = [this](const reload_plan& plan) -> result<void> {
            if (refuse_apply) {
                return error{{}, "profiles[1] (batch): plugin \"Nope\" does not exist"};
            }
            applied.push_back(plan);
            running = plan.next;
            return {};
        };
        reloader = std::make_unique<config_reloader>(file.string(), std::move(h));
    }
    ~reloader_fixture() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    void write(const std::string& text) const { std::ofstream(file, std::ios::trunc) << text; }
};

TEST_CASE("reload.bad_edits_keep_the_running_configuration") {
    reloader_fixture f;
    // Unchanged bytes: nothing to do.
    auto r = f.reloader->reload_if_changed();
    REQUIRE(r.has_value());
    CHECK_FALSE(*r);

    struct step {
        std::string name;
        std::string text;  // "" = delete the file
        bool refuse_apply = false;
        bool ok = true;
        std::string error;  // substring of the failure message
        std::size_t applied = 0;
        bool unchanged = false;  // leave the file as the previous step wrote it
    };
    const std::vector<step> steps = {
        {"valid edit adds a profile", kTwoProfiles + "- schedulerName: gpu\n", false, true, "", 1},
        {"yaml syntax error", kTwoProfiles + "- schedulerName: [\n", false, false, "invalid YAML",
         1},
        {"unknown field", kTwoProfiles + "- schedulerName: x\n  plugin: {}\n", false, false,
         "config.yaml:11:3: profiles[2].plugin", 1},
        {"duplicate names", kHeader + "profiles:\n- schedulerName: a\n- schedulerName: a\n", false,
         false, "Duplicate value", 1},
        {"file deleted", "", false, false, "config.yaml", 1},
        {"plugin cannot be built", kHeader + "profiles:\n- schedulerName: a\n", true, false,
         "plugin \"Nope\" does not exist", 1},
        // The same bytes again would fail the same way: only a new edit is tried.
        {"same bytes are not retried", "", false, true, "", 1, true},
        {"fixed again", kHeader + "profiles:\n- schedulerName: a # fixed\n", false, true, "", 2},
    };
    std::uint64_t failures = 0;
    for (const auto& s : steps) {
        INFO(s.name);
        if (s.unchanged) {
            // nothing written
        } else if (s.text.empty()) {
            fs::remove(f.file);
        } else {
            f.write(s.text);
        }
        f.refuse_apply = s.refuse_apply;
        auto got = f.reloader->reload_if_changed();
        CHECK(got.has_value() == s.ok);
        if (s.unchanged) {
            REQUIRE(got.has_value());
            CHECK_FALSE(*got);
        }
        if (!s.ok) {
            ++failures;
            REQUIRE_FALSE(got.has_value());
            CHECK_THAT(got.error().message, Catch::Contains(s.error));
            CHECK_FALSE(f.reloader->status().last_succeeded);
            CHECK(f.reloader->status().last_error == got.error().message);
        }
        CHECK(f.reloader->status().failures == failures);
        CHECK(f.applied.size() == s.applied);
    }
    // The last good edit replaced the profiles; the running config never saw a bad one.
    REQUIRE(f.running.profiles.size() == 1);
    CHECK(f.running.profiles[0].scheduler_name == "a");
    CHECK(f.reloader->status().last_succeeded);
    CHECK(f.reloader->status().successes == 2);
    CHECK(f.applied.back().removed ==
          std::vector<std::string>{"default-scheduler", "batch", "gpu"});
}

}  // namespace
}  // namespace multisched::profiles
