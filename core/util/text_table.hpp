// SPDX-License-Identifier: Apache-2.0
// Plain-text tables for command output (kubectl's style): columns padded to their widest cell,
// two spaces apart, no trailing padding.
#pragma once

#include <string>
#include <vector>

namespace multisched::util {

// One line per row, each ending in "\n". Rows may have different lengths.
std::string aligned_columns(const std::vector<std::vector<std::string>>& rows,
                            const std::string& indent = "");

}  // namespace multisched::util
