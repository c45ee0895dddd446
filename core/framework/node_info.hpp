// SPDX-License-Identifier: Apache-2.0
// pod_info: a pod with the numbers the scheduler derives from it once (requests).
// node_info: a node and every pod assigned to it, whoever placed it, with running sums.
// host_port_info: the host ports in use on a node (upstream framework.HostPortInfo).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api/types.hpp"

namespace multisched::framework {

// One pod (anti-)affinity term checked once (upstream framework.AffinityTerm). Pointers refer
// into the pod that the owning pod_info keeps alive.
struct affinity_term {
    const api::label_selector* selector = nullptr;  // null: matches no pod (absent or invalid)
    // Explicit namespaces; the term's own pod's namespace when neither namespaces nor a
    // namespaceSelector is given.
    std::vector<std::string> namespaces;
    const api::label_selector* namespace_selector = nullptr;  // null: selects no namespace
    std::string topology_key;
    std::int32_t weight = 0;  // preferred terms only

    // upstream AffinityTerm.Matches: `p` is in one of the namespaces (or in a namespace whose
    // labels `ns_labels` the namespaceSelector matches) and its labels match the selector.
    bool matches(const api::pod& p, const api::label_map* ns_labels) const;
};

struct pod_info {
    std::shared_ptr<const api::pod> pod;
    api::resource_list requests;          // api::pod_requests
    std::int64_t non_zero_milli_cpu = 0;  // api::pod_non_zero_requests, for scoring
    std::int64_t non_zero_memory = 0;
    // spec.affinity.podAffinity / podAntiAffinity, checked once.
    std::vector<affinity_term> required_affinity;
    std::vector<affinity_term> required_anti_affinity;
    std::vector<affinity_term> preferred_affinity;
    std::vector<affinity_term> preferred_anti_affinity;

    bool has_affinity() const {
        return !required_affinity.empty() || !required_anti_affinity.empty() ||
               !preferred_affinity.empty() || !preferred_anti_affinity.empty();
    }
};

std::shared_ptr<const pod_info> make_pod_info(std::shared_ptr<const api::pod> pod);

inline constexpr std::string_view kDefaultBindAllHostIP = "0.0.0.0";
inline constexpr std::string_view kDefaultHostPortProtocol = "TCP";

// Host ports in use, keyed by host IP then (protocol, port). An empty IP means 0.0.0.0 and an
// empty protocol TCP. Ports <= 0 are ignored by every method. Unlike upstream's set, each entry
// counts its users, so removing one of two pods that share a port keeps the port in use.
class host_port_info {
  public:
    using protocol_port = std::pair<std::string, std::int32_t>;

    void add(std::string_view ip, std::string_view protocol, std::int32_t port);
    // Drops one use; an unknown entry is ignored.
    void remove(std::string_view ip, std::string_view protocol, std::int32_t port);
    // Whether binding (ip, protocol, port) would clash: 0.0.0.0 clashes with any IP on the same
    // protocol and port; any other IP clashes with itself and with 0.0.0.0.
    bool conflicts(std::string_view ip, std::string_view protocol, std::int32_t port) const;
    // Number of distinct (ip, protocol, port) entries in use.
    std::size_t size() const;
    bool empty() const { return by_ip_.empty(); }

  private:
    std::map<std::string, std::map<protocol_port, int>, std::less<>> by_ip_;
};

// Adds (add = true) or removes the host ports of the pod's containers, as upstream
// NodeInfo.updateUsedPorts: spec.containers only, init containers (sidecars included) are not
// counted.
void update_used_ports(host_port_info& ports, const api::pod& pod, bool add);

class node_info {
  public:
    // The node object; null while pods reference a node the cache has not seen (or was deleted).
    const api::node* node() const { return node_.get(); }
    const std::shared_ptr<const api::node>& node_ptr() const { return node_; }
    const std::string& name() const { return name_; }
    const std::vector<std::shared_ptr<const pod_info>>& pods() const { return pods_; }
    // The pods with any pod affinity or anti-affinity term, and those with required
    // anti-affinity terms (upstream PodsWithAffinity / PodsWithRequiredAntiAffinity).
    const std::vector<std::shared_ptr<const pod_info>>& pods_with_affinity() const {
        return pods_with_affinity_;
    }
    const std::vector<std::shared_ptr<const pod_info>>& pods_with_required_anti_affinity() const {
        return pods_with_required_anti_affinity_;
    }
    // Sum of the requests of every pod on the node (assumed ones included).
    const api::resource_list& requested() const { return requested_; }
    std::int64_t non_zero_milli_cpu() const { return non_zero_milli_cpu_; }
    std::int64_t non_zero_memory() const { return non_zero_memory_; }
    // Host ports used by the pods on the node (upstream NodeInfo.UsedPorts).
    const host_port_info& used_ports() const { return used_ports_; }
    // Bumped on every change; lets snapshots and tests see what moved.
    std::uint64_t generation() const { return generation_; }

    // A memo for plugins that derive a number from this node and its pods with the same query
    // every cycle (e.g. "pods in namespace N matching selector S"): the value remembered under
    // `key` (a framework::memo_keys key naming the query), kept until the node or its pods
    // change — every change forgets them all, and copies carry them. recall() is null when the
    // query was not remembered since. At most kMemoSlots queries per node; remembering one more
    // forgets the oldest. Not synchronised: the cache and the cycle share one thread.
    static constexpr std::size_t kMemoSlots = 8;
    const std::int64_t* recall(std::uint64_t key) const;
    void remember(std::uint64_t key, std::int64_t value) const;
    // How many queries are remembered now.
    std::size_t remembered() const { return memo_size_; }

    explicit node_info(std::string name) : name_(std::move(name)) {}
    void set_node(std::shared_ptr<const api::node> node);
    void add_pod(std::shared_ptr<const pod_info> pod);
    // Removes the pod with this uid; returns false if it was not on the node.
    bool remove_pod(std::string_view uid);

  private:
    std::string name_;
    std::shared_ptr<const api::node> node_;
    std::vector<std::shared_ptr<const pod_info>> pods_;
    std::vector<std::shared_ptr<const pod_info>> pods_with_affinity_;
    std::vector<std::shared_ptr<const pod_info>> pods_with_required_anti_affinity_;
    api::resource_list requested_;
    std::int64_t non_zero_milli_cpu_ = 0;
    std::int64_t non_zero_memory_ = 0;
    host_port_info used_ports_;
    std::uint64_t generation_ = 0;
    // Inline, not on the heap: a cycle recalls on every node, and one more pointer to chase per
    // node is one more cache miss. Last, so that the fields every Filter reads stay together.
    mutable std::array<std::pair<std::uint64_t, std::int64_t>, kMemoSlots> memo_{};  // oldest first
    mutable std::size_t memo_size_ = 0;
};

}  // namespace multisched::framework
