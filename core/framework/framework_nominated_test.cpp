// SPDX-License-Identifier: Apache-2.0
// Filter with nominated pods (upstream RunFilterPluginsWithNominatedPods and
// addNominatedPods) and the PreFilterExtensions runners.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/framework/framework.hpp"
#include "core/framework/nominator.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::framework {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;

// Filter: at most `max_pods` pods on the node. PreFilter: counts what AddPod/RemovePod saw.
class capacity final : public pre_filter_plugin,
                       public filter_plugin,
                       public pre_filter_extensions {
  public:
    struct seen final : cycle_state::cloneable<seen> {
        int added = 0;
        int removed = 0;
    };
    explicit capacity(std::size_t max_pods, bool skip = false) : max_(max_pods), skip_(skip) {}
    std::string_view name() const override { return "Capacity"; }
    status pre_filter(cycle_state& state, const pod_info&, std::span<const node_info* const>,
                      pre_filter_result&) override {
        state.write("seen", std::make_unique<seen>());
        return skip_ ? status(code::skip, std::vector<std::string>{}) : status();
    }
    pre_filter_extensions* extensions() override { return this; }
    status add_pod(cycle_state& state, const pod_info&, const pod_info&,
                   const node_info&) override {
        state.read<seen>("seen")->added++;
        return {};
    }
    status remove_pod(cycle_state& state, const pod_info&, const pod_info&,
                      const node_info&) override {
        state.read<seen>("seen")->removed++;
        return {};
    }
    status filter(cycle_state&, const pod_info&, const node_info& node) override {
        if (node.pods().size() >= max_) {
            return {code::unschedulable, "too many pods"};
        }
        return {};
    }

  private:
    std::size_t max_;
    bool skip_;
};

std::shared_ptr<framework> make_fw(std::shared_ptr<testing::fake_handle> h, std::size_t max_pods,
                                   bool skip = false) {
    auto plugin_owned = std::make_unique<capacity>(max_pods, skip);
    capacity* c = plugin_owned.get();
    std::vector<std::unique_ptr<plugin>> owned;
    owned.push_back(std::move(plugin_owned));
    plugin_lists lists;
    lists.pre_filter.push_back(c);
    lists.filter.push_back(c);
    return std::make_shared<framework>("test", std::move(h), std::move(owned), lists, std::nullopt);
}

TEST_CASE("framework.filter_with_nominated_pods") {
    struct test_case {
        std::string name;
        std::vector<std::shared_ptr<const pod_info>> nominated;  // all on node n1
        std::size_t max_pods;
        bool want_fit;
    };
    const auto high = make_pod().name("high").uid("h").priority(100).info();
    const auto low = make_pod().name("low").uid("l").priority(1).info();
    const auto self = make_pod().name("p").uid("p").priority(10).info();
    const std::vector<test_case> cases = {
        {"no nominated pods", {}, 1, true},
        {"higher-priority nominated pod takes the room", {high}, 1, false},
        {"lower-priority nominated pod is ignored", {low}, 1, true},
        {"the pod itself is ignored", {self}, 1, true},
        {"room for both", {high}, 2, true},
        {"two nominated, room for one more only", {high, low}, 2, true},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        auto h = std::make_shared<testing::fake_handle>();
        for (const auto& p : tc.nominated) {
            h->nominations.add(p, "n1");
        }
        auto fw = make_fw(h, tc.max_pods);
        const auto node = make_node_info(make_node().name("n1").obj());
        cycle_state state;
        pre_filter_result r;
        const node_info* all[] = {&node};
        REQUIRE(fw->run_pre_filter(state, *self, all, r).is_success());
        const status s = fw->run_filter_with_nominated_pods(state, *self, node);
        CHECK(s.is_success() == tc.want_fit);
        // The cycle's own state never sees the nominated pods: they go to a clone.
        CHECK(state.read<capacity::seen>("seen")->added == 0);
    }
}

TEST_CASE("framework.pre_filter_extensions_skip_plugins_that_skipped") {
    for (const bool skip : {false, true}) {
        INFO("skip " << skip);
        auto h = std::make_shared<testing::fake_handle>();
        auto fw = make_fw(h, 10, skip);
        const auto node = make_node_info(make_node().name("n1").obj());
        const auto pod = make_pod().name("p").uid("p").info();
        const auto other = make_pod().name("o").uid("o").info();
        cycle_state state;
        pre_filter_result r;
        const node_info* all[] = {&node};
        fw->run_pre_filter(state, *pod, all, r);
        CHECK(fw->run_pre_filter_add_pod(state, *pod, *other, node).is_success());
        CHECK(fw->run_pre_filter_remove_pod(state, *pod, *other, node).is_success());
        CHECK(state.read<capacity::seen>("seen")->added == (skip ? 0 : 1));
        CHECK(state.read<capacity::seen>("seen")->removed == (skip ? 0 : 1));
    }
}

}  // namespace
}  // namespace multisched::framework
