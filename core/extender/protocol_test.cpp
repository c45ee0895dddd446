// SPDX-License-Identifier: Apache-2.0
// Extender protocol codecs: exact request bodies, answer tables (Go's case-insensitive keys,
// null, unknown keys, wrong types, malformed JSON), name resolution and score combination.
#include "core/extender/protocol.hpp"

#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/extender/objects.hpp"
#include "core/extender/scores.hpp"
#include "test/util/builders.hpp"

namespace multisched::extender {
namespace {

constexpr std::string_view kExt = "http://ext:8888/sched";

api::pod small_pod() {
    return testing::make_pod().name("p").ns("default").uid("pu").obj();
}

std::vector<node_ptr> two_nodes() {
    return {testing::make_node().name("n1").ptr(), testing::make_node().name("n2").ptr()};
}

TEST_CASE("extender.encode_extender_args") {
    const api::pod pod = small_pod();
    const auto nodes = two_nodes();
    const std::string pod_text = pod_json(pod);
    SECTION("full nodes") {
        CHECK(encode_extender_args(pod, nodes, false) ==
              R"({"Pod":)" + pod_text + R"(,"Nodes":{"metadata":{},"items":[)" +
                  node_json(*nodes[0]) + "," + node_json(*nodes[1]) + R"(]},"NodeNames":null})");
    }
    SECTION("names when node cache capable") {
        CHECK(encode_extender_args(pod, nodes, true) ==
              R"({"Pod":)" + pod_text + R"(,"Nodes":null,"NodeNames":["n1","n2"]})");
    }
    SECTION("no nodes") {
        CHECK(encode_extender_args(pod, {}, false) ==
              R"({"Pod":)" + pod_text +
                  R"(,"Nodes":{"metadata":{},"items":null},"NodeNames":null})");
        CHECK(encode_extender_args(pod, {}, true) ==
              R"({"Pod":)" + pod_text + R"(,"Nodes":null,"NodeNames":[]})");
    }
}

using names = std::vector<std::string>;

TEST_CASE("extender.decode_filter_result") {
    struct row {
        const char* body;
        std::optional<names> nodes;
        std::optional<names> node_names;
        failed_nodes_map failed;
        failed_nodes_map unresolvable;
        std::string error;
    };
    const std::vector<row> rows = {
        {R"({"NodeNames":["a"],"FailedNodes":{"b":"x"},"FailedAndUnresolvableNodes":{"c":"y"},)"
         R"("Error":""})",
         std::nullopt,
         names{"a"},
         {{"b", "x"}},
         {{"c", "y"}},
         ""},
        {R"({"nodenames":["a","b"],"failedNodes":{"c":"no"},"error":"boom"})",
         std::nullopt,
         names{"a", "b"},
         {{"c", "no"}},
         {},
         "boom"},
        {R"({"nodes":{"kind":"NodeList","items":[{"metadata":{"name":"a","uid":"x"}},)"
         R"({"metadata":{"name":"b"},"spec":{}}]}})",
         names{"a", "b"},
         std::nullopt,
         {},
         {},
         ""},
        {R"({"Nodes":{"items":null},"NodeNames":[]})", names{}, names{}, {}, {}, ""},
        {R"({"Nodes":null,"NodeNames":null,"FailedNodes":null,"Error":null})",
         std::nullopt,
         std::nullopt,
         {},
         {},
         ""},
        {"null", std::nullopt, std::nullopt, {}, {}, ""},
        {R"({"unknown":[1,2],"Other":{"x":1},"NodeNames":["a"]})",
         std::nullopt,
         names{"a"},
         {},
         {},
         ""},
        // Go fills a non-nil map again: both keys' entries are kept; a later list replaces.
        {R"({"failedNodes":{"a":"1"},"FailedNodes":{"b":"2"},"nodenames":["x"],"NodeNames":["y"]})",
         std::nullopt,
         names{"y"},
         {{"a", "1"}, {"b", "2"}},
         {},
         ""},
    };
    for (const auto& r : rows) {
        INFO(r.body);
        auto got = decode_filter_result(kExt, r.body);
        REQUIRE(got.has_value());
        CHECK(got->nodes == r.nodes);
        CHECK(got->node_names == r.node_names);
        CHECK(got->failed_nodes == r.failed);
        CHECK(got->failed_and_unresolvable_nodes == r.unresolvable);
        CHECK(got->error == r.error);
    }
}

TEST_CASE("extender.decode_filter_result_malformed") {
    struct row {
        const char* body;
        const char* message;
    };
    const std::vector<row> rows = {
        {R"({"failedNodes":"x"})", "failedNodes must be an object, got string"},
        {R"({"failedNodes":{"a":1}})", "failedNodes.a must be a string, got number"},
        {R"({"FailedAndUnresolvableNodes":[]})",
         "FailedAndUnresolvableNodes must be an object, got array"},
        {R"({"NodeNames":"a"})", "NodeNames must be an array, got string"},
        {R"({"NodeNames":["a",1]})", "NodeNames[1] must be a string, got number"},
        {R"({"Nodes":[]})", "Nodes must be an object, got array"},
        {R"({"Nodes":{"items":{}}})", "Nodes.items must be an array, got object"},
        {R"({"Nodes":{"items":[{"metadata":{"name":5}}]}})",
         "Nodes.items[0].metadata.name must be a string, got number"},
        {R"({"Nodes":{"items":[7]}})", "Nodes.items[0] must be an object, got number"},
        {R"({"Error":true})", "Error must be a string, got bool"},
        {"[]", "expected an object, got array"},
        {R"("ok")", "expected an object, got string"},
    };
    for (const auto& r : rows) {
        INFO(r.body);
        auto got = decode_filter_result(kExt, r.body);
        REQUIRE_FALSE(got.has_value());
        CHECK(got.error().message ==
              std::string("extender http://ext:8888/sched: filter result: ") + r.message);
    }
    for (const char* body : {"", "{", "{\"NodeNames\":[}", "not json"}) {
        INFO(body);
        auto got = decode_filter_result(kExt, body);
        REQUIRE_FALSE(got.has_value());
        CHECK_THAT(got.error().message,
                   Catch::StartsWith("extender http://ext:8888/sched: filter result: "));
    }
}

TEST_CASE("extender.resolve_filter_result") {
    const names input = {"n1", "n2", "n3"};
    auto answer = [](std::optional<names> nodes, std::optional<names> node_names) {
        filter_result r;
        r.nodes = std::move(nodes);
        r.node_names = std::move(node_names);
        r.failed_nodes = {{"n3", "busy"}};
        r.failed_and_unresolvable_nodes = {{"n2", "never"}};
        return r;
    };
    struct row {
        const char* name;
        filter_result answer;
        bool node_cache_capable;
        names feasible;
    };
    const std::vector<row> rows = {
        {"names when cache capable", answer(std::nullopt, names{"n2", "n1"}), true, {"n2", "n1"}},
        {"names ignored otherwise", answer(std::nullopt, names{"n1"}), false, {}},
        {"nodes when not cache capable", answer(names{"n1"}, std::nullopt), false, {"n1"}},
        {"nodes when names are absent", answer(names{"n3"}, std::nullopt), true, {"n3"}},
        {"names win over nodes", answer(names{"n1"}, names{"n2"}), true, {"n2"}},
        {"neither", answer(std::nullopt, std::nullopt), true, {}},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            auto got = resolve_filter_result(kExt, r.answer, input, r.node_cache_capable);
            REQUIRE(got.has_value());
            CHECK(got->feasible == r.feasible);
            CHECK(got->failed == failed_nodes_map{{"n3", "busy"}});
            CHECK(got->failed_and_unresolvable == failed_nodes_map{{"n2", "never"}});
        }
    }
    SECTION("unknown names are errors") {
        for (bool cache : {true, false}) {
            auto got = resolve_filter_result(
                kExt, cache ? answer(std::nullopt, names{"n1", "zz"}) : answer(names{"zz"}, {}),
                input, cache);
            REQUIRE_FALSE(got.has_value());
            CHECK(got.error().message ==
                  "extender \"http://ext:8888/sched\" claims a filtered node \"zz\" which is not "
                  "found in the input node list");
        }
    }
    SECTION("the extender's error wins") {
        auto a = answer(std::nullopt, names{"n1"});
        a.error = "extender is sad";
        auto got = resolve_filter_result(kExt, a, input, true);
        REQUIRE_FALSE(got.has_value());
        CHECK(got.error().message == "extender is sad");
    }
}

TEST_CASE("extender.decode_host_priority_list") {
    auto got = decode_host_priority_list(
        kExt, R"([{"Host":"a","Score":3},{"host":"b","score":10,"x":1},null,{}])");
    REQUIRE(got.has_value());
    CHECK(*got == host_priority_list{{"a", 3}, {"b", 10}, {"", 0}, {"", 0}});
    auto empty = decode_host_priority_list(kExt, "null");
    REQUIRE(empty.has_value());
    CHECK(empty->empty());

    struct row {
        const char* body;
        const char* message;
    };
    const std::vector<row> rows = {
        {R"({"Host":"a"})", "expected an array, got object"},
        {R"([{"Host":"a","Score":1.5}])", "[0].Score must be an integer, got number"},
        {R"([{"Host":"a","Score":"1"}])", "[0].Score must be an integer, got string"},
        {R"([{"Host":"a","Score":99999999999999999999}])",
         "[0].Score must be an integer, got number"},
        {R"([{"Host":1}])", "[0].Host must be a string, got number"},
        {R"([{"Host":"a"},5])", "[1] must be an object, got number"},
    };
    for (const auto& r : rows) {
        INFO(r.body);
        auto bad = decode_host_priority_list(kExt, r.body);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().message ==
              std::string("extender http://ext:8888/sched: prioritize result: ") + r.message);
    }
    CHECK_FALSE(decode_host_priority_list(kExt, "[{").has_value());
}

