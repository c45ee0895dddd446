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

std::string_view status::reason(std::size_t i) const {
    if (has_constant()) {
        return i == 0 ? constant_ : std::string_view(reasons_.at(i - 1));
    }
    return reasons_.at(i);
}

std::vector<std::string> status::reasons() const {
    std::vector<std::string> out;
    out.reserve(reason_count());
    for (std::size_t i = 0; i < reason_count(); ++i) {
        out.emplace_back(reason(i));
    }
    return out;
}

std::string status::message() const {
    std::string out;
    for (std::size_t i = 0; i < reason_count(); ++i) {
        if (i > 0) {
            out += ", ";
        }
        out += reason(i);
    }
    return out;
}

}  // namespace multisched::framework
