// SPDX-License-Identifier: Apache-2.0
// Exponential backoff with jitter, as client-go's reflector uses: 0.8 s doubling to 30 s, reset
// after 2 minutes without failures, each delay stretched by up to `jitter` × itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace multisched {

class backoff {
  public:
    using duration = std::chrono::milliseconds;
    using clock = std::chrono::steady_clock;

    struct params {
        duration initial{800};
        duration max{30'000};
        duration reset_after{120'000};
        double factor = 2.0;
        double jitter = 1.0;
    };

    explicit backoff(params p, std::uint64_t seed = std::random_device{}()) : p_(p), rng_(seed) {}
    backoff() : backoff(params{}) {}

    // The delay to wait before the next attempt; grows with each call until `max`.
    duration next(clock::time_point now = clock::now()) {
        if (last_ != clock::time_point{} && now - last_ > p_.reset_after) {
            current_ = duration{0};
        }
        last_ = now;
        current_ = current_.count() == 0
                       ? p_.initial
                       : std::min(p_.max, duration{static_cast<std::int64_t>(
                                              static_cast<double>(current_.count()) * p_.factor)});
        const double stretch = std::uniform_real_distribution<double>(0.0, p_.jitter)(rng_);
        return current_ +
               duration{static_cast<std::int64_t>(static_cast<double>(current_.count()) * stretch)};
    }
    // Forget past failures (after a success).
    void reset() { current_ = duration{0}; }

  private:
    params p_;
    std::mt19937_64 rng_;
    duration current_{0};
    clock::time_point last_{};
};

}  // namespace multisched
