// SPDX-License-Identifier: Apache-2.0
// resource_list / label_map methods and the pod request arithmetic of kube-scheduler.
#include <algorithm>

#include "core/api/types.hpp"

namespace multisched::api {
namespace {

// The scalar entry named `name`, or the position where it would be inserted.
auto scalar_lower_bound(std::vector<std::pair<std::string, std::int64_t>>& scalar,
                        std::string_view name) {
    return std::lower_bound(scalar.begin(), scalar.end(), name,
                            [](const auto& e, std::string_view n) { return e.first < n; });
}

}  // namespace

std::int64_t resource_list::scalar_value(std::string_view name) const {
    const auto it = std::lower_bound(scalar.begin(), scalar.end(), name,
                                     [](const auto& e, std::string_view n) { return e.first < n; });
    if (it == scalar.end() || it->first != name) {
        return 0;
    }
    return it->second;
}

void resource_list::add(std::string_view name, std::int64_t v) {
    if (name == kResourceCPU) {
        milli_cpu += v;
        return;
    }
    if (name == kResourceMemory) {
        memory += v;
        return;
    }
    if (name == kResourceEphemeralStorage) {
        ephemeral_storage += v;
        return;
    }
    if (name == kResourcePods) {
        pods += v;
        return;
    }
    const auto it = scalar_lower_bound(scalar, name);
    if (it != scalar.end() && it->first == name) {
        it->second += v;
        return;
    }
    scalar.emplace(it, std::string(name), v);
}

void resource_list::add(const resource_list& other) {
    milli_cpu += other.milli_cpu;
    memory += other.memory;
    ephemeral_storage += other.ephemeral_storage;
    pods += other.pods;
    for (const auto& [name, v] : other.scalar) {
        add(name, v);
    }
}

void resource_list::set_max(const resource_list& other) {
    milli_cpu = std::max(milli_cpu, other.milli_cpu);
    memory = std::max(memory, other.memory);
    ephemeral_storage = std::max(ephemeral_storage, other.ephemeral_storage);
    pods = std::max(pods, other.pods);
    for (const auto& [name, v] : other.scalar) {
        const auto it = scalar_lower_bound(scalar, name);
        if (it != scalar.end() && it->first == name) {
            it->second = std::max(it->second, v);
            continue;
        }
        // Upstream's maxResourceList copies a resource this list lacks, whatever its sign.
        scalar.emplace(it, name, v);
    }
}

std::ptrdiff_t label_map::position(std::string_view key) const {
    // Small maps (nearly all): a scan that compares lengths first. Well-known keys share long
    // prefixes ("topology.kubernetes.io/..."), which make the binary search's ordered compares
    // cost a memcmp each; equal lengths are rare.
    if (items.size() <= kLinearFindMax) {
        for (std::size_t i = 0; i < items.size(); ++i) {
            const std::string& k = items[i].first;
            if (k.size() == key.size() && k == key) {
                return static_cast<std::ptrdiff_t>(i);
            }
        }
        return -1;
    }
    const auto it = std::lower_bound(items.begin(), items.end(), key,
                                     [](const auto& e, std::string_view k) { return e.first < k; });
    if (it == items.end() || it->first != key) {
        return -1;
    }
    return it - items.begin();
}

const std::string* label_map::find(std::string_view key) const {
    const std::ptrdiff_t at = position(key);
    return at < 0 ? nullptr : &items[static_cast<std::size_t>(at)].second;
}

label_map label_map::from_pairs(std::vector<std::pair<std::string, std::string>> pairs) {
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    label_map m;
    m.items.reserve(pairs.size());
    for (auto& p : pairs) {
        if (!m.items.empty() && m.items.back().first == p.first) {
            m.items.back().second = std::move(p.second);  // a later duplicate wins
        } else {
            m.items.push_back(std::move(p));
        }
    }
    return m;
}

void label_map::set(std::string key, std::string value) {
    const auto it =
        std::lower_bound(items.begin(), items.end(), key,
                         [](const auto& e, const std::string& k) { return e.first < k; });
    if (it != items.end() && it->first == key) {
        it->second = std::move(value);
        return;
    }
    items.emplace(it, std::move(key), std::move(value));
}

namespace {

// A container's requests as PodRequests sees them; with `non_zero`, kube-scheduler's
// NonMissingContainerRequests defaults fill in a cpu / memory request the container does not
// name at all (an explicit zero stays zero).
resource_list effective_requests(const container& c, bool non_zero) {
    resource_list r = c.requests;
    if (!non_zero) {
        return r;
    }
    if (!c.has_cpu_request) {
        r.milli_cpu = kDefaultMilliCPURequest;
    }
    if (!c.has_memory_request) {
        r.memory = kDefaultMemoryRequest;
    }
    return r;
}

// k8s.io/component-helpers/resource PodRequests (helpers.go), without the
// InPlacePodVerticalScaling status path and without pod-level resources:
//   reqs = sum(containers) + sum(restartable init containers)
//   for each init container i, in order:
//     sidecar:     sidecars += req(i); candidate = sidecars
//     non-sidecar: candidate = req(i) + sidecars started before i
//     init = max(init, candidate)
//   reqs = max(reqs, init) + overhead
resource_list aggregate_requests(const pod& p, bool non_zero) {
    resource_list reqs;
    for (const auto& c : p.containers) {
        reqs.add(effective_requests(c, non_zero));
    }
    resource_list sidecars;
    resource_list init;
    for (const auto& c : p.init_containers) {
        resource_list r = effective_requests(c, non_zero);
        if (c.restart_always) {
            reqs.add(r);
            sidecars.add(r);
            init.set_max(sidecars);
            continue;
        }
        r.add(sidecars);
        init.set_max(r);
    }
    reqs.set_max(init);
    reqs.add(p.overhead);
    return reqs;
}

}  // namespace

resource_list pod_requests(const pod& p) {
    return aggregate_requests(p, false);
}

resource_list pod_non_zero_requests(const pod& p) {
    return aggregate_requests(p, true);
}

bool is_pod_updated(const pod& old_pod, const pod& new_pod) {
    const auto strip = [](pod p) {
        p.meta.resource_version.clear();
        p.phase.clear();
        p.nominated_node_name.clear();
        p.conditions.clear();
        return p;
    };
    return !(strip(old_pod) == strip(new_pod));
}

std::string volume_claim_name(const pod& p, const volume& v) {
    if (!v.pvc_claim_name.empty()) {
        return v.pvc_claim_name;
    }
    if (v.ephemeral) {
        return p.meta.name + "-" + v.name;
    }
    return {};
}

}  // namespace multisched::api
