// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a LIST response read item by item (json::read_list) as the reflector reads one,
// each item decoded as a pod. Any input must give items and metadata or an error, never a crash,
// a leak or undefined behaviour; an invalid text must give no item.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/api/decode.hpp"
#include "core/json/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t items = 0;
    auto list = multisched::json::read_list(text, [&](multisched::json::value item) {
        ++items;
        (void)multisched::api::decode_pod(item);
    });
    if (!list && items != 0) {
        std::abort();  // read_list's contract: the whole text is checked before any item
    }
    return 0;
}
