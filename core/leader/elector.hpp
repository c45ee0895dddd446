// SPDX-License-Identifier: Apache-2.0
// Leader election on a coordination.k8s.io/v1 Lease, as client-go's LeaderElector with a LeaseLock
// and ReleaseOnCancel runs it for kube-scheduler: acquire() retries every retryPeriod (jittered
// ×1.2) until it holds the lease, hold() renews every retryPeriod and returns when a renewal did
// not succeed within renewDeadline (the caller then exits 1), release() hands the lease over on
// shutdown. Expiry of another holder's lease is judged by the LOCAL time at which this process
// last saw the record change, never by the record's timestamps (robust to clock skew). The only
// mutual exclusion is the PUT's resourceVersion precondition (409 on a concurrent write); there
// is no fencing. Every request has a deadline. Single-threaded: use from the io_context's thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/verb.hpp>

#include "core/client/api_client.hpp"
#include "core/leader/lease_record.hpp"
#include "core/metrics/registry.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::leader {

using namespace std::chrono_literals;

// The clock that judges lease expiry and the healthz watchdog (injectable for tests). Deadlines
// and retry waits are real time (timers), whatever this clock says.
using clock = std::chrono::steady_clock;
// The clock whose time is written into acquireTime / renewTime.
using wall_clock = std::chrono::system_clock;

struct election_config {
    std::string lease_namespace = "kube-system";
    std::string lease_name = "kube-scheduler";
    std::string identity;
    std::chrono::milliseconds lease_duration{15s};
    std::chrono::milliseconds renew_deadline{10s};
    std::chrono::milliseconds retry_period{2s};
    // LeaderElectionConfig.Name: the metrics label and the healthz message.
    std::string name = "kube-scheduler";
    // Upper bound of one apiserver request (each is also bounded by the attempt's deadline).
    std::chrono::milliseconds request_timeout{5s};
};

// NewLeaderElector's checks, with upstream's messages: leaseDuration > renewDeadline >
// 1.2 × retryPeriod, all durations > 0, identity non-empty. std::nullopt when valid.
std::optional<std::string> validate(const election_config& cfg);

// leader_election_master_status{name} (gauge, 1 while leading) and
// leader_election_slowpath_total{name} (counter, renewals that had to GET first), both ALPHA.
struct election_metrics {
    metrics::family<metrics::gauge>* master_status = nullptr;
    metrics::family<metrics::counter>* slowpath = nullptr;
};
// Registers both families in `r` (once per registry).
election_metrics register_election_metrics(metrics::registry& r);

class elector {
  public:
    // `client` must outlive the elector. `now` defaults to clock::now, `wall_now` to
    // wall_clock::now. `cfg` should pass validate().
    elector(client::api_client& client, election_config cfg,
            std::function<clock::time_point()> now = {},
            std::function<wall_clock::time_point()> wall_now = {});
    elector(const elector&) = delete;
    elector& operator=(const elector&) = delete;

    // Reports into `m` from now on; sets master_status to 0 or 1 at once.
    void report_to(election_metrics m);

    // Tries until this process holds the lease: true then; false when stop() was called or the
    // awaiting coroutine was cancelled. Each round is bounded by renewDeadline (upstream's is
    // unbounded). Logs "attempting to acquire leader lease ns/name..." and "successfully
    // acquired lease ns/name".
    task<bool> acquire();

    // While leading: renews at once, then every retryPeriod. Returns when one renewal did not
    // succeed within renewDeadline (lost() is then true: "failed to renew lease ns/name: timed out
    // waiting for the condition"), or at once when a renewal that began after leading() ended (the
    // process was paused) fails its first round; or on stop() / cancellation. As upstream with
    // ReleaseOnCancel, call release() after it returns, whichever way.
    task<void> hold();

