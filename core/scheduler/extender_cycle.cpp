// SPDX-License-Identifier: Apache-2.0
// The scheduling cycle of a pod that HTTP extenders filter or score (upstream schedulePod with
// sched.Extenders): the profile's PreFilter and Filter, then each interested extender's Filter
// in configuration order on the nodes still feasible, then PreScore/Score plus each interested
// prioritizer's scores (score x weight x 10), then the host. The extenders' answers are awaited:
// node pointers do not survive a suspension (the informers may delete nodes meanwhile), so
// every await is bracketed by remembering node names and resolving them again in the cache.
// Binding goes to the first interested binder extender, else to the profile's Bind plugins.
#include <algorithm>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <fmt/format.h>

#include "core/extender/scores.hpp"
#include "core/metrics/scheduler_metrics.hpp"
#include "core/scheduler/scheduler.hpp"
#include "core/util/log.hpp"

namespace multisched::scheduler {
namespace {

using framework::code;
using framework::status;

// The names behind a filter_outcome's node pointers, taken before a suspension.
struct remembered {
    std::vector<std::string> feasible;
    std::vector<std::pair<std::string, status>> rejected;
};

remembered remember(const filter_outcome& f) {
    remembered r;
    for (const auto* n : f.feasible) {
        r.feasible.push_back(n->name());
    }
    for (const auto& s : f.statuses) {
        r.rejected.emplace_back(s.node->name(), s.verdict);
    }
    return r;
}

// The outcome again from the names, with the cache's current nodes; nodes deleted meanwhile
// are dropped.
void resolve(cache::cache& cache, const remembered& r, filter_outcome& f) {
    f.feasible.clear();
    f.statuses.clear();
    for (const auto& name : r.feasible) {
        if (const auto* n = cache.find_node(name)) {
            f.feasible.push_back(n);
        }
    }
    for (const auto& [name, verdict] : r.rejected) {
        if (const auto* n = cache.find_node(name)) {
            f.statuses.push_back({n, verdict});
        }
    }
}

std::vector<extender::node_ptr> node_objects(const std::vector<const framework::node_info*>& ns) {
    std::vector<extender::node_ptr> out;
    out.reserve(ns.size());
    for (const auto* n : ns) {
        out.push_back(n->node_ptr());
    }
    return out;
}

// A failed filter or preempt call: counted and, for an ignorable extender, logged. True when
// the cycle goes on without the extender (upstream: ignorable), false when the failure stands.
bool skip_failed(const extender::http_extender& ext, std::string_view verb,
                 const std::string& message, metrics::scheduler_metrics* metrics) {
    const bool ignored = ext.is_ignorable();
    if (metrics != nullptr) {
        metrics->extender_errors.with({ext.name(), verb, ignored ? "ignored" : "failed"}).inc();
    }
    if (ignored) {
        MS_LOG_WARN("skipping extender {} as it returned error {} and has ignorable flag set",
                    ext.name(), message);
    }
    return ignored;
}

// Every extender's prioritize call at once (upstream prioritizeNodes runs one goroutine per
// extender): the cycle waits for the slowest, not for the sum. Answers in `extenders`' order.
// Cancelling the caller cancels every call.
task<std::vector<result<extender::prioritize_outcome>>> prioritize_concurrently(
    std::vector<extender::http_extender*> extenders, extender::pod_ptr pod,
    std::vector<extender::node_ptr> nodes) {
    if (extenders.empty()) {
        co_return std::vector<result<extender::prioritize_outcome>>{};
    }
    const auto ex = co_await asio::this_coro::executor;
    using call = decltype(asio::co_spawn(
        ex, std::declval<task<result<extender::prioritize_outcome>>>(), asio::deferred));
    std::vector<call> calls;
    calls.reserve(extenders.size());
    for (auto* ext : extenders) {
        calls.push_back(asio::co_spawn(ex, ext->prioritize(pod, nodes), asio::deferred));
    }
    auto [order, exceptions, replies] =
        co_await asio::experimental::make_parallel_group(std::move(calls))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (const auto& e : exceptions) {
        if (e) {
            std::rethrow_exception(e);
        }
    }
    co_return std::move(replies);
}

void add_rejector(std::vector<std::string>& rejectors, const std::string& name) {
    if (std::find(rejectors.begin(), rejectors.end(), name) == rejectors.end()) {
        rejectors.push_back(name);
    }
}

}  // namespace

bool scheduler::wants_extenders(const api::pod& pod) const {
    return std::any_of(extenders_.begin(), extenders_.end(), [&](const auto& e) {
        return (e->is_filter() || e->is_prioritizer() || e->supports_preemption()) &&
               e->is_interested(pod);
    });
}

task<void> scheduler::schedule_one_with_extenders(queue::popped_pod popped) {
    auto fw = begin_attempt(popped);
    if (!fw) {
        co_return;
    }
    const auto start = std::chrono::steady_clock::now();
    auto state = new_cycle_state();
    schedule_result result = co_await schedule_with_extenders(fw, state, popped.queued.info);
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) {
        // Shutting down while the extenders answered (their calls failed as cancelled): no
        // binding, event or status from a cycle cut short; the pod stays pending for the next
        // scheduler.
        co_return;
    }
    if (metrics_ != nullptr) {
        metrics_->algorithm_duration.observe(metrics::seconds_since(start));
    }
    finish_attempt(std::move(fw), std::move(state), popped, std::move(result), start);
}

