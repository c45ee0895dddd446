// SPDX-License-Identifier: Apache-2.0
// Client-side rate limiting as client-go's (flowcontrol.NewTokenBucketRateLimiter over
// golang.org/x/time/rate): a token bucket of `burst` tokens refilled at `qps` per second; each
// request waits for its token. Reservations may run the bucket negative, so waiters are served
// in arrival order at exactly `qps`. clientConnection.qps/burst configure it.
#pragma once

#include <chrono>
#include <memory>

#include "core/client/api_client.hpp"

namespace multisched::client {

class token_bucket {
  public:
    using clock = std::chrono::steady_clock;
    // qps <= 0 means unlimited. The bucket starts full.
    token_bucket(double qps, int burst, clock::time_point now = clock::now());
    // Takes one token at `now`; returns how long the caller must wait before using it (zero
    // when one was available).
    std::chrono::nanoseconds reserve(clock::time_point now = clock::now());
    // Takes one token at `now` only if one is available (for writes that are dropped, not
    // delayed, beyond the rate); never runs the bucket negative.
    bool try_take(clock::time_point now = clock::now());

  private:
    void refill(clock::time_point now);

    double qps_;
    double burst_;
    double tokens_;
    clock::time_point last_;
};

// Wraps `inner`: every send() and watch() waits for a token first. Single-threaded (the
// io_context's thread), like the client it wraps.
std::unique_ptr<api_client> rate_limited(std::unique_ptr<api_client> inner, double qps, int burst);

}  // namespace multisched::client
