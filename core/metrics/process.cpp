// SPDX-License-Identifier: Apache-2.0
#include "core/metrics/process.hpp"

#include <charconv>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace multisched::metrics {
namespace {

std::string read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return {};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<double> parse_number(std::string_view s) {
    double v = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (res.ec != std::errc{} || res.ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

// Splits on single spaces; /proc/<pid>/stat after the comm field is space-separated.
std::vector<std::string_view> split_fields(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const std::size_t sp = s.find(' ');
        out.push_back(s.substr(0, sp));
        if (sp == std::string_view::npos) {
            break;
        }
        s.remove_prefix(sp + 1);
    }
    return out;
}

std::optional<double> boot_time(std::string_view system_stat) {
    const std::size_t pos = system_stat.find("\nbtime ");
    if (pos == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view rest = system_stat.substr(pos + 7);
    return parse_number(rest.substr(0, rest.find('\n')));
}

std::optional<double> count_open_fds() {
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) {
        return std::nullopt;
    }
    double n = 0;
    while (const dirent* e = ::readdir(dir)) {
        const std::string_view name = e->d_name;
        if (name != "." && name != "..") {
            n += 1;  // includes the descriptor of this listing, as procfs' Readdirnames does
        }
    }
    ::closedir(dir);
    return n;
}

std::optional<double> soft_limit(int resource) {
    rlimit rl{};
    if (::getrlimit(resource, &rl) != 0) {
        return std::nullopt;
    }
    return static_cast<double>(rl.rlim_cur);  // RLIM_INFINITY prints as 1.8446744073709552e+19
}

}  // namespace

process_stats parse_proc_stat(std::string_view pid_stat, std::string_view system_stat,
                              double page_size, double ticks_per_second) {
    process_stats s;
    const std::size_t close = pid_stat.rfind(')');
    if (close == std::string_view::npos || close + 2 > pid_stat.size()) {
        return s;
    }
    std::string_view rest = pid_stat.substr(close + 2);
    while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' ')) {
        rest.remove_suffix(1);
    }
    // fields[0] is field 3 (state) of proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24.
    const std::vector<std::string_view> f = split_fields(rest);
    if (f.size() < 22) {
        return s;
    }
    const auto utime = parse_number(f[11]);
    const auto stime = parse_number(f[12]);
    if (utime && stime) {
        s.cpu_seconds = (*utime + *stime) / ticks_per_second;
    }
    s.virtual_bytes = parse_number(f[20]);
    if (const auto rss = parse_number(f[21])) {
        s.resident_bytes = *rss * page_size;
    }
    const auto start_ticks = parse_number(f[19]);
    const auto btime = boot_time(system_stat);
    if (start_ticks && btime) {
        s.start_time_seconds = *btime + *start_ticks / ticks_per_second;
    }
    return s;
}

process_stats read_process_stats() {
    const std::string pid_stat = read_file("/proc/self/stat");
    const std::string system_stat = read_file("/proc/stat");
    process_stats s =
        parse_proc_stat(pid_stat, system_stat, static_cast<double>(::sysconf(_SC_PAGESIZE)),
                        static_cast<double>(::sysconf(_SC_CLK_TCK)));
    s.open_fds = count_open_fds();
    s.max_fds = soft_limit(RLIMIT_NOFILE);
    s.max_virtual_bytes = soft_limit(RLIMIT_AS);
    return s;
}

void append_process_values(const process_stats& s, std::vector<collected_value>& out) {
    const auto put = [&out](const std::optional<double>& v, const char* name, const char* help,
                            metric_type type) {
        if (v) {
            collected_value c;
            c.name = name;
            c.help = help;
            c.type = type;
            c.value = *v;
            out.push_back(std::move(c));
        }
    };
    put(s.cpu_seconds, "process_cpu_seconds_total",
        "Total user and system CPU time spent in seconds.", metric_type::counter);
    put(s.open_fds, "process_open_fds", "Number of open file descriptors.", metric_type::gauge);
    put(s.max_fds, "process_max_fds", "Maximum number of open file descriptors.",
        metric_type::gauge);
    put(s.virtual_bytes, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
        metric_type::gauge);
    put(s.max_virtual_bytes, "process_virtual_memory_max_bytes",
        "Maximum amount of virtual memory available in bytes.", metric_type::gauge);
    put(s.resident_bytes, "process_resident_memory_bytes", "Resident memory size in bytes.",
        metric_type::gauge);
    put(s.start_time_seconds, "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.", metric_type::gauge);
}

void register_process_collector(registry& reg) {
    reg.add_collector([](std::vector<collected_value>& out) {
        append_process_values(read_process_stats(), out);
    });
}

}  // namespace multisched::metrics
