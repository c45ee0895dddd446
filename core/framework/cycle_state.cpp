// SPDX-License-Identifier: Apache-2.0
#include "core/framework/cycle_state.hpp"

namespace multisched::framework {

void cycle_state::write(std::string_view key, std::unique_ptr<data> value) {
    if (const std::size_t i = find(key); i < entries_.size()) {
        entries_[i].value = std::move(value);
        return;
    }
    entries_.push_back({std::string(key), key.data(), std::move(value)});
}

cycle_state cycle_state::clone() const {
    cycle_state out;
    out.skip_filter_plugins = skip_filter_plugins;
    out.skip_score_plugins = skip_score_plugins;
    out.skip_filter_mask = skip_filter_mask;
    out.record_plugin_metrics = record_plugin_metrics;
    out.what_if = what_if;
    out.entries_.reserve(entries_.size());
    for (const auto& e : entries_) {
        out.entries_.push_back({e.key, e.key_origin, e.value ? e.value->clone() : nullptr});
    }
    return out;
}

}  // namespace multisched::framework
