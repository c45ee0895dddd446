// SPDX-License-Identifier: Apache-2.0
#include "core/framework/nominator.hpp"

#include <catch2/catch.hpp>

#include "test/util/builders.hpp"

namespace multisched::framework {
namespace {

using multisched::testing::make_pod;

std::vector<std::string> uids(std::span<const std::shared_ptr<const pod_info>> pods) {
    std::vector<std::string> out;
    for (const auto& p : pods) {
        out.push_back(p->pod->meta.uid);
    }
    return out;
}

TEST_CASE("nominator.add_move_remove") {
    struct step {
        std::string op;  // add / remove
        std::string uid;
        std::string node;
        std::vector<std::string> want_n1;
        std::vector<std::string> want_n2;
    };
    const std::vector<step> steps = {
        {"add", "a", "n1", {"a"}, {}},    {"add", "b", "n1", {"a", "b"}, {}},
        {"add", "a", "n2", {"b"}, {"a"}},  // re-nominated elsewhere
        {"add", "b", "", {}, {"a"}},       // empty node clears
        {"remove", "a", "", {}, {}},      {"remove", "unknown", "", {}, {}},
    };
    nominator n;
    for (const auto& s : steps) {
        INFO(s.op << " " << s.uid << " " << s.node);
        if (s.op == "add") {
            n.add(make_pod().name(s.uid).uid(s.uid).info(), s.node);
        } else {
            n.remove(s.uid);
        }
        CHECK(uids(n.pods_on("n1")) == s.want_n1);
        CHECK(uids(n.pods_on("n2")) == s.want_n2);
    }
    CHECK(n.empty());
    n.add(make_pod().name("c").uid("c").info(), "n3");
    CHECK(n.node_of("c") == "n3");
    CHECK(n.node_of("a").empty());
}

}  // namespace
}  // namespace multisched::framework
