// SPDX-License-Identifier: Apache-2.0
// klog-compatible logging on spdlog: `I1122 19:57:22.123456    1 file.cpp:123] msg`.
// MS_LOG_V(n, ...) logs only when the verbosity given by -v is at least n, as klog.V(n).
// MS_LOG_FATAL logs and exits with status 1 (klog.Fatal).
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

namespace multisched::log {

enum class format {
    text,
    json
};

// Configures the process-wide logger. Called once at start-up, before any coroutine runs.
void init(int verbosity, format fmt = format::text);
// The -v level in force.
int verbosity();
// Changes it at run time (PUT /debug/flags/v), as klog's verbosity flag.
void set_verbosity(int v);
// Flushes and exits with `code` (used by MS_LOG_FATAL and on lost leadership).
[[noreturn]] void flush_and_exit(int code);

}  // namespace multisched::log

#define MS_LOG_AT(level, ...) SPDLOG_LOGGER_CALL(spdlog::default_logger_raw(), level, __VA_ARGS__)
#define MS_LOG_INFO(...) MS_LOG_AT(spdlog::level::info, __VA_ARGS__)
#define MS_LOG_WARN(...) MS_LOG_AT(spdlog::level::warn, __VA_ARGS__)
#define MS_LOG_ERROR(...) MS_LOG_AT(spdlog::level::err, __VA_ARGS__)
#define MS_LOG_V(n, ...)                                 \
    do {                                                 \
        if (::multisched::log::verbosity() >= (n)) {     \
            MS_LOG_AT(spdlog::level::info, __VA_ARGS__); \
        }                                                \
    } while (false)
#define MS_LOG_FATAL(...)                                \
    do {                                                 \
        MS_LOG_AT(spdlog::level::critical, __VA_ARGS__); \
        ::multisched::log::flush_and_exit(1);            \
    } while (false)
