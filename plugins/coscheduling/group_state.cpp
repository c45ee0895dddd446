// SPDX-License-Identifier: Apache-2.0
#include "plugins/coscheduling/group_state.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace multisched::plugins::coscheduling {

bool is_placed(const framework::handle& h, const api::pod& member) {
    return !member.node_name.empty() || h.is_assumed(member.meta.uid);
}

std::size_t count_placed(const framework::handle& h, const cache::pod_group_index::members* m) {
    std::size_t n = 0;
    if (m != nullptr) {
        for (const auto& [uid, pod] : *m) {
            n += is_placed(h, *pod) ? 1 : 0;
        }
    }
    return n;
}

std::vector<std::shared_ptr<const api::pod>> pending_members(
    const framework::handle& h, const cache::pod_group_index::members& m, std::string_view first) {
    std::vector<std::shared_ptr<const api::pod>> out;
    for (const auto& [uid, pod] : m) {  // uid order
        // A gated pod cannot be scheduled before its gates are removed.
        if (!is_placed(h, *pod) && !pod->meta.deleting && pod->scheduling_gates.empty()) {
            out.push_back(pod);
        }
    }
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& p) { return p->meta.uid == first; });
    if (it != out.end()) {
        std::rotate(out.begin(), it, std::next(it));
    }
    return out;
}

std::vector<std::string> pending_uids(const framework::handle& h,
                                      const cache::pod_group_index::members* m,
                                      std::string_view except) {
    std::vector<std::string> out;
    if (m == nullptr) {
        return out;
    }
    for (const auto& [uid, pod] : *m) {
        if (uid != except && !is_placed(h, *pod) && !pod->meta.deleting) {
            out.push_back(uid);
        }
    }
    return out;
}

std::size_t required_members(const api::pod_group& group) {
    return static_cast<std::size_t>(std::max(group.min_member, 0));
}

std::chrono::seconds group_timeout(const api::pod_group& group, std::int64_t default_seconds) {
    if (group.schedule_timeout_seconds && *group.schedule_timeout_seconds > 0) {
        return std::chrono::seconds(*group.schedule_timeout_seconds);
    }
    return std::chrono::seconds(default_seconds);
}

const admission* group_book::admitted(std::string_view key) const {
    auto it = admitted_.find(key);
    return it == admitted_.end() ? nullptr : &it->second;
}

void group_book::admit(const std::string& key, admission a) {
    admitted_[key] = std::move(a);
    ++epoch_;
}

bool group_book::end_admission(std::string_view key) {
    auto it = admitted_.find(key);
    if (it == admitted_.end()) {
        return false;
    }
    admitted_.erase(it);
    ++epoch_;
    return true;
}

void group_book::leave_plan(std::string_view key, std::string_view uid) {
    auto it = admitted_.find(key);
    if (it == admitted_.end()) {
        return;
    }
    if (auto p = it->second.plan.find(std::string(uid)); p != it->second.plan.end()) {
        it->second.plan.erase(p);
        ++epoch_;
    }
}

std::vector<std::string> group_book::overdue(clock::time_point now) const {
    std::vector<std::string> out;
    for (const auto& [key, a] : admitted_) {
        if (a.deadline <= now) {
            out.push_back(key);
        }
    }
    return out;
}

std::optional<clock::time_point> group_book::next_deadline() const {
    std::optional<clock::time_point> next;
    const auto consider = [&](clock::time_point t) {
        if (!next || t < *next) {
            next = t;
        }
    };
    for (const auto& [key, a] : admitted_) {
        consider(a.deadline);
    }
    for (const auto& [key, b] : backoffs_) {
        consider(b.until);
    }
    return next;
}

const backoff* group_book::backing_off(std::string_view key, clock::time_point now) const {
    auto it = backoffs_.find(key);
    return it == backoffs_.end() || it->second.until <= now ? nullptr : &it->second;
}

void group_book::back_off(const std::string& key, clock::time_point now, clock::time_point until,
                          std::string reason) {
    auto& b = backoffs_[key];
    if (b.until > now) {
        return;
    }
    b.until = until;
    b.reason = std::move(reason);
}

std::vector<std::string> group_book::take_ended_backoffs(clock::time_point now) {
    std::vector<std::string> out;
    for (auto it = backoffs_.begin(); it != backoffs_.end();) {
        if (it->second.until <= now) {
            out.push_back(it->first);
            it = backoffs_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::set<std::string> group_book::take_blocked() {
    return std::exchange(blocked_, {});
}

std::size_t group_book::count_bound(std::string_view key,
                                    const cache::pod_group_index::members* m) const {
    if (m == nullptr) {
        return 0;
    }
    const auto seen = bound_.find(key);
    std::size_t n = 0;
    for (const auto& [uid, pod] : *m) {
        const bool post_bound = seen != bound_.end() && seen->second.contains(uid);
        n += !pod->node_name.empty() || post_bound ? 1 : 0;
    }
    return n;
}

void group_book::prune(const cache::pod_group_index& index) {
    for (auto it = bound_.begin(); it != bound_.end();) {
        const auto* m = index.find(it->first);
        std::erase_if(it->second, [&](const std::string& uid) {
            if (m == nullptr) {
                return true;
            }
            auto member = m->find(uid);
            return member == m->end() || !member->second->node_name.empty();
        });
        it = it->second.empty() ? bound_.erase(it) : std::next(it);
    }
}

}  // namespace multisched::plugins::coscheduling