task<schedule_result> scheduler::schedule_with_extenders(
    std::shared_ptr<framework::framework> fw, std::shared_ptr<framework::cycle_state> state,
    std::shared_ptr<const framework::pod_info> pod) {
    schedule_result out;
    const auto& nodes = cache_.nodes();
    if (nodes.empty()) {
        out.failure = status::error(std::string(kNoNodesAvailable));
        out.message = std::string(kNoNodesAvailable);
        co_return out;
    }
    const std::size_t num_all_nodes = nodes.size();
    filter_outcome f;
    if (!find_feasible_nodes(*fw, *state, *pod, nodes, algo_, f, out, true)) {
        co_return out;
    }

    // upstream findNodesThatPassExtenders.
    for (const auto& ext : extenders_) {
        if (f.feasible.empty()) {
            break;
        }
        if (!ext->is_filter() || !ext->is_interested(*pod->pod)) {
            continue;
        }
        const remembered names = remember(f);
        auto answer = co_await ext->filter(pod->pod, node_objects(f.feasible));
        resolve(cache_, names, f);
        if (!answer) {
            if (skip_failed(*ext, "filter", answer.error().message, metrics_)) {
                continue;
            }
            out.failure = status::error(answer.error().message);
            out.message = answer.error().message;
            co_return out;
        }
        std::set<std::string, std::less<>> passed(answer->feasible.begin(), answer->feasible.end());
        std::vector<const framework::node_info*> kept;
        for (const auto* n : f.feasible) {
            const std::string& name = n->name();
            if (passed.contains(name)) {
                kept.push_back(n);
            } else if (auto u = answer->failed_and_unresolvable.find(name);
                       u != answer->failed_and_unresolvable.end()) {
                f.statuses.push_back({n, status(code::unschedulable_and_unresolvable, u->second)});
            } else if (auto fl = answer->failed.find(name); fl != answer->failed.end()) {
                f.statuses.push_back({n, status(code::unschedulable, fl->second)});
            } else {
                // Dropped without a reason: upstream leaves no status for it either; say who.
                f.statuses.push_back(
                    {n, status(code::unschedulable,
                               fmt::format("node(s) rejected by extender {}", ext->name()))});
            }
        }
        if (kept.size() < f.feasible.size()) {
            // Not a plugin: the framework registers no events for it, so any event retries.
            add_rejector(out.rejector_plugins, ext->name());
        }
        f.feasible = std::move(kept);
    }
    out.feasible_nodes = f.feasible.size();
    if (f.feasible.empty()) {
        co_await post_filter_with_extenders(fw, state, pod, num_all_nodes, f, out);
        co_return out;
    }
    if (f.feasible.size() == 1) {
        out.node = f.feasible.front()->name();
        co_return out;
    }

    // upstream prioritizeNodes: plugin scores, then the extenders' on top.
    std::vector<std::int64_t> totals;
    if (!score_nodes(*fw, *state, *pod, f.feasible, totals, out)) {
        co_return out;
    }
    const remembered names = remember(f);
    std::vector<extender::http_extender*> asked;
    for (const auto& ext : extenders_) {
        if (ext->is_prioritizer() && ext->is_interested(*pod->pod)) {
            asked.push_back(ext.get());
        }
    }
    auto replies = co_await prioritize_concurrently(asked, pod->pod, node_objects(f.feasible));
    std::vector<extender::prioritize_outcome> answers;
    for (std::size_t i = 0; i < asked.size(); ++i) {
        if (!replies[i]) {
            // Upstream ignores prioritize errors: the other scores decide.
            if (metrics_ != nullptr) {
                metrics_->extender_errors.with({asked[i]->name(), "prioritize", "ignored"}).inc();
            }
            MS_LOG_V(2, "prioritizing with extender {} failed, ignoring its scores: {}",
                     asked[i]->name(), replies[i].error().message);
            continue;
        }
        answers.push_back(std::move(*replies[i]));
    }
    const auto extra = extender::combine_extender_scores(answers);
    for (std::size_t i = 0; i < totals.size(); ++i) {
        if (auto it = extra.find(names.feasible[i]); it != extra.end()) {
            totals[i] += it->second;
        }
    }
    out.node = names.feasible[select_host(totals, algo_.rng)];
    if (cache_.find_node(out.node) == nullptr) {
        // Deleted while the extenders answered: the attempt is retried after backoff.
        out.failure =
            status::error(fmt::format("node {} was deleted during the extenders' calls", out.node));
        out.message = out.failure.message();
        out.node.clear();
    }
    co_return out;
}

