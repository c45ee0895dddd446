// SPDX-License-Identifier: Apache-2.0
#include "profiles/simulation.hpp"

#include <chrono>
#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/verb.hpp>
#include <fmt/format.h>

#include "core/cache/cache.hpp"
#include "core/client/api_client.hpp"
#include "core/queue/scheduling_queue.hpp"
#include "core/scheduler/event_recorder.hpp"
#include "core/scheduler/scheduler.hpp"
#include "core/util/run_until_idle.hpp"
#include "core/util/task_group.hpp"
#include "plugins/registry.hpp"
#include "profiles/profile_set.hpp"

namespace multisched::profiles {
namespace {

using verb = boost::beast::http::verb;

constexpr std::string_view kPodsPrefix = "/api/v1/namespaces/";

// The in-memory apiserver: every write succeeds; a pod DELETE (preemption's victims) is passed
// to `on_pod_delete`. Answers complete asynchronously, as the real client's do.
class simulated_apiserver final : public client::api_client {
  public:
    std::function<void(std::string ns, std::string name)> on_pod_delete;

    task<result<client::http_response>> send(client::http_request req) override {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        if (req.method == verb::delete_ && on_pod_delete) {
            // /api/v1/namespaces/<ns>/pods/<name>
            std::string_view t = req.target;
            if (t.starts_with(kPodsPrefix)) {
                t.remove_prefix(kPodsPrefix.size());
                const auto slash = t.find('/');
                const std::string_view ns = t.substr(0, slash);
                if (slash != std::string_view::npos && t.substr(slash).starts_with("/pods/")) {
                    std::string_view name = t.substr(slash + 6);
                    name = name.substr(0, name.find_first_of("/?"));
                    on_pod_delete(std::string(ns), std::string(name));
                }
            }
        }
        const unsigned status = req.method == verb::post ? 201 : 200;
        co_return client::http_response{status, "{}", std::nullopt};
    }

