// SPDX-License-Identifier: Apache-2.0
#include "core/cache/cache.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::cache {
namespace {

using testing::make_node;
using testing::make_pod;

std::vector<std::string> names(const std::vector<framework::node_info*>& nodes) {
    std::vector<std::string> out;
    for (const auto* n : nodes) {
        out.push_back(n->name());
    }
    return out;
}

TEST_CASE("cache.namespace_labels") {
    cache c;
    CHECK(c.namespace_labels("a") == nullptr);
    api::label_map l;
    l.set("team", "x");
    c.set_namespace("a", l);
    REQUIRE(c.namespace_labels("a") != nullptr);
    CHECK(*c.namespace_labels("a") == l);
    c.set_namespace("a", {});  // relabelled
    CHECK(c.namespace_labels("a")->empty());
    c.remove_namespace("a");
    c.remove_namespace("unknown");
    CHECK(c.namespace_labels("a") == nullptr);
}

}  // namespace

TEST_CASE("cache.assume_then_confirm_counts_once") {
    cache c;
    c.add_node(make_node().name("n1").alloc({{"cpu", "4"}}).ptr());
    auto pod = make_pod().name("p").ns("d").uid("u1").req({{"cpu", "1"}});
    REQUIRE(c.assume_pod(pod.node("n1").info(), "n1"));
    CHECK(c.is_assumed("u1"));
    CHECK(c.find_node("n1")->requested().milli_cpu == 1000);
    CHECK_FALSE(c.assume_pod(pod.node("n1").info(), "n1"));  // never assumed twice

    c.add_pod(pod.node("n1").info());  // the watch confirms the binding
    CHECK_FALSE(c.is_assumed("u1"));
    CHECK(c.find_node("n1")->requested().milli_cpu == 1000);
    CHECK(c.find_node("n1")->pods().size() == 1);
    c.forget_pod("u1");  // forgetting a confirmed pod is a no-op
    CHECK(c.find_node("n1")->requested().milli_cpu == 1000);
}

TEST_CASE("cache.forget_releases_the_node") {
    cache c;
    c.add_node(make_node().name("n1").alloc({{"cpu", "4"}}).ptr());
    REQUIRE(c.assume_pod(make_pod().uid("u1").node("n1").req({{"cpu", "3"}}).info(), "n1"));
    c.forget_pod("u1");
    CHECK(c.find_node("n1")->requested().milli_cpu == 0);
    CHECK(c.pod_count() == 0);
    CHECK(c.assumed_count() == 0);
}

TEST_CASE("cache.confirm_on_another_node_moves_the_pod") {
    cache c;
    c.add_node(make_node().name("n1").ptr());
    c.add_node(make_node().name("n2").ptr());
    REQUIRE(c.assume_pod(make_pod().uid("u1").node("n1").req({{"cpu", "1"}}).info(), "n1"));
    c.add_pod(make_pod().uid("u1").node("n2").req({{"cpu", "1"}}).info());
    CHECK(c.find_node("n1")->requested().milli_cpu == 0);
    CHECK(c.find_node("n2")->requested().milli_cpu == 1000);
    CHECK(c.node_of("u1") == "n2");
}

TEST_CASE("cache.pods_bound_by_others_are_counted") {
    cache c;
    // The pod's node arrives after the pod: its accounting must still be there.
    c.add_pod(make_pod().uid("other").node("n1").req({{"cpu", "2"}, {"memory", "1Gi"}}).info());
    c.add_node(make_node().name("n1").alloc({{"cpu", "4"}}).ptr());
    const auto* n = c.find_node("n1");
    REQUIRE(n != nullptr);
    CHECK(n->requested().milli_cpu == 2000);
    CHECK(n->requested().memory == 1024LL * 1024 * 1024);
    c.remove_pod("other");
    CHECK(n->requested().milli_cpu == 0);
}

TEST_CASE("cache.removed_node_keeps_its_pods_until_they_go") {
    cache c;
    c.add_node(make_node().name("n1").ptr());
    c.add_pod(make_pod().uid("u1").node("n1").req({{"cpu", "1"}}).info());
    c.remove_node("n1");
    CHECK(c.nodes().empty());
    CHECK(c.node_count() == 0);
    REQUIRE(c.find_node("n1") != nullptr);
    CHECK(c.find_node("n1")->requested().milli_cpu == 1000);
    c.remove_pod("u1");
    CHECK(c.find_node("n1") == nullptr);
}

