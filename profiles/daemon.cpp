// SPDX-License-Identifier: Apache-2.0
#include "profiles/daemon.hpp"

#include <algorithm>
#include <set>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/api/decode.hpp"
#include "core/cache/cache.hpp"
#include "core/client/api_client.hpp"
#include "core/client/observed.hpp"
#include "core/client/rate_limit.hpp"
#include "core/client/retry_after.hpp"
#include "core/client/write_fence.hpp"
#include "core/config/json_form.hpp"
#include "core/extender/http_extender.hpp"
#include "core/informer/reflector.hpp"
#include "core/informer/typed.hpp"
#include "core/json/json.hpp"
#include "core/leader/elector.hpp"
#include "core/leader/lease_record.hpp"
#include "core/metrics/process.hpp"
#include "core/metrics/scheduler_metrics.hpp"
#include "core/queue/scheduling_queue.hpp"
#include "core/scheduler/scheduler.hpp"
#include "core/util/log.hpp"
#include "core/util/task_group.hpp"
#include "plugins/registry.hpp"
#include "profiles/cluster_informers.hpp"
#include "profiles/profile_set.hpp"
#include "profiles/reload.hpp"
#include "profiles/routing.hpp"

namespace multisched::profiles {
namespace {

using namespace std::chrono_literals;

std::string hostname() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) {
        return "unknown";
    }
    return buf;
}

result<client::rest_config> rest_config_for(const config::scheduler_config& cfg,
                                            const daemon_options& opts) {
    const auto& path = cfg.client_connection.kubeconfig;
    auto rc = path.empty() ? client::in_cluster_config() : client::load_kubeconfig(path);
    if (!rc) {
        return rc;
    }
    if (!opts.master.empty()) {
        std::string m = opts.master;
        const auto scheme_end = m.find("://");
        if (scheme_end != std::string::npos) {
            rc->scheme = m.substr(0, scheme_end);
            m = m.substr(scheme_end + 3);
        }
        const auto colon = m.rfind(':');
        rc->host = colon == std::string::npos ? m : m.substr(0, colon);
        rc->port = colon == std::string::npos ? (rc->scheme == "http" ? "80" : "443")
                                              : m.substr(colon + 1);
    }
    rc->user_agent = "multisched/v0.1.0 scheduler";
    return rc;
}

// Start-up check: the apiserver answers /version with our credentials. Retries briefly so a
// control plane that is still starting does not fail us at once.
task<result<void>> wait_for_apiserver(client::api_client& client, std::string server,
                                      std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    backoff b(backoff::params{500ms, 4s, 120s, 2.0, 0.2});
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (;;) {
        // Built as a named local: GCC 12 destroys aggregate temporaries inside a co_await
        // expression twice (coroutine temporaries bug), so never pass `send({...})`.
        client::http_request req;
        req.target = "/version";
        req.timeout = 5s;
        auto res = co_await client.send(std::move(req));
        if (res && (res->status == 401 || res->status == 403)) {
            co_return error{{},
                            "kube-apiserver " + server + " refused our credentials: HTTP " +
                                std::to_string(res->status) + " " + res->body.substr(0, 200)};
        }
        if (res && res->status == 200) {
            co_return result<void>{};
        }
        const std::string why = res ? "HTTP " + std::to_string(res->status) : res.error().message;
        if (std::chrono::steady_clock::now() >= deadline) {
            co_return error{{}, "cannot reach kube-apiserver " + server + ": " + why};
        }
        MS_LOG_WARN("kube-apiserver {} not reachable yet: {}", server, why);
        t.expires_after(b.next());
        if (auto [ec] = co_await t.async_wait(use_task); ec) {
            co_return error{ec, "cancelled"};
        }
    }
}

using informer::as;
using informer::store_key;
using informer::typed_decoder;

