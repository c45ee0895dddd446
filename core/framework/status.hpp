// SPDX-License-Identifier: Apache-2.0
// The one outcome type of every extension point. Its code tells the queue what to do next.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace multisched::framework {

enum class code {
    // The plugin ran and found nothing wrong.
    success,
    // Internal failure: the pod goes to backoff and is retried whatever the cluster does.
    error,
    // The pod does not fit now; preemption may help; retried on the cluster events registered by
    // the rejecting plugins (after backoff).
    unschedulable,
    // The pod does not fit and preemption cannot help (PostFilter skips such nodes).
    unschedulable_and_unresolvable,
    // Permit: hold the pod until allowed or timed out.
    wait,
    // PreFilter/PreScore: skip the coupled Filter/Score this cycle. Bind: not mine, next binder.
    skip,
    // The decision is fine but the plugin wants to wait for something external; no backoff.
    pending,
};

// Upstream's Code.String(): "Success", "Error", "Unschedulable", "UnschedulableAndUnresolvable",
// "Wait", "Skip", "Pending" (the `status` label of the framework metrics).
std::string_view code_name(code c);

// A reason with static storage duration (a plugin's kErrReason... constant). A status keeps a
// view of it: rejecting a node with a constant reason allocates nothing, which matters when
// Filter rejects most of thousands of nodes every cycle.
struct constant_reason {
    std::string_view text;
};

class status {
  public:
    status() = default;  // success
    status(enum code c, std::string reason) : code_(c) { reasons_.push_back(std::move(reason)); }
    status(enum code c, constant_reason reason) : code_(c), constant_(reason.text) {}
    status(enum code c, std::vector<std::string> reasons)
        : code_(c), reasons_(std::move(reasons)) {}

    static status success() { return {}; }
    static status error(std::string reason) { return {code::error, std::move(reason)}; }

    enum code code() const { return code_; }
    bool is_success() const { return code_ == code::success; }
    bool is_skip() const { return code_ == code::skip; }
    bool is_wait() const { return code_ == code::wait; }
    // Unschedulable, UnschedulableAndUnresolvable or Pending: the pod was rejected, not failed.
    bool is_rejected() const {
        return code_ == code::unschedulable || code_ == code::unschedulable_and_unresolvable ||
               code_ == code::pending;
    }
    // The reasons in order: reason(0) .. reason(reason_count() - 1), views valid while the
    // status lives; reasons() copies them.
    std::size_t reason_count() const { return (has_constant() ? 1 : 0) + reasons_.size(); }
    std::string_view reason(std::size_t i) const;
    std::vector<std::string> reasons() const;
    // The reasons joined with ", " (upstream's Status.Message()).
    std::string message() const;

    // The plugin that produced a rejection ("" for success or framework-made statuses).
    const std::string& plugin() const { return plugin_; }
    status& with_plugin(std::string_view plugin) {
        plugin_ = plugin;
        return *this;
    }

  private:
    bool has_constant() const { return constant_.data() != nullptr; }

    enum code code_ = code::success;
    std::string_view constant_;  // the first reason when set (constant_reason)
    std::vector<std::string> reasons_;
    std::string plugin_;
};

}  // namespace multisched::framework
