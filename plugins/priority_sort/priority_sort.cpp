// SPDX-License-Identifier: Apache-2.0
#include "plugins/priority_sort/priority_sort.hpp"

#include "plugins/names.hpp"

namespace multisched::plugins::priority_sort {
namespace {

// corev1helpers.PodPriority: spec.priority, 0 when unset.
std::int32_t pod_priority(const framework::queued_pod_info& q) {
    return q.info->pod->priority.value_or(0);
}

}  // namespace

std::string_view priority_sort::name() const {
    return names::kPrioritySort;
}

bool priority_sort::less(const framework::queued_pod_info& a,
                         const framework::queued_pod_info& b) const {
    const auto pa = pod_priority(a);
    const auto pb = pod_priority(b);
    return pa > pb || (pa == pb && a.timestamp < b.timestamp);
}

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& /*args*/,
                                                framework::handle& /*h*/) {
    return std::unique_ptr<framework::plugin>(std::make_unique<priority_sort>());
}

}  // namespace multisched::plugins::priority_sort
