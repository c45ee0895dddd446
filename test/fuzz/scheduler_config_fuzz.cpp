// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a KubeSchedulerConfiguration file's text (config::decode_config, then validate
// when it decodes), the path of --config and of every hot reload.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto cfg = multisched::config::decode_config(text, "fuzz.yaml");
    if (cfg) {
        (void)multisched::config::validate(*cfg);
    }
    return 0;
}
