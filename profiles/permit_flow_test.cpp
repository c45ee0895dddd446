// SPDX-License-Identifier: Apache-2.0
// Permit Wait through the whole scheduling path: a pod held at Permit is assumed (its room is
// taken) but not bound until its waiting plugin allows it; a rejection or the pod's deletion
// unreserves it and frees the room.
#include <catch2/catch.hpp>

#include "core/framework/waiting_pods.hpp"
#include "test/util/scheduling_harness.hpp"

namespace multisched::profiles {
namespace {

using harness = testing::scheduling_harness;

// Holds every pod at Permit for 10 minutes.
class hold final : public framework::permit_plugin {
  public:
    std::string_view name() const override { return "Hold"; }
    framework::status permit(framework::cycle_state&, const framework::pod_info&,
                             const std::string&, std::chrono::milliseconds& timeout) override {
        timeout = std::chrono::minutes(10);
        return {framework::code::wait, std::vector<std::string>{}};
    }
};

const framework::registry& with_hold() {
    static const framework::registry r = [] {
        framework::registry reg = plugins::make_in_tree_registry();
        auto ok = reg.add("Hold", [](const YAML::Node&, framework::handle&) {
            return result<std::unique_ptr<framework::plugin>>(std::make_unique<hold>());
        });
        REQUIRE(ok.has_value());
        return reg;
    }();
    return r;
}

constexpr std::string_view kHoldProfile = R"(
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection: {leaderElect: false}
profiles:
- schedulerName: default-scheduler
  plugins:
    permit:
      enabled: [{name: Hold}]
)";

TEST_CASE("permit_flow.wait_allow_reject_delete") {
    enum class verdict {
        allow,
        reject,
        remove
    };
    struct test_case {
        std::string name;
        verdict v;
        bool want_bound;
    };
    const std::vector<test_case> cases = {
        {"allowed: bound", verdict::allow, true},
        {"rejected: not bound, room freed", verdict::reject, false},
        {"deleted while waiting: not bound, room freed", verdict::remove, false},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        harness h(kHoldProfile, with_hold());
        h.node("n1", "1");
        h.pod("held", "", "800m");
        h.run();
        auto fw = h.profiles->find("default-scheduler");
        auto waiting = fw->waiting().find("uid-held");
        REQUIRE(waiting != nullptr);
        CHECK(h.bound().empty());
        CHECK(h.cache.is_assumed("uid-held"));  // its room is taken while it waits

        switch (tc.v) {
            case verdict::allow:
                waiting->allow("Hold");
                break;
            case verdict::reject:
                waiting->reject("Hold", "not now");
                break;
            case verdict::remove:
                h.sched->on_pod_delete(testing::make_pod()
                                           .name("held")
                                           .ns("default")
                                           .uid("uid-held")
                                           .req({{"cpu", "800m"}})
                                           .ptr());
                break;
        }
        h.drain();
        CHECK(fw->waiting().find("uid-held") == nullptr);
        CHECK(h.bound().contains("held") == tc.want_bound);
        CHECK(h.cache.is_assumed("uid-held") == tc.want_bound);
        if (tc.v == verdict::reject) {
            const auto notes = h.event_notes("FailedScheduling");
            REQUIRE(notes.size() == 1);
            CHECK(notes[0] == "not now");
        }
    }
}

}  // namespace
}  // namespace multisched::profiles
