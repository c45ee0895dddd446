// SPDX-License-Identifier: Apache-2.0
// Always-on invariant checks. A failed check is a programming error: it logs and aborts.
// Never use them on apiserver data or configuration: those are validated and reported.
#pragma once

#include <string_view>

namespace multisched {

// `file`, `line`, `function`: where the check is (__FILE__ etc.: clang 14 with libstdc++ 12 has
// no std::source_location).
[[noreturn]] void check_failed(std::string_view condition, std::string_view message,
                               const char* file, int line, const char* function);

}  // namespace multisched

#define MS_CHECK(cond, msg)                                                         \
    do {                                                                            \
        if (!(cond)) [[unlikely]] {                                                 \
            ::multisched::check_failed(#cond, (msg), __FILE__, __LINE__, __func__); \
        }                                                                           \
    } while (false)
