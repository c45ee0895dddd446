// SPDX-License-Identifier: Apache-2.0
// Fuzz target: resource.Quantity strings (api::quantity::parse), as found in requests, limits,
// allocatable and plugin args. A parsed quantity must read back without overflow, and a zero
// as zero.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/api/quantity.hpp"
#include "core/util/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto q = multisched::api::quantity::parse(text);
    if (q) {
        const auto units = q->value();
        const auto milli = q->milli_value();
        MS_CHECK(!q->is_zero() || (units == 0 && milli == 0), "a zero reads as zero");
    }
    return 0;
}
