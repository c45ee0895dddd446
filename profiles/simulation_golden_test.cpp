// SPDX-License-Identifier: Apache-2.0
// Golden outputs of `multisched simulate` for the shipped sample snapshots with the sample
// configurations they are written for (test/golden/simulate-*.txt). A change of placements or
// messages shows here first; after checking it is intended, regenerate with
//   MULTISCHED_UPDATE_GOLDEN=1 build/multisched_profiles_test "simulation.golden*"
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "profiles/simulate_command.hpp"

namespace multisched::profiles {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(__FILE__).parent_path().parent_path();

struct golden_case {
    std::string name;
    std::string config;    // under manifests/samples
    std::string snapshot;  // under manifests/samples/snapshots
    std::string output;    // table or json
    std::string explain;   // --explain, "" for none
};

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST_CASE("simulation.golden_outputs_of_the_shipped_snapshots") {
    const std::vector<golden_case> cases{
        {"small", "two-profiles.yaml", "small.yaml", "table", ""},
        {"small-json", "two-profiles.yaml", "small.yaml", "json", ""},
        {"mixed", "two-profiles.yaml", "mixed.yaml", "table", ""},
        {"gang", "gang-profiles.yaml", "gang.yaml", "table", ""},
        {"small-explain", "two-profiles.yaml", "small.yaml", "table", "shop/search-0"},
        {"gang-explain", "gang-profiles.yaml", "gang.yaml", "json", "ml/train-large-worker-0"},
    };
    const bool update = std::getenv("MULTISCHED_UPDATE_GOLDEN") != nullptr;
    for (const auto& tc : cases) {
        INFO(tc.name);
        auto out = simulate_files((kRoot / "manifests/samples" / tc.config).string(),
                                  (kRoot / "manifests/samples/snapshots" / tc.snapshot).string(),
                                  tc.output, 1, tc.explain);
        REQUIRE(out.has_value());
        const fs::path golden = kRoot / "test/golden" /
                                ("simulate-" + tc.name + (tc.output == "json" ? ".json" : ".txt"));
        if (update) {
            std::ofstream(golden) << *out;
        }
        REQUIRE(fs::exists(golden));
        CHECK(*out == read(golden));
    }
}

}  // namespace
}  // namespace multisched::profiles
