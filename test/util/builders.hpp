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

// A PodAffinityTerm; `sel` nullopt is a nil labelSelector (matches nothing).
inline api::pod_affinity_term make_term(std::optional<api::label_selector> sel,
                                        std::string topology_key,
                                        std::vector<std::string> namespaces = {},
                                        std::optional<api::label_selector> ns_selector = {}) {
    api::pod_affinity_term t;
    t.selector = std::move(sel);
    t.topology_key = std::move(topology_key);
    t.namespaces = std::move(namespaces);
    t.namespace_selector = std::move(ns_selector);
    return t;
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

    // Pod (anti-)affinity terms: required when weight is 0, else preferred with that weight.
    pod_builder& pod_affinity(std::string topology_key, api::label_selector sel,
                              std::int32_t weight = 0) {
        add_affinity_term(pod_.affinity, make_term(std::move(sel), std::move(topology_key)),
                          weight);
        return *this;
    }
    pod_builder& pod_anti_affinity(std::string topology_key, api::label_selector sel,
                                   std::int32_t weight = 0) {
        add_affinity_term(pod_.anti_affinity, make_term(std::move(sel), std::move(topology_key)),
                          weight);
        return *this;
    }
    // Full control over a term (namespaces, namespaceSelector, nil selector).
    pod_builder& affinity_term(bool anti, api::pod_affinity_term t, std::int32_t weight = 0) {
        add_affinity_term(anti ? pod_.anti_affinity : pod_.affinity, std::move(t), weight);
        return *this;
    }
    // A topologySpreadConstraint (upstream MakePod().SpreadConstraint(...)).
    pod_builder& spread(std::int32_t max_skew, std::string topology_key, std::string mode,
                        std::optional<api::label_selector> sel,
                        std::optional<std::int32_t> min_domains = std::nullopt) {
        api::topology_spread_constraint c;
        c.max_skew = max_skew;
        c.topology_key = std::move(topology_key);
        c.when_unsatisfiable = std::move(mode);
        c.selector = std::move(sel);
        c.min_domains = min_domains;
        pod_.topology_spread_constraints.push_back(std::move(c));
        return *this;
    }
    pod_builder& spread(api::topology_spread_constraint c) {
        pod_.topology_spread_constraints.push_back(std::move(c));
        return *this;
    }
    pod_builder& node_selector(std::string k, std::string v) {
        pod_.node_selector.set(std::move(k), std::move(v));
        return *this;
    }
    pod_builder& node_affinity(api::node_affinity na) {
        pod_.node_affinity = std::move(na);
        return *this;
    }
    // A volume backed by the PersistentVolumeClaim `claim`.
    pod_builder& pvc(std::string claim, bool read_only = false) {
        api::volume v;
        v.name = "vol-" + std::to_string(pod_.volumes.size());
        v.pvc_claim_name = std::move(claim);
        v.read_only = read_only;
        pod_.volumes.push_back(std::move(v));
        return *this;
    }
    pod_builder& volume(api::volume v) {
        pod_.volumes.push_back(std::move(v));
        return *this;
    }
    pod_builder& phase(std::string v) {
        pod_.phase = std::move(v);
        return *this;
    }
    pod_builder& deleting(bool v = true) {
        pod_.meta.deleting = v;
        return *this;
    }
    pod_builder& created(std::string rfc3339) {
        pod_.meta.creation_timestamp = std::move(rfc3339);
        return *this;
    }
    pod_builder& host_port(std::int32_t port, std::string protocol = "TCP", std::string ip = "") {
        if (pod_.containers.empty()) {
            req({});
        }
        api::container_port p;
        p.container_port = port;
        p.host_port = port;
        p.protocol = std::move(protocol);
        p.host_ip = std::move(ip);
        pod_.containers.back().ports.push_back(std::move(p));
        return *this;
    }

    api::pod obj() const { return pod_; }
    std::shared_ptr<const api::pod> ptr() const { return std::make_shared<const api::pod>(pod_); }
    std::shared_ptr<const framework::pod_info> info() const {
        return framework::make_pod_info(ptr());
    }

  private:
    static void add_affinity_term(std::optional<api::pod_affinity>& a, api::pod_affinity_term t,
                                  std::int32_t weight) {
        if (!a) {
            a.emplace();
        }
        if (weight == 0) {
            a->required.push_back(std::move(t));
        } else {
            a->preferred.push_back({weight, std::move(t)});
        }
    }

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
    // The well-known zone and hostname labels.
    node_builder& zone(std::string z) { return label("topology.kubernetes.io/zone", std::move(z)); }
    node_builder& hostname_label() { return label("kubernetes.io/hostname", node_.meta.name); }
    node_builder& image(std::string name, std::int64_t size_bytes) {
        node_.images.push_back({{std::move(name)}, size_bytes});
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

// Label selectors (upstream st.MakeLabelSelector()).
inline api::label_selector selector_labels(
    std::initializer_list<std::pair<std::string, std::string>> items) {
    api::label_selector s;
    for (const auto& [k, v] : items) {
        s.match_labels.set(k, v);
    }
    return s;
}
inline api::label_selector selector_exists(std::string key) {
    api::label_selector s;
    s.match_expressions.push_back({std::move(key), "Exists", {}});
    return s;
}
inline api::label_selector selector_in(std::string key, std::vector<std::string> values) {
    api::label_selector s;
    s.match_expressions.push_back({std::move(key), "In", std::move(values)});
    return s;
}
inline api::label_selector selector_not_in(std::string key, std::vector<std::string> values) {
    api::label_selector s;
    s.match_expressions.push_back({std::move(key), "NotIn", std::move(values)});
    return s;
}

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
