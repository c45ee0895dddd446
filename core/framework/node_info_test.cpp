// SPDX-License-Identifier: Apache-2.0
// node_info bookkeeping: requested sums and used host ports across add_pod/remove_pod, and the
// conflict rules of host_port_info (upstream framework/types_test.go TestHostPortInfo_*).
#include "core/framework/node_info.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::framework {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_pod;
using multisched::testing::make_term;
using multisched::testing::selector_exists;
using multisched::testing::selector_labels;

api::container_port host_port(std::string protocol, std::string ip, std::int32_t port) {
    api::container_port p;
    p.container_port = 80;
    p.host_port = port;
    p.protocol = std::move(protocol);
    p.host_ip = std::move(ip);
    return p;
}

struct port_op {
    bool add;
    std::string ip;
    std::string protocol;
    std::int32_t port;
};

TEST_CASE("node_info.host_port_info_add_remove") {
    // Upstream TestHostPortInfo_AddRemove (ports shared by two entries are counted once there; we
    // count uses, which these cases do not exercise).
    struct test_case {
        std::string name;
        std::vector<port_op> ops;
        std::size_t want_size;
    };
    const std::vector<test_case> cases = {
        {"normal add case",
         {{true, "127.0.0.1", "TCP", 79},
          {true, "127.0.0.1", "UDP", 80},
          {true, "127.0.0.1", "TCP", 81},
          {true, "127.0.0.1", "TCP", 82},
          {true, "0.0.0.0", "TCP", 79},
          {true, "0.0.0.0", "UDP", 80},
          {true, "0.0.0.0", "TCP", 81},
          {true, "0.0.0.0", "TCP", 82},
          {true, "0.0.0.0", "TCP", 0},
          {true, "0.0.0.0", "TCP", -1}},
         8},
        {"empty ip and protocol add should work",
         {{true, "", "TCP", 79},
          {true, "127.0.0.1", "", 80},
          {true, "127.0.0.1", "TCP", 81},
          {true, "", "", 82},
          {true, "", "", 0},
          {true, "", "", -1}},
         4},
        {"normal remove case",
         {{true, "127.0.0.1", "TCP", 79},
          {true, "127.0.0.1", "UDP", 80},
          {true, "127.0.0.1", "TCP", 81},
          {true, "0.0.0.0", "TCP", 82},
          {false, "127.0.0.1", "TCP", 79},
          {false, "127.0.0.1", "UDP", 80},
          {false, "127.0.0.1", "TCP", 81},
          {false, "0.0.0.0", "TCP", 82}},
         0},
        {"empty ip and protocol remove should work",
         {{true, "", "TCP", 79},
          {true, "127.0.0.1", "", 80},
          {false, "0.0.0.0", "", 79},
          {false, "127.0.0.1", "TCP", 80}},
         0},
        {"removing an unknown entry is a no-op",
         {{true, "127.0.0.1", "TCP", 79}, {false, "127.0.0.2", "TCP", 79}, {false, "", "", 80}},
         1},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            host_port_info h;
            for (const auto& op : c.ops) {
                if (op.add) {
                    h.add(op.ip, op.protocol, op.port);
                } else {
                    h.remove(op.ip, op.protocol, op.port);
                }
            }
            CHECK(h.size() == c.want_size);
            CHECK(h.empty() == (c.want_size == 0));
        }
    }
}

TEST_CASE("node_info.host_port_info_conflicts") {
    // Upstream TestHostPortInfo_Check.
    struct test_case {
        std::string name;
        std::vector<port_op> used;
        port_op check;
        bool want;
    };
    const std::vector<test_case> cases = {
        {"empty check should check 0.0.0.0 and TCP",
         {{true, "127.0.0.1", "TCP", 80}},
         {true, "", "", 81},
         false},
        {"empty check should check 0.0.0.0 and TCP (conflicted)",
         {{true, "127.0.0.1", "TCP", 80}},
         {true, "", "", 80},
         true},
        {"empty port check should pass",
         {{true, "127.0.0.1", "TCP", 80}},
         {true, "", "", 0},
         false},
        {"0.0.0.0 should check all registered IPs",
         {{true, "127.0.0.1", "TCP", 80}},
         {true, "0.0.0.0", "TCP", 80},
         true},
        {"0.0.0.0 with different protocol should be allowed",
         {{true, "127.0.0.1", "UDP", 80}},
         {true, "0.0.0.0", "TCP", 80},
         false},
        {"0.0.0.0 with different port should be allowed",
         {{true, "127.0.0.1", "TCP", 79},
          {true, "127.0.0.1", "TCP", 81},
          {true, "127.0.0.1", "TCP", 82}},
         {true, "0.0.0.0", "TCP", 80},
         false},
        {"normal ip should check all registered 0.0.0.0",
         {{true, "0.0.0.0", "TCP", 80}},
         {true, "127.0.0.1", "TCP", 80},
         true},
        {"normal ip with different port/protocol should be allowed (0.0.0.0)",
         {{true, "0.0.0.0", "TCP", 79},
          {true, "0.0.0.0", "UDP", 80},
          {true, "0.0.0.0", "TCP", 81},
          {true, "0.0.0.0", "TCP", 82}},
         {true, "127.0.0.1", "TCP", 80},
         false},
        {"normal ip with different port/protocol should be allowed",
         {{true, "127.0.0.1", "TCP", 79},
          {true, "127.0.0.1", "UDP", 80},
          {true, "127.0.0.1", "TCP", 81},
          {true, "127.0.0.1", "TCP", 82}},
         {true, "127.0.0.1", "TCP", 80},
         false},
        {"another specific ip does not conflict",
         {{true, "127.0.0.2", "TCP", 80}},
         {true, "127.0.0.1", "TCP", 80},
         false},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            host_port_info h;
            for (const auto& op : c.used) {
                h.add(op.ip, op.protocol, op.port);
            }
            CHECK(h.conflicts(c.check.ip, c.check.protocol, c.check.port) == c.want);
        }
    }
}

