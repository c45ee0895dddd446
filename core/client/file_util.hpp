// SPDX-License-Identifier: Apache-2.0
// Small file helpers shared by the kubeconfig loader and the token reloader.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace multisched::client {

// The whole contents of `path`. The error message reads "cannot read <path>: <strerror>" and the
// code is the errno as a generic error_code.
result<std::string> read_whole_file(const std::string& path);

// The bearer token of a client: `token`, replaced by the contents of `file` (when set) every
// `reload`. A failed re-read keeps the last good token and logs a warning.
class token_source {
  public:
    token_source(std::string token, std::string file, std::chrono::seconds reload);
    // The token to send now (may be empty: no Authorization header).
    const std::string& current(std::chrono::steady_clock::time_point now);

  private:
    std::string token_;
    std::string file_;
    std::chrono::seconds reload_;
    std::chrono::steady_clock::time_point read_at_;
};

// A bearer token as read from a file: surrounding whitespace and newlines removed.
std::string trim_token(std::string_view text);

}  // namespace multisched::client
