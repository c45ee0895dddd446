// SPDX-License-Identifier: Apache-2.0
// Hot reload of the scheduler configuration. A changed file is decoded, overridden by the
// command line and validated exactly as at start-up (the caller's `load`), compared with the
// running configuration (plan_reload), built off to the side and only then swapped in (the
// caller's `apply`). Anything that fails leaves the running configuration in force: scheduling
// never stops because of a bad edit. Fields that cannot change in a running process keep their
// running values and are reported as needing a restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/util/file_watcher.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::profiles {

// What a reload changes, decided before anything is built.
struct reload_plan {
    // The configuration to run: the candidate with every restart-only field kept as running.
    config::scheduler_config next;
    // Top-level fields whose new value is ignored until a restart ("clientConnection", ...).
    std::vector<std::string> needs_restart;
    // Profiles by scheduler name, in configuration order.
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> changed;
    std::vector<std::string> unchanged;

    bool is_noop() const {
        return added.empty() && removed.empty() && changed.empty() && !globals_changed;
    }
    // percentageOfNodesToScore or the pod backoff bounds changed.
    bool globals_changed = false;
};

// Compares the running configuration with a validated candidate.
reload_plan plan_reload(const config::scheduler_config& running,
                        config::scheduler_config candidate);

// Structural equality of two profiles as the scheduler sees them (names, plugins, weights,
// args, percentageOfNodesToScore; not where in the file they were written).
bool same_profile(const config::profile_config& a, const config::profile_config& b);

// The reload history, for logs, metrics and /configz.
struct reload_status {
    std::uint64_t successes = 0;
    std::uint64_t failures = 0;
    bool last_succeeded = true;
    std::string last_error;  // the last failure's message (file:line:col: path: detail)
    std::chrono::system_clock::time_point last_attempt{};
    std::vector<std::string> needs_restart;  // from the last successful reload
};

class config_reloader {
  public:
    struct hooks {
        // Reads, decodes, overrides and validates the file (as at start-up).
        std::function<result<config::scheduler_config>()> load;
        // The configuration in force.
        std::function<const config::scheduler_config&()> running;
        // Builds and swaps in plan.next; an error leaves the running profiles untouched.
        std::function<result<void>(const reload_plan&)> apply;
        // Told the outcome of every attempt (metrics); may be null.
        std::function<void(bool succeeded)> reported;
    };

    // `path` is the --config file; its current content is the baseline (already running).
    config_reloader(std::string path, hooks h);

    // One attempt: if the file's bytes differ from the last ones seen, load, plan and apply.
    // Returns false when nothing changed on disk. Failures are recorded in status(), logged and
    // returned; the running configuration stays.
    result<bool> reload_if_changed();

    // Watches the file (file_watcher) and reloads after each quiet period of `debounce`, until
    // cancelled. Inotify trouble is logged and the watch re-created with backoff.
    task<void> run(std::chrono::milliseconds debounce);

    const reload_status& status() const { return status_; }

  private:
    std::string path_;
    hooks hooks_;
    std::optional<std::string>
        last_text_;  // the file's bytes at the last attempt (none: unreadable)
    reload_status status_;
};

// Calls `on_change` once the watch is up (an edit made before it) and after every change of
// `path` (file_watcher, debounced by `debounce`); re-creates the watch with backoff when it
// fails. Runs until cancelled. `what` names the file in logs ("configuration").
task<void> watch_file(std::string path, std::chrono::milliseconds debounce, std::string what,
                      std::function<void()> on_change);

}  // namespace multisched::profiles
