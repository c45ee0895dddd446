// SPDX-License-Identifier: Apache-2.0
#include "core/leader/lease_record.hpp"

#include <array>
#include <chrono>
#include <regex>
#include <string>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/json/json.hpp"
#include "core/leader/elector.hpp"

namespace leader = multisched::leader;
namespace json = multisched::json;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kFullLease = R"({
  "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
  "metadata": {"name": "kube-scheduler", "namespace": "kube-system", "uid": "u-1",
               "resourceVersion": "42", "labels": {"app": "x"},
               "annotations": {"note": "keep me"},
               "managedFields": [{"manager": "kube-scheduler", "operation": "Update"}]},
  "spec": {"holderIdentity": "host_1", "leaseDurationSeconds": 15,
           "acquireTime": "2024-01-02T03:04:05.000001Z", "renewTime": "2024-01-02T03:05:00.500000Z",
           "leaseTransitions": 7, "strategy": "OldestEmulationVersion",
           "preferredHolder": "host_2"}
})";

}  // namespace

TEST_CASE("leader.parse_lease reads the spec and keeps the metadata verbatim") {
    auto lease = leader::parse_lease(kFullLease);
    REQUIRE(lease.has_value());
    CHECK(lease->record.holder_identity == "host_1");
    CHECK(lease->record.lease_duration_seconds == 15);
    CHECK(lease->record.acquire_time == "2024-01-02T03:04:05.000001Z");
    CHECK(lease->record.renew_time == "2024-01-02T03:05:00.500000Z");
    CHECK(lease->record.leader_transitions == 7);
    auto meta = json::document::parse(lease->metadata);
    REQUIRE(meta.has_value());
    CHECK(meta->root()["resourceVersion"].as_string() == "42");
    CHECK(meta->root()["annotations"]["note"].as_string() == "keep me");
    CHECK(meta->root()["managedFields"].size() == 1);
}

TEST_CASE("leader.parse_lease defaults and failures") {
    SECTION("no spec: an empty record") {
        auto lease = leader::parse_lease(R"({"metadata":{"name":"l"}})");
        REQUIRE(lease.has_value());
        CHECK(lease->record == leader::lease_record{});
    }
    SECTION("null holder reads as empty") {
        auto lease = leader::parse_lease(R"({"metadata":{},"spec":{"holderIdentity":null}})");
        REQUIRE(lease.has_value());
        CHECK(lease->record.holder_identity.empty());
    }
    SECTION("not JSON") {
        auto lease = leader::parse_lease("{nope");
        REQUIRE_FALSE(lease.has_value());
        CHECK(lease.error().message.find("decoding Lease") == 0);
    }
    SECTION("no metadata") {
        auto lease = leader::parse_lease(R"({"spec":{}})");
        REQUIRE_FALSE(lease.has_value());
        CHECK(lease.error().message == "decoding Lease: no metadata object");
    }
}

TEST_CASE("leader.spec_json writes Go's field order, null for an absent time") {
    leader::lease_record r;
    r.holder_identity = "me";
    r.lease_duration_seconds = 15;
    r.acquire_time = "2024-01-02T03:04:05.123456Z";
    r.renew_time = "2024-01-02T03:04:06.000000Z";
    r.leader_transitions = 2;
    CHECK(leader::spec_json(r) ==
          R"({"holderIdentity":"me","leaseDurationSeconds":15,)"
          R"("acquireTime":"2024-01-02T03:04:05.123456Z",)"
          R"("renewTime":"2024-01-02T03:04:06.000000Z","leaseTransitions":2})");
    CHECK(leader::spec_json(leader::lease_record{}) ==
          R"({"holderIdentity":"","leaseDurationSeconds":0,"acquireTime":null,)"
          R"("renewTime":null,"leaseTransitions":0})");
}

