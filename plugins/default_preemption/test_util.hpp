// SPDX-License-Identifier: Apache-2.0
// Tests only. A real framework::framework built from tiny fake plugins (a resource-fit filter, a
// label-conflict filter with PreFilter extensions, an extension that fails on labelled nodes,
// a per-node rejecting filter) over a fake_handle, and the pods/nodes of upstream
// default_preemption_test.go (small/medium/large/veryLarge requests).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/framework/framework.hpp"
#include "plugins/default_preemption/default_preemption.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::default_preemption::test {

inline constexpr std::int32_t kNeg = -100, kLow = 0, kMid = 100, kHigh = 1000, kVeryHigh = 10000;

struct res {
    const char* cpu;
    const char* memory;
};
inline constexpr res kNone{"", ""};
inline constexpr res kSmall{"100m", "100"};
inline constexpr res kMedium{"200m", "200"};
inline constexpr res kLarge{"300m", "300"};
inline constexpr res kVeryLarge{"500m", "500"};

// A pod in namespace "default" with uid = name; `node` "" leaves it unassigned.
inline testing::pod_builder make_test_pod(const std::string& name, const std::string& node,
                                          std::int32_t priority, res r = kNone) {
    auto b = testing::make_pod().name(name).uid(name).ns("default").priority(priority);
    if (!node.empty()) {
        b.node(node);
    }
    if (*r.cpu != '\0') {
        b.req({{"cpu", r.cpu}, {"memory", r.memory}});
    }
    return b;
}

// A node with this allocatable cpu/memory and `pods` pods (upstream MakeNode().Capacity()).
inline api::node make_test_node(const std::string& name, res r, const char* pods = "32") {
    auto b = testing::make_node().name(name).alloc({{"pods", pods}});
    if (*r.cpu != '\0') {
        b.alloc({{"cpu", r.cpu}, {"memory", r.memory}});
    }
    return b.obj();
}

// NodeResourcesFit's Filter for pods, cpu and memory, counting its calls.
class fit_filter final : public framework::filter_plugin {
  public:
    std::string_view name() const override { return "FakeFit"; }
    framework::status filter(framework::cycle_state&, const framework::pod_info& pod,
                             const framework::node_info& node) override {
        ++calls;
        const auto& alloc = node.node()->allocatable;
        const auto& used = node.requested();
        std::vector<std::string> reasons;
        if (static_cast<std::int64_t>(node.pods().size()) + 1 > alloc.pods) {
            reasons.emplace_back("Too many pods");
        }
        if (pod.requests.milli_cpu > 0 &&
            pod.requests.milli_cpu > alloc.milli_cpu - used.milli_cpu) {
            reasons.emplace_back("Insufficient cpu");
        }
        if (pod.requests.memory > 0 && pod.requests.memory > alloc.memory - used.memory) {
            reasons.emplace_back("Insufficient memory");
        }
        if (reasons.empty()) {
            return {};
        }
        return {framework::code::unschedulable, std::move(reasons)};
    }
    int calls = 0;
};

// Pods labelled "foo" repel each other (a stand-in for required anti-affinity). PreFilter counts
// them per node into the cycle state; the extensions keep the counts in step.
class label_conflict final : public framework::pre_filter_plugin,
                             public framework::filter_plugin,
                             public framework::pre_filter_extensions {
  public:
    struct state final : framework::cycle_state::cloneable<state> {
        std::map<std::string, int> count;
    };
    static constexpr std::string_view kKey = "PreFilterLabelConflict";
    static constexpr std::string_view kReason = "node(s) didn't match pod anti-affinity rules";

    std::string_view name() const override { return "LabelConflict"; }
    framework::status pre_filter(framework::cycle_state& cs, const framework::pod_info&,
                                 std::span<const framework::node_info* const> nodes,
                                 framework::pre_filter_result&) override {
        auto s = std::make_unique<state>();
        for (const auto* n : nodes) {
            for (const auto& p : n->pods()) {
                s->count[n->name()] += p->pod->meta.labels.contains("foo") ? 1 : 0;
            }
        }
        cs.write(kKey, std::move(s));
        return {};
    }
    framework::pre_filter_extensions* extensions() override { return this; }
    framework::status filter(framework::cycle_state& cs, const framework::pod_info& pod,
                             const framework::node_info& node) override {
        const auto* s = cs.read<state>(kKey);
        if (s == nullptr) {
            return framework::status::error("no PreFilter state");
        }
        auto it = s->count.find(node.name());
        if (pod.pod->meta.labels.contains("foo") && it != s->count.end() && it->second > 0) {
            return {framework::code::unschedulable, std::string(kReason)};
        }
        return {};
    }
    framework::status add_pod(framework::cycle_state& cs, const framework::pod_info&,
                              const framework::pod_info& other,
                              const framework::node_info& node) override {
        return update(cs, other, node, +1);
    }
    framework::status remove_pod(framework::cycle_state& cs, const framework::pod_info&,
                                 const framework::pod_info& other,
                                 const framework::node_info& node) override {
        return update(cs, other, node, -1);
    }

  private:
    static framework::status update(framework::cycle_state& cs, const framework::pod_info& other,
                                    const framework::node_info& node, int delta) {
        auto* s = cs.read<state>(kKey);
        if (s == nullptr) {
            return framework::status::error("no PreFilter state");
        }
        s->count[node.name()] += other.pod->meta.labels.contains("foo") ? delta : 0;
        return {};
    }
};