TEST_CASE("extender.binding_codec") {
    CHECK(encode_binding_args(small_pod(), "n7") ==
          R"({"PodName":"p","PodNamespace":"default","PodUID":"pu","Node":"n7"})");
    struct row {
        const char* body;
        bool ok;
        const char* text;  // the Error field, or the failure message
    };
    const std::vector<row> rows = {
        {R"({"Error":""})", true, ""},
        {R"({})", true, ""},
        {R"({"error":null})", true, ""},
        {R"({"error":"pod is gone"})", true, "pod is gone"},
        {R"({"Error":1})", false,
         "extender http://ext:8888/sched: bind result: Error must be a "
         "string, got number"},
        {R"([])", false,
         "extender http://ext:8888/sched: bind result: expected an object, got "
         "array"},
    };
    for (const auto& r : rows) {
        INFO(r.body);
        auto got = decode_binding_result(kExt, r.body);
        REQUIRE(got.has_value() == r.ok);
        CHECK((r.ok ? *got : got.error().message) == r.text);
    }
}

victims_map candidates() {
    victims_map m;
    m["n1"].pods = {testing::make_pod().name("v1").ns("d").uid("u1").info(),
                    testing::make_pod().name("v2").ns("d").uid("u2").info()};
    m["n1"].num_pdb_violations = 1;
    m["n0"].pods = {testing::make_pod().name("v3").ns("d").uid("u3").info()};
    return m;
}

