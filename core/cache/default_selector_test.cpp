// SPDX-License-Identifier: Apache-2.0
// upstream helper.DefaultSelector cases (pkg/scheduler/framework/plugins/helper/spread_test.go
// TestDefaultSelector), as a table.
#include "core/cache/default_selector.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::cache {
namespace {

using multisched::testing::make_pod;
using multisched::testing::selector_labels;

api::label_map labels(std::initializer_list<std::pair<std::string, std::string>> items) {
    api::label_map m;
    for (const auto& [k, v] : items) {
        m.set(k, v);
    }
    return m;
}

api::object_meta meta(std::string ns, std::string name) {
    api::object_meta m;
    m.ns = std::move(ns);
    m.name = std::move(name);
    return m;
}

TEST_CASE("default_selector.from_services_and_controllers") {
    cluster_objects objs;
    auto svc = [&](std::string ns, std::string name, std::optional<api::label_map> sel) {
        objs.services.upsert(
            namespaced_key(ns, name),
            std::make_shared<const api::service>(api::service{meta(ns, name), std::move(sel)}));
    };
    svc("default", "web", labels({{"app", "web"}}));
    svc("default", "all-tiers", labels({{"tier", "front"}}));
    svc("default", "db", labels({{"app", "db"}}));
    svc("other", "web", labels({{"zone", "x"}}));  // other namespace
    svc("default", "headless", std::nullopt);      // no selector: selects nothing
    objs.replication_controllers.upsert(
        "default/rc",
        std::make_shared<const api::replication_controller>(
            api::replication_controller{meta("default", "rc"), labels({{"rc", "1"}})}));
    objs.replica_sets.upsert("default/rs",
                             std::make_shared<const api::workload_set>(api::workload_set{
                                 meta("default", "rs"), selector_labels({{"rs", "1"}})}));

    struct test_case {
        std::string name;
        api::pod pod;
        std::optional<api::controller_ref> owner;
        api::label_map want_labels;
        std::vector<api::node_selector_requirement> want_exprs;
    };
    const auto web = make_pod().name("p").ns("default").label("app", "web").label("tier", "front");
    const std::vector<test_case> cases = {
        {"no service, no owner",
         make_pod().name("p").ns("default").label("x", "y").obj(),
         std::nullopt,
         {},
         {}},
        {"services merged",
         web.obj(),
         std::nullopt,
         labels({{"app", "web"}, {"tier", "front"}}),
         {}},
        {"replication controller merged",
         web.obj(),
         api::controller_ref{"v1", "ReplicationController", "rc", "u"},
         labels({{"app", "web"}, {"rc", "1"}, {"tier", "front"}}),
         {}},
        {"replica set adds requirements",
         web.obj(),
         api::controller_ref{"apps/v1", "ReplicaSet", "rs", "u"},
         labels({{"app", "web"}, {"tier", "front"}}),
         {{"rs", "In", {"1"}}}},
        {"unknown owner kind contributes nothing",
         web.obj(),
         api::controller_ref{"batch/v1", "Job", "rs", "u"},
         labels({{"app", "web"}, {"tier", "front"}}),
         {}},
        {"owner not in the store",
         web.obj(),
         api::controller_ref{"apps/v1", "StatefulSet", "ss", "u"},
         labels({{"app", "web"}, {"tier", "front"}}),
         {}},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        api::pod p = tc.pod;
        p.meta.controller = tc.owner;
        const auto got = default_selector(objs, p);
        CHECK(got.match_labels == tc.want_labels);
        CHECK(got.match_expressions == tc.want_exprs);
    }
}

}  // namespace
}  // namespace multisched::cache
