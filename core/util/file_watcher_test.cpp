// SPDX-License-Identifier: Apache-2.0
#include "core/util/file_watcher.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "test/util/task_runner.hpp"

namespace multisched {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "file_watcher_XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::trunc) << text;
}

// The kubelet's ConfigMap volume layout: dir/config.yaml -> ..data/config.yaml,
// ..data -> ..<version>; an update writes a new version directory and renames a new ..data
// symlink over the old one.
void configmap_version(const fs::path& dir, const std::string& version, const std::string& text) {
    fs::create_directory(dir / version);
    write(dir / version / "config.yaml", text);
    fs::create_directory_symlink(version, dir / "..data_tmp");
    fs::rename(dir / "..data_tmp", dir / "..data");
}

struct change_case {
    std::string name;
    std::function<void(const fs::path& dir)> setup;   // before the watcher starts
    std::string watched;                              // path given to the watcher, under dir
    std::function<void(const fs::path& dir)> change;  // after
};

TEST_CASE("file_watcher.sees_every_way_a_config_is_replaced") {
    const std::vector<change_case> cases = {
        {"edited in place", [](const fs::path& d) { write(d / "c.yaml", "a"); }, "c.yaml",
         [](const fs::path& d) { write(d / "c.yaml", "b"); }},
        {"written to a temporary and renamed over",
         [](const fs::path& d) { write(d / "c.yaml", "a"); }, "c.yaml",
         [](const fs::path& d) {
             write(d / ".c.yaml.swp", "b");
             fs::rename(d / ".c.yaml.swp", d / "c.yaml");
         }},
        {"created after the watcher started", [](const fs::path&) {}, "c.yaml",
         [](const fs::path& d) { write(d / "c.yaml", "a"); }},
        {"deleted", [](const fs::path& d) { write(d / "c.yaml", "a"); }, "c.yaml",
         [](const fs::path& d) { fs::remove(d / "c.yaml"); }},
        {"configmap ..data swap",
         [](const fs::path& d) {
             configmap_version(d, "..v1", "a");
             fs::create_symlink("..data/config.yaml", d / "config.yaml");
         },
         "config.yaml", [](const fs::path& d) { configmap_version(d, "..v2", "b"); }},
        {"symlink into another directory, target edited",
         [](const fs::path& d) {
             fs::create_directory(d / "real");
             write(d / "real" / "c.yaml", "a");
             fs::create_directory(d / "link");
             fs::create_symlink(d / "real" / "c.yaml", d / "link" / "c.yaml");
         },
         "link/c.yaml", [](const fs::path& d) { write(d / "real" / "c.yaml", "b"); }},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        temp_dir dir;
        c.setup(dir.path);
        asio::io_context ioc;
        auto w = file_watcher::create(ioc.get_executor(), (dir.path / c.watched).string());
        REQUIRE(w.has_value());
        c.change(dir.path);
        auto changed = testing::run(ioc, (*w)->changed(5ms), 5s);
        REQUIRE(changed.has_value());
    }
}

// A watcher on dir/c.yaml with one changed(1 ms) wait in flight; `done` flips when it completes.
struct pending_change {
    temp_dir dir;
    asio::io_context ioc;
    std::unique_ptr<file_watcher> watcher;
    bool done = false;

    pending_change() {
        write(dir.path / "c.yaml", "a");
        auto w = file_watcher::create(ioc.get_executor(), (dir.path / "c.yaml").string());
        REQUIRE(w.has_value());
        watcher = std::move(*w);
        asio::co_spawn(
            ioc,
            [this]() -> task<void> {
                co_await watcher->changed(1ms);
                done = true;
            },
            asio::detached);
    }
};

TEST_CASE("file_watcher.quiet_directory_does_not_complete") {
    pending_change f;
    bool& done = f.done;
    auto& ioc = f.ioc;
    auto& dir = f.dir;
    ioc.poll();
    CHECK_FALSE(done);
    // A change now completes the same wait.
    write(dir.path / "c.yaml", "b");
    for (int i = 0; i < 1000 && !done; ++i) {
        ioc.run_one_for(10ms);
    }
    CHECK(done);
}

TEST_CASE("file_watcher.ignores_other_files_in_a_busy_directory") {
    // A log written next to the config must neither wake the watcher nor keep it from ever
    // seeing the directory quiet.
    pending_change f;
    bool& done = f.done;
    auto& ioc = f.ioc;
    auto& dir = f.dir;
    for (int i = 0; i < 20; ++i) {
        std::ofstream(dir.path / "scheduler.log", std::ios::app) << "line " << i << "\n";
        ioc.poll();
    }
    for (int i = 0; i < 5; ++i) {
        ioc.run_one_for(5ms);
    }
    CHECK_FALSE(done);
    write(dir.path / "c.yaml", "b");
    for (int i = 0; i < 1000 && !done; ++i) {
        std::ofstream(dir.path / "scheduler.log", std::ios::app) << "noise\n";
        ioc.run_one_for(10ms);
    }
    CHECK(done);
}

TEST_CASE("file_watcher.follows_a_repointed_symlink") {
    temp_dir dir;
    fs::create_directory(dir.path / "v1");
    fs::create_directory(dir.path / "v2");
    write(dir.path / "v1" / "c.yaml", "a");
    write(dir.path / "v2" / "c.yaml", "b");
    fs::create_symlink(dir.path / "v1" / "c.yaml", dir.path / "c.yaml");
    asio::io_context ioc;
    auto w = file_watcher::create(ioc.get_executor(), (dir.path / "c.yaml").string());
    REQUIRE(w.has_value());
    CHECK((*w)->directories().contains(fs::canonical(dir.path / "v1").string()));

    fs::create_symlink(dir.path / "v2" / "c.yaml", dir.path / "c.yaml.tmp");
    fs::rename(dir.path / "c.yaml.tmp", dir.path / "c.yaml");
    REQUIRE(testing::run(ioc, (*w)->changed(5ms), 5s).has_value());
    CHECK((*w)->directories().contains(fs::canonical(dir.path / "v2").string()));
    // An edit of the new target is seen.
    write(dir.path / "v2" / "c.yaml", "c");
    REQUIRE(testing::run(ioc, (*w)->changed(5ms), 5s).has_value());
}

TEST_CASE("file_watcher.missing_directory_is_an_error") {
    asio::io_context ioc;
    auto w = file_watcher::create(ioc.get_executor(), "/nonexistent-dir-for-test/c.yaml");
    REQUIRE_FALSE(w.has_value());
    CHECK(w.error().message.find("/nonexistent-dir-for-test") != std::string::npos);
}

}  // namespace
}  // namespace multisched