// Everything that lives as long as the process runs, in construction order.
struct process {
    asio::io_context& ioc;
    config::scheduler_config cfg;  // in force: replaced by each successful reload
    const daemon_options& opts;
    const framework::registry& registry;
    std::unique_ptr<client::api_client> client;
    // Events go through a client of their own, as upstream's separate event clientset: a flood
    // of events does not spend the bindings' rate limit.
    std::unique_ptr<client::api_client> events_client;
    cache::cache& cache;  // created before the profiles, whose plugins may read it
    // Replaced whole by a reload; binding cycles and plugin writes keep their frameworks alive.
    std::shared_ptr<profile_set> profiles;
    // The first profile at start-up: its QueueSort plugin orders the queue for the process's
    // life (changing queueSort needs a restart).
    std::shared_ptr<framework::framework> queue_sorter;
    queue::scheduling_queue queue;
    task_group loops;
    task_group bindings;
    task_group writes;
    scheduler::event_recorder events;
    scheduler::scheduler sched;
    scheduler::explanation_store explanations;  // /debug/explain
    informer::reflector pods;
    informer::reflector nodes;
    cluster_informers objects;
    std::unique_ptr<config_reloader> reloader;
    std::unique_ptr<profile_routing> routing;  // null without --routing-config
    metrics::registry metric_registry;
    metrics::scheduler_metrics metrics;
    std::unique_ptr<secure_serving> serving;
    // Leader election's own client, as upstream's leader-election clientset: the lease is
    // renewed outside the scheduling client's rate limit and write fence.
    std::unique_ptr<client::api_client> election_client;
    // Null without leader election; else only the lease holder schedules.
    std::unique_ptr<leader::elector> elector;
    bool shutting_down = false;
    int exit_code = 0;

    process(asio::io_context& io, const config::scheduler_config& c, const daemon_options& o,
            const framework::registry& r, std::unique_ptr<client::api_client> cl,
            std::unique_ptr<client::api_client> event_cl, cache::cache& shared_cache,
            profile_set ps)
        : ioc(io),
          cfg(c),
          opts(o),
          registry(r),
          client(std::move(cl)),
          events_client(std::move(event_cl)),
          cache(shared_cache),
          profiles(std::make_shared<profile_set>(std::move(ps))),
          queue_sorter(profiles->first()),
          queue(io.get_executor(), queue_less(), queue_opts()),
          loops(io.get_executor(), "loops"),
          bindings(io.get_executor(), "bindings"),
          writes(io.get_executor(), "writes"),
          events(*events_client, writes, hostname()),
          sched(
              cache, queue, [this](std::string_view name) { return profiles->find(name); }, events,
              bindings, algorithm()),
          pods(*client,
               reflector_for("/api/v1/pods", "status.phase!=Succeeded,status.phase!=Failed"),
               typed_decoder<api::pod>(&api::decode_pod, store_key::uid), pod_handlers()),
          nodes(*client, reflector_for("/api/v1/nodes", ""),
                typed_decoder<api::node>(&api::decode_node, store_key::name), node_handlers()),
          objects(*client, cache,
                  [this](const framework::cluster_event& e) { sched.on_object_event(e); }),
          metrics(metric_registry, metrics_options()) {
        metrics::register_process_collector(metric_registry);
        for (const auto& name : opts.disabled_metrics) {
            metric_registry.disable(name);
        }
        sched.set_metrics(&metrics);
        sched.set_explanations(&explanations);
        queue.set_metrics(&metrics);
        profiles->set_metrics(&metrics);
        profiles->set_activator(
            [this](const std::vector<std::string>& uids) { queue.activate(uids); });
        metric_registry.add_collector(
            [this](std::vector<metrics::collected_value>&) { collect(); });
    }

    metrics::scheduler_metrics_options metrics_options() const {
        metrics::scheduler_metrics_options m;
        m.version = opts.version;
        m.show_hidden_metrics_for_version = opts.show_hidden_metrics_for_version;
        return m;
    }
    // Gauges read at exposition time.
    void collect() {
        const auto sizes = queue.sizes();
        metrics.pending_pods.with({metrics::label::kActive}).set(double(sizes.active));
        metrics.pending_pods.with({metrics::label::kBackoff}).set(double(sizes.backoff));
        metrics.pending_pods.with({metrics::label::kUnschedulableQueue})
            .set(double(sizes.unschedulable));
        metrics.pending_pods.with({metrics::label::kGated}).set(double(sizes.gated));
        metrics.cache_size.with({metrics::label::kNodes}).set(double(cache.node_count()));
        metrics.cache_size.with({metrics::label::kPods}).set(double(cache.pod_count()));
        metrics.cache_size.with({metrics::label::kAssumedPods}).set(double(cache.assumed_count()));
    }
    bool synced() const { return pods.synced() && nodes.synced() && objects.synced(); }