    task<result<std::unique_ptr<client::watch_stream>>> watch(std::string,
                                                              std::chrono::milliseconds) override {
        co_return error{{}, "a simulation has no watches"};
    }
};

std::string scheduler_name_of(const api::pod& p) {
    return p.scheduler_name.empty() ? std::string(api::kDefaultSchedulerName) : p.scheduler_name;
}

void load_objects(const snapshot::cluster_snapshot& c, cache::cache& cache) {
    auto& o = cache.objects();
    for (const auto& pv : c.pvs) {
        o.pvs.upsert(pv->meta.name, pv);
    }
    for (const auto& pvc : c.pvcs) {
        o.pvcs.upsert(cache::namespaced_key(pvc->meta.ns, pvc->meta.name), pvc);
    }
    for (const auto& sc : c.storage_classes) {
        o.storage_classes.upsert(sc->meta.name, sc);
    }
    for (const auto& cn : c.csi_nodes) {
        o.csi_nodes.upsert(cn->meta.name, cn);
    }
    for (const auto& pdb : c.pdbs) {
        o.pdbs.upsert(cache::namespaced_key(pdb->meta.ns, pdb->meta.name), pdb);
    }
    for (const auto& pg : c.pod_groups) {
        o.pod_groups.upsert(cache::namespaced_key(pg->meta.ns, pg->meta.name), pg);
    }
    for (const auto& ns : c.namespaces) {
        cache.set_namespace(ns->meta.name, ns->meta.labels);
    }
    // What PodTopologySpread's default constraints read (default_selector).
    for (const auto& svc : c.services) {
        o.services.upsert(cache::namespaced_key(svc->meta.ns, svc->meta.name), svc);
    }
    for (const auto& rc : c.replication_controllers) {
        o.replication_controllers.upsert(cache::namespaced_key(rc->meta.ns, rc->meta.name), rc);
    }
    // ReplicaSets and StatefulSets come as one list (the snapshot keeps no kind): each goes in
    // both stores, where pods find them through their owner reference's kind and name.
    for (const auto& ws : c.workload_sets) {
        const std::string key = cache::namespaced_key(ws->meta.ns, ws->meta.name);
        o.replica_sets.upsert(key, ws);
        o.stateful_sets.upsert(key, ws);
    }
}

}  // namespace

result<simulation_report> simulate(const config::scheduler_config& cfg,
                                   const snapshot::cluster_snapshot& cluster,
                                   const simulation_options& opts) {
    asio::io_context ioc;
    simulated_apiserver api;
    cache::cache cache;
    static const framework::registry registry = plugins::make_in_tree_registry();
    auto runtime = std::make_shared<plugin_runtime>();
    runtime->random_seed = opts.seed;
    auto built = profile_set::build(cfg, registry, api, cache, runtime);
    if (!built) {
        return error{{}, built.error().message};
    }
    auto profiles = std::make_shared<profile_set>(std::move(*built));
    const framework::queue_sort_plugin* sort = profiles->queue_sort();
    queue::queue_options qo;
    qo.pre_enqueue = [&profiles](const api::pod& pod) {
        const auto fw = profiles->find(scheduler_name_of(pod));
        return fw ? fw->run_pre_enqueue(pod) : framework::status();
    };
    queue::scheduling_queue queue(
        ioc.get_executor(),
        [sort](const framework::queued_pod_info& a, const framework::queued_pod_info& b) {
            return sort->less(a, b);
        },
        std::move(qo));
    task_group bindings(ioc.get_executor(), "bindings");
    task_group writes(ioc.get_executor(), "writes");
    scheduler::event_recorder_options eo;
    eo.max_pending_writes = SIZE_MAX;  // no write is really sent: nothing to protect
    scheduler::event_recorder events(api, writes, "multisched-simulate", eo);
    profiles->set_runtime(
        [&events](const api::pod& regarding, const api::pod* related, const std::string& profile,
                  std::string_view type, std::string_view reason, std::string_view action,
                  std::string note) {
            events.record(regarding, related, profile, type, reason, action, std::move(note));
        },
        [&writes](task<void> work) { writes.spawn(std::move(work)); });
    profiles->set_activator(
        [&queue](const std::vector<std::string>& uids) { queue.activate(uids); });
    scheduler::algorithm_state algo;
    algo.rng.seed(opts.seed);
    algo.global_percentage_of_nodes_to_score = cfg.percentage_of_nodes_to_score.value_or(0);
    scheduler::scheduler sched(
        cache, queue, [&profiles](std::string_view name) { return profiles->find(name); }, events,
        bindings, algo);

    simulation_report report;
    // The pods as the simulated apiserver holds them, by namespace/name.
    std::map<std::string, std::shared_ptr<const api::pod>, std::less<>> pods;
    std::map<std::string, std::size_t, std::less<>> row_of;  // pending pod uid -> report row
    if (!opts.explain.empty()) {
        sched.set_inspector([&](framework::framework& fw, const framework::pod_info& pod,
                                const scheduler::schedule_result& result) {
            if (pod.pod->key() != opts.explain) {
                return;
            }
            scheduler::explanation e = scheduler::explain_pod(fw, pod, cache.nodes());
            e.node = result.node;
            if (result.node.empty()) {
                e.message = result.message;
            }
            report.explanation = std::move(e);
        });
    }
    sched.set_observer([&](const scheduler::scheduler::attempt_outcome& o) {
        auto row = row_of.find(o.pod->meta.uid);
        if (row != row_of.end()) {
            auto& r = report.pods[row->second];
            r.node = o.node;
            r.message = o.message;
        }
        if (!o.node.empty()) {
            // The informer's echo of the binding: the pod is confirmed on its node, and pods
            // waiting for an assigned pod (affinity, spreading) are moved.
            auto bound = std::make_shared<api::pod>(*o.pod);
            bound->node_name = o.node;
            asio::post(ioc, [&sched, &pods, old = o.pod, bound] {
                pods[bound->key()] = bound;
                sched.on_pod_update(old, bound);
            });
        }
    });
    api.on_pod_delete = [&](std::string ns, std::string name) {
        auto it = pods.find(cache::namespaced_key(ns, name));
        if (it == pods.end()) {
            return;
        }
        auto victim = it->second;
        pods.erase(it);
        report.evicted.push_back(victim->key());
        if (auto row = row_of.find(victim->meta.uid); row != row_of.end()) {
            auto& r = report.pods[row->second];
            r.message = fmt::format("bound to {}, then evicted by preemption", r.node);
            r.node.clear();
        }
        sched.on_pod_delete(victim);
    };

    load_objects(cluster, cache);
    for (const auto& n : cluster.nodes) {
        sched.on_node_add(n);
    }
    for (const auto& p : cluster.pods) {
        pods[p->key()] = p;
        if (p->node_name.empty()) {
            row_of[p->meta.uid] = report.pods.size();
            simulated_pod row;
            row.pod = p->key();
            row.profile = scheduler_name_of(*p);
            if (!profiles->find(row.profile)) {
                row.message = fmt::format(
                    "no profile of this configuration serves scheduler name \"{}\": left alone",
                    row.profile);
            }
            report.pods.push_back(std::move(row));
        }
        sched.on_pod_add(p);
        if (opts.only_explained && p->node_name.empty() && p->key() != opts.explain) {
            queue.remove(p->meta.uid);  // known (gang member, nomination), never attempted
            report.pods.pop_back();
            row_of.erase(p->meta.uid);
        }
    }

    for (std::size_t round = 0; round < opts.max_rounds; ++round) {
        run_until_idle(ioc);
        while (sched.schedule_next()) {
            run_until_idle(ioc);
        }
        // Pods moved by this round's events wait out their backoff: time is skipped.
        queue.flush_backoff_completed(queue::clock::now() + std::chrono::hours(24));
        if (queue.sizes().active == 0) {
            break;
        }
    }
    run_until_idle(ioc);

    for (auto& r : report.pods) {
        const auto p = pods.find(r.pod);
        if (p == pods.end()) {
            continue;
        }
        if (const std::string nominated = cache.nominated().node_of(p->second->meta.uid);
            !nominated.empty() && r.node.empty()) {
            r.nominated = nominated;
        }
        if (r.node.empty() && r.message.empty()) {
            r.message = cache.is_assumed(p->second->meta.uid)
                            ? "placed, waiting in its binding cycle (Permit or PreBind)"
                        : !p->second->scheduling_gates.empty() ? "waiting for its scheduling gates"
                                                               : "not attempted";
        }
    }
    if (!opts.explain.empty() && !report.explanation) {
        const auto p = pods.find(opts.explain);
        report.problems.push_back(
            p == pods.end() ? fmt::format("--explain {}: no such pod in the snapshot", opts.explain)
            : !p->second->node_name.empty() && !row_of.contains(p->second->meta.uid)
                ? fmt::format("--explain {}: already bound to {}, nothing to explain", opts.explain,
                              p->second->node_name)
                : fmt::format("--explain {}: the pod was never attempted (see its row)",
                              opts.explain));
    }
    for (const auto& n : cluster.nodes) {
        const framework::node_info* info = cache.find_node(n->meta.name);
        if (info == nullptr) {
            continue;
        }
        node_utilisation u;
        u.node = n->meta.name;
        u.cpu_requested_milli = info->requested().milli_cpu;
        u.cpu_allocatable_milli = n->allocatable.milli_cpu;
        u.memory_requested = info->requested().memory;
        u.memory_allocatable = n->allocatable.memory;
        u.pods = static_cast<std::int64_t>(info->pods().size());
        u.pods_allocatable = n->allocatable.pods;
        report.nodes.push_back(u);
    }
    // Stop what still waits (Permit timers, retries) before the io_context goes.
    bindings.cancel();
    writes.cancel();
    run_until_idle(ioc);
    return report;
}

}  // namespace multisched::profiles
