// SPDX-License-Identifier: Apache-2.0
#include "core/framework/status.hpp"

namespace multisched::framework {

std::string status::message() const {
    std::string out;
    for (const auto& r : reasons_) {
        if (!out.empty()) {
            out += ", ";
        }
        out += r;
    }
    return out;
}

}  // namespace multisched::framework
