// SPDX-License-Identifier: Apache-2.0
#include "plugins/volume_binding/args.hpp"

#include <fmt/format.h>

#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::volume_binding {
namespace {

constexpr std::string_view kPlugin = names::kVolumeBinding;
constexpr const char* kBindTimeout = "bindTimeoutSeconds";
constexpr const char* kShape = "shape";

bool is_null(const YAML::Node& n) {
    return !n.IsDefined() || n.IsNull();
}

}  // namespace

result<volume_binding_args> parse_args(const YAML::Node& args) {
    if (auto ok = helper::check_keys(args, kPlugin, "", {kBindTimeout, kShape}); !ok) {
        return ok.error();
    }
    volume_binding_args out;
    if (is_null(args)) {
        return out;
    }
    if (const YAML::Node t = args[kBindTimeout]; !is_null(t)) {
        auto v = helper::read_scalar<std::int64_t>(t, kPlugin, kBindTimeout);
        if (!v) {
            return v.error();
        }
        out.bind_timeout_seconds = *v;
    }
    // upstream ValidateVolumeBindingArgsWithOptions.
    if (out.bind_timeout_seconds < 0) {
        return helper::args_error(
            kPlugin, fmt::format("{}: Invalid value: {}: invalid BindTimeoutSeconds, should not be "
                                 "a negative value",
                                 kBindTimeout, out.bind_timeout_seconds));
    }
    // Scoring by storage capacity is not supported: a shape, even an empty one, is rejected like
    // upstream does while its feature gate is off.
    if (!is_null(args[kShape])) {
        return helper::args_error(kPlugin,
                                  fmt::format("{}: Invalid value: unexpected field `shape`, remove "
                                              "it or turn on the feature gate "
                                              "VolumeCapacityPriority",
                                              kShape));
    }
    return out;
}

YAML::Node encode_args(const volume_binding_args& args) {
    YAML::Node out = helper::encoded_args_head(kPlugin);
    out[kBindTimeout] = args.bind_timeout_seconds;
    return out;
}

result<YAML::Node> default_args(const YAML::Node& args) {
    return helper::encode_parsed(parse_args(args), encode_args);
}

}  // namespace multisched::plugins::volume_binding