TEST_CASE("node_info.add_remove_pod") {
    auto a = make_pod().name("a").uid("a").req({{"cpu", "500m"}, {"memory", "1Gi"}}).obj();
    a.containers[0].ports = {host_port("TCP", "", 8080), host_port("UDP", "10.0.0.1", 53),
                             host_port("TCP", "", 0)};
    auto b = make_pod().name("b").uid("b").req({{"cpu", "250m"}}).obj();
    b.containers[0].ports = {host_port("TCP", "0.0.0.0", 8080)};
    // Upstream v1.30 updateUsedPorts walks spec.containers only: init containers, sidecars too,
    // do not hold host ports in NodeInfo.UsedPorts.
    b.init_containers.push_back(api::container{});
    b.init_containers[0].restart_always = true;
    b.init_containers[0].ports = {host_port("TCP", "", 9090)};

    node_info ni("n1");
    ni.set_node(make_node().name("n1").ptr());
    ni.add_pod(make_pod_info(std::make_shared<const api::pod>(a)));
    CHECK(ni.requested().milli_cpu == 500);
    CHECK(ni.requested().memory == 1024LL * 1024 * 1024);
    CHECK(ni.used_ports().size() == 2);
    CHECK(ni.used_ports().conflicts("", "TCP", 8080));
    CHECK(ni.used_ports().conflicts("10.0.0.1", "UDP", 53));
    CHECK_FALSE(ni.used_ports().conflicts("10.0.0.2", "UDP", 53));

    ni.add_pod(make_pod_info(std::make_shared<const api::pod>(b)));
    CHECK(ni.pods().size() == 2);
    CHECK(ni.requested().milli_cpu == 750);
    CHECK(ni.used_ports().size() == 2);  // b's 0.0.0.0/TCP/8080 is the same entry as a's
    CHECK_FALSE(ni.used_ports().conflicts("", "TCP", 9090));

    const auto gen = ni.generation();
    REQUIRE(ni.remove_pod("a"));
    CHECK(ni.generation() > gen);
    CHECK(ni.requested().milli_cpu == 250);
    CHECK(ni.requested().memory == 0);
    // b still binds 0.0.0.0:8080 (upstream's set would have dropped it here).
    CHECK(ni.used_ports().conflicts("127.0.0.1", "TCP", 8080));
    CHECK_FALSE(ni.used_ports().conflicts("10.0.0.1", "UDP", 53));

    CHECK_FALSE(ni.remove_pod("a"));
    REQUIRE(ni.remove_pod("b"));
    CHECK(ni.pods().empty());
    CHECK(ni.requested().milli_cpu == 0);
    CHECK(ni.used_ports().empty());
}

