// SPDX-License-Identifier: Apache-2.0
// Test-only check of a plugin's EnqueueExtensions (header-only, needs Catch2: include it from
// *_test.cpp files only): which cluster events move the pods it rejected.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/framework/plugin.hpp"

namespace multisched::plugins::helper {

// One event and whether the plugin's registrations match it.
struct event_case {
    std::string name;
    framework::cluster_event event;
    bool want;
};

inline void check_registered_events(const framework::enqueue_extensions& plugin,
                                    const std::vector<event_case>& cases) {
    const auto events = plugin.events_to_register();
    for (const auto& c : cases) {
        INFO(c.name);
        const bool registered = std::any_of(events.begin(), events.end(),
                                            [&](const auto& r) { return r.matches(c.event); });
        CHECK(registered == c.want);
    }
}

}  // namespace multisched::plugins::helper
