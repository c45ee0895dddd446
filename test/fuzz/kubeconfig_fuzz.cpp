// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a kubeconfig's text (client::parse_kubeconfig), as --kubeconfig or
// clientConnection.kubeconfig names it. Relative file references resolve against a directory
// that does not exist, so they read nothing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/client/rest_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)multisched::client::parse_kubeconfig(text, "/nonexistent-fuzz-dir/kubeconfig");
    return 0;
}
