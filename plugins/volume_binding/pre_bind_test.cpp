// SPDX-License-Identifier: Apache-2.0
// PreBind: upstream binder_test.go TestBindAPIUpdate / TestCheckBindings / TestBindPodVolumes
// (v1.30) as tables, run deterministically: the apiserver is a fake_api_client, the PV controller
// a coroutine that rewrites the informer stores after a number of executor turns, and the poll
// interval is zero.
#include <functional>

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/json/json.hpp"
#include "core/metrics/scheduler_metrics.hpp"
#include "plugins/volume_binding/test_util.hpp"
#include "test/util/fake_api_client.hpp"
#include "test/util/task_runner.hpp"

namespace multisched::plugins::volume_binding {
namespace {

using boost::beast::http::verb;
using framework::code;
using multisched::testing::fake_api_client;
using testing::harness;
using testing::make_class;
using testing::make_host;
using testing::pod_with_claims;
using testing::pv_builder;
using testing::pvc_builder;

const std::string kWait = "wait-sc";
const std::string kProvision = "provision-sc";
constexpr std::string_view kPVTarget = "/api/v1/persistentvolumes/pv-a";
constexpr std::string_view kPVCTarget = "/api/v1/namespaces/default/persistentvolumeclaims/pvc-a";

using action = std::function<void(harness&)>;

// The PV controller: acts after `turns` turns of the executor.
task<void> controller(harness* env, int turns, action act) {
    for (int i = 0; i < turns; ++i) {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    }
    act(*env);
}

std::string answer(std::string_view rv) {
    return fmt::format(R"({{"metadata":{{"resourceVersion":"{}"}}}})", rv);
}

pv_builder pv_a() {
    return pv_builder("pv-a", kWait)
        .capacity("5Gi")
        .rv("5")
        .node_affinity({{"kubernetes.io/hostname", {"node-a"}}});
}
pvc_builder static_claim() {
    return pvc_builder("pvc-a", kWait).request("1Gi").rv("2");
}
pvc_builder provision_claim() {
    return pvc_builder("pvc-a", kProvision).rv("2");
}

// The PV controller's work for a static binding: the volume's claimRef (as written by us, at
// `pv_rv`) and the claim bound to it.
action bind_static(std::string pv_rv) {
    return [pv_rv](harness& env) {
        const auto claim = static_claim().obj();
        env.add(pv_a().rv(pv_rv).bound_to(claim).phase("Bound").obj());
        env.add(static_claim().rv("3").bound("pv-a").obj());
    };
}

// The provisioner's work: a new volume on node-a, the claim bound to it, selected-node kept.
action provision(std::string pv_affinity_node) {
    return [pv_affinity_node](harness& env) {
        env.add(pv_builder("pvc-a-vol", kProvision)
                    .node_affinity({{"kubernetes.io/hostname", {pv_affinity_node}}})
                    .obj());
        env.add(provision_claim().rv("3").selected_node("node-a").bound("pvc-a-vol").obj());
    };
}

struct test_case {
    std::string name;
    bool provisioning = false;  // the claim is provisioned rather than matched to pv-a
    std::vector<fake_api_client::rule> rules = {};
    action before = nullptr;  // store changes seen from the first check on
    action later = nullptr;   // store changes after `turns` executor turns
    int turns = 0;
    std::int64_t timeout_seconds = 600;
    code want = code::success;
    std::string want_message = "";
    std::size_t want_requests = 1;
    bool want_overlay_reverted = false;
};

void run_case(const test_case& c) {
    fake_api_client client;
    client.rules = c.rules;
    volume_binding_args args;
    args.bind_timeout_seconds = c.timeout_seconds;
    harness env(client, args);
    metrics::registry reg;
    metrics::scheduler_metrics m(reg);
    env.h.scheduler_metrics = &m;
    env.add(make_class(kWait, "WaitForFirstConsumer"));
    env.add(make_class(kProvision, "WaitForFirstConsumer", "example.com/csi"));
    env.add(c.provisioning ? provision_claim().obj() : static_claim().obj());
    if (!c.provisioning) {
        env.add(pv_a().obj());
    }
    const auto pod = pod_with_claims({"pvc-a"});
    auto cs = std::make_shared<framework::cycle_state>();
    REQUIRE(env.schedule(*cs, pod, {make_host("node-a")}) == "node-a");
    REQUIRE(env.plugin.assumed().pvs.size() + env.plugin.assumed().pvcs.size() == 1);
    if (c.before) {
        c.before(env);
    }
    asio::io_context ioc;
    if (c.later) {
        asio::co_spawn(ioc, controller(&env, c.turns, c.later), asio::detached);
    }
    const auto info = framework::make_pod_info(std::make_shared<const api::pod>(pod));
    const auto got = multisched::testing::run(ioc, env.plugin.pre_bind(cs, info, "node-a"));
    CHECK(got.code() == c.want);
    CHECK(got.message() == c.want_message);
    CHECK(client.requests.size() == c.want_requests);
    const auto overlay = env.plugin.assumed().pvs.size() + env.plugin.assumed().pvcs.size();
    CHECK((overlay == 0) == c.want_overlay_reverted);
    // Every failure here is BindPodVolumes': counted under "bind".
    CHECK(m.volume_scheduling_stage_errors.with({"bind"}).value() ==
          (c.want == code::error ? 1 : 0));
}

TEST_CASE("volume_binding.pre_bind_static") {
    const std::vector<fake_api_client::rule> ok = {{verb::patch, "/api/v1/", 200, answer("6")}};
    const std::vector<test_case> cases = {
        {"bound by the PV controller", false, ok, bind_static("6")},
        {"waits for the PV controller", false, ok, nullptr, bind_static("6"), 5},
        // The informer still has the volume without claimRef (older than our write): not an
        // undone binding, just not seen yet.
        {"an informer copy older than our write is not judged", false, ok,
         [](harness& env) { env.add(static_claim().rv("3").bound("pv-a").obj()); },
         bind_static("6"), 5},
        {"claimRef reset by the PV controller", false, ok,
         [](harness& env) { env.add(pv_a().rv("7").obj()); }, nullptr, 0, 600, code::error,
         R"(binding volumes: ClaimRef got reset for pv "pv-a")"},
        {"claimRef without uid", false, ok,
         [](harness& env) { env.add(pv_a().rv("7").claim_ref("default", "pvc-a", "").obj()); },
         nullptr, 0, 600, code::error, R"(binding volumes: ClaimRef got reset for pv "pv-a")"},
        {"volume moved away from the node", false, ok,
         [](harness& env) {
             env.add(pv_a()
                         .rv("7")
                         .bound_to(static_claim().obj())
                         .node_affinity({{"kubernetes.io/hostname", {"node-b"}}})
                         .obj());
         },
         nullptr, 0, 600, code::error,
         R"(binding volumes: pv "pv-a" node affinity doesn't match node "node-a": no matching )"
         "NodeSelectorTerms"},
        {"volume deleted", false, ok, [](harness& env) { env.h.cluster_objects.pvs.erase("pv-a"); },
         nullptr, 0, 600, code::error,
         R"(binding volumes: failed to check binding: could not find v1.PersistentVolume "pv-a")"},
        {"claim deleted", false, ok,
         [](harness& env) { env.h.cluster_objects.pvcs.erase("default/pvc-a"); }, nullptr, 0, 600,
         code::error,
         "binding volumes: failed to check binding: could not find v1.PersistentVolumeClaim "
         R"("default/pvc-a")"},
        {"timeout", false, ok, nullptr, nullptr, 0, 0, code::error,
         "binding volumes: context deadline exceeded"},
        {"apiserver conflict",
         false,
         {{verb::patch, "/api/v1/persistentvolumes/", 409,
           R"({"kind":"Status","message":"Operation cannot be fulfilled on persistentvolumes )"
           R"(\"pv-a\": the object has been modified"})"}},
         nullptr,
         nullptr,
         0,
         600,
         code::error,
         R"(Operation cannot be fulfilled on persistentvolumes "pv-a": the object has been )"
         "modified",
         1,
         true},
        {"apiserver error without a Status",
         false,
         {{verb::patch, "/api/v1/persistentvolumes/", 500, "oops"}},
         nullptr,
         nullptr,
         0,
         600,
         code::error,
         "PATCH /api/v1/persistentvolumes/pv-a: 500 oops",
         1,
         true},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        run_case(c);
    }
}

TEST_CASE("volume_binding.pre_bind_provisioning") {
    const std::vector<fake_api_client::rule> ok = {{verb::patch, "/api/v1/", 200, answer("3")}};
    auto claim_with = [](std::vector<std::pair<std::string, std::string>> ann) {
        return [ann](harness& env) {
            auto b = provision_claim().rv("4");
            for (const auto& [k, v] : ann) {
                b.annotation(k, v);
            }
            env.add(b.obj());
        };
    };
    const std::vector<test_case> cases = {
        {"provisioned and bound", true, ok, provision("node-a")},
        {"waits for the provisioner", true, ok, nullptr, provision("node-a"), 5},
        {"a bound volume the informer has not seen yet", true, ok,
         [](harness& env) {
             env.add(provision_claim().rv("3").selected_node("node-a").bound("pvc-a-vol").obj());
         },
         provision("node-a"), 5},
        {"provisioned on the wrong topology", true, ok, provision("node-b"), nullptr, 0, 600,
         code::error,
         R"(binding volumes: pv "pvc-a-vol" node affinity doesn't match node "node-a": no )"
         "matching NodeSelectorTerms"},
        {"provisioning failed: selected node removed", true, ok,
         claim_with({{"example.com/other", "x"}}), nullptr, 0, 600, code::error,
         R"(binding volumes: provisioning failed for PVC "pvc-a")"},
        {"provisioning failed: another node selected", true, ok,
         claim_with({{std::string(api::kAnnSelectedNode), "node-b"}}), nullptr, 0, 600, code::error,
         R"(binding volumes: provisioning failed for PVC "pvc-a")"},
        {"selectedNode annotation reset", true, ok, claim_with({}), nullptr, 0, 600, code::error,
         R"(binding volumes: selectedNode annotation reset for PVC "pvc-a")"},
        {"claim deleted", true, ok,
         [](harness& env) { env.h.cluster_objects.pvcs.erase("default/pvc-a"); }, nullptr, 0, 600,
         code::error,
         "binding volumes: failed to check provisioning pvc: could not find "
         R"(v1.PersistentVolumeClaim "default/pvc-a")"},
        {"timeout", true, ok, nullptr, nullptr, 0, 0, code::error,
         "binding volumes: context deadline exceeded"},
        {"apiserver refuses",
         true,
         {{verb::patch, "/api/v1/namespaces/", 403, R"({"message":"forbidden"})"}},
         nullptr,
         nullptr,
         0,
         600,
         code::error,
         "forbidden",
         1,
         true},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        run_case(c);
    }
}

TEST_CASE("volume_binding.pre_bind_requests") {
    SECTION("static binding: a merge patch of claimRef guarded by the volume's version") {
        fake_api_client client;
        client.rules = {{verb::patch, "/api/v1/", 200, answer("6")}};
        harness env(client);
        env.add(make_class(kWait, "WaitForFirstConsumer"));
        env.add(static_claim().obj());
        env.add(pv_a().obj());
        auto cs = std::make_shared<framework::cycle_state>();
        const auto pod = pod_with_claims({"pvc-a"});
        REQUIRE(env.schedule(*cs, pod, {make_host("node-a")}) == "node-a");
        bind_static("6")(env);
        asio::io_context ioc;
        const auto info = framework::make_pod_info(std::make_shared<const api::pod>(pod));
        CHECK(multisched::testing::run(ioc, env.plugin.pre_bind(cs, info, "node-a")).is_success());
        REQUIRE(client.requests.size() == 1);
        const auto& req = client.requests[0];
        CHECK(req.method == verb::patch);
        CHECK(req.target == kPVTarget);
        CHECK(req.content_type == "application/merge-patch+json");
        auto doc = json::document::parse(req.body);
        REQUIRE(doc.has_value());
        const auto root = doc->root();
        CHECK(root["metadata"]["resourceVersion"].as_string() == "5");
        CHECK(root["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"].as_string() ==
              "yes");
        const auto ref = root["spec"]["claimRef"];
        CHECK(ref["kind"].as_string() == "PersistentVolumeClaim");
        CHECK(ref["apiVersion"].as_string() == "v1");
        CHECK(ref["namespace"].as_string() == "default");
        CHECK(ref["name"].as_string() == "pvc-a");
        CHECK(ref["uid"].as_string() == "pvc-a-uid");
        CHECK(ref["resourceVersion"].as_string() == "2");
    }
    SECTION("provisioning: a merge patch of the selected-node annotation") {
        fake_api_client client;
        client.rules = {{verb::patch, "/api/v1/", 200, answer("3")}};
        harness env(client);
        env.add(make_class(kProvision, "WaitForFirstConsumer", "example.com/csi"));
        env.add(provision_claim().obj());
        auto cs = std::make_shared<framework::cycle_state>();
        const auto pod = pod_with_claims({"pvc-a"});
        REQUIRE(env.schedule(*cs, pod, {make_host("node-a")}) == "node-a");
        provision("node-a")(env);
        asio::io_context ioc;
        const auto info = framework::make_pod_info(std::make_shared<const api::pod>(pod));
        CHECK(multisched::testing::run(ioc, env.plugin.pre_bind(cs, info, "node-a")).is_success());
        REQUIRE(client.requests.size() == 1);
        const auto& req = client.requests[0];
        CHECK(req.method == verb::patch);
        CHECK(req.target == kPVCTarget);
        CHECK(req.content_type == "application/merge-patch+json");
        CHECK(req.body == R"({"metadata":{"resourceVersion":"2","annotations":)"
                          R"({"volume.kubernetes.io/selected-node":"node-a"}}})");
    }
}

class failing_client final : public client::api_client {
  public:
    task<result<client::http_response>> send(client::http_request req) override {
        ++calls;
        co_return error{{}, "PATCH " + req.target + ": connection refused"};
    }
    task<result<std::unique_ptr<client::watch_stream>>> watch(std::string,
                                                              std::chrono::milliseconds) override {
        co_return error{{}, "no watch"};
    }
    int calls = 0;
};

TEST_CASE("volume_binding.pre_bind_without_work") {
    fake_api_client client;
    harness env(client);
    env.add(make_class(kWait, "WaitForFirstConsumer"));
    env.add(static_claim().bound("pv-a").obj());
    env.add(pv_a().bound_to(static_claim().obj()).obj());
    const auto pod = pod_with_claims({"pvc-a"});
    const auto info = framework::make_pod_info(std::make_shared<const api::pod>(pod));
    asio::io_context ioc;

    auto none = std::make_shared<framework::cycle_state>();
    auto got = multisched::testing::run(ioc, env.plugin.pre_bind(none, info, "node-a"));
    CHECK(got.code() == code::error);
    CHECK(got.message() == R"(reading "VolumeBinding" from cycleState: not found)");

    auto bound = std::make_shared<framework::cycle_state>();
    REQUIRE(env.schedule(*bound, pod, {make_host("node-a")}) == "node-a");
    CHECK(bound->read<state>(kStateKey)->all_bound);
    CHECK(multisched::testing::run(ioc, env.plugin.pre_bind(bound, info, "node-a")).is_success());
    CHECK(client.requests.empty());

    // Decisions exist for node-a only.
    env.add(static_claim().obj());
    env.add(pv_a().obj());
    auto other = std::make_shared<framework::cycle_state>();
    REQUIRE(env.schedule(*other, pod, {make_host("node-a")}) == "node-a");
    got = multisched::testing::run(ioc, env.plugin.pre_bind(other, info, "node-b"));
    CHECK(got.code() == code::error);
    CHECK(got.message() == R"(no pod volumes found for node "node-b")");

    // A transport failure is the client's message; the assumption is dropped.
    failing_client broken;
    harness env2(broken);
    env2.add(make_class(kWait, "WaitForFirstConsumer"));
    env2.add(static_claim().obj());
    env2.add(pv_a().obj());
    auto cs = std::make_shared<framework::cycle_state>();
    REQUIRE(env2.schedule(*cs, pod, {make_host("node-a")}) == "node-a");
    got = multisched::testing::run(ioc, env2.plugin.pre_bind(cs, info, "node-a"));
    CHECK(got.code() == code::error);
    CHECK(got.message() == "PATCH /api/v1/persistentvolumes/pv-a: connection refused");
    CHECK(broken.calls == 1);
    CHECK(env2.plugin.assumed().pvs.size() == 0);
}

}  // namespace
}  // namespace multisched::plugins::volume_binding
