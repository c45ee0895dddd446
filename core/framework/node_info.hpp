// SPDX-License-Identifier: Apache-2.0
// pod_info: a pod with the numbers the scheduler derives from it once (requests).
// node_info: a node and every pod assigned to it, whoever placed it, with running sums.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/api/types.hpp"

namespace multisched::framework {

struct pod_info {
    std::shared_ptr<const api::pod> pod;
    api::resource_list requests;          // api::pod_requests
    std::int64_t non_zero_milli_cpu = 0;  // api::pod_non_zero_requests, for scoring
    std::int64_t non_zero_memory = 0;
};

std::shared_ptr<const pod_info> make_pod_info(std::shared_ptr<const api::pod> pod);

class node_info {
  public:
    // The node object; null while pods reference a node the cache has not seen (or was deleted).
    const api::node* node() const { return node_.get(); }
    const std::shared_ptr<const api::node>& node_ptr() const { return node_; }
    const std::string& name() const { return name_; }
    const std::vector<std::shared_ptr<const pod_info>>& pods() const { return pods_; }
    // Sum of the requests of every pod on the node (assumed ones included).
    const api::resource_list& requested() const { return requested_; }
    std::int64_t non_zero_milli_cpu() const { return non_zero_milli_cpu_; }
    std::int64_t non_zero_memory() const { return non_zero_memory_; }
    // Bumped on every change; lets snapshots and tests see what moved.
    std::uint64_t generation() const { return generation_; }

    explicit node_info(std::string name) : name_(std::move(name)) {}
    void set_node(std::shared_ptr<const api::node> node);
    void add_pod(std::shared_ptr<const pod_info> pod);
    // Removes the pod with this uid; returns false if it was not on the node.
    bool remove_pod(std::string_view uid);

  private:
    std::string name_;
    std::shared_ptr<const api::node> node_;
    std::vector<std::shared_ptr<const pod_info>> pods_;
    api::resource_list requested_;
    std::int64_t non_zero_milli_cpu_ = 0;
    std::int64_t non_zero_memory_ = 0;
    std::uint64_t generation_ = 0;
};

}  // namespace multisched::framework