    // What the secure port serves.
    serving_sources sources() {
        serving_sources s;
        s.ready.push_back({"sched-handler-sync", [this]() -> std::optional<std::string> {
                               if (synced()) {
                                   return std::nullopt;
                               }
                               return "waiting for the informers' first list";
                           }});
        s.ready.push_back({"shutdown", [this]() -> std::optional<std::string> {
                               if (shutting_down) {
                                   return "process is shutting down";
                               }
                               return std::nullopt;
                           }});
        if (elector) {
            const auto lease = [this] { return elector->check(); };
            s.health.push_back({"leaderElection", lease});
            s.ready.push_back({"leaderElection", lease});
        }
        s.configz = [this] { return configz(); };
        s.metrics = &metric_registry;
        s.debug_flags = cfg.enable_profiling;
        s.explanations = &explanations;
        if (routing) {
            s.mutate_pods = [this](const server::request& req) {
                return routing->serve(req, [this](std::string_view ns) {
                    const api::label_map* labels = cache.namespace_labels(ns);
                    return labels != nullptr ? std::optional<api::label_map>(*labels)
                                             : std::nullopt;
                });
            };
        }
        return s;
    }
    // {"componentconfig": <the configuration in force>, "multisched": <reload state>}.
    std::string configz() const {
        json::writer w;
        w.begin_object().key("componentconfig");
        config::write_json(cfg, w);
        w.key("multisched").begin_object();
        w.field("configFile", opts.config_file);
        if (reloader) {
            const auto& st = reloader->status();
            w.key("reloads").begin_object();
            w.key("success").integer(std::int64_t(st.successes));
            w.key("failure").integer(std::int64_t(st.failures));
            w.end_object();
            w.key("lastReloadSucceeded").boolean(st.last_succeeded);
            w.field("lastReloadError", st.last_error);
            w.key("needsRestart").begin_array();
            for (const auto& f : st.needs_restart) {
                w.string(f);
            }
            w.end_array();
        }
        w.end_object().end_object();
        return w.str();
    }

    // Pods: every non-terminal pod in all namespaces (terminal ones hold no resources).
    static informer::reflector_options reflector_for(std::string path, std::string selector) {
        informer::reflector_options o;
        o.resource_path = std::move(path);
        o.field_selector = std::move(selector);
        return o;
    }

    queue::less_fn queue_less() {
        const framework::queue_sort_plugin* qs = queue_sorter->queue_sort();
        return [qs](const framework::queued_pod_info& a, const framework::queued_pod_info& b) {
            return qs->less(a, b);
        };
    }
    queue::queue_options queue_opts() const {
        queue::queue_options q;
        q.initial_backoff = std::chrono::seconds(cfg.pod_initial_backoff_seconds);
        q.max_backoff = std::chrono::seconds(cfg.pod_max_backoff_seconds);
        q.unschedulable_timeout = opts.unschedulable_timeout;
        q.pre_enqueue = [this](const api::pod& pod) {
            const std::string_view name =
                pod.scheduler_name.empty() ? api::kDefaultSchedulerName : pod.scheduler_name;
            const auto fw = profiles->find(name);
            return fw ? fw->run_pre_enqueue(pod) : framework::status();
        };
        return q;
    }
    scheduler::algorithm_state algorithm() const {
        scheduler::algorithm_state a;
        a.global_percentage_of_nodes_to_score = cfg.percentage_of_nodes_to_score.value_or(0);
        return a;
    }
    informer::handlers pod_handlers() {
        return {[this](const informer::object& o) { sched.on_pod_add(as<api::pod>(o)); },
                [this](const informer::object& a, const informer::object& b) {
                    sched.on_pod_update(as<api::pod>(a), as<api::pod>(b));
                },
                [this](const informer::object& o) { sched.on_pod_delete(as<api::pod>(o)); },
                [] { MS_LOG_INFO("pod informer synced"); }};
    }
    informer::handlers node_handlers() {
        return {[this](const informer::object& o) { sched.on_node_add(as<api::node>(o)); },
                [this](const informer::object& a, const informer::object& b) {
                    sched.on_node_update(as<api::node>(a), as<api::node>(b));
                },
                [this](const informer::object& o) { sched.on_node_delete(as<api::node>(o)); },
                [] { MS_LOG_INFO("node informer synced"); }};
    }

    // Waits for the informers' first LIST, then schedules until cancelled.
    task<void> schedule_when_synced() {
        asio::steady_timer t(co_await asio::this_coro::executor);
        while (!synced()) {
            t.expires_after(50ms);
            if (auto [ec] = co_await t.async_wait(use_task); ec) {
                co_return;
            }
        }
        MS_LOG_INFO("caches synced; scheduling pods for profiles {}",
                    fmt::join(profiles->names(), ", "));
        co_await sched.run();
    }

