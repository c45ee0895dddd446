// SPDX-License-Identifier: Apache-2.0
#include "core/framework/cycle_state.hpp"

#include <catch2/catch.hpp>

namespace multisched::framework {
namespace {

struct counter final : cycle_state::cloneable<counter> {
    explicit counter(int v) : value(v) {}
    int value;
};

TEST_CASE("cycle_state.read_write_and_deep_clone") {
    cycle_state s;
    CHECK(s.read<counter>("k") == nullptr);
    s.write("k", std::make_unique<counter>(1));
    s.skip_filter_plugins.push_back("A");
    s.skip_score_plugins.push_back("B");
    REQUIRE(s.read<counter>("k") != nullptr);

    cycle_state copy = s.clone();
    REQUIRE(copy.read<counter>("k") != nullptr);
    CHECK(copy.read<counter>("k") != s.read<counter>("k"));  // a new object, not shared
    copy.read<counter>("k")->value = 7;
    CHECK(s.read<counter>("k")->value == 1);
    CHECK(copy.skip_filter_plugins == std::vector<std::string>{"A"});
    CHECK(copy.skip_score_plugins == std::vector<std::string>{"B"});

    s.write("k", std::make_unique<counter>(2));  // replaces
    CHECK(s.read<counter>("k")->value == 2);
    CHECK(copy.read<counter>("k")->value == 7);
}

}  // namespace
}  // namespace multisched::framework