TEST_CASE("cache.nodes_interleave_zones") {
    struct case_t {
        std::string name;
        std::vector<std::pair<std::string, std::string>> nodes;  // name, zone
        std::vector<std::string> want;
    };
    const std::vector<case_t> cases = {
        {"no zones: name order", {{"b", ""}, {"a", ""}, {"c", ""}}, {"a", "b", "c"}},
        {"two zones round robin",
         {{"a1", "za"}, {"a2", "za"}, {"a3", "za"}, {"b1", "zb"}},
         {"a1", "b1", "a2", "a3"}},
        {"three zones",
         {{"c1", "zc"}, {"a1", "za"}, {"b1", "zb"}, {"a2", "za"}, {"c2", "zc"}},
         {"a1", "b1", "c1", "a2", "c2"}},
    };
    for (const auto& tc : cases) {
        DYNAMIC_SECTION(tc.name) {
            cache c;
            for (const auto& [name, zone] : tc.nodes) {
                auto b = make_node().name(name);
                if (!zone.empty()) {
                    b.label("topology.kubernetes.io/zone", zone);
                }
                c.add_node(b.ptr());
            }
            CHECK(names(c.nodes()) == tc.want);
        }
    }
}

TEST_CASE("cache.zone_change_reorders") {
    cache c;
    c.add_node(make_node().name("a").label("topology.kubernetes.io/zone", "z1").ptr());
    c.add_node(make_node().name("b").label("topology.kubernetes.io/zone", "z1").ptr());
    c.add_node(make_node().name("c").label("topology.kubernetes.io/zone", "z2").ptr());
    CHECK(names(c.nodes()) == std::vector<std::string>{"a", "c", "b"});
    c.add_node(make_node().name("b").label("topology.kubernetes.io/zone", "z2").ptr());
    CHECK(names(c.nodes()) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("cache.counts_nodes_per_image") {
    cache c;
    auto with_images = [](std::string name, std::vector<std::vector<std::string>> images) {
        api::node n = make_node().name(std::move(name)).obj();
        for (auto& names : images) {
            n.images.push_back({std::move(names), 100});
        }
        return std::make_shared<const api::node>(std::move(n));
    };
    c.add_node(with_images("a", {{"nginx:1.19", "nginx@sha256:1"}, {"redis:7"}}));
    c.add_node(with_images("b", {{"nginx:1.19"}, {"nginx:1.19"}}));  // listed twice: one node
    CHECK(c.nodes_with_image("nginx:1.19") == 2);
    CHECK(c.nodes_with_image("nginx@sha256:1") == 1);
    CHECK(c.nodes_with_image("redis:7") == 1);
    CHECK(c.nodes_with_image("busybox:latest") == 0);
    c.add_node(with_images("a", {{"redis:7"}}));  // an update replaces a's images
    CHECK(c.nodes_with_image("nginx:1.19") == 1);
    CHECK(c.nodes_with_image("nginx@sha256:1") == 0);
    c.remove_node("b");
    CHECK(c.nodes_with_image("nginx:1.19") == 0);
    CHECK(c.nodes_with_image("redis:7") == 1);
}

TEST_CASE("cache.node_count_counts_node_objects") {
    cache c;
    c.add_node(make_node().name("a").ptr());
    c.add_node(make_node().name("a").ptr());           // an update
    c.add_pod(make_pod().uid("u1").node("b").info());  // a node not seen yet
    CHECK(c.node_count() == 1);
    c.add_node(make_node().name("b").ptr());
    CHECK(c.node_count() == 2);
    c.remove_node("b");  // keeps its pod
    c.remove_node("a");
    c.remove_node("a");
    CHECK(c.node_count() == 0);
}

TEST_CASE("cache.nodes_with_pod_affinity_follow_pods") {
    api::label_selector sel;
    sel.match_labels.set("app", "x");
    cache c;
    for (const char* n : {"a", "b", "c"}) {
        c.add_node(make_node().name(n).ptr());
    }
    c.add_pod(make_pod().uid("plain").node("a").info());
    c.add_pod(make_pod().uid("pref").node("b").pod_affinity("zone", sel, 5).info());
    CHECK(names(c.nodes_with_pod_affinity()) == std::vector<std::string>{"b"});
    CHECK(c.nodes_with_required_anti_affinity().empty());

    REQUIRE(
        c.assume_pod(make_pod().uid("anti").node("c").pod_anti_affinity("host", sel).info(), "c"));
    CHECK(names(c.nodes_with_pod_affinity()) == std::vector<std::string>{"b", "c"});
    CHECK(names(c.nodes_with_required_anti_affinity()) == std::vector<std::string>{"c"});

    c.forget_pod("anti");
    c.remove_pod("pref");
    CHECK(c.nodes_with_pod_affinity().empty());
    CHECK(c.nodes_with_required_anti_affinity().empty());
}

}  // namespace multisched::cache
