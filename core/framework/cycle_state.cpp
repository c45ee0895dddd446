// SPDX-License-Identifier: Apache-2.0
#include "core/framework/cycle_state.hpp"

namespace multisched::framework {

void cycle_state::write(std::string_view key, std::unique_ptr<data> value) {
    for (auto& [k, v] : entries_) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    entries_.emplace_back(std::string(key), std::move(value));
}

cycle_state cycle_state::clone() const {
    cycle_state out;
    out.skip_filter_plugins = skip_filter_plugins;
    out.skip_score_plugins = skip_score_plugins;
    out.entries_.reserve(entries_.size());
    for (const auto& [k, v] : entries_) {
        out.entries_.emplace_back(k, v ? v->clone() : nullptr);
    }
    return out;
}

}  // namespace multisched::framework
