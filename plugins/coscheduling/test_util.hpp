// SPDX-License-Identifier: Apache-2.0
// Test fixture for Coscheduling (tests only): a real framework holding the plugin and a small
// resource-fit plugin over a fake handle, nodes, PodGroups and members, a fake steady clock and
// an io_context for waiting pods and PreBind coroutines.
#pragma once

#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/framework/framework.hpp"
#include "plugins/coscheduling/coscheduling.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_api_client.hpp"
#include "test/util/fake_handle.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::plugins::coscheduling::test {

using framework::code;
using framework::status;
using namespace std::chrono_literals;

inline constexpr std::string_view kNs = "ns";
inline constexpr std::string_view kStartTime = "2024-05-01T10:00:00Z";

// PreFilter counts its calls; Filter: the pod's cpu and memory fit what the node has left.
class fake_fit final : public framework::pre_filter_plugin, public framework::filter_plugin {
  public:
    std::string_view name() const override { return "FakeFit"; }
    status pre_filter(framework::cycle_state&, const framework::pod_info&,
                      std::span<const framework::node_info* const>,
                      framework::pre_filter_result&) override {
        ++pre_filters;
        return {};
    }
    status filter(framework::cycle_state&, const framework::pod_info& pod,
                  const framework::node_info& node) override {
        const api::resource_list& alloc = node.node()->allocatable;
        if (node.requested().milli_cpu + pod.requests.milli_cpu > alloc.milli_cpu) {
            return {code::unschedulable, "Insufficient cpu"};
        }
        if (node.requested().memory + pod.requests.memory > alloc.memory) {
            return {code::unschedulable, "Insufficient memory"};
        }
        return {};
    }
    int pre_filters = 0;
};

struct group_spec {
    std::string name;
    std::int32_t min_member = 0;
    std::optional<std::int32_t> timeout;  // scheduleTimeoutSeconds
    std::optional<api::resource_list> min_resources;
};

// One cluster with the gang profile. Not copyable or movable (the clock captures `this`).
class cluster {
  public:
    explicit cluster(const coscheduling_args& args = {}) { build(args); }
    cluster(const cluster&) = delete;
    cluster& operator=(const cluster&) = delete;

    // A configuration reload: the profile's framework and plugins are built anew on the same
    // handle (whose persistent slots carry over); pods waiting at Permit move to the new one.
    void reload(const coscheduling_args& args = {}) {
        auto old = fw;
        build(args);
        fw->adopt_waiting(old->shared_waiting());
    }

    // Builds the gang profile's framework: Coscheduling with a fake NodeResourcesFit.
    void build(const coscheduling_args& args) {
        coscheduling::hooks hooks;
        hooks.now = [this] { return now; };
        hooks.wall = [] { return std::string(kStartTime); };
        hooks.wake_at = [this](clock::time_point when) { wakeups.push_back(when); };
        auto owned_plugin = std::make_unique<coscheduling>(args, *h, std::move(hooks));
        auto owned_fit = std::make_unique<fake_fit>();
        plugin = owned_plugin.get();
        fit = owned_fit.get();
        framework::plugin_lists lists;
        lists.queue_sort = plugin;
        lists.pre_filter = {plugin, fit};
        lists.filter = {fit};
        lists.reserve = {plugin};
        lists.permit = {plugin};
        lists.pre_bind = {plugin};
        lists.post_bind = {plugin};
        std::vector<std::unique_ptr<framework::plugin>> owned;
        owned.push_back(std::move(owned_plugin));
        owned.push_back(std::move(owned_fit));
        fw = std::make_shared<framework::framework>("gang-scheduler", h, std::move(owned), lists,
                                                    std::nullopt);
        h->fw = fw.get();
    }

    framework::node_info& add_node(std::string name, std::string_view cpu = "4") {
        auto node = testing::make_node()
                        .name(std::move(name))
                        .alloc({{"cpu", cpu}, {"memory", "16Gi"}, {"pods", "110"}})
                        .obj();
        nodes.push_back(testing::make_node_info(node));
        h->cluster.push_back(&nodes.back());
        return nodes.back();
    }
    framework::node_info& node(std::string_view name) {
        for (auto& n : nodes) {
            if (n.name() == name) {
                return n;
            }
        }
        throw std::runtime_error("no node " + std::string(name));
    }

