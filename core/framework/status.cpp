// SPDX-License-Identifier: Apache-2.0
#include "core/framework/status.hpp"

namespace multisched::framework {

std::string_view code_name(code c) {
    switch (c) {
        case code::success:
            return "Success";
        case code::error:
            return "Error";
        case code::unschedulable:
            return "Unschedulable";
        case code::unschedulable_and_unresolvable:
            return "UnschedulableAndUnresolvable";
        case code::wait:
            return "Wait";
        case code::skip:
            return "Skip";
        case code::pending:
            return "Pending";
    }
    return "Unknown";
}

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
