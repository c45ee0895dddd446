// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/explanation.hpp"

#include <catch2/catch.hpp>

#include "core/json/json.hpp"
#include "core/scheduler/explanation_store.hpp"
#include "core/scheduler/test_fakes.hpp"

namespace multisched::scheduler {
namespace {

using fakes::cluster;
using fakes::fake_filter;
using fakes::fake_score;
using fakes::make_fw;
using framework::code;
using testing::make_pod;

std::shared_ptr<const framework::pod_info> pod_named(const std::string& name) {
    return framework::make_pod_info(make_pod().name(name).ns("ml").uid("uid-" + name).ptr());
}

// The node names of rankings, in order.
std::vector<std::string> names(const std::vector<node_ranking>& v) {
    std::vector<std::string> out;
    for (const auto& r : v) {
        out.push_back(r.node);
    }
    return out;
}

TEST_CASE("explanation.explain_pod_reports_every_verdict_and_score_term") {
    // Five nodes: n0 rejected (Unschedulable), n4 rejected (unresolvable) by two different
    // plugins; n1..n3 feasible and ranked by two Score plugins, one normalizing, weights 1 and 2.
    cluster c(5);
    std::vector<std::unique_ptr<framework::plugin>> ps;
    ps.push_back(std::make_unique<fake_filter>(
        "Fit", std::map<std::string, std::string>{{"n0", "Insufficient cpu"}},
        code::unschedulable));
    ps.push_back(std::make_unique<fake_filter>(
        "Taints", std::map<std::string, std::string>{{"n4", "node(s) had untolerated taint"}},
        code::unschedulable_and_unresolvable));
    ps.push_back(std::make_unique<fake_score>(
        std::map<std::string, std::int64_t>{{"n1", 10}, {"n2", 40}, {"n3", 20}}, "Spread", true));
    ps.push_back(std::make_unique<fake_score>(
        std::map<std::string, std::int64_t>{{"n1", 90}, {"n2", 0}, {"n3", 30}}, "Balance"));
    auto fw = make_fw(std::move(ps), std::nullopt, {1, 2});

    const explanation e = explain_pod(*fw, *pod_named("train-0"), c.nodes);
    CHECK(e.pod == "ml/train-0");
    CHECK(e.uid == "uid-train-0");
    CHECK(e.profile == "test");
    CHECK(e.nodes == 5);
    CHECK(e.error.empty());
    REQUIRE(e.rejected.size() == 2);
    CHECK(e.rejected[0].node == "n0");
    CHECK(e.rejected[0].plugin == "Fit");
    CHECK(e.rejected[0].code == "Unschedulable");
    CHECK(e.rejected[0].reasons == std::vector<std::string>{"Insufficient cpu"});
    CHECK(e.rejected[1].node == "n4");
    CHECK(e.rejected[1].plugin == "Taints");
    CHECK(e.rejected[1].code == "UnschedulableAndUnresolvable");
    CHECK(e.feasible_count == 3);
    // Spread normalised: n1 25, n2 100, n3 50. Totals: n1 25+180=205, n2 100+0=100,
    // n3 50+60=110.
    CHECK(names(e.feasible) == std::vector<std::string>{"n1", "n3", "n2"});
    const node_ranking& best = e.feasible[0];
    CHECK(best.total == 205);
    REQUIRE(best.terms.size() == 2);
    CHECK(best.terms[0].plugin == "Spread");
    CHECK(best.terms[0].raw == 10);
    CHECK(best.terms[0].normalized == 25);
    CHECK(best.terms[0].weight == 1);
    CHECK(best.terms[1].plugin == "Balance");
    CHECK(best.terms[1].raw == 90);
    CHECK(best.terms[1].normalized == 90);
    CHECK(best.terms[1].weighted() == 180);
}

TEST_CASE("explanation.equal_totals_rank_by_node_name") {
    cluster c(3);
    std::vector<std::unique_ptr<framework::plugin>> ps;
    ps.push_back(std::make_unique<fake_score>(std::map<std::string, std::int64_t>{{"n1", 5}}));
    auto fw = make_fw(std::move(ps));
    const explanation e = explain_pod(*fw, *pod_named("a"), c.nodes);
    CHECK(names(e.feasible) == std::vector<std::string>{"n1", "n0", "n2"});
}

TEST_CASE("explanation.explain_attempt_keeps_what_the_attempt_saw") {
    const auto pod = pod_named("web-0");
    struct row {
        std::string name;
        schedule_result result;
        std::size_t rejected;
        std::string pre_filter_plugin;
        std::string error;
        std::string node;
        bool every_node;
    };
    schedule_result unschedulable;
    unschedulable.failure = framework::status(code::unschedulable, std::vector<std::string>{});
    unschedulable.message = "0/3 nodes are available: 3 Insufficient cpu.";
    for (const char* n : {"n2", "n0", "n1"}) {
        unschedulable.rejections.push_back(
            {n, framework::status(code::unschedulable, "Insufficient cpu").with_plugin("Fit")});
    }
    schedule_result pre_filtered;
    pre_filtered.failure = unschedulable.failure;
    pre_filtered.message = "0/3 nodes are available: pod group ml/g not found.";
    pre_filtered.rejections.push_back(
        {"", framework::status(code::unschedulable_and_unresolvable, "pod group ml/g not found")
                 .with_plugin("Coscheduling")});
    schedule_result errored;
    errored.failure = framework::status::error("boom");
    errored.message = "boom";
    schedule_result placed;
    placed.node = "n1";
    placed.evaluated_nodes = 2;
    placed.feasible_nodes = 2;
    const std::vector<row> rows = {
        {"unschedulable", unschedulable, 3, "", "", "", true},
        {"pre-filter", pre_filtered, 0, "Coscheduling", "", "", true},
        {"error", errored, 0, "", "boom", "", true},
        {"placed after a window", placed, 0, "", "", "n1", false},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            const explanation e = explain_attempt("default-scheduler", *pod, 3, r.result);
            CHECK(e.pod == "ml/web-0");
            CHECK(e.profile == "default-scheduler");
            CHECK(e.nodes == 3);
            CHECK(e.rejected.size() == r.rejected);
            CHECK(e.pre_filter_plugin == r.pre_filter_plugin);
            CHECK(e.error == r.error);
            CHECK(e.node == r.node);
            CHECK(e.every_node == r.every_node);
            if (r.rejected > 0) {
                CHECK(e.rejected.front().node == "n0");  // sorted by name
                CHECK(e.rejected.front().plugin == "Fit");
                CHECK(e.message == r.result.message);
            }
        }
    }
}

TEST_CASE("explanation.renderings") {
    explanation e;
    e.pod = "ml/a";
    e.uid = "u";
    e.profile = "batch";
    e.nodes = 2;
    e.rejected.push_back(
        {"n0", "Fit", "Unschedulable", {"Insufficient cpu", "Insufficient memory"}});
    e.feasible.push_back({"n1", 30, {{"Spread", 3, 5, 10}}});
    e.feasible_count = 1;
    e.node = "n1";

    const std::string text = format_explanation(e);
    CHECK(text.find("Pod ml/a (profile batch): placed on n1") == 0);
    CHECK(text.find("Filter rejected 1 of 2 nodes:") != std::string::npos);
    CHECK(text.find("n0    Fit     Insufficient cpu, Insufficient memory") != std::string::npos);
    CHECK(text.find("Spread  5    10          3       30") != std::string::npos);

    const auto doc = json::document::parse(explanation_json(e));
    REQUIRE(doc.has_value());
    const json::value root = doc->root();
    CHECK(root["pod"].as_string() == "ml/a");
    CHECK(root["node"].as_string() == "n1");
    CHECK(root["everyNode"].as_bool());
    CHECK(root["rejected"].at(0)["reasons"].at(1).as_string() == "Insufficient memory");
    CHECK(root["feasible"].at(0)["scores"].at(0)["weighted"].as_int() == 30);
    CHECK(root["message"].absent());  // empty strings are omitted
}

TEST_CASE("explanation_store.bounds_and_forgetting") {
    const auto make = [](std::string name, std::size_t verdicts) {
        explanation e;
        e.pod = "ns/" + name;
        e.uid = "uid-" + name;
        e.rejected.resize(verdicts);
        return e;
    };
    SECTION("at most max_pods, least recently attempted out first") {
        explanation_store s(2, 1000);
        s.put(make("a", 0));
        s.put(make("b", 0));
        s.put(make("a", 0));  // a is fresh again
        s.put(make("c", 0));
        CHECK(s.size() == 2);
        CHECK(s.find("ns/a") != nullptr);
        CHECK(s.find("ns/b") == nullptr);
        CHECK(s.find("ns/c") != nullptr);
    }
    SECTION("the verdict budget evicts, but the newest stays") {
        explanation_store s(100, 10);
        s.put(make("a", 4));  // weight 5
        s.put(make("b", 4));  // 10
        CHECK(s.weight() == 10);
        s.put(make("c", 20));  // over budget alone: kept, everything older goes
        CHECK(s.size() == 1);
        CHECK(s.find("ns/c") != nullptr);
        CHECK(s.weight() == 21);
    }
    SECTION("forget, note, and a new pod of the same name") {
        explanation_store s;
        auto placed = make("a", 0);
        placed.node = "n1";
        placed.message = "placed on n1";
        s.put(placed);
        s.note("uid-a", "rejected at Permit");
        s.note("uid-unknown", "ignored");
        CHECK(s.find("ns/a")->message == "rejected at Permit");
        CHECK(s.find("ns/a")->node.empty());
        auto again = make("a", 1);
        again.uid = "uid-a2";  // deleted and created again under the same name
        s.put(again);
        CHECK(s.find("ns/a")->uid == "uid-a2");
        s.forget("uid-a");  // the old pod's deletion does not hide the new one
        CHECK(s.find("ns/a") != nullptr);
        s.forget("uid-a2");
        CHECK(s.find("ns/a") == nullptr);
        CHECK(s.size() == 0);
        CHECK(s.weight() == 0);
    }
}

}  // namespace
}  // namespace multisched::scheduler
