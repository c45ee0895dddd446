// SPDX-License-Identifier: Apache-2.0
// CoschedulingArgs (kubernetes-sigs/scheduler-plugins apis/config, v1): decoded strictly from
// pluginConfig YAML and checked like upstream ValidateCoschedulingArgs: no negative value,
// podGroupRejectPercentage within [0, 100].
#pragma once

#include <cstdint>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "core/util/result.hpp"

namespace multisched::plugins::coscheduling {

// The plugin's configuration name (scheduler-plugins' coscheduling.Name).
inline constexpr std::string_view kName = "Coscheduling";

inline constexpr std::int64_t kDefaultPermitWaitingTimeSeconds = 60;
// Upstream's default is 0 (no backoff); multisched backs a failed group off for 10 s so that the
// other groups get the room first.
inline constexpr std::int64_t kDefaultPodGroupBackoffSeconds = 10;
inline constexpr std::int32_t kDefaultPodGroupRejectPercentage = 10;

struct coscheduling_args {
    // How long placed members wait at Permit for the rest of their group when the PodGroup has
    // no scheduleTimeoutSeconds.
    std::int64_t permit_waiting_time_seconds = kDefaultPermitWaitingTimeSeconds;
    // After a group timed out or a member failed, its members are rejected at PreFilter for this
    // long (0: retried at once).
    std::int64_t pod_group_backoff_seconds = kDefaultPodGroupBackoffSeconds;
    // Accepted and validated for upstream compatibility; unused: multisched has no Coscheduling
    // PostFilter, a group is admitted or rejected as a whole at PreFilter.
    std::int32_t pod_group_reject_percentage = kDefaultPodGroupRejectPercentage;
    friend bool operator==(const coscheduling_args&, const coscheduling_args&) = default;
};

// Decodes `args` (Null = defaults). Unknown keys, non-integers and out-of-range values are errors
// naming the field, e.g. "Coscheduling args: permitWaitingTimeSeconds: Invalid value: -1: must be
// greater than or equal to 0".
result<coscheduling_args> parse_args(const YAML::Node& args);

// The args as scheduler-plugins serialises CoschedulingArgs (apiVersion
// kubescheduler.config.k8s.io/v1, kind CoschedulingArgs, every field): what --write-config-to and
// /configz show. parse_args(encode_args(a)) == a for valid args.
YAML::Node encode_args(const coscheduling_args& args);
// SetDefaults_CoschedulingArgs on YAML: encode_args(parse_args(args)); parse_args's errors.
result<YAML::Node> default_args(const YAML::Node& args);

}  // namespace multisched::plugins::coscheduling
