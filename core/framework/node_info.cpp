// SPDX-License-Identifier: Apache-2.0
#include "core/framework/node_info.hpp"

#include <algorithm>

namespace multisched::framework {
namespace {

void subtract(api::resource_list& total, const api::resource_list& r) {
    total.milli_cpu -= r.milli_cpu;
    total.memory -= r.memory;
    total.ephemeral_storage -= r.ephemeral_storage;
    for (const auto& [name, v] : r.scalar) {
        total.add(name, -v);
    }
}

}  // namespace

std::shared_ptr<const pod_info> make_pod_info(std::shared_ptr<const api::pod> pod) {
    auto info = std::make_shared<pod_info>();
    info->requests = api::pod_requests(*pod);
    const auto non_zero = api::pod_non_zero_requests(*pod);
    info->non_zero_milli_cpu = non_zero.milli_cpu;
    info->non_zero_memory = non_zero.memory;
    info->pod = std::move(pod);
    return info;
}

void node_info::set_node(std::shared_ptr<const api::node> node) {
    node_ = std::move(node);
    ++generation_;
}

void node_info::add_pod(std::shared_ptr<const pod_info> pod) {
    requested_.add(pod->requests);
    non_zero_milli_cpu_ += pod->non_zero_milli_cpu;
    non_zero_memory_ += pod->non_zero_memory;
    pods_.push_back(std::move(pod));
    ++generation_;
}

bool node_info::remove_pod(std::string_view uid) {
    auto it = std::find_if(pods_.begin(), pods_.end(),
                           [&](const auto& p) { return p->pod->meta.uid == uid; });
    if (it == pods_.end()) {
        return false;
    }
    subtract(requested_, (*it)->requests);
    non_zero_milli_cpu_ -= (*it)->non_zero_milli_cpu;
    non_zero_memory_ -= (*it)->non_zero_memory;
    // Order of pods on a node carries no meaning: swap-and-pop.
    std::iter_swap(it, pods_.end() - 1);
    pods_.pop_back();
    ++generation_;
    return true;
}

}  // namespace multisched::framework
