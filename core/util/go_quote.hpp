// SPDX-License-Identifier: Apache-2.0
// Go's strconv.Quote (fmt's %q) for byte strings that may come from anyone: printable ASCII as
// is, the usual backslash escapes, valid UTF-8 sequences kept, every other byte as \xNN. Never
// fails, whatever the bytes (unlike fmt's "{:?}", which asserts on some invalid UTF-8).
#pragma once

#include <string>
#include <string_view>

namespace multisched {

std::string go_quote(std::string_view s);

}  // namespace multisched
