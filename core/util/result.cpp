// SPDX-License-Identifier: Apache-2.0
#include "core/util/result.hpp"

#include <stdexcept>

namespace multisched {

void throw_exception_from_error(const error& e, const boost::source_location&) {
    throw std::runtime_error(e.message);
}

}  // namespace multisched
