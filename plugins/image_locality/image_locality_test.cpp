// SPDX-License-Identifier: Apache-2.0
// Upstream imagelocality/image_locality_test.go (v1.30 table), with the cluster-wide counts that
// upstream's snapshot holds given through the fake handle.
#include "plugins/image_locality/image_locality.hpp"

#include <set>

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::image_locality {
namespace {

using multisched::testing::fake_handle;
using multisched::testing::make_node_info;

using image_list = std::vector<std::pair<std::vector<std::string>, std::int64_t>>;  // names, MB

api::node image_node(std::string name, const image_list& images) {
    api::node n;
    n.meta.name = std::move(name);
    for (const auto& [names, mb] : images) {
        n.images.push_back({names, mb * kMB});
    }
    return n;
}

std::shared_ptr<const framework::pod_info> pod_with(const std::vector<std::string>& images,
                                                    const std::vector<std::string>& init = {}) {
    api::pod p;
    p.meta.name = "p";
    for (const auto& image : images) {
        p.containers.emplace_back().image = image;
    }
    for (const auto& image : init) {
        p.init_containers.emplace_back().image = image;
    }
    return framework::make_pod_info(std::make_shared<const api::pod>(std::move(p)));
}

// What upstream's snapshot knows: every node, and how many nodes list each image name (a node
// listing a name twice counts once).
void fill_cluster(fake_handle& h, const std::vector<api::node>& nodes) {
    h.nodes = nodes.size();
    for (const auto& n : nodes) {
        std::set<std::string> names;
        for (const auto& image : n.images) {
            names.insert(image.names.begin(), image.names.end());
        }
        for (const auto& name : names) {
            ++h.image_nodes[name];
        }
    }
}

const image_list kNode403002000 = {{{"gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1"}, 40},
                                   {{"gcr.io/300:latest", "gcr.io/300:v1"}, 300},
                                   {{"gcr.io/2000:latest"}, 2000}};
const image_list kNode25010 = {{{"gcr.io/250:latest"}, 250},
                               {{"gcr.io/10:latest", "gcr.io/10:v1"}, 10}};
const image_list kNode60040900 = {
    {{"gcr.io/600:latest"}, 600}, {{"gcr.io/40:latest"}, 40}, {{"gcr.io/900:latest"}, 900}};
const image_list kNode300600900 = {
    {{"gcr.io/300:latest"}, 300}, {{"gcr.io/600:latest"}, 600}, {{"gcr.io/900:latest"}, 900}};
const image_list kNode400030 = {{{"gcr.io/4000:latest"}, 4000}, {{"gcr.io/30:latest"}, 30}};
const image_list kNode203040 = {
    {{"gcr.io/20:latest"}, 20}, {{"gcr.io/30:latest"}, 30}, {{"gcr.io/40:latest"}, 40}};

TEST_CASE("image_locality.score") {
    struct test_case {
        std::string name;
        std::shared_ptr<const framework::pod_info> pod;
        std::vector<api::node> nodes;
        std::vector<std::int64_t> want;
    };
    const auto min_max = pod_with({"gcr.io/10", "gcr.io/4000"});
    const std::vector<test_case> cases = {
        // node2: 100 * (250M * 1/2 - 23M) / (1000M * 2 - 23M) = 5
        {"two images spread on two nodes, prefer the larger image one",
         pod_with({"gcr.io/40", "gcr.io/250"}),
         {image_node("node1", kNode403002000), image_node("node2", kNode25010)},
         {0, 5}},
        // node1: 100 * ((40M + 300M) * 1/2 - 23M) / (1000M * 2 - 23M) = 7
        {"two images on one node, prefer this node",
         pod_with({"gcr.io/40", "gcr.io/300"}),
         {image_node("node1", kNode403002000), image_node("node2", kNode25010)},
         {7, 0}},
        {"if exceed limit, use limit",
         min_max,
         {image_node("node1", kNode400030), image_node("node2", kNode25010)},
         {100, 0}},
        // node1: 100 * (4000M * 1/3 - 23M) / (1000M * 2 - 23M) = 66
        {"if exceed limit, use limit (with node which has no images present)",
         min_max,
         {image_node("node1", kNode400030), image_node("node2", kNode25010),
          image_node("node3", {})},
         {66, 0, 0}},
        // node1: 100 * (600M * 2/3 + 900M * 2/3 - 23M) / (1000M * 3 - 23M) = 32
        // node2: 100 * (300M * 1/3 + 600M * 2/3 + 900M * 2/3 - 23M) / (1000M * 3 - 23M) = 36
        {"pod with multiple large images, node2 is preferred",
         pod_with({"gcr.io/300", "gcr.io/600", "gcr.io/900"}),
         {image_node("node1", kNode60040900), image_node("node2", kNode300600900),
          image_node("node3", {})},
         {32, 36, 0}},
        // node1: 100 * (30M + 40M * 1/2 - 23M) / (1000M * 2 - 23M) = 1
        {"pod with multiple small images",
         pod_with({"gcr.io/30", "gcr.io/40"}),
         {image_node("node1", kNode203040), image_node("node2", kNode400030)},
         {1, 0}},
        // node1: 100 * (300M * 1/2 - 23M) / (1000M * 2 - 23M) = 6
        {"include InitContainers: two images spread on two nodes, prefer the larger image one",
         pod_with({"gcr.io/30"}, {"gcr.io/300"}),
         {image_node("node1", kNode403002000), image_node("node2", kNode203040)},
         {6, 0}},
        // Not upstream's table: tags and digests are matched as written.
        {"an explicit tag matches only that tag",
         pod_with({"gcr.io/300:v1", "gcr.io/300:v2"}),
         // 100 * (300M - 23M) / (1000M * 2 - 23M) = 14
         {image_node("node1", kNode403002000)},
         {14}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            fake_handle h;
            fill_cluster(h, c.nodes);
            image_locality plugin(h);
            framework::cycle_state state;
            std::vector<std::int64_t> got;
            for (const auto& n : c.nodes) {
                const auto ni = make_node_info(n);
                std::int64_t s = -1;
                REQUIRE(plugin.score(state, *c.pod, ni, s).is_success());
                got.push_back(s);
            }
            CHECK(got == c.want);
        }
    }
}

// The spread counts every node of the cluster (the handle), not only the nodes being scored:
// upstream reads NumNodes and the node total from the snapshot.
TEST_CASE("image_locality.score_uses_cluster_wide_counts") {
    const auto pod = pod_with({"gcr.io/2000"});
    const auto ni = make_node_info(image_node("node1", kNode403002000));
    framework::cycle_state state;
    fake_handle h;
    image_locality plugin(h);
    struct test_case {
        std::string name;
        std::size_t nodes;
        std::size_t with_image;
        std::int64_t want;
    };
    const std::vector<test_case> cases = {
        // 100 * (2000M * 1/1 capped at 1000M - 23M) / (1000M - 23M)
        {"only node", 1, 1, 100},
        // 100 * (2000M * 1/4 - 23M) / (1000M - 23M) = 48
        {"one of four nodes", 4, 1, 48},
        // 100 * (2000M * 3/8 - 23M) / (1000M - 23M) = 74
        {"three of eight nodes", 8, 3, 74},
        {"index lags behind the node", 4, 0, 0},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            h.nodes = c.nodes;
            h.image_nodes = {{"gcr.io/2000:latest", c.with_image}};
            std::int64_t s = -1;
            REQUIRE(plugin.score(state, *pod, ni, s).is_success());
            CHECK(s == c.want);
        }
    }
    SECTION("a node without its Node object scores 0") {
        h.nodes = 1;
        h.image_nodes = {{"gcr.io/2000:latest", 1}};
        framework::node_info ghost("ghost");
        std::int64_t s = -1;
        REQUIRE(plugin.score(state, *pod, ghost, s).is_success());
        CHECK(s == 0);
    }
}

TEST_CASE("image_locality.calculate_priority") {
    CHECK(calculate_priority(0, 1) == 0);
    CHECK(calculate_priority(kMinThreshold, 1) == 0);
    CHECK(calculate_priority(kMaxContainerThreshold, 1) == 100);
    CHECK(calculate_priority(5 * kMaxContainerThreshold, 2) == 100);
    // A pod without containers sums 0: clamped to the minimum, it scores 0 as upstream.
    CHECK(calculate_priority(0, 0) == 0);
}

TEST_CASE("image_locality.normalized_image_name") {
    struct test_case {
        std::string name;
        std::string input;
        std::string want;
    };
    const std::string digest =
        "sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2";
    const std::vector<test_case> cases = {
        {"add :latest postfix 1", "root", "root:latest"},
        {"add :latest postfix 2", "gcr.io:5000/root", "gcr.io:5000/root:latest"},
        {"keep it as is 1", "root:tag", "root:tag"},
        {"keep it as is 2", "root@" + digest, "root@" + digest},
        {"registry port and tag", "gcr.io:5000/root:v1", "gcr.io:5000/root:v1"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            CHECK(normalized_image_name(c.input) == c.want);
        }
    }
}

TEST_CASE("image_locality.make") {
    fake_handle h;
    auto p = make(YAML::Load("anything: 1"), h);
    REQUIRE(p.has_value());
    CHECK((*p)->name() == "ImageLocality");
}

}  // namespace
}  // namespace multisched::plugins::image_locality
