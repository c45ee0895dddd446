// SPDX-License-Identifier: Apache-2.0
#include "core/cache/pod_group_index.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::cache {

using testing::make_pod;

TEST_CASE("pod_group_index.members_follow_the_label") {
    pod_group_index idx;
    const auto a =
        make_pod().name("a").ns("ml").uid("a").label(std::string(api::kPodGroupLabel), "g").ptr();
    const auto b =
        make_pod().name("b").ns("ml").uid("b").label(std::string(api::kPodGroupLabel), "g").ptr();
    const auto loner = make_pod().name("c").ns("ml").uid("c").ptr();
    const auto other_ns =
        make_pod().name("d").ns("x").uid("d").label(std::string(api::kPodGroupLabel), "g").ptr();
    for (const auto& p : {a, b, loner, other_ns}) {
        idx.upsert(p);
    }
    REQUIRE(idx.find("ml/g") != nullptr);
    CHECK(idx.find("ml/g")->size() == 2);
    CHECK(idx.find("x/g")->size() == 1);  // groups are namespaced
    CHECK(idx.group_count() == 2);
    CHECK(pod_group_key(*loner).empty());
    CHECK(pod_group_key(*a) == "ml/g");

    // The newest version replaces the old one; a relabelled pod moves; an unlabelled one leaves.
    const auto a_bound = make_pod()
                             .name("a")
                             .ns("ml")
                             .uid("a")
                             .label(std::string(api::kPodGroupLabel), "g")
                             .node("n1")
                             .ptr();
    idx.upsert(a_bound);
    CHECK(idx.find("ml/g")->at("a")->node_name == "n1");
    const auto b_moved =
        make_pod().name("b").ns("ml").uid("b").label(std::string(api::kPodGroupLabel), "h").ptr();
    idx.upsert(b_moved);
    CHECK(idx.find("ml/g")->size() == 1);
    CHECK(idx.find("ml/h")->size() == 1);
    idx.upsert(make_pod().name("b").ns("ml").uid("b").ptr());
    CHECK(idx.find("ml/h") == nullptr);  // empty groups are dropped
    idx.erase("a");
    idx.erase("never-seen");
    CHECK(idx.find("ml/g") == nullptr);
    CHECK(idx.group_count() == 1);
}

}  // namespace multisched::cache