    // Starts the informers (now, or once leading with delayCacheUntilActive).
    void start_informers() {
        loops.spawn(pods.run());
        loops.spawn(nodes.run());
        loops.spawn(objects.start(loops));
        loops.spawn(queue.run_flush_loop());
        loops.spawn(events.run_series_maintenance());
    }

    // With leader election: waits for the lease, keeps renewing it, then schedules. Losing the
    // lease exits the process with status 1, as kube-scheduler (in-flight bindings are
    // abandoned; their pods are still pending and the next leader schedules them).
    task<void> lead_then_schedule() {
        if (elector) {
            // A named local: GCC 12 miscompiles `co_await` inside a negated condition.
            const bool leading = co_await elector->acquire();
            if (!leading) {
                co_return;  // shutting down
            }
            record_leader_event("became leader");
            if (cfg.delay_cache_until_active) {
                start_informers();
            }
            loops.spawn(keep_leading());
        }
        co_await schedule_when_synced();
    }
    // client-go's LeaseLock.RecordEvent: "<identity> <what>" about the Lease, from the first
    // profile's scheduler name (kube-scheduler's leader-election recorder).
    void record_leader_event(std::string_view what) {
        const auto& lease = elector->lease();
        if (!lease) {
            return;
        }
        auto meta = json::document::parse(lease->metadata);
        if (!meta) {
            return;
        }
        const auto m = meta->root();
        const auto& ec = elector->config();
        events.lease_event(ec.lease_namespace, ec.lease_name, std::string(m["uid"].as_string()),
                           std::string(m["resourceVersion"].as_string()), profiles->names().front(),
                           ec.identity + " " + std::string(what));
    }
    task<void> keep_leading() {
        co_await elector->hold();
        if (elector->lost()) {
            MS_LOG_ERROR("leaderelection lost");
            log::flush_and_exit(1);
        }
    }

    // Swaps in the profiles of a reloaded configuration, between two scheduling cycles (this
    // runs on the loop's thread, and a scheduling cycle never suspends). Queued pods stay
    // queued; pods of removed profiles leave the queue untouched; pending pods of added profiles
    // are taken from the informer's store; unschedulable pods of changed profiles are retried.
    result<void> apply_reload(const reload_plan& plan) {
        auto built = profile_set::build(plan.next, registry, *client, cache, profiles->runtime());
        if (!built) {
            return built.error();
        }
        if (routing) {
            const auto& names = built->names();
            if (auto ok = routing->check_served({names.begin(), names.end()}); !ok) {
                return error{{},
                             "the routing rules name a profile this configuration drops: " +
                                 ok.error().message};
            }
        }
        const auto* sort = built->queue_sort();
        if (sort != nullptr && sort->name() != queue_sorter->queue_sort()->name()) {
            MS_LOG_WARN("queueSort changed to {}; the queue keeps {} until a restart", sort->name(),
                        queue_sorter->queue_sort()->name());
        }
        built->adopt_waiting(*profiles);
        profiles = std::make_shared<profile_set>(std::move(*built));
        cfg = plan.next;

        const auto served = [this](const api::pod& pod) {
            const std::string_view name =
                pod.scheduler_name.empty() ? api::kDefaultSchedulerName : pod.scheduler_name;
            return profiles->find(name) != nullptr;
        };
        const auto in = [](const std::vector<std::string>& names) {
            return [&names](const api::pod& pod) {
                const std::string_view name =
                    pod.scheduler_name.empty() ? api::kDefaultSchedulerName : pod.scheduler_name;
                return std::find(names.begin(), names.end(), name) != names.end();
            };
        };
        const std::size_t dropped = queue.remove_if([&](const api::pod& p) { return !served(p); });
        std::size_t adopted = 0;
        if (!plan.added.empty()) {
            const auto added = in(plan.added);
            pods.for_each([&](const informer::object& o) {
                const auto pod = as<api::pod>(o);
                if (pod->node_name.empty() && added(*pod)) {
                    sched.adopt_pending(pod);
                    ++adopted;
                }
            });
        }
        const std::size_t retried = queue.retry_if(in(plan.changed));
        sched.set_global_percentage_of_nodes_to_score(cfg.percentage_of_nodes_to_score.value_or(0));
        queue.set_backoff(std::chrono::seconds(cfg.pod_initial_backoff_seconds),
                          std::chrono::seconds(cfg.pod_max_backoff_seconds));
        MS_LOG_INFO("profiles now {}: {} pods left the queue, {} pods adopted, {} pods retried",
                    fmt::join(profiles->names(), ", "), dropped, adopted, retried);
        return {};
    }

