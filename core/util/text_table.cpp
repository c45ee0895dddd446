// SPDX-License-Identifier: Apache-2.0
#include "core/util/text_table.hpp"

#include <algorithm>

namespace multisched::util {

std::string aligned_columns(const std::vector<std::vector<std::string>>& rows,
                            const std::string& indent) {
    std::vector<std::size_t> width;
    for (const auto& row : rows) {
        width.resize(std::max(width.size(), row.size()), 0);
        for (std::size_t i = 0; i < row.size(); ++i) {
            width[i] = std::max(width[i], row[i].size());
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line = indent;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(width[i] - row[i].size() + 2, ' ');
            }
        }
        out += line + "\n";
    }
    return out;
}

}  // namespace multisched::util