TEST_CASE("extender.encode_preemption_args") {
    const api::pod pod = small_pod();
    const auto m = candidates();
    const std::string pod_text = pod_json(pod);
    CHECK(encode_preemption_args(pod, m, true) ==
          R"({"Pod":)" + pod_text +
              R"(,"NodeNameToVictims":null,"NodeNameToMetaVictims":{)"
              R"("n0":{"Pods":[{"UID":"u3"}],"NumPDBViolations":0},)"
              R"("n1":{"Pods":[{"UID":"u1"},{"UID":"u2"}],"NumPDBViolations":1}}})");
    CHECK(encode_preemption_args(pod, m, false) ==
          R"({"Pod":)" + pod_text + R"(,"NodeNameToVictims":{"n0":{"Pods":[)" +
              pod_json(*m.at("n0").pods[0]->pod) + R"(],"NumPDBViolations":0},"n1":{"Pods":[)" +
              pod_json(*m.at("n1").pods[0]->pod) + "," + pod_json(*m.at("n1").pods[1]->pod) +
              R"(],"NumPDBViolations":1}},"NodeNameToMetaVictims":null})");
}

TEST_CASE("extender.decode_preemption_result") {
    auto got = decode_preemption_result(
        kExt, R"({"NodeNameToMetaVictims":{"n1":{"Pods":[{"UID":"a"},{"uid":"b"}],)"
              R"("NumPDBViolations":2},"n2":null},"Ignored":1})");
    REQUIRE(got.has_value());
    CHECK(*got == meta_victims_map{{"n1", {{"a", "b"}, 2}}, {"n2", {}}});
    auto lower = decode_preemption_result(
        kExt, R"({"nodeNameToMetaVictims":{"n1":{"pods":[{"uid":"a"}],"numPDBViolations":1}}})");
    REQUIRE(lower.has_value());
    CHECK(*lower == meta_victims_map{{"n1", {{"a"}, 1}}});
    for (const char* body : {"null", "{}", R"({"NodeNameToMetaVictims":null})"}) {
        auto none = decode_preemption_result(kExt, body);
        REQUIRE(none.has_value());
        CHECK(none->empty());
    }
    struct row {
        const char* body;
        const char* message;
    };
    const std::vector<row> rows = {
        {R"({"NodeNameToMetaVictims":[]})", "NodeNameToMetaVictims must be an object, got array"},
        {R"({"NodeNameToMetaVictims":{"n1":[]}})",
         "NodeNameToMetaVictims.n1 must be an object, got array"},
        {R"({"NodeNameToMetaVictims":{"n1":{"Pods":[null]}}})",
         "NodeNameToMetaVictims.n1.Pods[0] must be an object, got null"},
        {R"({"NodeNameToMetaVictims":{"n1":{"Pods":[{"UID":7}]}}})",
         "NodeNameToMetaVictims.n1.Pods[0].UID must be a string, got number"},
        {R"({"NodeNameToMetaVictims":{"n1":{"NumPDBViolations":"1"}}})",
         "NodeNameToMetaVictims.n1.NumPDBViolations must be an integer, got string"},
    };
    for (const auto& r : rows) {
        INFO(r.body);
        auto bad = decode_preemption_result(kExt, r.body);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().message ==
              std::string("extender http://ext:8888/sched: preemption result: ") + r.message);
    }
}