    // SIGTERM/SIGINT: stop scheduling and watching, let bindings finish (bounded), then writes.
    task<void> shutdown(int signal) {
        MS_LOG_INFO("received signal {}: stopping", signal);
        shutting_down = true;
        if (serving) {
            serving->stop();
        }
        loops.cancel();
        co_await loops.wait();
        co_await drain(bindings, opts.shutdown_grace);
        co_await drain(writes, 5s);
        if (elector && elector->is_leader()) {
            co_await elector->release();  // ReleaseOnCancel: the next candidate takes over now
        }
        MS_LOG_INFO("stopped");
        ioc.stop();  // idle keep-alive connections and timers end with the context
    }
    task<void> drain(task_group& group, std::chrono::seconds grace) {
        asio::steady_timer t(co_await asio::this_coro::executor);
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (group.size() > 0 && std::chrono::steady_clock::now() < deadline) {
            t.expires_after(50ms);
            co_await t.async_wait(use_task);
        }
        group.cancel();
        co_await group.wait();
    }
};

// Checks the apiserver, then starts the informers, the flush loop and the scheduling loop.
task<void> start(process& p, std::string server) {
    auto ok = co_await wait_for_apiserver(*p.client, server, p.opts.connect_timeout);
    if (!ok) {
        MS_LOG_ERROR("{}", ok.error().message);
        p.exit_code = 1;
        p.ioc.stop();
        co_return;
    }
    if (p.opts.serving.enabled) {
        auto serving =
            co_await secure_serving::start(p.ioc.get_executor(), p.opts.serving, p.sources());
        if (!serving) {
            MS_LOG_ERROR("{}", serving.error().message);
            p.exit_code = 1;
            p.ioc.stop();
            co_return;
        }
        p.serving = std::move(*serving);
        p.loops.spawn(p.serving->run());
    }
    if (!p.elector || !p.cfg.delay_cache_until_active) {
        p.start_informers();  // standbys keep their caches warm
    }
    p.loops.spawn(p.lead_then_schedule());
    if (p.reloader) {
        p.loops.spawn(p.reloader->run(p.opts.reload_debounce));
    }
    if (p.routing) {
        p.loops.spawn(p.routing->run(p.opts.reload_debounce));
    }
}

}  // namespace

