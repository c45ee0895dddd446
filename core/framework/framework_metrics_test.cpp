// SPDX-License-Identifier: Apache-2.0
// The framework's metrics: one extension-point observation per run of a point, plugin
// durations only in sampled cycles, evaluations of the plugins that ran.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/framework/framework.hpp"
#include "core/metrics/scheduler_metrics.hpp"
#include "test/util/builders.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::framework {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;

// PreFilter (skips when told), Filter (rejects node "full"), Score 50, Reserve, Permit, Bind.
class probe final : public pre_filter_plugin,
                    public filter_plugin,
                    public score_plugin,
                    public reserve_plugin,
                    public permit_plugin,
                    public bind_plugin {
  public:
    explicit probe(bool skip_pre_filter) : skip_(skip_pre_filter) {}
    std::string_view name() const override { return "Probe"; }
    status pre_filter(cycle_state&, const pod_info&, std::span<const node_info* const>,
                      pre_filter_result&) override {
        return skip_ ? status(code::skip, std::vector<std::string>{}) : status();
    }
    status filter(cycle_state&, const pod_info&, const node_info& node) override {
        return node.name() == "full" ? status(code::unschedulable, "full") : status();
    }
    status score(cycle_state&, const pod_info&, const node_info&, std::int64_t& s) override {
        s = 50;
        return {};
    }
    status reserve(cycle_state&, const pod_info&, const std::string&) override { return {}; }
    void unreserve(cycle_state&, const pod_info&, const std::string&) override {}
    status permit(cycle_state&, const pod_info&, const std::string&,
                  std::chrono::milliseconds&) override {
        return {};
    }
    task<status> bind(std::shared_ptr<cycle_state>, std::shared_ptr<const pod_info>,
                      std::string) override {
        co_return status{};
    }

  private:
    bool skip_;
};

std::shared_ptr<framework> make_fw(bool skip_pre_filter) {
    auto owned_probe = std::make_unique<probe>(skip_pre_filter);
    probe* p = owned_probe.get();
    std::vector<std::unique_ptr<plugin>> owned;
    owned.push_back(std::move(owned_probe));
    plugin_lists lists;
    lists.pre_filter.push_back(p);
    lists.filter.push_back(p);
    lists.score.push_back({p, 1});
    lists.reserve.push_back(p);
    lists.permit.push_back(p);
    lists.bind.push_back(p);
    return std::make_shared<framework>("prof", nullptr, std::move(owned), lists, std::nullopt);
}

std::uint64_t point_count(metrics::scheduler_metrics& m, std::string_view point,
                          std::string_view status) {
    return m.extension_point_duration.with({point, status, "prof"}).count();
}
std::uint64_t plugin_count(metrics::scheduler_metrics& m, std::string_view point,
                           std::string_view status) {
    return m.plugin_execution_duration.with({"Probe", point, status}).count();
}
double evaluated(metrics::scheduler_metrics& m, std::string_view point) {
    return m.plugin_evaluation_total.with({"Probe", point, "prof"}).value();
}

// Runs one whole cycle over nodes "ok" and "full": PreFilter, Filter on both (the caller's
// observe_filter), Score, Reserve, Permit, Unreserve, Bind.
void run_cycle(framework& fw, bool sampled) {
    asio::io_context ioc;
    auto state = std::make_shared<cycle_state>();
    state->record_plugin_metrics = sampled;
    const auto pod = make_pod().name("p").uid("p").info();
    const auto ok = make_node_info(make_node().name("ok").obj());
    const auto full = make_node_info(make_node().name("full").obj());
    const node_info* nodes[] = {&ok, &full};
    pre_filter_result r;
    fw.run_pre_filter(*state, *pod, nodes, r);
    const auto start = std::chrono::steady_clock::now();
    fw.run_filter(*state, *pod, ok);
    fw.run_filter(*state, *pod, full);
    fw.observe_filter(code::success, start);
    std::int64_t totals[1] = {0};
    const node_info* feasible[] = {&ok};
    fw.run_score(*state, *pod, feasible, totals);
    fw.run_reserve(*state, *pod, "ok");
    std::chrono::milliseconds timeout{0};
    std::vector<std::string> waiting;
    fw.run_permit(*state, *pod, "ok", timeout, waiting);
    fw.run_unreserve(*state, *pod, "ok");
    const status bound = testing::run(ioc, fw.run_bind(state, pod, "ok"));
    REQUIRE(bound.is_success());
}

}  // namespace

TEST_CASE("framework.metrics_extension_points_and_sampled_plugins") {
    struct test_case {
        std::string name;
        bool sampled;
        bool skip_pre_filter;
    };
    const std::vector<test_case> cases = {
        {"unsampled cycle", false, false},
        {"sampled cycle", true, false},
        {"PreFilter skipped: its Filter is not run or counted", true, true},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        metrics::registry reg;
        metrics::scheduler_metrics m(reg);
        auto fw = make_fw(tc.skip_pre_filter);
        fw->set_metrics(&m);
        run_cycle(*fw, tc.sampled);

        // Every point once per cycle, with its outcome and the profile.
        for (const auto* point :
             {"PreFilter", "Filter", "Score", "Reserve", "Permit", "Unreserve", "Bind"}) {
            INFO(point);
            CHECK(point_count(m, point, "Success") == 1);
        }
        // Plugin calls only in sampled cycles; Filter per node with the plugin's own code.
        const std::uint64_t per_call = tc.sampled ? 1 : 0;
        CHECK(plugin_count(m, "PreFilter", tc.skip_pre_filter ? "Skip" : "Success") == per_call);
        CHECK(plugin_count(m, "Filter", "Success") == (tc.skip_pre_filter ? 0 : per_call));
        CHECK(plugin_count(m, "Filter", "Unschedulable") == (tc.skip_pre_filter ? 0 : per_call));
        CHECK(plugin_count(m, "Score", "Success") == per_call);
        CHECK(plugin_count(m, "Bind", "Success") == per_call);
        // Evaluations: plugins that ran (not skipped), Filter and Score once per node.
        CHECK(evaluated(m, "PreFilter") == (tc.skip_pre_filter ? 0 : 1));
        CHECK(evaluated(m, "Filter") == (tc.skip_pre_filter ? 0 : 2));
        CHECK(evaluated(m, "Score") == 1);

        // Switched off: nothing more is recorded.
        fw->set_metrics(nullptr);
        run_cycle(*fw, tc.sampled);
        CHECK(point_count(m, "Bind", "Success") == 1);
    }
}

TEST_CASE("framework.code_names") {
    CHECK(code_name(code::success) == "Success");
    CHECK(code_name(code::error) == "Error");
    CHECK(code_name(code::unschedulable) == "Unschedulable");
    CHECK(code_name(code::unschedulable_and_unresolvable) == "UnschedulableAndUnresolvable");
    CHECK(code_name(code::wait) == "Wait");
    CHECK(code_name(code::skip) == "Skip");
    CHECK(code_name(code::pending) == "Pending");
}

}  // namespace multisched::framework
