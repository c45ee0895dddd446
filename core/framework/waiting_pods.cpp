// SPDX-License-Identifier: Apache-2.0
#include "core/framework/waiting_pods.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace multisched::framework {

std::string go_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms < 1000) {
        return fmt::format("{}ms", ms);
    }
    std::string seconds = fmt::format("{}", (ms % 60000) / 1000);
    if (ms % 1000 != 0) {
        std::string frac = fmt::format("{:03}", ms % 1000);
        frac.erase(frac.find_last_not_of('0') + 1);
        seconds += "." + frac;
    }
    const auto minutes = ms / 60000;
    if (minutes == 0) {
        return seconds + "s";
    }
    if (minutes < 60) {
        return fmt::format("{}m{}s", minutes, seconds);
    }
    return fmt::format("{}h{}m{}s", minutes / 60, minutes % 60, seconds);
}

waiting_pod::waiting_pod(asio::any_io_executor ex, std::shared_ptr<const pod_info> pod,
                         std::string node, std::vector<std::string> pending_plugins,
                         std::chrono::milliseconds timeout)
    : pod_(std::move(pod)),
      node_(std::move(node)),
      pending_(std::move(pending_plugins)),
      timeout_(timeout),
      timer_(ex) {
    timer_.expires_after(timeout_);
}

void waiting_pod::allow(std::string_view plugin) {
    pending_.erase(std::remove(pending_.begin(), pending_.end(), plugin), pending_.end());
    if (pending_.empty() && !verdict_) {
        verdict_ = status();
        timer_.cancel();
    }
}

void waiting_pod::reject(std::string_view plugin, std::string message) {
    if (verdict_) {
        return;
    }
    verdict_ = status(code::unschedulable, std::move(message)).with_plugin(std::string(plugin));
    timer_.cancel();
}

task<status> waiting_pod::wait() {
    while (!verdict_) {
        auto [ec] = co_await timer_.async_wait(use_task);
        if (verdict_) {
            break;
        }
        if (!ec) {  // the deadline passed
            const std::string plugin = pending_.empty() ? std::string() : pending_.front();
            reject(plugin, fmt::format("rejected due to timeout after waiting {} at plugin {}",
                                       go_duration(timeout_), plugin));
            break;
        }
        // Cancelled without a verdict: the scheduler is shutting down.
        co_return status::error("waiting at Permit was cancelled");
    }
    co_return *verdict_;
}

std::shared_ptr<waiting_pod> waiting_pods::add(std::shared_ptr<waiting_pod> wp) {
    auto& slot = pods_[wp->pod().pod->meta.uid];
    slot = std::move(wp);
    return slot;
}

void waiting_pods::remove(std::string_view uid) {
    if (auto it = pods_.find(uid); it != pods_.end()) {
        pods_.erase(it);
    }
}

std::shared_ptr<waiting_pod> waiting_pods::find(std::string_view uid) const {
    auto it = pods_.find(uid);
    return it == pods_.end() ? nullptr : it->second;
}

void waiting_pods::for_each(const std::function<void(waiting_pod&)>& fn) const {
    // Copy first: `fn` may make the binding cycles remove pods.
    std::vector<std::shared_ptr<waiting_pod>> all;
    all.reserve(pods_.size());
    for (const auto& [_, wp] : pods_) {
        all.push_back(wp);
    }
    for (const auto& wp : all) {
        fn(*wp);
    }
}

}  // namespace multisched::framework
