// SPDX-License-Identifier: Apache-2.0
// The daemon's last explanation of each pod it has attempted and not yet bound, for
// /debug/explain. Bounded: at most `max_pods` pods and `max_weight` node verdicts in all
// (explanation::weight); beyond either the least recently attempted pods go first. The scheduler
// forgets a pod when it is bound (by us or anyone) or deleted. One thread (the io_context's).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/scheduler/explanation.hpp"

namespace multisched::scheduler {

class explanation_store {
  public:
    static constexpr std::size_t kDefaultMaxPods = 2000;
    static constexpr std::size_t kDefaultMaxWeight = 200'000;

    explicit explanation_store(std::size_t max_pods = kDefaultMaxPods,
                               std::size_t max_weight = kDefaultMaxWeight);

    // Keeps `e` as the pod's explanation (by e.uid), replacing the earlier one.
    void put(explanation e);
    // The pod's attempt ended after the algorithm (Reserve, Permit or binding failed): its
    // explanation's message becomes `message`. No-op for a pod without one.
    void note(const std::string& uid, const std::string& message);
    void forget(const std::string& uid);

    // The explanation of the pod named "namespace/name", or null.
    std::shared_ptr<const explanation> find(std::string_view key) const;
    std::size_t size() const { return by_uid_.size(); }
    std::size_t weight() const { return weight_; }

  private:
    struct entry {
        std::shared_ptr<const explanation> e;
    };
    using list = std::list<entry>;  // most recently attempted first
    void erase(list::iterator it);

    std::size_t max_pods_;
    std::size_t max_weight_;
    std::size_t weight_ = 0;
    list order_;
    std::unordered_map<std::string, list::iterator> by_uid_;
    std::unordered_map<std::string, std::string> uid_of_key_;  // namespace/name -> uid
};

}  // namespace multisched::scheduler
