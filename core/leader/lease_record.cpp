// SPDX-License-Identifier: Apache-2.0
#include "core/leader/lease_record.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <random>
#include <unistd.h>

#include <fmt/format.h>

#include "core/json/json.hpp"

namespace multisched::leader {

namespace {

constexpr std::string_view kApiVersion = "coordination.k8s.io/v1";

void write_time(json::writer& w, std::string_view key, const std::string& t) {
    w.key(key);
    if (t.empty()) {
        w.null();
    } else {
        w.string(t);
    }
}

}  // namespace

result<lease_object> parse_lease(std::string_view body) {
    auto doc = json::document::parse(body);
    if (!doc) {
        return error{{}, "decoding Lease: " + doc.error().message};
    }
    const auto root = doc->root();
    const auto meta = root["metadata"];
    if (!meta.is_object()) {
        return error{{}, "decoding Lease: no metadata object"};
    }
    const auto spec = root["spec"];
    lease_object out;
    out.metadata = meta.dump();
    out.record.holder_identity = std::string(spec["holderIdentity"].as_string());
    out.record.lease_duration_seconds = spec["leaseDurationSeconds"].as_int().value_or(0);
    out.record.acquire_time = std::string(spec["acquireTime"].as_string());
    out.record.renew_time = std::string(spec["renewTime"].as_string());
    out.record.leader_transitions = spec["leaseTransitions"].as_int().value_or(0);
    return out;
}

std::string spec_json(const lease_record& r) {
    json::writer w;
    w.begin_object();
    w.field("holderIdentity", r.holder_identity);
    w.key("leaseDurationSeconds").integer(r.lease_duration_seconds);
    write_time(w, "acquireTime", r.acquire_time);
    write_time(w, "renewTime", r.renew_time);
    w.key("leaseTransitions").integer(r.leader_transitions);
    w.end_object();
    return w.str();
}

std::string create_body(std::string_view ns, std::string_view name, const lease_record& r) {
    json::writer meta;
    meta.begin_object().field("name", name).field("namespace", ns).end_object();
    return fmt::format(R"({{"apiVersion":"{}","kind":"Lease","metadata":{},"spec":{}}})",
                       kApiVersion, meta.str(), spec_json(r));
}

std::string update_body(const lease_object& cached, const lease_record& r) {
    return fmt::format(R"({{"apiVersion":"{}","kind":"Lease","metadata":{},"spec":{}}})",
                       kApiVersion, cached.metadata, spec_json(r));
}

std::string format_micro_time(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto since_epoch = duration_cast<microseconds>(t.time_since_epoch());
    auto secs = duration_cast<seconds>(since_epoch);
    auto micros = (since_epoch - secs).count();
    if (micros < 0) {  // before 1970: floor to the previous second
        secs -= seconds(1);
        micros += 1'000'000;
    }
    const std::time_t tt = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

std::string make_uuid_v4() {
    std::random_device rd;
    std::array<unsigned char, 16> b{};
    for (std::size_t i = 0; i < b.size(); i += 4) {
        const auto v = rd();
        for (std::size_t j = 0; j < 4; ++j) {
            b[i + j] = static_cast<unsigned char>(v >> (8 * j));
        }
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out.push_back('-');
        }
        out += fmt::format("{:02x}", b[i]);
    }
    return out;
}

std::string make_identity() {
    std::array<char, 256> host{};
    std::string name;
    if (gethostname(host.data(), host.size() - 1) == 0) {
        name = host.data();
    }
    if (name.empty()) {
        // os.Hostname fails only on a broken system; keep a usable, still unique identity.
        name = "localhost";
    }
    return name + "_" + make_uuid_v4();
}

}  // namespace multisched::leader