int run_daemon(const config::scheduler_config& cfg, const daemon_options& opts) {
    asio::io_context ioc{1};
    auto rc = rest_config_for(cfg, opts);
    if (!rc) {
        MS_LOG_ERROR("{}", rc.error().message);
        return 1;
    }
    // Named in start-up errors: where the server address came from.
    const std::string origin =
        !opts.master.empty() ? std::string("--master")
        : cfg.client_connection.kubeconfig.empty()
            ? std::string("in-cluster config")
            : "clientConnection.kubeconfig " + cfg.client_connection.kubeconfig;
    const std::string server =
        rc->scheme + "://" + rc->host + ":" + rc->port + " (from " + origin + ")";
    // clientConnection.qps/burst throttle every request, as client-go's token bucket; a 429 or
    // 5xx with Retry-After is sent again (each try waits for its token), as client-go's request.
    const auto& cc = cfg.client_connection;
    // Each exchange is observed into rest_client_* once the metrics exist (below).
    auto request_observer = std::make_shared<client::request_observer>();
    const auto make_client = [&] {
        return client::honour_retry_after(client::rate_limited(
            client::observed(client::make_api_client(ioc.get_executor(), *rc), request_observer),
            cc.qps, cc.burst));
    };
    auto client = make_client();
    // With leader election every write of the scheduling client (Bindings, preemption's
    // deletions, status patches) passes only while this instance holds the lease by its own
    // clock (client/write_fence.hpp, elector::leading): a leader paused past its renew deadline
    // writes nothing when it resumes. The slot is filled once the elector exists.
    auto lease_holder = std::make_shared<const leader::elector*>(nullptr);
    if (cfg.leader_election.leader_elect) {
        client =
            client::write_fenced(std::move(client), [lease_holder]() -> std::optional<std::string> {
                const leader::elector* e = *lease_holder;
                if (e != nullptr && e->leading()) {
                    return std::nullopt;
                }
                return std::string(
                    "this instance does not hold the leader lease (not renewed "
                    "within renewDeadline)");
            });
    }
    auto events_client = make_client();
    const auto registry = plugins::make_in_tree_registry();
    cache::cache cache;
    auto built = profile_set::build(cfg, registry, *client, cache);
    if (!built) {
        MS_LOG_ERROR("{}{}", cfg.source_name.empty() ? "" : cfg.source_name + ": ",
                     built.error().message);
        return 1;
    }
    process p(ioc, cfg, opts, registry, std::move(client), std::move(events_client), cache,
              std::move(*built));
    const std::string request_host = client::url_host(*rc);
    *request_observer = [&p, request_host](const client::request_outcome& o) {
        metrics::record_request(p.metrics, boost::beast::http::to_string(o.method), o.status,
                                request_host, o.seconds);
    };
    if (cfg.leader_election.leader_elect) {
        const auto& le = cfg.leader_election;
        leader::election_config ec;
        ec.lease_namespace = le.resource_namespace;
        ec.lease_name = le.resource_name;
        ec.identity = leader::make_identity();
        ec.lease_duration =
            std::chrono::duration_cast<std::chrono::milliseconds>(le.lease_duration);
        ec.renew_deadline =
            std::chrono::duration_cast<std::chrono::milliseconds>(le.renew_deadline);
        ec.retry_period = std::chrono::duration_cast<std::chrono::milliseconds>(le.retry_period);
        if (auto invalid = leader::validate(ec)) {
            MS_LOG_ERROR("leader election: {}", *invalid);
            return 1;
        }
        p.election_client = make_client();
        p.elector = std::make_unique<leader::elector>(*p.election_client, std::move(ec));
        *lease_holder = p.elector.get();
        p.elector->report_to({&p.metrics.leader_election_master_status, nullptr});
        MS_LOG_INFO("leader election on lease {} as {}", p.elector->describe(),
                    p.elector->config().identity);
    }
    if (!opts.config_file.empty() && opts.reload_config) {
        config_reloader::hooks h;
        h.load = opts.reload_config;
        h.running = [&p]() -> const config::scheduler_config& { return p.cfg; };
        h.apply = [&p](const reload_plan& plan) { return p.apply_reload(plan); };
        h.reported = [&p](bool ok) {
            p.metrics.config_reloads
                .with({ok ? metrics::label::kSuccess : metrics::label::kFailure})
                .inc();
            p.metrics.config_last_reload_successful.set(ok ? 1 : 0);
        };
        p.reloader = std::make_unique<config_reloader>(opts.config_file, std::move(h));
    }
    std::vector<std::shared_ptr<extender::http_extender>> extenders;
    for (const auto& e : cfg.extenders) {
        auto ext = extender::http_extender::create(ioc.get_executor(), e);
        if (!ext) {
            MS_LOG_ERROR("{}", ext.error().message);
            return 1;
        }
        MS_LOG_INFO(
            "extender {} (filter \"{}\", prioritize \"{}\" x{}, preempt \"{}\", bind \"{}\"{})",
            e.url_prefix, e.filter_verb, e.prioritize_verb, e.weight, e.preempt_verb, e.bind_verb,
            e.ignorable ? ", ignorable" : "");
        extenders.push_back(std::move(*ext));
    }
    p.sched.set_extenders(std::move(extenders));
    if (!opts.routing_config.empty()) {
        auto routing = profile_routing::load(opts.routing_config, [&p] {
            const auto& names = p.profiles->names();
            return std::set<std::string>(names.begin(), names.end());
        });
        if (!routing) {
            MS_LOG_ERROR("{}", routing.error().message);
            return 1;
        }
        if (!opts.serving.enabled) {
            MS_LOG_WARN("--routing-config is set but --secure-port=0: /mutate-pods is not served");
        }
        p.routing = std::move(*routing);
    }
    p.profiles->set_runtime(
        [&p](const api::pod& regarding, const api::pod* related, const std::string& profile,
             std::string_view type, std::string_view reason, std::string_view action,
             std::string note) {
            p.events.record(regarding, related, profile, type, reason, action, std::move(note));
        },
        [&p](task<void> work) { p.writes.spawn(std::move(work)); });

    // The root tasks: start-up, then shutdown on a signal. Their exceptions are logged by the
    // group; the loops they start live in p.loops.
    task_group root(ioc.get_executor(), "root");
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (!ec) {
            root.spawn(p.shutdown(sig));
        }
    });
    root.spawn(start(p, server));
    ioc.run();
    return p.exit_code;
}

}  // namespace multisched::profiles
