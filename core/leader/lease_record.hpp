// SPDX-License-Identifier: Apache-2.0
// The leader-election record kept in a coordination.k8s.io/v1 Lease, mapped as client-go's
// resourcelock.LeaseLock maps it: read from a fetched Lease's spec, written back as a whole spec
// in a create (POST) or update (PUT) body. The PUT body carries the fetched object's metadata
// verbatim (resourceVersion is the optimistic-concurrency precondition; labels, annotations and
// the rest survive). Pure functions, no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace multisched::leader {

// client-go's LeaderElectionRecord. Times are MicroTime text exactly as read or written ("" when
// absent); the elector never interprets them, it only notices when the record changes.
struct lease_record {
    std::string holder_identity;
    std::int64_t lease_duration_seconds = 0;
    std::string acquire_time;
    std::string renew_time;
    std::int64_t leader_transitions = 0;

    bool operator==(const lease_record&) const = default;
};

// A Lease as fetched (GET) or returned by a write: its record and its metadata as JSON text.
struct lease_object {
    lease_record record;
    std::string metadata;
};

// Decodes a Lease object. Fails when the text is not JSON or has no metadata object; a missing
// spec or spec field reads as empty / 0 (strategy and preferredHolder are ignored).
result<lease_object> parse_lease(std::string_view body);

// The LeaseSpec JSON for `r`, fields in Go's order (holderIdentity, leaseDurationSeconds,
// acquireTime, renewTime, leaseTransitions); an empty time is written as null.
std::string spec_json(const lease_record& r);

// POST body: a new Lease named `ns`/`name` with spec `r`.
std::string create_body(std::string_view ns, std::string_view name, const lease_record& r);

// PUT body: `cached` metadata unchanged (resourceVersion included) with spec `r`.
std::string update_body(const lease_object& cached, const lease_record& r);

// MicroTime as apimachinery writes it: UTC, RFC 3339 with six fractional digits,
// "2006-01-02T15:04:05.000000Z".
std::string format_micro_time(std::chrono::system_clock::time_point t);

// A random (version 4) UUID in its 36-character lowercase text form.
std::string make_uuid_v4();

// kube-scheduler's leader-election identity: "<hostname>_<uuid v4>", the uniquifier keeping two
// processes on one host apart.
std::string make_identity();

}  // namespace multisched::leader
