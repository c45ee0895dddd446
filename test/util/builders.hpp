// SPDX-License-Identifier: Apache-2.0
// Fluent test builders for the object model (after upstream pkg/scheduler/testing wrappers):
//   make_pod().name("p").ns("default").uid("u1").req({{"cpu", "500m"}, {"memory", "1Gi"}}).obj()
//   make_node().name("n1").alloc({{"cpu", "4"}, {"pods", "110"}}).unschedulable().obj()
//   make_node_info(node, {pod_a, pod_b})
// Quantities are parsed with api::quantity::parse when the builder method runs (test runtime);
// a malformed quantity throws. Header-only; tests only.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api/quantity.hpp"
#include "core/api/types.hpp"
#include "core/framework/node_info.hpp"

namespace multisched::testing {

using quantity_list = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Adds each quantity in framework.Resource units: cpu in millicores, the rest in whole units.
inline void add_quantities(api::resource_list& r, quantity_list list) {
    for (const auto& [name, text] : list) {
        const auto q = api::quantity::parse(text).value();
        if (name == api::kResourceCPU) {
            r.milli_cpu += q.milli_value();
        } else if (name == api::kResourceMemory) {
            r.memory += q.value();
        } else if (name == api::kResourceEphemeralStorage) {
            r.ephemeral_storage += q.value();
        } else if (name == api::kResourcePods) {
            r.pods += q.value();
        } else {
            r.add(name, q.value());
        }
    }
}

inline api::container make_container(std::string name, quantity_list requests) {
    api::container c;
    c.name = std::move(name);
    add_quantities(c.requests, requests);
    for (const auto& [res, text] : requests) {
        c.has_cpu_request = c.has_cpu_request || res == api::kResourceCPU;
        c.has_memory_request = c.has_memory_request || res == api::kResourceMemory;
    }
    return c;
}

class pod_builder {
  public:
    pod_builder& name(std::string v) {
        pod_.meta.name = std::move(v);
        return *this;
    }
    pod_builder& ns(std::string v) {
        pod_.meta.ns = std::move(v);
        return *this;
    }
    pod_builder& uid(std::string v) {
        pod_.meta.uid = std::move(v);
        return *this;
    }
    pod_builder& node(std::string v) {
        pod_.node_name = std::move(v);
        return *this;
    }
    pod_builder& scheduler(std::string v) {
        pod_.scheduler_name = std::move(v);
        return *this;
    }
    pod_builder& priority(std::int32_t v) {
        pod_.priority = v;
        return *this;
    }
    pod_builder& nominated(std::string v) {
        pod_.nominated_node_name = std::move(v);
        return *this;
    }
    pod_builder& label(std::string k, std::string v) {
        pod_.meta.labels.set(std::move(k), std::move(v));
        return *this;
    }
    // Appends one container with these requests (upstream MakePod().Req(...)).
    pod_builder& req(quantity_list requests) {
        pod_.containers.push_back(
            make_container("c" + std::to_string(pod_.containers.size()), requests));
        return *this;
    }
    // Appends one init container with these requests.
    pod_builder& init_req(quantity_list requests) {
        pod_.init_containers.push_back(
            make_container("i" + std::to_string(pod_.init_containers.size()), requests));
        return *this;
    }
    pod_builder& overhead(quantity_list list) {
        add_quantities(pod_.overhead, list);
        return *this;
    }
    // A toleration; op "" means Equal, effect "" matches every effect.
    pod_builder& toleration(std::string key, std::string op = "Exists", std::string value = "",
                            std::string effect = "") {
        pod_.tolerations.push_back(
            {std::move(key), std::move(op), std::move(value), std::move(effect), std::nullopt});
        return *this;
    }

    api::pod obj() const { return pod_; }
    std::shared_ptr<const api::pod> ptr() const { return std::make_shared<const api::pod>(pod_); }
    std::shared_ptr<const framework::pod_info> info() const {
        return framework::make_pod_info(ptr());
    }

  private:
    api::pod pod_;
};

class node_builder {
  public:
    node_builder& name(std::string v) {
        node_.meta.name = std::move(v);
        return *this;
    }
    node_builder& label(std::string k, std::string v) {
        node_.meta.labels.set(std::move(k), std::move(v));
        return *this;
    }
    // Adds allocatable quantities (upstream MakeNode().Capacity(...) sets both; we keep only
    // allocatable, which is what the scheduler reads).
    node_builder& alloc(quantity_list list) {
        add_quantities(node_.allocatable, list);
        return *this;
    }
    node_builder& unschedulable(bool v = true) {
        node_.unschedulable = v;
        return *this;
    }
    node_builder& taint(std::string key, std::string value, std::string effect) {
        node_.taints.push_back({std::move(key), std::move(value), std::move(effect)});
        return *this;
    }

    api::node obj() const { return node_; }
    std::shared_ptr<const api::node> ptr() const {
        return std::make_shared<const api::node>(node_);
    }

  private:
    api::node node_;
};

inline pod_builder make_pod() {
    return {};
}
inline node_builder make_node() {
    return {};
}

// A node_info for `node` holding `pods` (their spec.nodeName is not checked).
inline framework::node_info make_node_info(const api::node& node,
                                           const std::vector<api::pod>& pods = {}) {
    framework::node_info ni(node.meta.name);
    ni.set_node(std::make_shared<const api::node>(node));
    for (const auto& p : pods) {
        ni.add_pod(framework::make_pod_info(std::make_shared<const api::pod>(p)));
    }
    return ni;
}

}  // namespace multisched::testing
