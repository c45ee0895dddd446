// SPDX-License-Identifier: Apache-2.0
#include "core/framework/instruments.hpp"

#include "core/framework/framework.hpp"

namespace multisched::framework {
namespace {

std::string_view point_name(extension_point p) {
    return kExtensionPointNames[static_cast<std::size_t>(p)];
}

template <class List, class Name>
std::vector<metrics::counter*> evaluation_counters(metrics::scheduler_metrics& m,
                                                   const std::string& profile, const List& list,
                                                   std::string_view point, Name name_of) {
    std::vector<metrics::counter*> out;
    out.reserve(list.size());
    for (const auto& entry : list) {
        out.push_back(&m.plugin_evaluation_total.with({name_of(entry), point, profile}));
    }
    return out;
}

}  // namespace

static_assert(kInstrumentedPoints == kExtensionPointCount);
static_assert(kCodeCount == static_cast<std::size_t>(code::pending) + 1);

framework_instruments::framework_instruments(metrics::scheduler_metrics& m, std::string profile,
                                             const plugin_lists& lists)
    : m_(m), profile_(std::move(profile)) {
    const auto name = [](const auto* p) { return p->name(); };
    pre_filter_ = evaluation_counters(m_, profile_, lists.pre_filter,
                                      point_name(extension_point::pre_filter), name);
    filter_ =
        evaluation_counters(m_, profile_, lists.filter, point_name(extension_point::filter), name);
    pre_score_ = evaluation_counters(m_, profile_, lists.pre_score,
                                     point_name(extension_point::pre_score), name);
    score_ = evaluation_counters(m_, profile_, lists.score, point_name(extension_point::score),
                                 [](const weighted_score_plugin& w) { return w.plugin->name(); });
}

void framework_instruments::point(extension_point p, code result, double seconds) {
    auto*& h = points_[static_cast<std::size_t>(p)][static_cast<std::size_t>(result)];
    if (h == nullptr) {
        h = &m_.extension_point_duration.with({point_name(p), code_name(result), profile_});
    }
    h->observe(seconds);
}

void framework_instruments::plugin_call(extension_point p, const plugin& pl, code result,
                                        double seconds) {
    const std::size_t slot =
        static_cast<std::size_t>(p) * kCodeCount + static_cast<std::size_t>(result);
    auto [it, fresh] = plugin_calls_.try_emplace({&pl, slot}, nullptr);
    if (fresh) {
        it->second =
            &m_.plugin_execution_duration.with({pl.name(), point_name(p), code_name(result)});
    }
    it->second->observe(seconds);
}

}  // namespace multisched::framework
