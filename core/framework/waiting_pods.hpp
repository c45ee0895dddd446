// SPDX-License-Identifier: Apache-2.0
// Pods held at Permit (upstream waitingPodsMap / waitingPod): a pod whose Permit plugins returned
// Wait is assumed on its node and waits in its binding cycle until every waiting plugin allows
// it, any plugin rejects it, or the shortest plugin timeout expires. Plugins (e.g. a gang
// scheduler) find waiting pods through handle::profile_framework()->waiting().
//
// Single-threaded: allow/reject are called on the scheduler's io_context.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/framework/node_info.hpp"
#include "core/framework/status.hpp"
#include "core/util/task.hpp"

namespace multisched::framework {

// Go's time.Duration.String() for whole milliseconds ("250ms", "1.5s", "2m0s", "1h0m0s"), as
// upstream prints the Permit timeout.
std::string go_duration(std::chrono::milliseconds d);

class waiting_pod {
  public:
    // `pending_plugins` starts with the plugin whose timeout is the shortest, `timeout`.
    waiting_pod(asio::any_io_executor ex, std::shared_ptr<const pod_info> pod, std::string node,
                std::vector<std::string> pending_plugins, std::chrono::milliseconds timeout);

    const pod_info& pod() const { return *pod_; }
    const std::string& node() const { return node_; }
    // The plugins that still have to allow the pod.
    const std::vector<std::string>& pending_plugins() const { return pending_; }
    // `plugin` allows the pod; once no plugin is pending the pod may bind.
    void allow(std::string_view plugin);
    // Rejects the pod (Unschedulable with `message`, attributed to `plugin`). First verdict wins.
    void reject(std::string_view plugin, std::string message);

    // Completes with success when allowed, the rejection, or the timeout rejection
    // ("rejected due to timeout after waiting <d> at plugin <name>").
    task<status> wait();

  private:
    std::shared_ptr<const pod_info> pod_;
    std::string node_;
    std::vector<std::string> pending_;
    std::chrono::milliseconds timeout_;
    std::optional<status> verdict_;
    asio::steady_timer timer_;
};

class waiting_pods {
  public:
    // Registers a waiting pod (replacing one with the same uid) and returns it.
    std::shared_ptr<waiting_pod> add(std::shared_ptr<waiting_pod> wp);
    void remove(std::string_view uid);
    // Null if the pod is not waiting.
    std::shared_ptr<waiting_pod> find(std::string_view uid) const;
    // Calls `fn` on every waiting pod (it may allow or reject them).
    void for_each(const std::function<void(waiting_pod&)>& fn) const;
    std::size_t size() const { return pods_.size(); }

  private:
    std::map<std::string, std::shared_ptr<waiting_pod>, std::less<>> pods_;
};

}  // namespace multisched::framework
