// SPDX-License-Identifier: Apache-2.0
// Always-on invariant checks. A failed check is a programming error: it logs and aborts.
// Never use them on apiserver data or configuration: those are validated and reported.
#pragma once

#include <source_location>
#include <string_view>

namespace multisched {

[[noreturn]] void check_failed(std::string_view condition, std::string_view message,
                               std::source_location where);

}  // namespace multisched

#define MS_CHECK(cond, msg)                                                            \
    do {                                                                               \
        if (!(cond)) [[unlikely]] {                                                    \
            ::multisched::check_failed(#cond, (msg), std::source_location::current()); \
        }                                                                              \
    } while (false)
