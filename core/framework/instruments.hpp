// SPDX-License-Identifier: Apache-2.0
// The metric children one profile's framework records into, looked up once when metrics are
// switched on so the hot paths only add and observe:
//   scheduler_framework_extension_point_duration_seconds{extension_point,status,profile}
//   scheduler_plugin_execution_duration_seconds{plugin,extension_point,status} (sampled cycles)
//   scheduler_plugin_evaluation_total{plugin,extension_point,profile} (PreFilter, Filter,
//   PreScore and Score plugins that ran, as upstream's instrumented plugins count them).
// Single-threaded like the registry it points into.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/framework/status.hpp"
#include "core/metrics/scheduler_metrics.hpp"

namespace multisched::framework {

class plugin;
struct plugin_lists;
enum class extension_point;

// kExtensionPointCount in framework.hpp; checked there.
inline constexpr std::size_t kInstrumentedPoints = 14;
inline constexpr std::size_t kCodeCount = 7;

class framework_instruments {
  public:
    framework_instruments(metrics::scheduler_metrics& m, std::string profile,
                          const plugin_lists& lists);

    // One run of a whole extension point that took `seconds` and ended with `result`.
    void point(extension_point p, code result, double seconds);
    // One plugin call (only in cycles sampled for plugin metrics).
    void plugin_call(extension_point p, const plugin& pl, code result, double seconds);

    // Evaluation counters, by position in the framework's per-point plugin lists.
    metrics::counter& pre_filter_evaluated(std::size_t i) { return *pre_filter_[i]; }
    metrics::counter& filter_evaluated(std::size_t i) { return *filter_[i]; }
    metrics::counter& pre_score_evaluated(std::size_t i) { return *pre_score_[i]; }
    metrics::counter& score_evaluated(std::size_t i) { return *score_[i]; }

  private:
    metrics::scheduler_metrics& m_;
    std::string profile_;
    std::array<std::array<metrics::histogram*, kCodeCount>, kInstrumentedPoints> points_{};
    std::map<std::pair<const plugin*, std::size_t>, metrics::histogram*> plugin_calls_;
    std::vector<metrics::counter*> pre_filter_;
    std::vector<metrics::counter*> filter_;
    std::vector<metrics::counter*> pre_score_;
    std::vector<metrics::counter*> score_;
};

}  // namespace multisched::framework
