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

}  // namespace multisched::framework
