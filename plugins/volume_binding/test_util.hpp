// SPDX-License-Identifier: Apache-2.0
// Test builders for claims, volumes and classes (after upstream volumebinding test_utils.go and
// binder_test.go makeTestPVC/makeTestPV), and a harness that owns a fake handle and the plugin.
// Tests only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "core/api/quantity.hpp"
#include "plugins/volume_binding/volume_binding.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::volume_binding::testing {

inline std::int64_t bytes(std::string_view q) {
    return api::quantity::parse(q).value().value();
}

class pvc_builder {
  public:
    pvc_builder(std::string name, std::optional<std::string> class_name) {
        c_.meta.name = std::move(name);
        c_.meta.ns = "default";
        c_.meta.uid = c_.meta.name + "-uid";
        c_.meta.resource_version = "1";
        c_.storage_class_name = std::move(class_name);
    }
    pvc_builder& ns(std::string v) { return set(c_.meta.ns, std::move(v)); }
    pvc_builder& uid(std::string v) { return set(c_.meta.uid, std::move(v)); }
    pvc_builder& rv(std::string v) { return set(c_.meta.resource_version, std::move(v)); }
    pvc_builder& request(std::string_view q) {
        c_.storage_request = bytes(q);
        return *this;
    }
    // upstream withBoundPV: spec.volumeName and pv.kubernetes.io/bind-completed.
    pvc_builder& bound(std::string pv) {
        annotation(std::string(api::kAnnBindCompleted), "yes");
        return prebound(std::move(pv));
    }
    pvc_builder& prebound(std::string pv) { return set(c_.volume_name, std::move(pv)); }
    pvc_builder& phase(std::string v) { return set(c_.phase, std::move(v)); }
    pvc_builder& deleting() {
        c_.meta.deleting = true;
        return *this;
    }
    pvc_builder& selected_node(std::string node) {
        return annotation(std::string(api::kAnnSelectedNode), std::move(node));
    }
    pvc_builder& annotation(std::string k, std::string v) {
        c_.annotations.set(std::move(k), std::move(v));
        return *this;
    }
    pvc_builder& access_modes(std::vector<std::string> v) { return set(c_.access_modes, v); }
    pvc_builder& mode(std::string v) { return set(c_.volume_mode, std::move(v)); }
    pvc_builder& selector(api::label_selector s) {
        c_.selector = std::move(s);
        return *this;
    }
    api::persistent_volume_claim obj() const { return c_; }
    pvc_ptr ptr() const { return std::make_shared<const api::persistent_volume_claim>(c_); }

  private:
    template <class T>
    pvc_builder& set(T& field, T v) {
        field = std::move(v);
        return *this;
    }
    api::persistent_volume_claim c_;
};

class pv_builder {
  public:
    pv_builder(std::string name, std::string class_name) {
        v_.meta.name = std::move(name);
        v_.meta.resource_version = "1";
        v_.storage_class_name = std::move(class_name);
        v_.phase = "Available";
    }
    pv_builder& capacity(std::string_view q) {
        v_.capacity = bytes(q);
        return *this;
    }
    pv_builder& phase(std::string v) { return set(v_.phase, std::move(v)); }
    pv_builder& rv(std::string v) { return set(v_.meta.resource_version, std::move(v)); }
    // upstream withNodeAffinity: one term, `key In values` for each entry.
    pv_builder& node_affinity(const std::map<std::string, std::vector<std::string>>& keys) {
        api::node_selector_term t;
        for (const auto& [k, vals] : keys) {
            t.match_expressions.push_back({k, "In", vals});
        }
        v_.node_affinity = std::vector<api::node_selector_term>{t};
        return *this;
    }
    pv_builder& node_affinity_terms(std::vector<api::node_selector_term> terms) {
        v_.node_affinity = std::move(terms);
        return *this;
    }
    // claimRef to `claim` and pv.kubernetes.io/bound-by-controller, like makeTestPV.
    pv_builder& bound_to(const api::persistent_volume_claim& claim) {
        v_.claim_ref = api::object_reference{claim.meta.ns, claim.meta.name, claim.meta.uid};
        return annotation(std::string(api::kAnnBoundByController), "yes");
    }
    pv_builder& claim_ref(std::string ns, std::string name, std::string uid) {
        v_.claim_ref = api::object_reference{std::move(ns), std::move(name), std::move(uid)};
        return *this;
    }
    pv_builder& access_modes(std::vector<std::string> v) { return set(v_.access_modes, v); }
    pv_builder& mode(std::string v) { return set(v_.volume_mode, std::move(v)); }
    pv_builder& label(std::string k, std::string v) {
        v_.meta.labels.set(std::move(k), std::move(v));
        return *this;
    }
    pv_builder& annotation(std::string k, std::string v) {
        v_.annotations.set(std::move(k), std::move(v));
        return *this;
    }
    pv_builder& deleting() {
        v_.meta.deleting = true;
        return *this;
    }
    api::persistent_volume obj() const { return v_; }
    pv_ptr ptr() const { return std::make_shared<const api::persistent_volume>(v_); }

  private:
    template <class T>
    pv_builder& set(T& field, T v) {
        field = std::move(v);
        return *this;
    }
    api::persistent_volume v_;
};

inline api::storage_class make_class(std::string name, std::string mode,
                                     std::string provisioner = "") {
    api::storage_class sc;
    sc.meta.name = std::move(name);
    sc.volume_binding_mode = std::move(mode);
    sc.provisioner = std::move(provisioner);
    return sc;
}

