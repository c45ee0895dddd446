// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/nodeports/node_ports_test.go (v1.30: TestNodePorts, TestPreFilterDisabled,
// TestGetContainerPorts), as tables, plus the registered events and the factory.
#include "plugins/node_ports/node_ports.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::node_ports {
namespace {

using multisched::testing::make_node;
using multisched::testing::make_node_info;
using multisched::testing::make_pod;

api::container_port parse_port(const std::string& spec) {
    const auto a = spec.find('/');
    const auto b = spec.find('/', a + 1);
    api::container_port p;
    p.protocol = spec.substr(0, a);
    p.host_ip = spec.substr(a + 1, b - a - 1);
    p.host_port = std::stoi(spec.substr(b + 1));
    return p;
}

// Upstream newPod: one container whose ports are "PROTOCOL/hostIP/hostPort" strings.
api::pod new_pod(const std::string& uid, const std::vector<std::string>& ports) {
    auto pod = make_pod().name(uid).uid(uid).node("m1").req({}).obj();
    for (const auto& spec : ports) {
        pod.containers[0].ports.push_back(parse_port(spec));
    }
    return pod;
}

TEST_CASE("node_ports.filter") {
    struct test_case {
        std::string name;
        std::vector<std::string> pod_ports;
        std::vector<std::string> existing_ports;  // one pod on the node with these ports
        bool want_pre_filter_skip;
        bool want_fit;
    };
    const std::vector<test_case> cases = {
        {"skip filter", {}, {}, true, true},
        {"other port", {"UDP/127.0.0.1/8080"}, {"UDP/127.0.0.1/9090"}, false, true},
        {"same udp port", {"UDP/127.0.0.1/8080"}, {"UDP/127.0.0.1/8080"}, false, false},
        {"same tcp port", {"TCP/127.0.0.1/8080"}, {"TCP/127.0.0.1/8080"}, false, false},
        {"different host ip", {"TCP/127.0.0.1/8080"}, {"TCP/127.0.0.2/8080"}, false, true},
        {"different protocol", {"UDP/127.0.0.1/8080"}, {"TCP/127.0.0.1/8080"}, false, true},
        {"second udp port conflict",
         {"UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"},
         {"UDP/127.0.0.1/8080"},
         false,
         false},
        {"first tcp port conflict",
         {"TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"},
         {"TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081"},
         false,
         false},
        {"first tcp port conflict due to 0.0.0.0 hostIP",
         {"TCP/0.0.0.0/8001"},
         {"TCP/127.0.0.1/8001"},
         false,
         false},
        {"TCP hostPort conflict due to 0.0.0.0 hostIP",
         {"TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"},
         {"TCP/127.0.0.1/8001"},
         false,
         false},
        {"second tcp port conflict to 0.0.0.0 hostIP",
         {"TCP/127.0.0.1/8001"},
         {"TCP/0.0.0.0/8001"},
         false,
         false},
        {"second different protocol", {"UDP/127.0.0.1/8001"}, {"TCP/0.0.0.0/8001"}, false, true},
        {"UDP hostPort conflict due to 0.0.0.0 hostIP",
         {"UDP/127.0.0.1/8001"},
         {"TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"},
         false,
         false},
        // Ours: the API defaults (empty protocol = TCP, empty hostIP = 0.0.0.0).
        {"empty protocol and host ip mean TCP on 0.0.0.0",
         {"/127.0.0.1/8001"},
         {"TCP//8001"},
         false,
         false},
        {"empty protocol does not clash with UDP", {"//8001"}, {"UDP/10.0.0.1/8001"}, false, true},
        {"hostPort 0 is not a host port", {"TCP/0.0.0.0/0"}, {"TCP/0.0.0.0/8001"}, true, true},
    };
    node_ports plugin;
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const auto info = framework::make_pod_info(
                std::make_shared<const api::pod>(new_pod("p", c.pod_ports)));
            const auto ni = make_node_info(make_node().name("m1").obj(),
                                           {new_pod("existing", c.existing_ports)});
            framework::cycle_state state;
            framework::pre_filter_result pre_result;
            const auto pre = plugin.pre_filter(state, *info, {}, pre_result);
            if (c.want_pre_filter_skip) {
                CHECK(pre.is_skip());
                continue;
            }
            REQUIRE(pre.is_success());
            const auto st = plugin.filter(state, *info, ni);
            if (c.want_fit) {
                CHECK(st.is_success());
            } else {
                CHECK(st.code() == framework::code::unschedulable);
                CHECK(st.message() == "node(s) didn't have free ports for the requested pod ports");
            }
        }
    }
}

TEST_CASE("node_ports.pre_filter_disabled") {
    node_ports plugin;
    framework::cycle_state state;
    const auto ni = make_node_info(make_node().name("m1").obj());
    const auto st = plugin.filter(state, *make_pod().info(), ni);
    CHECK(st.code() == framework::code::error);
    CHECK(st.message() == "reading \"PreFilterNodePorts\" from cycleState: not found");
}

TEST_CASE("node_ports.container_host_ports") {
    struct test_case {
        std::string name;
        std::vector<std::string> ports;
        std::size_t want;
    };
    const std::vector<test_case> cases = {
        {"no ports", {}, 0},
        {"only host ports > 0 are wanted", {"TCP/127.0.0.1/8001", "TCP/127.0.0.1/0"}, 1},
        {"every host port of the container", {"TCP/127.0.0.1/8001", "UDP/127.0.0.1/8002"}, 2},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            CHECK(container_host_ports(new_pod("p", c.ports)).size() == c.want);
        }
    }
    SECTION("init containers are not counted, sidecars included (as upstream v1.30)") {
        auto pod = new_pod("p", {});
        pod.init_containers.push_back(pod.containers[0]);
        pod.init_containers[0].restart_always = true;
        pod.init_containers[0].ports.push_back(parse_port("TCP/0.0.0.0/8001"));
        CHECK(container_host_ports(pod).empty());
    }
    SECTION("ports of several containers") {
        auto pod = new_pod("p", {"TCP/0.0.0.0/8001"});
        pod.containers.push_back(pod.containers[0]);
        pod.containers[1].ports[0].host_port = 8002;
        const auto ports = container_host_ports(pod);
        REQUIRE(ports.size() == 2);
        CHECK(ports[1].host_port == 8002);
    }
}

TEST_CASE("node_ports.events") {
    const auto events = node_ports{}.events_to_register();
    REQUIRE(events.size() == 2);
    CHECK(events[0].resource == framework::event_resource::assigned_pod);
    CHECK(events[0].actions == framework::action_delete);
    CHECK(events[1].resource == framework::event_resource::node);
    CHECK(events[1].actions == (framework::action_add | framework::action_update_node_taint |
                                framework::action_update_node_label));
}

TEST_CASE("node_ports.make") {
    multisched::testing::fake_handle h;
    auto p = make(YAML::Node(), h);
    REQUIRE(p.has_value());
    CHECK((*p)->name() == "NodePorts");
}

}  // namespace
}  // namespace multisched::plugins::node_ports
