// SPDX-License-Identifier: Apache-2.0
#include "profiles/cluster_list.hpp"

#include <deque>
#include <map>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>

#include "core/snapshot/snapshot.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::profiles {
namespace {

// Answers each GET from a script per collection path (the target up to '?'): the answers are
// used in order, the last one for every later request; a status of 0 is a transport error.
// Paths without a script answer an empty list.
class scripted_client final : public client::api_client {
  public:
    struct answer {
        unsigned status;
        std::string body;
    };
    std::map<std::string, std::deque<answer>> script;
    std::vector<std::string> targets;

    task<result<client::http_response>> send(client::http_request req) override {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        targets.push_back(req.target);
        const std::string path = req.target.substr(0, req.target.find('?'));
        auto it = script.find(path);
        if (it == script.end()) {
            co_return client::http_response{200, R"({"items":[]})", std::nullopt};
        }
        answer a = it->second.front();
        if (it->second.size() > 1) {
            it->second.pop_front();
        }
        if (a.status == 0) {
            co_return error{{}, "connection refused"};
        }
        co_return client::http_response{a.status, a.body, std::nullopt};
    }
    task<result<std::unique_ptr<client::watch_stream>>> watch(std::string,
                                                              std::chrono::milliseconds) override {
        co_return error{{}, "no watches"};
    }
};

constexpr std::string_view kNodes = "/api/v1/nodes";
constexpr std::string_view kPods = "/api/v1/pods";

std::string node_list(const std::string& name, const std::string& continue_token = "") {
    return R"({"kind":"NodeList","apiVersion":"v1","metadata":{"continue":")" + continue_token +
           R"("},"items":[{"metadata":{"name":")" + name + R"(","uid":"u-)" + name +
           R"("},"status":{"allocatable":{"cpu":"4","memory":"8Gi","pods":"110"}}}]})";
}

cluster_list_options fast() {
    cluster_list_options o;
    o.first_backoff = std::chrono::milliseconds(0);
    return o;
}

result<cluster_list> list(scripted_client& c, cluster_list_options o = fast()) {
    asio::io_context ioc;
    return testing::run(ioc, list_cluster(c, o));
}

std::vector<std::string> with(const std::vector<std::string>& targets, std::string_view part) {
    std::vector<std::string> out;
    for (const auto& t : targets) {
        if (t.find(part) != std::string::npos) {
            out.push_back(t);
        }
    }
    return out;
}

TEST_CASE("cluster_list.pages_kinds_and_optional_resources") {
    scripted_client c;
    c.script[std::string(kNodes)] = {{200, node_list("n1", "a+b/=")}, {200, node_list("n2")}};
    c.script["/apis/policy/v1/poddisruptionbudgets"] = {{404, "not found"}};
    c.script["/apis/scheduling.x-k8s.io/v1alpha1/podgroups"] = {{404, "not found"}};
    auto listed = list(c);
    REQUIRE(listed.has_value());
    CHECK(listed->problems.empty());  // no PodGroup CRD is not a problem
    const auto node_requests = with(c.targets, "/api/v1/nodes?");
    REQUIRE(node_requests.size() == 2);
    CHECK(node_requests[0] == "/api/v1/nodes?limit=500");
    CHECK(node_requests[1] == "/api/v1/nodes?limit=500&continue=a%2Bb%2F%3D");
    CHECK(with(c.targets, "/api/v1/pods?")[0].find(
              "fieldSelector=status.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed") !=
          std::string::npos);
    CHECK(with(c.targets, "/apis/policy/v1beta1/poddisruptionbudgets").size() == 1);
    CHECK(listed->requests == c.targets.size());

    // The merged List loads: the items got their kind.
    auto loaded = snapshot::load_snapshot(listed->text, "the cluster");
    REQUIRE(loaded.has_value());
    CHECK(loaded->problems.empty());
    REQUIRE(loaded->snapshot.nodes.size() == 2);
    CHECK(loaded->snapshot.nodes[1]->meta.name == "n2");
}

TEST_CASE("cluster_list.retries_transport_errors_and_5xx_with_backoff") {
    scripted_client c;
    c.script[std::string(kNodes)] = {{0, ""}, {503, "busy"}, {200, node_list("n1")}};
    SECTION("third time lucky") {
        auto listed = list(c);
        REQUIRE(listed.has_value());
        CHECK(with(c.targets, "/api/v1/nodes?").size() == 3);
    }
    SECTION("out of attempts") {
        auto o = fast();
        o.attempts = 2;
        auto listed = list(c, o);
        REQUIRE_FALSE(listed.has_value());
        CHECK(listed.error().message ==
              "cannot list /api/v1/nodes: HTTP 503: busy (after 2 attempts)");
        CHECK(c.targets.size() == 2);  // nothing after a required list failed
    }
}

TEST_CASE("cluster_list.forbidden_and_malformed_answers") {
    struct row {
        std::string name;
        std::string path;
        unsigned status;
        std::string body;
        std::string error;    // a required list failing
        std::string problem;  // an optional one
    };
    const std::vector<row> rows = {
        {"pods forbidden", std::string(kPods), 403, "forbidden",
         "cannot list /api/v1/pods: HTTP 403: forbidden (may the credentials list it?)", ""},
        {"services forbidden", "/api/v1/services", 403, "no", "",
         "cannot list /api/v1/services: HTTP 403: no (may the credentials list it?): skipped"},
        {"nodes not a list", std::string(kNodes), 200, R"({"kind":"Status"})",
         "cannot list /api/v1/nodes: the answer is not a list", ""},
        {"pvcs not JSON", "/api/v1/persistentvolumeclaims", 200, "<html>", "",
         "cannot list /api/v1/persistentvolumeclaims: the answer is not a list: skipped"},
        {"a 404 is not retried", "/apis/apps/v1/statefulsets", 404, "gone", "",
         "cannot list /apis/apps/v1/statefulsets: HTTP 404: gone: skipped"},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            scripted_client c;
            c.script[r.path] = {{r.status, r.body}};
            auto listed = list(c);
            if (!r.error.empty()) {
                REQUIRE_FALSE(listed.has_value());
                CHECK(listed.error().message == r.error);
            } else {
                REQUIRE(listed.has_value());
                CHECK(listed->problems == std::vector<std::string>{r.problem});
                CHECK(with(c.targets, r.path).size() == 1);
            }
        }
    }
}

}  // namespace
}  // namespace multisched::profiles
