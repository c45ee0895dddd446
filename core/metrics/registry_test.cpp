// SPDX-License-Identifier: Apache-2.0
#include "core/metrics/registry.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace multisched::metrics {
namespace {

TEST_CASE("metrics.float_format") {
    struct row {
        double value;
        const char* go;
    };
    // Expected strings are what Go 1.19 printed for strconv.FormatFloat(v, 'g', -1, 64) on this
    // machine (/usr/lib/go; strconv/ftoa.go uses eprec = 6 for shortest %g), except the first
    // seven, which are expfmt's writeFloat special cases (prometheus/common text_create.go).
    const std::vector<row> rows = {
        {1, "1"},
        {0, "0"},
        {-0.0, "0"},  // writeFloat tests f == 0, so negative zero prints "0"
        {-1, "-1"},
        {std::numeric_limits<double>::quiet_NaN(), "NaN"},
        {std::numeric_limits<double>::infinity(), "+Inf"},
        {-std::numeric_limits<double>::infinity(), "-Inf"},
        {0.001, "0.001"},
        {1e-05, "1e-05"},
        {1.5e-05, "1.5e-05"},
        {0.0001, "0.0001"},
        {-0.0001, "-0.0001"},
        {0.00012345, "0.00012345"},
        {3e-05, "3e-05"},
        {1e-07, "1e-07"},
        {0.00001 * 1.5 * 1.5, "2.2500000000000005e-05"},
        {16384, "16384"},
        {65536, "65536"},
        {100000, "100000"},
        {123456, "123456"},
        {1000000, "1e+06"},
        {1234567, "1.234567e+06"},
        {1e20, "1e+20"},
        {1e21, "1e+21"},
        {0.5, "0.5"},
        {-2.5, "-2.5"},
        {2, "2"},
        {4096.5, "4096.5"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3, "0.3333333333333333"},
        {1.8446744073709552e+19, "1.8446744073709552e+19"},  // RLIM_INFINITY as a float64
        {12345678901234567890.0, "1.2345678901234567e+19"},
        {5e-324, "5e-324"},
        {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
        {1e100, "1e+100"},
    };
    for (const row& r : rows) {
        INFO("value " << r.value);
        CHECK(format_float(r.value) == r.go);
    }
}

TEST_CASE("metrics.bucket_generation") {
    // client_golang ExponentialBuckets multiplies repeatedly; the printed bounds carry the
    // rounding (Go 1.19 output for ExponentialBuckets(0.00001, 1.5, 4) on this machine).
    const auto b = exponential_buckets(0.00001, 1.5, 4);
    std::vector<std::string> printed;
    for (const double x : b) {
        printed.push_back(format_float(x));
    }
    CHECK(printed == std::vector<std::string>{"1e-05", "1.5000000000000002e-05",
                                              "2.2500000000000005e-05", "3.375000000000001e-05"});
    CHECK(linear_buckets(1, 0.5, 3) == std::vector<double>{1, 1.5, 2});
}

TEST_CASE("metrics.exposition_golden") {
    registry reg;
    auto& attempts = reg.add_counter(make_desc(
        "test_attempts_total", "Attempts, by \"result\".\nSecond line with a \\ backslash",
        stability::stable, {"result", "profile"}));
    auto& cached = attempts.with({"scheduled", "default-scheduler"});
    cached.inc();
    cached.add(2);
    attempts.with({"error", "p\"q\\r\ns"}).inc();

    auto& pending =
        reg.add_gauge(make_desc("test_pending", "Pending.", stability::alpha, {"queue"}));
    pending.with({"backoff"}).set(-0.5);
    pending.with({"active"}).set(1234567);

    auto& latency = reg.add_histogram(
        make_desc("test_latency_seconds", "Latency.", stability::beta, {"profile"}),
        {0.25, 0.5, 1});
    auto& h = latency.with({"b"});
    for (const double v : {0.25, 0.5, 4.0, 1e6}) {
        h.observe(v);
    }
    reg.add_counter(make_desc("test_empty_total", "Never used.", stability::alpha, {"x"}));
    reg.add_counter(make_desc("test_a_plain_total", "Plain.", stability::none));

    // Families by name; a vector without children prints nothing; label pairs in label-name
    // order; children by label values; HELP escapes \ and newline, label values also ".
    const std::string expected =
        "# HELP test_a_plain_total Plain.\n"
        "# TYPE test_a_plain_total counter\n"
        "test_a_plain_total 0\n"
        "# HELP test_attempts_total [STABLE] Attempts, by \"result\".\\nSecond line with a "
        "\\\\ backslash\n"
        "# TYPE test_attempts_total counter\n"
        "test_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"} 3\n"
        "test_attempts_total{profile=\"p\\\"q\\\\r\\ns\",result=\"error\"} 1\n"
        "# HELP test_latency_seconds [BETA] Latency.\n"
        "# TYPE test_latency_seconds histogram\n"
        "test_latency_seconds_bucket{profile=\"b\",le=\"0.25\"} 1\n"
        "test_latency_seconds_bucket{profile=\"b\",le=\"0.5\"} 2\n"
        "test_latency_seconds_bucket{profile=\"b\",le=\"1\"} 2\n"
        "test_latency_seconds_bucket{profile=\"b\",le=\"+Inf\"} 4\n"
        "test_latency_seconds_sum{profile=\"b\"} 1.00000475e+06\n"
        "test_latency_seconds_count{profile=\"b\"} 4\n"
        "# HELP test_pending [ALPHA] Pending.\n"
        "# TYPE test_pending gauge\n"
        "test_pending{queue=\"active\"} 1.234567e+06\n"
        "test_pending{queue=\"backoff\"} -0.5\n";
    CHECK(reg.expose() == expected);
}

TEST_CASE("metrics.histogram_unlabelled_and_deprecated") {
    registry reg;
    desc d = make_desc("x_seconds", "X.", stability::stable);
    d.deprecated_version = "1.29.0";
    auto& h = reg.add_histogram(std::move(d), {1, 2}).with({});
    h.observe(std::numeric_limits<double>::quiet_NaN());  // only +Inf, as sort.SearchFloat64s
    h.observe(2);
    CHECK(h.bucket_counts()[0] == 0);
    CHECK(h.bucket_counts()[1] == 1);
    CHECK(h.bucket_counts()[2] == 1);
    CHECK(reg.expose() ==
          "# HELP x_seconds [STABLE] (Deprecated since 1.29.0) X.\n"
          "# TYPE x_seconds histogram\n"
          "x_seconds_bucket{le=\"1\"} 0\n"
          "x_seconds_bucket{le=\"2\"} 1\n"
          "x_seconds_bucket{le=\"+Inf\"} 2\n"
          "x_seconds_sum NaN\n"
          "x_seconds_count 2\n");
}

TEST_CASE("metrics.children_sorted_by_label_name_order") {
    registry reg;
    // Declared (zeta, alpha): printed and sorted by alpha first.
    auto& f = reg.add_gauge(make_desc("g", "G.", stability::alpha, {"zeta", "alpha"}));
    f.with({"1", "b"}).set(1);
    f.with({"2", "a"}).set(2);
    f.with({"0", "b"}).set(3);
    CHECK(reg.expose() ==
          "# HELP g [ALPHA] G.\n# TYPE g gauge\n"
          "g{alpha=\"a\",zeta=\"2\"} 2\n"
          "g{alpha=\"b\",zeta=\"0\"} 3\n"
          "g{alpha=\"b\",zeta=\"1\"} 1\n");
}

TEST_CASE("metrics.reset") {
    registry reg;
    auto& vec = reg.add_counter(make_desc("v_total", "V.", stability::alpha, {"k"}));
    auto& plain = reg.add_gauge(make_desc("p", "P.", stability::alpha)).with({});
    desc keep_desc = make_desc("keep", "K.", stability::alpha, {"version"});
    keep_desc.resettable = false;
    auto& keep = reg.add_gauge(std::move(keep_desc)).with({"v1"});
    auto& hist = reg.add_histogram(make_desc("h", "H.", stability::alpha), {1}).with({});
    auto& a = vec.with({"a"});
    a.add(5);
    vec.with({"b"}).inc();
    plain.set(7);
    keep.set(1);
    hist.observe(0.5);

    reg.reset();
    CHECK(a.value() == 0);
    CHECK(plain.value() == 0);
    CHECK(keep.value() == 1);
    CHECK(hist.count() == 0);
    CHECK(hist.sum() == 0);
    CHECK(hist.bucket_counts()[0] == 0);
    // Labelled children vanish (upstream deletes them) until touched; unlabelled stay at 0.
    std::string text = reg.expose();
    CHECK(text.find("v_total") == std::string::npos);
    CHECK(text.find("\np 0\n") != std::string::npos);
    CHECK(text.find("keep{version=\"v1\"} 1\n") != std::string::npos);
    CHECK(text.find("h_count 0\n") != std::string::npos);

    a.inc();  // the cached reference still works and brings the child back
    text = reg.expose();
    CHECK(text.find("v_total{k=\"a\"} 1\n") != std::string::npos);
    CHECK(text.find("k=\"b\"") == std::string::npos);
}

TEST_CASE("metrics.child_references_stable") {
    registry reg;
    auto& fam = reg.add_counter(make_desc("c_total", "C.", stability::alpha, {"i"}));
    auto& first = fam.with({"first"});
    std::vector<counter*> seen;
    for (int i = 0; i < 5000; ++i) {
        auto& c = fam.with({std::to_string(i)});
        c.inc();
        seen.push_back(&c);
        // Other families registered meanwhile do not move children either.
        if (i % 1000 == 0) {
            reg.add_gauge(make_desc("g" + std::to_string(i), "G.", stability::alpha));
        }
    }
    first.add(3);
    CHECK(&fam.with({"first"}) == &first);
    CHECK(fam.with({"first"}).value() == 3);
    for (int i = 0; i < 5000; ++i) {
        REQUIRE(&fam.with({std::to_string(i)}) == seen[static_cast<std::size_t>(i)]);
    }
    CHECK(fam.size() == 5001);
    const std::vector<std::string> owned = {"first"};
    CHECK(&fam.with(owned) == &first);
}

TEST_CASE("metrics.collectors_and_disabled") {
    registry reg;
    reg.add_gauge(make_desc("b_gauge", "B.", stability::alpha)).with({}).set(2);
    reg.add_gauge(make_desc("d_gauge", "D.", stability::alpha)).with({}).set(4);
    reg.add_collector([](std::vector<collected_value>& out) {
        collected_value c;
        c.name = "c_total";
        c.help = "C.";
        c.type = metric_type::counter;
        c.value = 3.5;
        out.push_back(c);
        c.name = "a_value";
        c.help = "A.";
        c.type = metric_type::gauge;
        c.value = 1;
        out.push_back(c);
        c.name = "e_value";
        out.push_back(c);
    });
    reg.disable("d_gauge");
    reg.disable("e_value");
    CHECK(reg.expose() ==
          "# HELP a_value A.\n# TYPE a_value gauge\na_value 1\n"
          "# HELP b_gauge [ALPHA] B.\n# TYPE b_gauge gauge\nb_gauge 2\n"
          "# HELP c_total C.\n# TYPE c_total counter\nc_total 3.5\n");
    REQUIRE(reg.find("b_gauge") != nullptr);
    CHECK(reg.find("b_gauge")->type() == metric_type::gauge);
    CHECK(reg.find("nope") == nullptr);
}

TEST_CASE("metrics.gauge_and_counter_ops") {
    registry reg;
    auto& g = reg.add_gauge(make_desc("g", "G.", stability::alpha)).with({});
    g.inc();
    g.inc();
    g.dec();
    g.add(2.5);
    g.sub(0.5);
    CHECK(g.value() == 3);
    auto& c = reg.add_counter(make_desc("c_total", "C.", stability::alpha)).with({});
    c.add(0.25);
    c.inc();
    CHECK(c.value() == 1.25);
    CHECK(to_string(stability::stable) == "STABLE");
    CHECK(to_string(metric_type::histogram) == "histogram");
}

}  // namespace
}  // namespace multisched::metrics
