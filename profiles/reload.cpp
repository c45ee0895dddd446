// SPDX-License-Identifier: Apache-2.0
#include "profiles/reload.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/client/file_util.hpp"
#include "core/util/backoff.hpp"
#include "core/util/log.hpp"

namespace multisched::profiles {
namespace {

bool same_client_connection(const config::client_connection_config& a,
                            const config::client_connection_config& b) {
    return a.kubeconfig == b.kubeconfig && a.qps == b.qps && a.burst == b.burst &&
           a.content_type == b.content_type && a.accept_content_types == b.accept_content_types;
}

bool same_leader_election(const config::leader_election_config& a,
                          const config::leader_election_config& b) {
    return a.leader_elect == b.leader_elect && a.lease_duration == b.lease_duration &&
           a.renew_deadline == b.renew_deadline && a.retry_period == b.retry_period &&
           a.resource_lock == b.resource_lock && a.resource_name == b.resource_name &&
           a.resource_namespace == b.resource_namespace;
}

const config::profile_config* find_profile(const config::scheduler_config& cfg,
                                           const std::string& name) {
    for (const auto& p : cfg.profiles) {
        if (p.scheduler_name == name) {
            return &p;
        }
    }
    return nullptr;
}

std::string joined(const std::vector<std::string>& names) {
    return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

bool same_profile(const config::profile_config& a, const config::profile_config& b) {
    if (a.scheduler_name != b.scheduler_name ||
        a.percentage_of_nodes_to_score != b.percentage_of_nodes_to_score ||
        !(a.plugins == b.plugins) || a.plugin_config.size() != b.plugin_config.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.plugin_config.size(); ++i) {
        const auto& x = a.plugin_config[i];
        const auto& y = b.plugin_config[i];
        if (x.name != y.name || !config::yaml_equal(x.args.node(), y.args.node())) {
            return false;
        }
    }
    return true;
}

reload_plan plan_reload(const config::scheduler_config& running,
                        config::scheduler_config candidate) {
    reload_plan plan;
    // Restart-only fields: the candidate keeps the running value and the field is reported.
    const auto keep = [&](bool same, const char* field, auto restore) {
        if (!same) {
            plan.needs_restart.emplace_back(field);
            restore();
        }
    };
    auto& c = candidate;
    keep(same_client_connection(running.client_connection, c.client_connection), "clientConnection",
         [&] { c.client_connection = running.client_connection; });
    keep(same_leader_election(running.leader_election, c.leader_election), "leaderElection",
         [&] { c.leader_election = running.leader_election; });
    keep(running.parallelism == c.parallelism, "parallelism",
         [&] { c.parallelism = running.parallelism; });
    keep(running.enable_profiling == c.enable_profiling, "enableProfiling",
         [&] { c.enable_profiling = running.enable_profiling; });
    keep(running.enable_contention_profiling == c.enable_contention_profiling,
         "enableContentionProfiling",
         [&] { c.enable_contention_profiling = running.enable_contention_profiling; });
    keep(running.delay_cache_until_active == c.delay_cache_until_active, "delayCacheUntilActive",
         [&] { c.delay_cache_until_active = running.delay_cache_until_active; });
    keep(running.extenders == c.extenders, "extenders", [&] { c.extenders = running.extenders; });

    plan.globals_changed = running.percentage_of_nodes_to_score != c.percentage_of_nodes_to_score ||
                           running.pod_initial_backoff_seconds != c.pod_initial_backoff_seconds ||
                           running.pod_max_backoff_seconds != c.pod_max_backoff_seconds;
    for (const auto& p : c.profiles) {
        const auto* old = find_profile(running, p.scheduler_name);
        auto& bucket = old == nullptr          ? plan.added
                       : same_profile(*old, p) ? plan.unchanged
                                               : plan.changed;
        bucket.push_back(p.scheduler_name);
    }
    for (const auto& p : running.profiles) {
        if (find_profile(c, p.scheduler_name) == nullptr) {
            plan.removed.push_back(p.scheduler_name);
        }
    }
    plan.next = std::move(candidate);
    return plan;
}

config_reloader::config_reloader(std::string path, hooks h)
    : path_(std::move(path)), hooks_(std::move(h)) {
    if (auto text = client::read_whole_file(path_)) {
        last_text_ = std::move(*text);
    }
}

result<bool> config_reloader::reload_if_changed() {
    auto read = client::read_whole_file(path_);
    std::optional<std::string> text;
    if (read) {
        text = std::move(*read);
    }
    if (text == last_text_) {
        return false;
    }
    last_text_ = std::move(text);
    status_.last_attempt = std::chrono::system_clock::now();

    const auto fail = [&](std::string message) -> result<bool> {
        status_.failures++;
        status_.last_succeeded = false;
        status_.last_error = message;
        if (hooks_.reported) {
            hooks_.reported(false);
        }
        MS_LOG_ERROR("configuration reload failed; keeping the running configuration: {}", message);
        return error{{}, std::move(message)};
    };
    auto candidate = hooks_.load();
    if (!candidate) {
        return fail(candidate.error().message);
    }
    reload_plan plan = plan_reload(hooks_.running(), std::move(*candidate));
    if (!plan.is_noop()) {
        if (auto applied = hooks_.apply(plan); !applied) {
            return fail(path_ + ": " + applied.error().message);
        }
    }
    for (const auto& field : plan.needs_restart) {
        MS_LOG_WARN("{}: {} changed; the new value takes effect after a restart", path_, field);
    }
    status_.successes++;
    status_.last_succeeded = true;
    status_.last_error.clear();
    status_.needs_restart = plan.needs_restart;
    if (hooks_.reported) {
        hooks_.reported(true);
    }
    MS_LOG_INFO("configuration {} reloaded: profiles added [{}], removed [{}], changed [{}]", path_,
                joined(plan.added), joined(plan.removed), joined(plan.changed));
    return true;
}

task<void> config_reloader::run(std::chrono::milliseconds debounce) {
    co_await watch_file(path_, debounce, "configuration", [this] { (void)reload_if_changed(); });
}

task<void> watch_file(std::string path, std::chrono::milliseconds debounce, std::string what,
                      std::function<void()> on_change) {
    const auto ex = co_await asio::this_coro::executor;
    backoff retry;
    asio::steady_timer wait(ex);
    for (;;) {
        auto watcher = file_watcher::create(ex, path);
        if (watcher) {
            MS_LOG_V(2, "watching {} for {} changes", path, what);
            on_change();  // catches an edit made between the start-up load and this watch
            for (;;) {
                auto changed = co_await (*watcher)->changed(debounce);
                if (!changed) {
                    if (changed.error().code == asio::error::operation_aborted) {
                        co_return;
                    }
                    MS_LOG_WARN("watching {} failed: {}", path, changed.error().message);
                    break;
                }
                on_change();
            }
        } else {
            MS_LOG_WARN("cannot watch {} for changes: {}", path, watcher.error().message);
        }
        wait.expires_after(retry.next());
        if (auto [ec] = co_await wait.async_wait(use_task); ec) {
            co_return;
        }
    }
}

}  // namespace multisched::profiles