    // ReleaseOnCancel: when we are the holder, writes the record with an empty holder,
    // leaseDurationSeconds 1, acquireTime = renewTime = now and the transitions kept, so another
    // candidate takes over at once. One request, bounded by request_timeout. Asio throws
    // operation_aborted from any co_await in a cancelled coroutine: on a cancelled shutdown path
    // run `co_await asio::this_coro::reset_cancellation_state();` before awaiting release().
    task<void> release();

    // One round of upstream's tryAcquireOrRenew, bounded by renewDeadline: true when this
    // process holds the lease afterwards (created, taken over or renewed).
    task<bool> try_acquire_or_renew();

    // Makes acquire() / hold() return at their next wait (a request in flight finishes first).
    void stop();

    // The last observed record names us (upstream's IsLeader).
    bool is_leader() const { return observed_.holder_identity == cfg_.identity; }
    // hold() returned because a renewal failed for renewDeadline.
    bool lost() const { return lost_; }
    // Whether this process may act as the leader at `now` (this elector's clock): it holds the
    // lease and its last successful acquisition or renewal began less than renewDeadline
    // before. A leader paused past that (SIGSTOP, a frozen VM) is not leading when it resumes,
    // even before hold() notices: another candidate may have taken over, since candidates wait
    // leaseDuration (> renewDeadline) from the last change they saw. The daemon's write fence
    // (client/write_fence.hpp) asks this before every write.
    bool leading(clock::time_point now) const;
    bool leading() const { return leading(now_()); }
    // The leader-election healthz watchdog (NewLeaderHealthzAdaptor(timeout)): std::nullopt
    // unless we are the leader and the record last changed longer ago than leaseDuration +
    // timeout; then "failed election to renew leadership on lease <name>".
    std::optional<std::string> check(std::chrono::milliseconds timeout = 20s) const;
    // The holder identity as last observed ("" before the first read or after a release).
    const std::string& observed_holder() const { return observed_.holder_identity; }
    const election_config& config() const { return cfg_; }
    // "namespace/name", as log lines name the lock.
    std::string describe() const;
    // The Lease as last read or written (its metadata names the object of leader-election
    // events), or nullopt before the first exchange.
    const std::optional<lease_object>& lease() const { return cached_; }

  private:
    using real_clock = std::chrono::steady_clock;

    // One round (try_round_once); when this process holds the lease afterwards, the round's
    // start is when it was last secured (leading()).
    task<bool> try_round(real_clock::time_point deadline);
    task<bool> try_round_once(real_clock::time_point deadline);
    task<bool> take_over(lease_object current, lease_record desired, clock::time_point now,
                         real_clock::time_point deadline);
    task<result<client::http_response>> send(boost::beast::http::verb method, std::string target,
                                             std::string body, real_clock::time_point deadline);
    task<result<lease_object>> fetch(real_clock::time_point deadline);
    task<result<lease_object>> write(bool create, lease_record r, real_clock::time_point deadline);
    task<bool> renew_within_deadline();
    // Sleeps `d` (real time); false when stop() was called or the coroutine was cancelled.
    task<bool> pause(std::chrono::milliseconds d);
    // retryPeriod × (1 + [0, 1.2)), wait.Jitter with client-go's JitterFactor.
    std::chrono::milliseconds jittered_retry_period();

    lease_record desired_record() const;
    bool lease_valid(clock::time_point now) const;
    void observe(const lease_record& r);
    void set_master_status(bool on);
    std::string lease_path() const;

    client::api_client& client_;
    election_config cfg_;
    std::function<clock::time_point()> now_;
    std::function<wall_clock::time_point()> wall_now_;
    election_metrics metrics_;

    lease_record observed_;
    clock::time_point observed_time_{};
    std::optional<lease_object> cached_;  // the Lease from the last GET, POST or PUT
    bool stopped_ = false;
    bool lost_ = false;
    // When the last successful acquire or renewal round began (see leading()).
    std::optional<clock::time_point> secured_at_;
    asio::steady_timer* waiting_ = nullptr;  // the timer of a pause() in progress
    std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace multisched::leader