TEST_CASE("leader.update_body keeps the fetched metadata and drops coordinated fields") {
    auto lease = leader::parse_lease(kFullLease);
    REQUIRE(lease.has_value());
    leader::lease_record r = lease->record;
    r.holder_identity = "me";
    auto doc = json::document::parse(leader::update_body(*lease, r));
    REQUIRE(doc.has_value());
    const auto root = doc->root();
    CHECK(root["apiVersion"].as_string() == "coordination.k8s.io/v1");
    CHECK(root["kind"].as_string() == "Lease");
    CHECK(root["metadata"]["resourceVersion"].as_string() == "42");
    CHECK(root["metadata"]["uid"].as_string() == "u-1");
    CHECK(root["metadata"]["labels"]["app"].as_string() == "x");
    CHECK(root["metadata"]["annotations"]["note"].as_string() == "keep me");
    CHECK(root["spec"]["holderIdentity"].as_string() == "me");
    CHECK(root["spec"]["leaseTransitions"].as_int() == 7);
    CHECK(root["spec"]["strategy"].absent());
    CHECK(root["spec"]["preferredHolder"].absent());
}

TEST_CASE("leader.create_body names the Lease") {
    leader::lease_record r;
    r.holder_identity = "me";
    auto doc = json::document::parse(leader::create_body("kube-system", "kube-scheduler", r));
    REQUIRE(doc.has_value());
    const auto root = doc->root();
    CHECK(root["kind"].as_string() == "Lease");
    CHECK(root["metadata"]["name"].as_string() == "kube-scheduler");
    CHECK(root["metadata"]["namespace"].as_string() == "kube-system");
    CHECK(root["metadata"]["resourceVersion"].absent());
    CHECK(root["spec"]["holderIdentity"].as_string() == "me");
}

TEST_CASE("leader.format_micro_time is RFC 3339 with microseconds in UTC") {
    using namespace std::chrono;
    struct row {
        system_clock::time_point t;
        std::string want;
    };
    const std::array<row, 4> rows{{
        {system_clock::time_point{}, "1970-01-01T00:00:00.000000Z"},
        {sys_days{2024y / January / 2} + 3h + 4min + 5s + 123456us, "2024-01-02T03:04:05.123456Z"},
        {sys_days{2024y / February / 29} + 23h + 59min + 59s + 999999us,
         "2024-02-29T23:59:59.999999Z"},
        {system_clock::time_point{} - 1us, "1969-12-31T23:59:59.999999Z"},
    }};
    for (const auto& r : rows) {
        CHECK(leader::format_micro_time(r.t) == r.want);
    }
}

TEST_CASE("leader.make_identity is <hostname>_<uuid v4>") {
    std::array<char, 256> host{};
    REQUIRE(gethostname(host.data(), host.size() - 1) == 0);
    const std::string a = leader::make_identity();
    const std::string b = leader::make_identity();
    const std::string prefix = std::string(host.data()) + "_";
    REQUIRE(a.rfind(prefix, 0) == 0);
    const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    CHECK(std::regex_match(a.substr(prefix.size()), uuid));
    CHECK(std::regex_match(b.substr(prefix.size()), uuid));
    CHECK(a != b);
}

TEST_CASE("leader.validate mirrors NewLeaderElector") {
    struct row {
        std::chrono::milliseconds lease, renew, retry;
        std::string identity;
        std::optional<std::string> want;
    };
    const std::array<row, 7> rows{{
        {15s, 10s, 2s, "me", std::nullopt},
        {50ms, 30ms, 10ms, "me", std::nullopt},
        {10s, 10s, 2s, "me", "leaseDuration must be greater than renewDeadline"},
        {15s, 10s, 9s, "me", "renewDeadline must be greater than retryPeriod*JitterFactor"},
        {15s, 12s, 10s, "me", "renewDeadline must be greater than retryPeriod*JitterFactor"},
        {15s, 10s, 0s, "me", "retryPeriod must be greater than zero"},
        {15s, 10s, 2s, "", "Lock identity is empty"},
    }};
    for (const auto& r : rows) {
        leader::election_config cfg;
        cfg.lease_duration = r.lease;
        cfg.renew_deadline = r.renew;
        cfg.retry_period = r.retry;
        cfg.identity = r.identity;
        CHECK(leader::validate(cfg) == r.want);
    }
}
