// SPDX-License-Identifier: Apache-2.0
#include "plugins/default_preemption/args.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::default_preemption {
namespace {

constexpr std::string_view kPlugin = names::kDefaultPreemption;
constexpr const char* kPercentage = "minCandidateNodesPercentage";
constexpr const char* kAbsolute = "minCandidateNodesAbsolute";

bool is_null(const YAML::Node& n) {
    return !n.IsDefined() || n.IsNull();
}

// field.Invalid(path, value, detail).Error().
std::string invalid(std::string_view field, std::int32_t value, std::string_view detail) {
    return fmt::format("{}: Invalid value: {}: {}", field, value, detail);
}

}  // namespace

std::string aggregate_errors(const std::vector<std::string>& errs) {
    std::vector<std::string> unique;
    for (const auto& e : errs) {
        if (std::find(unique.begin(), unique.end(), e) == unique.end()) {
            unique.push_back(e);
        }
    }
    if (unique.size() <= 1) {
        return unique.empty() ? std::string() : unique.front();
    }
    std::string out = "[";
    for (std::size_t i = 0; i < unique.size(); ++i) {
        out += (i == 0 ? "" : ", ") + unique[i];
    }
    return out + "]";
}

std::vector<std::string> validate_args(const default_preemption_args& args) {
    std::vector<std::string> errs;
    const std::int32_t pct = args.min_candidate_nodes_percentage;
    const std::int32_t abs = args.min_candidate_nodes_absolute;
    if (pct < 0 || pct > 100) {
        errs.push_back(invalid(kPercentage, pct, "not in valid range [0, 100]"));
    }
    if (abs < 0) {
        errs.push_back(invalid(kAbsolute, abs, "not in valid range [0, inf)"));
    }
    if (pct == 0 && abs == 0) {
        errs.push_back(invalid(kPercentage, pct,
                               "cannot be zero at the same time as minCandidateNodesAbsolute"));
        errs.push_back(invalid(kAbsolute, abs,
                               "cannot be zero at the same time as minCandidateNodesPercentage"));
    }
    return errs;
}

result<default_preemption_args> parse_args(const YAML::Node& args) {
    if (auto ok = helper::check_keys(args, kPlugin, "", {kPercentage, kAbsolute}); !ok) {
        return ok.error();
    }
    default_preemption_args out;
    if (!is_null(args)) {
        for (const auto& [field, dst] :
             {std::pair{kPercentage, &out.min_candidate_nodes_percentage},
              std::pair{kAbsolute, &out.min_candidate_nodes_absolute}}) {
            if (const YAML::Node v = args[field]; !is_null(v)) {
                auto n = helper::read_scalar<std::int32_t>(v, kPlugin, field);
                if (!n) {
                    return n.error();
                }
                *dst = *n;
            }
        }
    }
    if (const auto errs = validate_args(out); !errs.empty()) {
        return helper::args_error(kPlugin, aggregate_errors(errs));
    }
    return out;
}

YAML::Node encode_args(const default_preemption_args& args) {
    YAML::Node out = helper::encoded_args_head(kPlugin);
    out[kPercentage] = args.min_candidate_nodes_percentage;
    out[kAbsolute] = args.min_candidate_nodes_absolute;
    return out;
}

result<YAML::Node> default_args(const YAML::Node& args) {
    return helper::encode_parsed(parse_args(args), encode_args);
}

}  // namespace multisched::plugins::default_preemption
