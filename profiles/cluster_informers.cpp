// SPDX-License-Identifier: Apache-2.0
#include "profiles/cluster_informers.hpp"

#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/api/decode.hpp"
#include "core/informer/typed.hpp"
#include "core/util/log.hpp"

namespace multisched::profiles {
namespace {

using namespace std::chrono_literals;
using framework::event_resource;

template <class T>
using decoder = result<T> (*)(json::value);
using informer::as;
using informer::store_key;

constexpr std::string_view kPodGroupGroupVersion = "/apis/scheduling.x-k8s.io/v1alpha1";
constexpr std::chrono::seconds kPodGroupDiscoveryPeriod{30};

informer::reflector_options options_for(std::string path) {
    informer::reflector_options o;
    o.resource_path = std::move(path);
    return o;
}

// A reflector that mirrors one resource into `store` and reports its changes as cluster events
// on `resource` (none when nullopt).
template <class T>
std::unique_ptr<informer::reflector> store_reflector(client::api_client& client, std::string path,
                                                     decoder<T> decode, bool namespaced,
                                                     cache::object_store<T>& store,
                                                     std::optional<event_resource> resource,
                                                     const cluster_informers::event_sink& sink) {
    informer::handlers h;
    h.on_add = [&store, resource, sink](const informer::object& o) {
        store.upsert(o.key, as<T>(o));
        if (resource) {
            sink({*resource, framework::action_add});
        }
    };
    h.on_update = [&store, resource, sink](const informer::object&, const informer::object& o) {
        store.upsert(o.key, as<T>(o));
        if (resource) {
            sink({*resource, framework::action_update});
        }
    };
    h.on_delete = [&store, resource, sink](const informer::object& o) {
        store.erase(o.key);
        if (resource) {
            sink({*resource, framework::action_delete});
        }
    };
    const std::string name = path;
    h.on_synced = [name] { MS_LOG_INFO("informer {} synced", name); };
    return std::make_unique<informer::reflector>(
        client, options_for(std::move(path)),
        informer::typed_decoder<T>(decode,
                                   namespaced ? store_key::namespaced_name : store_key::name),
        std::move(h));
}

}  // namespace

cluster_informers::cluster_informers(client::api_client& client, cache::cache& cache,
                                     event_sink on_event)
    : client_(client), cache_(cache), on_event_(std::move(on_event)) {
    auto& objs = cache_.objects();
    required_.push_back(store_reflector<api::persistent_volume>(
        client_, "/api/v1/persistentvolumes", &api::decode_pv, false, objs.pvs,
        event_resource::persistent_volume, on_event_));
    required_.push_back(store_reflector<api::persistent_volume_claim>(
        client_, "/api/v1/persistentvolumeclaims", &api::decode_pvc, true, objs.pvcs,
        event_resource::persistent_volume_claim, on_event_));
    required_.push_back(store_reflector<api::storage_class>(
        client_, "/apis/storage.k8s.io/v1/storageclasses", &api::decode_storage_class, false,
        objs.storage_classes, event_resource::storage_class, on_event_));
    required_.push_back(store_reflector<api::service>(client_, "/api/v1/services",
                                                      &api::decode_service, true, objs.services,
                                                      std::nullopt, on_event_));
    required_.push_back(store_reflector<api::replication_controller>(
        client_, "/api/v1/replicationcontrollers", &api::decode_replication_controller, true,
        objs.replication_controllers, std::nullopt, on_event_));
    required_.push_back(store_reflector<api::workload_set>(
        client_, "/apis/apps/v1/replicasets", &api::decode_workload_set, true, objs.replica_sets,
        std::nullopt, on_event_));
    required_.push_back(store_reflector<api::workload_set>(
        client_, "/apis/apps/v1/statefulsets", &api::decode_workload_set, true, objs.stateful_sets,
        std::nullopt, on_event_));
    required_.push_back(store_reflector<api::csi_node>(client_, "/apis/storage.k8s.io/v1/csinodes",
                                                       &api::decode_csi_node, false, objs.csi_nodes,
                                                       event_resource::csi_node, on_event_));

    informer::handlers ns;
    ns.on_add = [this](const informer::object& o) {
        const auto n = as<api::namespace_object>(o);
        cache_.set_namespace(n->meta.name, n->meta.labels);
    };
    ns.on_update = [this](const informer::object&, const informer::object& o) {
        const auto n = as<api::namespace_object>(o);
        cache_.set_namespace(n->meta.name, n->meta.labels);
    };
    ns.on_delete = [this](const informer::object& o) { cache_.remove_namespace(o.key); };
    ns.on_synced = [] { MS_LOG_INFO("informer /api/v1/namespaces synced"); };
    namespaces_ = std::make_unique<informer::reflector>(
        client_, options_for("/api/v1/namespaces"),
        informer::typed_decoder<api::namespace_object>(&api::decode_namespace, store_key::name),
        std::move(ns));
}

task<void> cluster_informers::start(task_group& group) {
    // Discovery: policy/v1 (1.21+) or policy/v1beta1. A failure to ask (apiserver restarting)
    // is retried briefly, then v1 is assumed.
    std::string pdb_path = "/apis/policy/v1/poddisruptionbudgets";
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (int attempt = 0; attempt < 5; ++attempt) {
        client::http_request req;
        req.target = "/apis/policy/v1";
        req.timeout = 10s;
        auto res = co_await client_.send(std::move(req));
        if (res && res->status == 404) {
            pdb_path = "/apis/policy/v1beta1/poddisruptionbudgets";
            break;
        }
        if (res && res->status == 200) {
            break;
        }
        t.expires_after(1s);
        if (auto [ec] = co_await t.async_wait(use_task); ec) {
            co_return;
        }
    }
    MS_LOG_INFO("reading PodDisruptionBudgets from {}", pdb_path);
    required_.push_back(store_reflector<api::pod_disruption_budget>(
        client_, pdb_path, &api::decode_pdb, true, cache_.objects().pdbs, std::nullopt, on_event_));
    for (auto& r : required_) {
        group.spawn(r->run());
    }
    group.spawn(namespaces_->run());
    group.spawn(watch_pod_groups_once_served(group));
    started_ = true;
}

task<void> cluster_informers::watch_pod_groups_once_served(task_group& group) {
    // The PodGroup CRD is optional: ask discovery until the apiserver serves it (it may be
    // installed after start-up), then mirror PodGroups like any other object.
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (bool logged = false;;) {
        client::http_request req;
        req.target = std::string(kPodGroupGroupVersion);
        req.timeout = 10s;
        auto res = co_await client_.send(std::move(req));
        if (res && res->status == 200) {
            break;
        }
        if (!logged) {
            MS_LOG_INFO("{} is not served (PodGroup CRD not installed?): checking again every {}s",
                        kPodGroupGroupVersion, kPodGroupDiscoveryPeriod.count());
            logged = true;
        }
        t.expires_after(kPodGroupDiscoveryPeriod);
        if (auto [ec] = co_await t.async_wait(use_task); ec) {
            co_return;
        }
    }
    pod_groups_ = store_reflector<api::pod_group>(
        client_, std::string(kPodGroupGroupVersion) + "/podgroups", &api::decode_pod_group, true,
        cache_.objects().pod_groups, event_resource::pod_group, on_event_);
    group.spawn(pod_groups_->run());
}

bool cluster_informers::synced() const {
    if (!started_) {
        return false;
    }
    for (const auto& r : required_) {
        if (!r->synced()) {
            return false;
        }
    }
    return true;
}

}  // namespace multisched::profiles
