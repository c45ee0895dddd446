// SPDX-License-Identifier: Apache-2.0
#include "plugins/coscheduling/args.hpp"

#include <fmt/format.h>

#include "plugins/helper/args.hpp"

namespace multisched::plugins::coscheduling {
namespace {

constexpr std::string_view kPlugin = kName;
constexpr const char* kPermitWaiting = "permitWaitingTimeSeconds";
constexpr const char* kBackoff = "podGroupBackoffSeconds";
constexpr const char* kRejectPercentage = "podGroupRejectPercentage";

bool is_null(const YAML::Node& n) {
    return !n.IsDefined() || n.IsNull();
}

// Reads args[field] into `out` when present and not null.
template <class T>
result<void> read_field(const YAML::Node& args, const char* field, T& out) {
    const YAML::Node n = args[field];
    if (is_null(n)) {
        return {};
    }
    auto v = helper::read_scalar<T>(n, kPlugin, field);
    if (!v) {
        return v.error();
    }
    out = *v;
    return {};
}

error invalid(const char* field, std::int64_t value, std::string_view detail) {
    return helper::args_error(kPlugin,
                              fmt::format("{}: Invalid value: {}: {}", field, value, detail));
}

}  // namespace

result<coscheduling_args> parse_args(const YAML::Node& args) {
    if (auto ok =
            helper::check_keys(args, kPlugin, "", {kPermitWaiting, kBackoff, kRejectPercentage});
        !ok) {
        return ok.error();
    }
    coscheduling_args out;
    if (is_null(args)) {
        return out;
    }
    for (auto ok : {read_field(args, kPermitWaiting, out.permit_waiting_time_seconds),
                    read_field(args, kBackoff, out.pod_group_backoff_seconds),
                    read_field(args, kRejectPercentage, out.pod_group_reject_percentage)}) {
        if (!ok) {
            return ok.error();
        }
    }
    // upstream ValidateCoschedulingArgs (its message says "greater than 0" but accepts 0).
    constexpr std::string_view kNotNegative = "must be greater than or equal to 0";
    if (out.permit_waiting_time_seconds < 0) {
        return invalid(kPermitWaiting, out.permit_waiting_time_seconds, kNotNegative);
    }
    if (out.pod_group_backoff_seconds < 0) {
        return invalid(kBackoff, out.pod_group_backoff_seconds, kNotNegative);
    }
    if (out.pod_group_reject_percentage < 0 || out.pod_group_reject_percentage > 100) {
        return invalid(kRejectPercentage, out.pod_group_reject_percentage,
                       "must be between 0 and 100");
    }
    return out;
}

YAML::Node encode_args(const coscheduling_args& args) {
    YAML::Node out = helper::encoded_args_head(kPlugin);
    out[kPermitWaiting] = args.permit_waiting_time_seconds;
    out[kBackoff] = args.pod_group_backoff_seconds;
    out[kRejectPercentage] = args.pod_group_reject_percentage;
    return out;
}

result<YAML::Node> default_args(const YAML::Node& args) {
    return helper::encode_parsed(parse_args(args), encode_args);
}

}  // namespace multisched::plugins::coscheduling
