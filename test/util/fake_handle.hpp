// SPDX-License-Identifier: Apache-2.0
// A framework::handle for plugin tests: a client (a fake_api_client by default), a profile name,
// and cluster facts set by the test (node count, nodes per image).
#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/framework/handle.hpp"
#include "core/framework/nominator.hpp"
#include "test/util/fake_api_client.hpp"

namespace multisched::testing {

class fake_handle final : public framework::handle {
  public:
    fake_handle() : client_(&own_client_) {}
    explicit fake_handle(client::api_client& c) : client_(&c) {}

    client::api_client& client() override { return *client_; }
    const std::string& profile_name() const override { return name; }
    std::size_t node_count() const override { return nodes; }
    std::size_t nodes_with_image(std::string_view image) const override {
        auto it = image_nodes.find(std::string(image));
        return it == image_nodes.end() ? 0 : it->second;
    }

    std::span<const framework::node_info* const> all_nodes() override {
        return {cluster.data(), cluster.size()};
    }
    const api::label_map* namespace_labels(std::string_view ns) const override {
        auto it = namespaces.find(std::string(ns));
        return it == namespaces.end() ? nullptr : &it->second;
    }

    api::label_selector default_selector(const api::pod& /*pod*/) const override {
        return owner_selector;
    }

    const cache::cluster_objects& objects() const override { return cluster_objects; }
    const framework::nominator& nominated() const override { return nominations; }
    bool is_assumed(std::string_view uid) const override {
        return assumed.contains(std::string(uid));
    }
    void activate(const std::vector<std::string>& uids) override { activated.push_back(uids); }
    framework::framework* profile_framework() override { return fw; }
    metrics::scheduler_metrics* metrics() override { return scheduler_metrics; }
    void record_event(const api::pod& regarding, const api::pod* related, std::string_view type,
                      std::string_view reason, std::string_view action, std::string note) override {
        events.push_back({regarding.key(), related != nullptr ? related->key() : std::string(),
                          std::string(type), std::string(reason), std::string(action),
                          std::move(note)});
    }

    std::shared_ptr<void>* persistent_slot(std::string_view key) override {
        auto it = persistent.find(key);
        if (it == persistent.end()) {
            it = persistent.emplace(std::string(key), nullptr).first;
        }
        return &it->second;
    }

    // Keeps the work for the test to run (e.g. with task_runner), in order.
    void spawn_write(task<void> work) override { writes.push_back(std::move(work)); }

    struct recorded_event {
        std::string regarding, related, type, reason, action, note;
        bool operator==(const recorded_event&) const = default;
    };

    std::string name = "default-scheduler";
    std::size_t nodes = 0;
    std::map<std::string, std::size_t> image_nodes;
    // What all_nodes() returns: set by tests of plugins that look beyond the nodes they are given.
    std::vector<const framework::node_info*> cluster;
    std::map<std::string, api::label_map> namespaces;
    api::label_selector owner_selector;      // what default_selector() returns for every pod
    cache::cluster_objects cluster_objects;  // what objects() returns
    framework::nominator nominations;        // what nominated() returns
    framework::framework* fw = nullptr;      // what profile_framework() returns
    metrics::scheduler_metrics* scheduler_metrics = nullptr;  // what metrics() returns
    std::vector<recorded_event> events;                       // what record_event() recorded
    std::vector<task<void>> writes;                           // what spawn_write() was given
    std::set<std::string> assumed;                            // uids is_assumed() answers true for
    std::vector<std::vector<std::string>> activated;          // what activate() was given, per call
    // persistent_slot()'s slots: a plugin rebuilt on this handle finds its predecessor's state.
    std::map<std::string, std::shared_ptr<void>, std::less<>> persistent;

  private:
    fake_api_client own_client_;
    client::api_client* client_;
};

}  // namespace multisched::testing