TEST_CASE("extender.resolve_victims") {
    const auto a = testing::make_pod().name("a").ns("d").uid("ua").obj();
    const auto b = testing::make_pod().name("b").ns("d").uid("ub").obj();
    std::map<std::string, framework::node_info, std::less<>> infos;
    infos.emplace("n1", testing::make_node_info(testing::make_node().name("n1").obj(), {a, b}));
    infos.emplace("ghost", framework::node_info("ghost"));  // pods but no node object
    const node_lookup lookup = [&](std::string_view name) -> const framework::node_info* {
        const auto it = infos.find(name);
        return it == infos.end() ? nullptr : &it->second;
    };
    auto got = resolve_victims(kExt, {{"n1", {{"ub", "ua"}, 3}}}, lookup);
    REQUIRE(got.has_value());
    REQUIRE(got->size() == 1);
    const victims& v = got->at("n1");
    REQUIRE(v.pods.size() == 2);
    CHECK(v.pods[0]->pod->meta.name == "b");
    CHECK(v.pods[1]->pod->meta.name == "a");
    CHECK(v.num_pdb_violations == 3);

    for (const char* node : {"nx", "ghost"}) {
        auto missing = resolve_victims(kExt, {{node, {{"ua"}, 0}}}, lookup);
        REQUIRE_FALSE(missing.has_value());
        CHECK(missing.error().message == fmt::format("extender http://ext:8888/sched: nodeinfo not "
                                                     "found for node name \"{}\"",
                                                     node));
    }
    auto stray = resolve_victims(kExt, {{"n1", {{"ua", "uz"}, 0}}}, lookup);
    REQUIRE_FALSE(stray.has_value());
    CHECK(stray.error().message ==
          "extender: http://ext:8888/sched claims to preempt pod (UID: "
          "uz) on node: n1, but the pod is not found on that node");
}

TEST_CASE("extender.combine_extender_scores") {
    STATIC_REQUIRE(scaled_extender_score(10, 1) == framework::kMaxNodeScore);
    STATIC_REQUIRE(scaled_extender_score(3, 2) == 60);
    std::vector<prioritize_outcome> answers(3);
    answers[0].scores = {{"n1", 10}, {"n2", 5}};
    answers[0].weight = 2;
    answers[1].scores = {{"n2", 1}, {"n3", 0}, {"n2", 1}};
    answers[1].weight = 5;
    answers[2].scores = {{"n1", 7}};  // weight 0: no prioritize verb
    const auto totals = combine_extender_scores(answers);
    const std::map<std::string, std::int64_t, std::less<>> want = {
        {"n1", 200}, {"n2", 100 + 50 + 50}, {"n3", 0}};
    CHECK(totals == want);
    CHECK(combine_extender_scores({}).empty());
}

}  // namespace
}  // namespace multisched::extender