// upstream TestPlugin: AddPod/RemovePod fail on nodes labelled error=true.
class failing_extension final : public framework::pre_filter_plugin,
                                public framework::pre_filter_extensions {
  public:
    std::string_view name() const override { return "test-plugin"; }
    framework::status pre_filter(framework::cycle_state&, const framework::pod_info&,
                                 std::span<const framework::node_info* const>,
                                 framework::pre_filter_result&) override {
        return {};
    }
    framework::pre_filter_extensions* extensions() override { return this; }
    framework::status add_pod(framework::cycle_state&, const framework::pod_info& pod,
                              const framework::pod_info&,
                              const framework::node_info& node) override {
        return fails(node) ? framework::status::error("failed to add pod: " + pod.pod->meta.name)
                           : framework::status{};
    }
    framework::status remove_pod(framework::cycle_state&, const framework::pod_info& pod,
                                 const framework::pod_info&,
                                 const framework::node_info& node) override {
        return fails(node) ? framework::status::error("failed to remove pod: " + pod.pod->meta.name)
                           : framework::status{};
    }

  private:
    static bool fails(const framework::node_info& node) {
        const auto* v = node.node()->meta.labels.find("error");
        return v != nullptr && *v == "true";
    }
};

// upstream FakeFilterPlugin: every node returns `verdict` (success: passes), counting calls.
class fixed_filter final : public framework::filter_plugin {
  public:
    explicit fixed_filter(framework::code verdict, std::string name = "FakeFilter")
        : verdict_(verdict), name_(std::move(name)) {}
    std::string_view name() const override { return name_; }
    framework::status filter(framework::cycle_state&, const framework::pod_info&,
                             const framework::node_info&) override {
        ++calls;
        if (verdict_ == framework::code::success) {
            return {};
        }
        return {verdict_, "fake filter rejects"};
    }
    int calls = 0;

  private:
    framework::code verdict_;
    std::string name_;
};

// A cluster, a framework over some plugins and a handle pointing at both.
struct fixture {
    testing::fake_api_client client;
    std::shared_ptr<testing::fake_handle> handle = std::make_shared<testing::fake_handle>(client);
    std::vector<std::unique_ptr<framework::node_info>> nodes;
    std::shared_ptr<framework::framework> fw;

    void add_node(const api::node& n) {
        auto ni = std::make_unique<framework::node_info>(n.meta.name);
        ni->set_node(std::make_shared<const api::node>(n));
        handle->cluster.push_back(ni.get());
        nodes.push_back(std::move(ni));
    }
    // Adds `p` to the node named by its spec.nodeName.
    void add_pod(const api::pod& p) {
        for (auto& n : nodes) {
            if (n->name() == p.node_name) {
                n->add_pod(framework::make_pod_info(std::make_shared<const api::pod>(p)));
                return;
            }
        }
        throw std::runtime_error("no node " + p.node_name);
    }
    const framework::node_info* node(const std::string& name) const {
        for (const auto& n : nodes) {
            if (n->name() == name) {
                return n.get();
            }
        }
        throw std::runtime_error("no node " + name);
    }
    // Builds the framework over `plugins` (each at every point it implements).
    void build(std::vector<std::unique_ptr<framework::plugin>> plugins) {
        framework::plugin_lists lists;
        for (auto& p : plugins) {
            if (auto* pf = dynamic_cast<framework::pre_filter_plugin*>(p.get())) {
                lists.pre_filter.push_back(pf);
            }
            if (auto* f = dynamic_cast<framework::filter_plugin*>(p.get())) {
                lists.filter.push_back(f);
            }
        }
        fw = std::make_shared<framework::framework>("default-scheduler", handle, std::move(plugins),
                                                    lists, std::nullopt);
        handle->fw = fw.get();
    }
    // PreFilter over every node, as upstream tests populate the state.
    framework::cycle_state pre_filter(const framework::pod_info& pod) const {
        framework::cycle_state state;
        framework::pre_filter_result r;
        const auto s = fw->run_pre_filter(state, pod, handle->all_nodes(), r);
        if (!s.is_success()) {
            throw std::runtime_error("PreFilter failed: " + s.message());
        }
        return state;
    }
    // Filter verdicts for the named nodes.
    std::vector<framework::node_status> statuses(
        const std::map<std::string, framework::code>& codes) const {
        std::vector<framework::node_status> out;
        for (const auto& [name, c] : codes) {
            out.push_back({node(name), framework::status(c, std::vector<std::string>{})});
        }
        return out;
    }
    std::vector<const framework::node_info*> all() const {
        return {handle->cluster.begin(), handle->cluster.end()};
    }
};

// A budget over pods labelled app=foo in namespace "default".
inline api::pod_disruption_budget make_pdb(std::int32_t allowed,
                                           std::vector<std::string> disrupted = {}) {
    api::pod_disruption_budget b;
    b.meta.name = "pdb";
    b.meta.ns = "default";
    b.selector = testing::selector_labels({{"app", "foo"}});
    b.disruptions_allowed = allowed;
    b.disrupted_pods = std::move(disrupted);
    return b;
}

// Victim names of a candidate, in order.
inline std::vector<std::string> names_of(const std::vector<pod_ptr>& pods) {
    std::vector<std::string> out;
    for (const auto& p : pods) {
        out.push_back(p->pod->meta.name);
    }
    return out;
}

}  // namespace multisched::plugins::default_preemption::test