task<void> scheduler::post_filter_with_extenders(std::shared_ptr<framework::framework> fw,
                                                 std::shared_ptr<framework::cycle_state> state,
                                                 std::shared_ptr<const framework::pod_info> pod,
                                                 std::size_t num_all_nodes, filter_outcome& f,
                                                 schedule_result& out) {
    const auto& post_filters = fw->plugins().post_filter;
    auto* preemption = post_filters.empty()
                           ? nullptr
                           : dynamic_cast<framework::preemption_plugin*>(post_filters.front());
    const bool asked = std::any_of(extenders_.begin(), extenders_.end(), [&](const auto& e) {
        return e->supports_preemption() && e->is_interested(*pod->pod);
    });
    if (preemption == nullptr || !asked) {
        fail_unschedulable(*fw, *state, *pod, num_all_nodes, f, out);
        co_return;
    }
    framework::post_filter_result result;
    std::vector<framework::preemption_candidate> candidates;
    std::optional<status> verdict =
        preemption->find_candidates(*state, *pod, f.statuses, result, candidates);
    if (!verdict) {
        // upstream callExtenders: each interested extender narrows the candidates in turn.
        extender::victims_map victims;
        for (const auto& c : candidates) {
            victims[c.node] = {c.victims, c.num_pdb_violations};
        }
        const remembered names = remember(f);
        const auto lookup = [this](std::string_view node) -> const framework::node_info* {
            return cache_.find_node(node);
        };
        for (const auto& ext : extenders_) {
            if (!ext->supports_preemption() || !ext->is_interested(*pod->pod)) {
                continue;
            }
            auto answer = co_await ext->process_preemption(pod->pod, victims, lookup);
            std::string failure = answer ? std::string() : answer.error().message;
            if (answer) {
                for (auto it = answer->begin(); it != answer->end() && failure.empty();) {
                    if (!it->second.pods.empty()) {
                        ++it;
                    } else if (ext->is_ignorable()) {
                        it = answer->erase(it);
                    } else {
                        failure = fmt::format("expected at least one victim pod on node \"{}\"",
                                              it->first);
                    }
                }
            }
            if (!failure.empty()) {
                if (skip_failed(*ext, "preempt", failure, metrics_)) {
                    continue;
                }
                verdict = status::error(std::string(preemption->message_prefix()) + failure);
                break;
            }
            victims = std::move(*answer);
            if (victims.empty()) {
                break;
            }
        }
        resolve(cache_, names, f);
        if (!verdict) {
            // The candidates the extenders kept, in the dry run's order, with their victims.
            std::vector<framework::preemption_candidate> kept;
            for (auto& c : candidates) {
                if (auto v = victims.find(c.node); v != victims.end()) {
                    c.victims = v->second.pods;
                    c.num_pdb_violations = v->second.num_pdb_violations;
                    kept.push_back(std::move(c));
                }
            }
            verdict = preemption->choose_candidate(*pod, kept, result);
        }
    }
    if (verdict->is_success() || verdict->is_rejected()) {
        out.nominated_node_name = result.nominated_node_name;
    }
    out.failure = status(code::unschedulable, std::vector<std::string>{});
    out.message =
        fit_error_message(num_all_nodes, f.pre_filter_message, f.statuses, verdict->message());
}

task<framework::status> scheduler::bind(std::shared_ptr<framework::framework> fw,
                                        std::shared_ptr<framework::cycle_state> state,
                                        std::shared_ptr<const framework::pod_info> assumed,
                                        std::string node) {
    for (const auto& ext : extenders_) {
        if (!ext->is_binder() || !ext->is_interested(*assumed->pod)) {
            continue;
        }
        auto bound = co_await ext->bind(assumed->pod, node);
        if (!bound) {
            if (metrics_ != nullptr) {
                metrics_->extender_errors.with({ext->name(), "bind", "failed"}).inc();
            }
            co_return status::error(bound.error().message);
        }
        co_return status{};
    }
    co_return co_await fw->run_bind(std::move(state), std::move(assumed), std::move(node));
}

}  // namespace multisched::scheduler