// One allowedTopologies term: key In values.
inline api::storage_class with_topology(api::storage_class sc, std::string key,
                                        std::vector<std::string> values) {
    api::node_selector_term t;
    t.match_expressions.push_back({std::move(key), "In", std::move(values)});
    sc.allowed_topologies.push_back(std::move(t));
    return sc;
}

// upstream makeNode: named, with the kubernetes.io/hostname label.
inline api::node make_host(std::string name) {
    return multisched::testing::make_node().name(name).hostname_label().obj();
}

// A pod in "default" using these claims (upstream makePod(...).withPVCVolume).
inline api::pod pod_with_claims(const std::vector<std::string>& claims,
                                std::string name = "pod-a") {
    auto b = multisched::testing::make_pod().name(name).ns("default").uid(name + "-uid");
    for (const auto& c : claims) {
        b.pvc(c);
    }
    return b.obj();
}

// A node's decisions as "claim:volume" for static bindings and "claim:provision" for dynamic
// provisioning, comma-separated in decision order.
inline std::string describe(const pod_volumes& v) {
    std::string out;
    const auto add = [&](const std::string& claim, const std::string& what) {
        out += (out.empty() ? "" : ",") + claim + ":" + what;
    };
    for (const auto& b : v.static_bindings) {
        add(b.claim->meta.name, b.pv->meta.name);
    }
    for (const auto& c : v.dynamic_provisions) {
        add(c->meta.name, "provision");
    }
    return out;
}

// What one node should get from Filter: success with these decisions, or a status.
struct node_want {
    framework::code code = framework::code::success;
    std::vector<std::string> reasons;
    std::string decisions;
};
inline node_want fits(std::string decisions = "") {
    node_want w;
    w.decisions = std::move(decisions);
    return w;
}
inline node_want rejects(std::vector<std::string_view> reasons) {
    node_want w;
    w.code = framework::code::unschedulable_and_unresolvable;
    w.reasons.assign(reasons.begin(), reasons.end());
    return w;
}
inline node_want fails(std::string message) {
    node_want w;
    w.code = framework::code::error;
    w.reasons.push_back(std::move(message));
    return w;
}

// Owns the fake handle and the plugin; objects are added to the handle's stores.
class harness {
  public:
    explicit harness(volume_binding_args args = {},
                     std::chrono::milliseconds poll = std::chrono::milliseconds(0))
        : plugin(args, h, poll) {}
    explicit harness(client::api_client& client, volume_binding_args args = {},
                     std::chrono::milliseconds poll = std::chrono::milliseconds(0))
        : h(client), plugin(args, h, poll) {}

    void add(const api::persistent_volume_claim& c) {
        h.cluster_objects.pvcs.upsert(cache::namespaced_key(c.meta.ns, c.meta.name),
                                      std::make_shared<const api::persistent_volume_claim>(c));
    }
    void add(const api::persistent_volume& v) {
        h.cluster_objects.pvs.upsert(v.meta.name,
                                     std::make_shared<const api::persistent_volume>(v));
    }
    void add(const api::storage_class& sc) {
        h.cluster_objects.storage_classes.upsert(sc.meta.name,
                                                 std::make_shared<const api::storage_class>(sc));
    }
    framework::status pre_filter(framework::cycle_state& cs, const framework::pod_info& pod) {
        framework::pre_filter_result r;
        return plugin.pre_filter(cs, pod, {}, r);
    }
    // Filter on `node` (PreFilter must have run on `cs`).
    framework::status filter(framework::cycle_state& cs, const framework::pod_info& pod,
                             const api::node& node) {
        const auto ni = multisched::testing::make_node_info(node);
        return plugin.filter(cs, pod, ni);
    }

    // PreFilter, then Filter on each node, checking them against `want` (one per node). Returns
    // the PreFilter status; Filter runs only when it succeeded.
    framework::status check_cycle(framework::cycle_state& cs, const api::pod& pod,
                                  const std::vector<api::node>& nodes,
                                  const std::vector<node_want>& want) {
        const auto info = framework::make_pod_info(std::make_shared<const api::pod>(pod));
        framework::status pre = pre_filter(cs, *info);
        if (!pre.is_success()) {
            return pre;
        }
        REQUIRE(want.size() == nodes.size());
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            INFO("node " << nodes[i].meta.name);
            const framework::status got = filter(cs, *info, nodes[i]);
            CHECK(got.code() == want[i].code);
            CHECK(got.reasons() == want[i].reasons);
            const auto* st = cs.read<state>(kStateKey);
            REQUIRE(st != nullptr);
            const auto it = st->by_node.find(nodes[i].meta.name);
            CHECK((it != st->by_node.end()) == got.is_success());
            if (it != st->by_node.end()) {
                CHECK(describe(it->second) == want[i].decisions);
            }
        }
        return pre;
    }

    // One scheduling cycle: PreFilter, Filter on `nodes` in order, Reserve on the first feasible
    // node. Returns that node ("" when none fits); the cycle's state stays in `cs`.
    std::string schedule(framework::cycle_state& cs, const api::pod& pod,
                         const std::vector<api::node>& nodes) {
        const auto info = framework::make_pod_info(std::make_shared<const api::pod>(pod));
        if (!pre_filter(cs, *info).is_success()) {
            return "";
        }
        for (const auto& n : nodes) {
            if (filter(cs, *info, n).is_success()) {
                REQUIRE(plugin.reserve(cs, *info, n.meta.name).is_success());
                return n.meta.name;
            }
        }
        return "";
    }

    multisched::testing::fake_handle h;
    volume_binding plugin;
};

}  // namespace multisched::plugins::volume_binding::testing