TEST_CASE("node_info.pods_with_affinity_follow_add_and_remove") {
    node_info ni("n1");
    ni.add_pod(make_pod().name("plain").uid("u0").info());
    ni.add_pod(make_pod().name("aff").uid("u1").pod_affinity("zone", selector_exists("a")).info());
    ni.add_pod(
        make_pod().name("anti").uid("u2").pod_anti_affinity("host", selector_exists("a")).info());
    ni.add_pod(make_pod()
                   .name("pref-anti")
                   .uid("u3")
                   .pod_anti_affinity("host", selector_exists("a"), 10)
                   .info());
    const auto uids = [](const auto& pods) {
        std::vector<std::string> out;
        for (const auto& p : pods) {
            out.push_back(p->pod->meta.uid);
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    CHECK(uids(ni.pods_with_affinity()) == std::vector<std::string>{"u1", "u2", "u3"});
    CHECK(uids(ni.pods_with_required_anti_affinity()) == std::vector<std::string>{"u2"});
    CHECK(ni.remove_pod("u2"));
    CHECK(uids(ni.pods_with_affinity()) == std::vector<std::string>{"u1", "u3"});
    CHECK(ni.pods_with_required_anti_affinity().empty());
    CHECK(ni.remove_pod("u0"));
    CHECK(ni.pods().size() == 2);
}

TEST_CASE("node_info.affinity_term_matches") {
    struct test_case {
        std::string name;
        api::pod_affinity_term term;
        std::string pod_ns;
        api::label_map ns_labels;
        bool want;
    };
    api::label_map team_a;
    team_a.set("team", "a");
    const std::vector<test_case> cases = {
        {"own namespace by default",
         make_term(selector_labels({{"app", "db"}}), "k"),
         "own",
         {},
         true},
        {"other namespace not selected",
         make_term(selector_labels({{"app", "db"}}), "k"),
         "other",
         {},
         false},
        {"explicit namespaces",
         make_term(selector_labels({{"app", "db"}}), "k", {"x", "other"}),
         "other",
         {},
         true},
        {"explicit namespaces exclude the own one",
         make_term(selector_labels({{"app", "db"}}), "k", {"x"}),
         "own",
         {},
         false},
        {"empty namespaceSelector selects all",
         make_term(selector_labels({{"app", "db"}}), "k", {}, api::label_selector{}),
         "other",
         {},
         true},
        {"namespaceSelector by labels",
         make_term(selector_labels({{"app", "db"}}), "k", {}, selector_labels({{"team", "a"}})),
         "other", team_a, true},
        {"namespaceSelector not matching",
         make_term(selector_labels({{"app", "db"}}), "k", {}, selector_labels({{"team", "b"}})),
         "other", team_a, false},
        {"nil labelSelector matches nothing", make_term(std::nullopt, "k"), "own", {}, false},
        {"empty labelSelector matches all", make_term(api::label_selector{}, "k"), "own", {}, true},
        {"invalid labelSelector matches nothing",
         make_term(api::label_selector{{}, {{"app", "Gt", {"1"}}}}, "k"),
         "own",
         {},
         false},
        {"labels differ", make_term(selector_labels({{"app", "web"}}), "k"), "own", {}, false},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        const auto owner =
            make_pod().name("o").ns("own").uid("o").affinity_term(false, tc.term).info();
        REQUIRE(owner->required_affinity.size() == 1);
        const auto other = make_pod().name("p").ns(tc.pod_ns).label("app", "db").obj();
        CHECK(owner->required_affinity[0].matches(other, &tc.ns_labels) == tc.want);
        CHECK(owner->required_affinity[0].topology_key == "k");
    }
}

TEST_CASE("node_info.memo_is_forgotten_on_every_change") {
    const auto pod = [](const std::string& uid) {
        return make_pod_info(std::make_shared<const api::pod>(make_pod().name(uid).uid(uid).obj()));
    };
    struct test_case {
        std::string name;
        std::function<void(node_info&)> change;
        bool forgets;
    };
    const std::vector<test_case> cases = {
        {"a pod added", [&](node_info& ni) { ni.add_pod(pod("b")); }, true},
        {"a pod removed", [](node_info& ni) { REQUIRE(ni.remove_pod("a")); }, true},
        {"the node object replaced",
         [](node_info& ni) {
             ni.set_node(std::make_shared<const api::node>(make_node().name("n").obj()));
         },
         true},
        {"an unknown pod removed", [](node_info& ni) { CHECK_FALSE(ni.remove_pod("zz")); }, false},
        {"a read", [](node_info& ni) { CHECK(ni.pods().size() == 1); }, false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        node_info ni("n");
        ni.set_node(std::make_shared<const api::node>(make_node().name("n").obj()));
        ni.add_pod(pod("a"));
        ni.remember(7, 42);
        ni.remember(9, 0);
        ni.remember(7, 43);  // replaces
        REQUIRE(ni.recall(7) != nullptr);
        CHECK(*ni.recall(7) == 43);
        const node_info copy = ni;  // copies carry the memo: same pods, same counts
        REQUIRE(copy.recall(9) != nullptr);
        c.change(ni);
        CHECK((ni.recall(7) == nullptr) == c.forgets);
        CHECK((ni.recall(9) == nullptr) == c.forgets);
        CHECK(copy.recall(7) != nullptr);  // the copy is a separate node_info
    }
}

TEST_CASE("node_info.memo_keeps_the_newest_slots") {
    node_info ni("n");
    for (std::uint64_t k = 1; k <= node_info::kMemoSlots + 2; ++k) {
        ni.remember(k, static_cast<std::int64_t>(k) * 10);
    }
    CHECK(ni.recall(1) == nullptr);
    CHECK(ni.recall(2) == nullptr);
    for (std::uint64_t k = 3; k <= node_info::kMemoSlots + 2; ++k) {
        REQUIRE(ni.recall(k) != nullptr);
        CHECK(*ni.recall(k) == static_cast<std::int64_t>(k) * 10);
    }
}

}  // namespace
}  // namespace multisched::framework
