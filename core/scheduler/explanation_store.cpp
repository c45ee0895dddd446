// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler/explanation_store.hpp"

namespace multisched::scheduler {

explanation_store::explanation_store(std::size_t max_pods, std::size_t max_weight)
    : max_pods_(max_pods), max_weight_(max_weight) {}

void explanation_store::erase(list::iterator it) {
    const explanation& e = *it->e;
    weight_ -= e.weight();
    if (auto k = uid_of_key_.find(e.pod); k != uid_of_key_.end() && k->second == e.uid) {
        uid_of_key_.erase(k);
    }
    by_uid_.erase(e.uid);
    order_.erase(it);
}

void explanation_store::put(explanation e) {
    forget(e.uid);
    auto kept = std::make_shared<const explanation>(std::move(e));
    weight_ += kept->weight();
    order_.push_front({kept});
    by_uid_[kept->uid] = order_.begin();
    uid_of_key_[kept->pod] = kept->uid;  // a newer pod of the same name takes the name over
    while (order_.size() > 1 && (order_.size() > max_pods_ || weight_ > max_weight_)) {
        erase(std::prev(order_.end()));
    }
}

void explanation_store::note(const std::string& uid, const std::string& message) {
    auto it = by_uid_.find(uid);
    if (it == by_uid_.end()) {
        return;
    }
    auto changed = std::make_shared<explanation>(*it->second->e);
    changed->message = message;
    changed->node.clear();
    it->second->e = std::move(changed);
}

void explanation_store::forget(const std::string& uid) {
    if (auto it = by_uid_.find(uid); it != by_uid_.end()) {
        erase(it->second);
    }
}

std::shared_ptr<const explanation> explanation_store::find(std::string_view key) const {
    auto k = uid_of_key_.find(std::string(key));
    if (k == uid_of_key_.end()) {
        return nullptr;
    }
    auto it = by_uid_.find(k->second);
    return it == by_uid_.end() ? nullptr : it->second->e;
}

}  // namespace multisched::scheduler
