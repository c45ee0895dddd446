// SPDX-License-Identifier: Apache-2.0
// Health endpoints as apiserver's healthz package serves them (/healthz, /livez, /readyz): the
// root path runs every check ("ok", or with ?verbose one "[+]name ok" line each and "<endpoint>
// check passed"; on failure 500 with "[-]name failed: reason withheld" lines and "<endpoint>
// check failed"), ?exclude=<name> skips checks, and /<endpoint>/<name> runs one check ("ok" or
// 500 "internal server error: <reason>"). An endpoint installed without checks gets `ping`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/server/mux.hpp"

namespace multisched::server {

// A named check. `check` is called on the io_context's thread for every probe; it returns
// std::nullopt when healthy, else the reason (logged, and shown only on /<endpoint>/<name>).
struct health_check {
    std::string name;
    std::function<std::optional<std::string>()> check;
};

// The check that always passes.
health_check ping_check();

// Registers `path` (e.g. "/readyz") and `path`/<name> for each check on `m`. Call once per path.
void install_health_checks(mux& m, const std::string& path, std::vector<health_check> checks);

}  // namespace multisched::server
