// SPDX-License-Identifier: Apache-2.0
#include "plugins/inter_pod_affinity/args.hpp"

#include <fmt/format.h>

#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::inter_pod_affinity {
namespace {

constexpr std::string_view kPlugin = names::kInterPodAffinity;
constexpr const char* kWeight = "hardPodAffinityWeight";
constexpr const char* kIgnore = "ignorePreferredTermsOfExistingPods";

bool is_null(const YAML::Node& n) {
    return !n.IsDefined() || n.IsNull();
}

}  // namespace

result<inter_pod_affinity_args> parse_args(const YAML::Node& args) {
    if (auto ok = helper::check_keys(args, kPlugin, "", {kWeight, kIgnore}); !ok) {
        return ok.error();
    }
    inter_pod_affinity_args out;
    if (is_null(args)) {
        return out;
    }
    if (const YAML::Node w = args[kWeight]; !is_null(w)) {
        auto v = helper::read_scalar<std::int32_t>(w, kPlugin, kWeight);
        if (!v) {
            return v.error();
        }
        out.hard_pod_affinity_weight = *v;
    }
    if (const YAML::Node i = args[kIgnore]; !is_null(i)) {
        auto v = helper::read_scalar<bool>(i, kPlugin, kIgnore);
        if (!v) {
            return v.error();
        }
        out.ignore_preferred_terms_of_existing_pods = *v;
    }
    // upstream ValidateHardPodAffinityWeight.
    if (out.hard_pod_affinity_weight < kMinHardPodAffinityWeight ||
        out.hard_pod_affinity_weight > kMaxHardPodAffinityWeight) {
        return helper::args_error(
            kPlugin, fmt::format("{}: Invalid value: {}: not in valid range [{}, {}]", kWeight,
                                 out.hard_pod_affinity_weight, kMinHardPodAffinityWeight,
                                 kMaxHardPodAffinityWeight));
    }
    return out;
}

YAML::Node encode_args(const inter_pod_affinity_args& args) {
    YAML::Node out = helper::encoded_args_head(kPlugin);
    out[kWeight] = args.hard_pod_affinity_weight;
    out[kIgnore] = args.ignore_preferred_terms_of_existing_pods;  // not omitempty upstream
    return out;
}

result<YAML::Node> default_args(const YAML::Node& args) {
    return helper::encode_parsed(parse_args(args), encode_args);
}

}  // namespace multisched::plugins::inter_pod_affinity
