// SPDX-License-Identifier: Apache-2.0
// Process metrics as client_golang's process collector exposes them on Linux (names, help text,
// units), read from /proc/self at exposition time: process_cpu_seconds_total,
// process_open_fds, process_max_fds, process_virtual_memory_bytes,
// process_virtual_memory_max_bytes, process_resident_memory_bytes, process_start_time_seconds.
// Like client_golang (ReportErrors off), a value that cannot be read is left out, not reported.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/metrics/registry.hpp"

namespace multisched::metrics {

// The raw figures behind the metrics; fields that could not be read are empty.
struct process_stats {
    std::optional<double> cpu_seconds;         // (utime + stime) / USER_HZ
    std::optional<double> virtual_bytes;       // vsize
    std::optional<double> resident_bytes;      // rss pages × page size
    std::optional<double> start_time_seconds;  // btime + starttime / USER_HZ
    std::optional<double> open_fds;            // entries of /proc/self/fd
    std::optional<double> max_fds;             // RLIMIT_NOFILE soft limit
    std::optional<double> max_virtual_bytes;   // RLIMIT_AS soft limit
};

// Parses the text of /proc/<pid>/stat (the comm field may hold spaces and parentheses) and the
// btime line of /proc/stat into cpu, memory and start time; `page_size` and `ticks_per_second`
// as the kernel reports them.
process_stats parse_proc_stat(std::string_view pid_stat, std::string_view system_stat,
                              double page_size, double ticks_per_second);

// Reads this process's figures now.
process_stats read_process_stats();

// The collected values, in client_golang's names and help text.
void append_process_values(const process_stats& s, std::vector<collected_value>& out);

// Registers a collector that reads /proc/self on every expose().
void register_process_collector(registry& reg);

}  // namespace multisched::metrics
