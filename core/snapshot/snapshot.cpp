// SPDX-License-Identifier: Apache-2.0
#include "core/snapshot/snapshot.hpp"

#include <fmt/format.h>

namespace multisched::snapshot {
namespace {

// ", 2 persistent volumes": one kind of a summary, nothing when there is none.
void append_count(std::string& out, std::size_t n, std::string_view one, std::string_view many) {
    if (n > 0) {
        out += fmt::format(", {} {}", n, n == 1 ? one : many);
    }
}

}  // namespace

std::size_t cluster_snapshot::object_count() const {
    return nodes.size() + pods.size() + pvs.size() + pvcs.size() + storage_classes.size() +
           csi_nodes.size() + pdbs.size() + namespaces.size() + pod_groups.size() +
           services.size() + replication_controllers.size() + workload_sets.size();
}

std::string describe(const cluster_snapshot& s) {
    std::size_t bound = 0;
    for (const auto& p : s.pods) {
        bound += p->node_name.empty() ? 0 : 1;
    }
    std::string out =
        fmt::format("{} {}, {} {} ({} bound, {} pending)", s.nodes.size(),
                    s.nodes.size() == 1 ? "node" : "nodes", s.pods.size(),
                    s.pods.size() == 1 ? "pod" : "pods", bound, s.pods.size() - bound);
    append_count(out, s.pvs.size(), "persistent volume", "persistent volumes");
    append_count(out, s.pvcs.size(), "persistent volume claim", "persistent volume claims");
    append_count(out, s.storage_classes.size(), "storage class", "storage classes");
    append_count(out, s.csi_nodes.size(), "CSI node", "CSI nodes");
    append_count(out, s.pdbs.size(), "pod disruption budget", "pod disruption budgets");
    append_count(out, s.namespaces.size(), "namespace", "namespaces");
    append_count(out, s.pod_groups.size(), "pod group", "pod groups");
    append_count(out, s.services.size(), "service", "services");
    append_count(out, s.replication_controllers.size(), "replication controller",
                 "replication controllers");
    append_count(out, s.workload_sets.size(), "replica set or stateful set",
                 "replica sets and stateful sets");
    return out;
}

}  // namespace multisched::snapshot
