// SPDX-License-Identifier: Apache-2.0
#include "core/framework/node_info.hpp"

#include <algorithm>

#include "core/api/selectors.hpp"

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

std::string_view ip_or_default(std::string_view ip) {
    return ip.empty() ? kDefaultBindAllHostIP : ip;
}

host_port_info::protocol_port key_of(std::string_view protocol, std::int32_t port) {
    return {std::string(protocol.empty() ? kDefaultHostPortProtocol : protocol), port};
}

const api::label_selector* valid_or_null(const std::optional<api::label_selector>& s) {
    return s && api::label_selector_errors(*s, "").empty() ? &*s : nullptr;
}

affinity_term make_term(const api::pod& owner, const api::pod_affinity_term& t,
                        std::int32_t weight) {
    affinity_term out;
    out.selector = valid_or_null(t.selector);
    out.namespace_selector = valid_or_null(t.namespace_selector);
    out.namespaces = t.namespaces;
    if (t.namespaces.empty() && !t.namespace_selector) {
        out.namespaces.push_back(owner.meta.ns);
    }
    out.topology_key = t.topology_key;
    out.weight = weight;
    return out;
}

void add_terms(const api::pod& owner, const std::optional<api::pod_affinity>& a,
               std::vector<affinity_term>& required, std::vector<affinity_term>& preferred) {
    if (!a) {
        return;
    }
    for (const auto& t : a->required) {
        required.push_back(make_term(owner, t, 0));
    }
    for (const auto& w : a->preferred) {
        preferred.push_back(make_term(owner, w.term, w.weight));
    }
}

bool remove_by_uid(std::vector<std::shared_ptr<const pod_info>>& pods, std::string_view uid) {
    auto it = std::find_if(pods.begin(), pods.end(),
                           [&](const auto& p) { return p->pod->meta.uid == uid; });
    if (it == pods.end()) {
        return false;
    }
    // Order of pods on a node carries no meaning: swap-and-pop.
    std::iter_swap(it, pods.end() - 1);
    pods.pop_back();
    return true;
}

}  // namespace

bool affinity_term::matches(const api::pod& p, const api::label_map* ns_labels) const {
    if (selector == nullptr) {
        return false;
    }
    const bool in_namespace =
        std::find(namespaces.begin(), namespaces.end(), p.meta.ns) != namespaces.end() ||
        (namespace_selector != nullptr && ns_labels != nullptr &&
         api::matches_valid(*namespace_selector, *ns_labels));
    return in_namespace && api::matches_valid(*selector, p.meta.labels);
}

void host_port_info::add(std::string_view ip, std::string_view protocol, std::int32_t port) {
    if (port <= 0) {
        return;
    }
    const auto ip_key = ip_or_default(ip);
    auto it = by_ip_.find(ip_key);
    if (it == by_ip_.end()) {
        it = by_ip_.emplace(std::string(ip_key), std::map<protocol_port, int>{}).first;
    }
    ++it->second[key_of(protocol, port)];
}

void host_port_info::remove(std::string_view ip, std::string_view protocol, std::int32_t port) {
    if (port <= 0) {
        return;
    }
    auto it = by_ip_.find(ip_or_default(ip));
    if (it == by_ip_.end()) {
        return;
    }
    auto entry = it->second.find(key_of(protocol, port));
    if (entry == it->second.end()) {
        return;
    }
    if (--entry->second == 0) {
        it->second.erase(entry);
    }
    if (it->second.empty()) {
        by_ip_.erase(it);
    }
}

bool host_port_info::conflicts(std::string_view ip, std::string_view protocol,
                               std::int32_t port) const {
    if (port <= 0) {
        return false;
    }
    const auto ip_key = ip_or_default(ip);
    const auto key = key_of(protocol, port);
    if (ip_key == kDefaultBindAllHostIP) {
        for (const auto& [_, used] : by_ip_) {
            if (used.contains(key)) {
                return true;
            }
        }
        return false;
    }
    for (const auto candidate : {kDefaultBindAllHostIP, ip_key}) {
        const auto it = by_ip_.find(candidate);
        if (it != by_ip_.end() && it->second.contains(key)) {
            return true;
        }
    }
    return false;
}

std::size_t host_port_info::size() const {
    std::size_t n = 0;
    for (const auto& [_, used] : by_ip_) {
        n += used.size();
    }
    return n;
}

void update_used_ports(host_port_info& ports, const api::pod& pod, bool add) {
    for (const auto& c : pod.containers) {
        for (const auto& p : c.ports) {
            if (add) {
                ports.add(p.host_ip, p.protocol, p.host_port);
            } else {
                ports.remove(p.host_ip, p.protocol, p.host_port);
            }
        }
    }
}

std::shared_ptr<const pod_info> make_pod_info(std::shared_ptr<const api::pod> pod) {
    auto info = std::make_shared<pod_info>();
    info->requests = api::pod_requests(*pod);
    const auto non_zero = api::pod_non_zero_requests(*pod);
    info->non_zero_milli_cpu = non_zero.milli_cpu;
    info->non_zero_memory = non_zero.memory;
    add_terms(*pod, pod->affinity, info->required_affinity, info->preferred_affinity);
    add_terms(*pod, pod->anti_affinity, info->required_anti_affinity,
              info->preferred_anti_affinity);
    info->pod = std::move(pod);
    return info;
}

void node_info::set_node(std::shared_ptr<const api::node> node) {
    node_ = std::move(node);
    ++generation_;
    memo_size_ = 0;
}

void node_info::add_pod(std::shared_ptr<const pod_info> pod) {
    requested_.add(pod->requests);
    non_zero_milli_cpu_ += pod->non_zero_milli_cpu;
    non_zero_memory_ += pod->non_zero_memory;
    update_used_ports(used_ports_, *pod->pod, true);
    if (pod->has_affinity()) {
        pods_with_affinity_.push_back(pod);
    }
    if (!pod->required_anti_affinity.empty()) {
        pods_with_required_anti_affinity_.push_back(pod);
    }
    pods_.push_back(std::move(pod));
    ++generation_;
    memo_size_ = 0;
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
    update_used_ports(used_ports_, *(*it)->pod, false);
    remove_by_uid(pods_with_affinity_, uid);
    remove_by_uid(pods_with_required_anti_affinity_, uid);
    remove_by_uid(pods_, uid);
    ++generation_;
    memo_size_ = 0;
    return true;
}

const std::int64_t* node_info::recall(std::uint64_t key) const {
    for (std::size_t i = 0; i < memo_size_; ++i) {
        if (memo_[i].first == key) {
            return &memo_[i].second;
        }
    }
    return nullptr;
}

void node_info::remember(std::uint64_t key, std::int64_t value) const {
    for (std::size_t i = 0; i < memo_size_; ++i) {
        if (memo_[i].first == key) {
            memo_[i].second = value;
            return;
        }
    }
    if (memo_size_ == kMemoSlots) {
        std::move(memo_.begin() + 1, memo_.end(), memo_.begin());  // forget the oldest
        --memo_size_;
    }
    memo_[memo_size_++] = {key, value};
}

}  // namespace multisched::framework
