// SPDX-License-Identifier: Apache-2.0
#include "plugins/coscheduling/feasibility.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "plugins/coscheduling/group_state.hpp"

namespace multisched::plugins::coscheduling {
namespace {

using framework::node_info;
using framework::pod_info;

// `nodes` with copies of the nodes pods were added to (copy on first write).
class node_copies {
  public:
    explicit node_copies(std::span<const node_info* const> nodes)
        : original_(nodes), view_(nodes.begin(), nodes.end()) {}

    void add(std::size_t i, std::shared_ptr<const pod_info> pod) {
        auto [it, fresh] = copies_.try_emplace(i, *original_[i]);
        it->second.add_pod(std::move(pod));
        view_[i] = &it->second;
    }
    const node_info& at(std::size_t i) const { return *view_[i]; }
    std::size_t size() const { return view_.size(); }

  private:
    std::span<const node_info* const> original_;
    std::vector<const node_info*> view_;
    std::map<std::size_t, node_info> copies_;  // stable addresses
};

struct added {
    std::shared_ptr<const pod_info> pod;
    std::size_t node;
};

// PreFilter for `pod` then AddPod for each of `extras` on its node as it is after the addition.
bool prepare_state(framework::framework& fw, framework::cycle_state& state, const pod_info& pod,
                   std::span<const node_info* const> nodes, const std::vector<added>& extras,
                   framework::pre_filter_result& result) {
    if (!fw.run_pre_filter(state, pod, nodes, result).is_success()) {
        return false;
    }
    std::map<std::size_t, node_info> replay;
    for (const auto& e : extras) {
        auto& node = replay.try_emplace(e.node, *nodes[e.node]).first->second;
        node.add_pod(e.pod);
        if (!fw.run_pre_filter_add_pod(state, pod, *e.pod, node).is_success()) {
            return false;
        }
    }
    return true;
}

// The first node from `start` (wrapping) that passes Filter for `pod`.
std::optional<std::size_t> first_fit(framework::framework& fw, framework::cycle_state& state,
                                     const pod_info& pod, const node_copies& copies,
                                     const framework::pre_filter_result& result,
                                     std::size_t start) {
    const std::size_t n = copies.size();
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = (start + k) % n;
        const node_info& node = copies.at(i);
        if (node.node() == nullptr ||
            (result.node_names && !result.node_names->contains(node.name()))) {
            continue;
        }
        if (fw.run_filter(state, pod, node).is_success()) {
            return i;
        }
    }
    return std::nullopt;
}

void mix(std::uint64_t& h, std::uint64_t v) {
    h = (h ^ v) * 1099511628211ULL;  // FNV-1a step over whole words
}

}  // namespace

simulation_result simulate_placement(framework::framework& fw,
                                     std::span<const node_info* const> nodes,
                                     std::span<const placement> reserved,
                                     std::span<const std::shared_ptr<const pod_info>> candidates,
                                     std::size_t needed, std::size_t start) {
    simulation_result out;
    out.next_start = start;
    if (nodes.empty()) {
        return out;
    }
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        index.emplace(nodes[i]->name(), i);
    }
    node_copies copies(nodes);
    std::vector<added> extras;
    for (const auto& r : reserved) {
        if (auto it = index.find(r.node); it != index.end()) {
            copies.add(it->second, r.pod);
            extras.push_back({r.pod, it->second});
        }
    }
    for (const auto& cand : candidates) {
        if (out.placed.size() >= needed) {
            break;
        }
        framework::cycle_state state;
        framework::pre_filter_result result;
        if (!prepare_state(fw, state, *cand, nodes, extras, result)) {
            continue;
        }
        const auto at = first_fit(fw, state, *cand, copies, result, out.next_start % nodes.size());
        if (!at) {
            continue;
        }
        copies.add(*at, cand);
        extras.push_back({cand, *at});
        out.placed.push_back({cand, nodes[*at]->name()});
        out.next_start = *at + 1;
    }
    return out;
}

std::uint64_t feasibility_digest(std::span<const node_info* const> nodes,
                                 const cache::pod_group_index::members& members,
                                 const framework::handle& h, std::uint64_t epoch) {
    const std::hash<std::string_view> hash;
    std::uint64_t d = 14695981039346656037ULL;
    mix(d, epoch);
    mix(d, nodes.size());
    for (const auto* n : nodes) {
        mix(d, hash(n->name()));
        mix(d, n->generation());
    }
    mix(d, members.size());
    for (const auto& [uid, pod] : members) {
        mix(d, hash(uid));
        mix(d, hash(pod->meta.resource_version));
        mix(d, is_placed(h, *pod) ? 1 : 0);
    }
    return d;
}

namespace {

struct amount {
    std::string name;
    std::int64_t need;
    std::int64_t have;
};

std::string show(std::string_view name, std::int64_t v) {
    return name == api::kResourceCPU ? fmt::format("{}m", v) : std::to_string(v);
}

// The cluster's free room plus what the placed members hold.
api::resource_list free_room(std::span<const node_info* const> nodes, const framework::handle& h,
                             const cache::pod_group_index::members* members) {
    api::resource_list free;
    const auto left = [](std::int64_t alloc, std::int64_t used) {
        return std::max<std::int64_t>(0, alloc - used);
    };
    for (const auto* n : nodes) {
        if (n->node() == nullptr) {
            continue;
        }
        const api::resource_list& alloc = n->node()->allocatable;
        const api::resource_list& used = n->requested();
        free.milli_cpu += left(alloc.milli_cpu, used.milli_cpu);
        free.memory += left(alloc.memory, used.memory);
        free.ephemeral_storage += left(alloc.ephemeral_storage, used.ephemeral_storage);
        free.pods += left(alloc.pods, static_cast<std::int64_t>(n->pods().size()));
        for (const auto& [name, v] : alloc.scalar) {
            free.add(name, left(v, used.scalar_value(name)));
        }
    }
    if (members != nullptr) {
        for (const auto& [uid, pod] : *members) {
            if (is_placed(h, *pod)) {
                free.add(api::pod_requests(*pod));
                free.pods += 1;
            }
        }
    }
    return free;
}

}  // namespace

std::string min_resources_shortfall(const api::pod_group& group, std::string_view key,
                                    std::span<const node_info* const> nodes,
                                    const framework::handle& h,
                                    const cache::pod_group_index::members* members) {
    if (!group.min_resources) {
        return {};
    }
    const api::resource_list& need = *group.min_resources;
    const api::resource_list free = free_room(nodes, h, members);
    std::vector<amount> checks = {
        {std::string(api::kResourceCPU), need.milli_cpu, free.milli_cpu},
        {std::string(api::kResourceMemory), need.memory, free.memory},
        {std::string(api::kResourceEphemeralStorage), need.ephemeral_storage,
         free.ephemeral_storage},
        // upstream asks for minMember pods whatever minResources says about pods.
        {std::string(api::kResourcePods), group.min_member, free.pods},
    };
    for (const auto& [name, v] : need.scalar) {
        checks.push_back({name, v, free.scalar_value(name)});
    }
    for (const auto& c : checks) {
        if (c.need > c.have) {
            return fmt::format("group {} needs {} {} for minResources, the cluster has {} free",
                               key, c.name, show(c.name, c.need), show(c.name, c.have));
        }
    }
    return {};
}

}  // namespace multisched::plugins::coscheduling
