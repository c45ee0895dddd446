// SPDX-License-Identifier: Apache-2.0
#include "core/metrics/process.hpp"

#include <string>

#include <catch2/catch.hpp>

namespace multisched::metrics {
namespace {

TEST_CASE("metrics.process_parse_stat") {
    // proc(5) layout; the comm field holds a space and a ')' to check we split after the last.
    const std::string stat =
        "1234 (a b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 5000 "
        "104857600 2560 18446744073709551615\n";
    const std::string system = "cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n";
    const process_stats s = parse_proc_stat(stat, system, 4096, 100);
    REQUIRE(s.cpu_seconds.has_value());
    CHECK(*s.cpu_seconds == 4.0);  // (250 + 150) / 100
    REQUIRE(s.start_time_seconds.has_value());
    CHECK(*s.start_time_seconds == 1700000050.0);
    REQUIRE(s.virtual_bytes.has_value());
    CHECK(*s.virtual_bytes == 104857600.0);
    REQUIRE(s.resident_bytes.has_value());
    CHECK(*s.resident_bytes == 2560.0 * 4096);

    // No btime: start time left out, the rest still read.
    const process_stats no_boot = parse_proc_stat(stat, "cpu 1\n", 4096, 100);
    CHECK_FALSE(no_boot.start_time_seconds.has_value());
    CHECK(no_boot.cpu_seconds.has_value());

    const process_stats truncated = parse_proc_stat("1 (x) S 1 2 3", system, 4096, 100);
    CHECK_FALSE(truncated.cpu_seconds.has_value());
    CHECK_FALSE(truncated.virtual_bytes.has_value());
    CHECK_FALSE(parse_proc_stat("garbage", system, 4096, 100).resident_bytes.has_value());
}

TEST_CASE("metrics.process_values_text") {
    process_stats s;
    s.cpu_seconds = 4;
    s.start_time_seconds = 1700000050.25;
    s.max_virtual_bytes = 18446744073709551615.0;
    registry reg;
    reg.add_collector([&s](std::vector<collected_value>& out) { append_process_values(s, out); });
    // client_golang's names and help; unset figures are left out.
    CHECK(reg.expose() ==
          "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
          "# TYPE process_cpu_seconds_total counter\n"
          "process_cpu_seconds_total 4\n"
          "# HELP process_start_time_seconds Start time of the process since unix epoch in "
          "seconds.\n"
          "# TYPE process_start_time_seconds gauge\n"
          "process_start_time_seconds 1.70000005025e+09\n"
          "# HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available "
          "in bytes.\n"
          "# TYPE process_virtual_memory_max_bytes gauge\n"
          "process_virtual_memory_max_bytes 1.8446744073709552e+19\n");
}

TEST_CASE("metrics.process_live") {
    const process_stats s = read_process_stats();
    REQUIRE(s.cpu_seconds.has_value());
    CHECK(*s.cpu_seconds >= 0);
    REQUIRE(s.resident_bytes.has_value());
    CHECK(*s.resident_bytes > 0);
    REQUIRE(s.virtual_bytes.has_value());
    CHECK(*s.virtual_bytes >= *s.resident_bytes);
    REQUIRE(s.start_time_seconds.has_value());
    CHECK(*s.start_time_seconds > 1e9);  // after 2001
    REQUIRE(s.open_fds.has_value());
    CHECK(*s.open_fds >= 3);  // stdin, stdout, stderr (and the listing itself)
    REQUIRE(s.max_fds.has_value());
    CHECK(*s.max_fds >= *s.open_fds);
    REQUIRE(s.max_virtual_bytes.has_value());
    CHECK(*s.max_virtual_bytes > 0);

    registry reg;
    register_process_collector(reg);
    const std::string text = reg.expose();
    for (const char* name : {"process_cpu_seconds_total", "process_open_fds", "process_max_fds",
                             "process_virtual_memory_bytes", "process_virtual_memory_max_bytes",
                             "process_resident_memory_bytes", "process_start_time_seconds"}) {
        INFO(name);
        CHECK(text.find(std::string("\n") + name + " ") != std::string::npos);
    }
    // Sorted by name like every other family.
    CHECK(text.find("process_cpu_seconds_total") < text.find("process_max_fds"));
    CHECK(text.find("process_resident_memory_bytes") < text.find("process_start_time_seconds"));
}

}  // namespace
}  // namespace multisched::metrics