    void add_group(const group_spec& g) {
        auto pg = std::make_shared<api::pod_group>();
        pg->meta.name = g.name;
        pg->meta.ns = std::string(kNs);
        pg->meta.uid = "pg-" + g.name;
        pg->min_member = g.min_member;
        pg->schedule_timeout_seconds = g.timeout;
        pg->min_resources = g.min_resources;
        h->cluster_objects.pod_groups.upsert(cache::namespaced_key(kNs, g.name), std::move(pg));
    }
    // A pending member `name` (uid = name) of `group` requesting `cpu`.
    std::shared_ptr<const api::pod> add_member(const std::string& name, const std::string& group,
                                               std::string_view cpu = "1") {
        auto p = testing::make_pod()
                     .name(name)
                     .ns(std::string(kNs))
                     .uid(name)
                     .label(std::string(api::kPodGroupLabel), group)
                     .req({{"cpu", cpu}})
                     .ptr();
        h->cluster_objects.pod_group_members.upsert(p);
        group_of[name] = cache::namespaced_key(kNs, group);
        return p;
    }
    std::shared_ptr<const api::pod> member(const std::string& uid) const {
        auto g = group_of.find(uid);
        const auto* m =
            g == group_of.end() ? nullptr : h->cluster_objects.pod_group_members.find(g->second);
        if (m == nullptr || !m->contains(uid)) {
            throw std::runtime_error("no member " + uid);
        }
        return m->find(uid)->second;
    }
    std::shared_ptr<const framework::pod_info> info(const std::string& uid) const {
        return framework::make_pod_info(member(uid));
    }
    // The member is assumed on `node` (in the node's pods, is_assumed true).
    void assume(const std::string& uid, const std::string& node_name) {
        auto p = std::make_shared<api::pod>(*member(uid));
        p->node_name = node_name;
        node(node_name).add_pod(framework::make_pod_info(p));
        h->assumed.insert(uid);
    }
    // The member is bound to `node`: its spec.nodeName is set in the member index.
    void bind(const std::string& uid, const std::string& node_name) {
        auto p = std::make_shared<api::pod>(*member(uid));
        p->node_name = node_name;
        h->assumed.erase(uid);
        node(node_name).remove_pod(uid);
        node(node_name).add_pod(framework::make_pod_info(p));
        h->cluster_objects.pod_group_members.upsert(p);
    }
    // The member's status.phase (as the kubelet reports it) in the member index.
    void set_phase(const std::string& uid, std::string phase) {
        auto p = std::make_shared<api::pod>(*member(uid));
        p->phase = std::move(phase);
        h->cluster_objects.pod_group_members.upsert(p);
    }
    // The member is gone (deleted): off its node and out of the index.
    void remove(const std::string& uid) {
        for (auto& n : nodes) {
            n.remove_pod(uid);
        }
        h->assumed.erase(uid);
        h->cluster_objects.pod_group_members.erase(uid);
    }
    // Assumed on `node` and held at Permit by Coscheduling for `timeout`.
    std::shared_ptr<framework::waiting_pod> wait_at_permit(const std::string& uid,
                                                           const std::string& node_name,
                                                           std::chrono::milliseconds timeout = 1h) {
        assume(uid, node_name);
        return fw->waiting().add(std::make_shared<framework::waiting_pod>(
            ioc.get_executor(), info(uid), node_name, std::vector<std::string>{std::string(kName)},
            timeout));
    }
    // The waiting pod's verdict (it must have one, or a short timeout).
    status verdict(const std::shared_ptr<framework::waiting_pod>& wp) {
        return testing::run(ioc, wp->wait());
    }

    status pre_filter(const std::string& uid) { return pre_filter(*info(uid)); }
    // With `what_if`, the cycle of an explanation (cycle_state::what_if).
    status pre_filter(const framework::pod_info& pod, bool what_if = false) {
        framework::cycle_state state;
        state.what_if = what_if;
        framework::pre_filter_result result;
        return plugin->pre_filter(state, pod, h->all_nodes(), result);
    }
    status permit(const std::string& uid, const std::string& node_name,
                  std::chrono::milliseconds* timeout = nullptr) {
        framework::cycle_state state;
        std::chrono::milliseconds t{0};
        status s = plugin->permit(state, *info(uid), node_name, t);
        if (timeout != nullptr) {
            *timeout = t;
        }
        return s;
    }
    void unreserve(const std::string& uid, const std::string& node_name) {
        framework::cycle_state state;
        plugin->unreserve(state, *info(uid), node_name);
    }
    // Runs every status write spawned so far.
    void run_writes() {
        auto writes = std::move(h->writes);
        h->writes.clear();
        for (auto& w : writes) {
            testing::run(ioc, std::move(w));
        }
    }

    asio::io_context ioc;  // first: outlives the timers of waiting pods
    testing::fake_api_client client;
    std::shared_ptr<testing::fake_handle> h = std::make_shared<testing::fake_handle>(client);
    std::deque<framework::node_info> nodes;  // stable addresses for h->cluster
    coscheduling* plugin = nullptr;
    fake_fit* fit = nullptr;
    std::shared_ptr<framework::framework> fw;
    clock::time_point now = clock::time_point{} + 1h;
    std::map<std::string, std::string> group_of;  // member uid -> group key
    std::vector<clock::time_point> wakeups;       // what the plugin asked on_timer() for
};

// Runs every task to completion on `ioc` (they may wait for each other), in one poll loop.
inline std::vector<status> run_all(asio::io_context& ioc, std::vector<task<status>> tasks) {
    std::vector<std::future<status>> done;
    for (auto& t : tasks) {
        done.push_back(asio::co_spawn(ioc, std::move(t), asio::use_future));
    }
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    for (auto& f : done) {
        while (f.wait_for(0s) != std::future_status::ready) {
            if (std::chrono::steady_clock::now() > give_up) {
                throw std::runtime_error("run_all: tasks still running after the time limit");
            }
            if (ioc.stopped()) {
                ioc.restart();
            }
            ioc.run_one_for(50ms);
        }
    }
    std::vector<status> out;
    for (auto& f : done) {
        out.push_back(f.get());
    }
    return out;
}

}  // namespace multisched::plugins::coscheduling::test
