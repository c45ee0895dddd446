// SPDX-License-Identifier: Apache-2.0
// The pod-spec fields that constrain placement relative to other pods and to storage:
// spec.affinity.podAffinity / podAntiAffinity, spec.topologySpreadConstraints, spec.volumes.
#include "core/api/decode_reader.hpp"

namespace multisched::api::detail {
namespace {

pod_affinity_term read_affinity_term(reader& r, json::value v, const path& p) {
    pod_affinity_term t;
    if (!r.object(v, p)) {
        return t;
    }
    t.selector = read_label_selector(r, v["labelSelector"], p / "labelSelector");
    t.namespaces = read_array<std::string>(r, v["namespaces"], p / "namespaces", read_string_item);
    t.namespace_selector = read_label_selector(r, v["namespaceSelector"], p / "namespaceSelector");
    t.topology_key = r.string(v["topologyKey"], p / "topologyKey");
    t.match_label_keys =
        read_array<std::string>(r, v["matchLabelKeys"], p / "matchLabelKeys", read_string_item);
    t.mismatch_label_keys = read_array<std::string>(r, v["mismatchLabelKeys"],
                                                    p / "mismatchLabelKeys", read_string_item);
    return t;
}

weighted_pod_affinity_term read_weighted_term(reader& r, json::value v, const path& p) {
    weighted_pod_affinity_term t;
    if (!r.object(v, p)) {
        return t;
    }
    t.weight = r.int32(v["weight"], p / "weight");
    t.term = read_affinity_term(r, v["podAffinityTerm"], p / "podAffinityTerm");
    return t;
}

std::optional<pod_affinity> read_pod_affinity(reader& r, json::value v, const path& p) {
    if (!r.object(v, p)) {
        return std::nullopt;
    }
    pod_affinity a;
    a.required = read_array<pod_affinity_term>(
        r, v["requiredDuringSchedulingIgnoredDuringExecution"],
        p / "requiredDuringSchedulingIgnoredDuringExecution", read_affinity_term);
    a.preferred = read_array<weighted_pod_affinity_term>(
        r, v["preferredDuringSchedulingIgnoredDuringExecution"],
        p / "preferredDuringSchedulingIgnoredDuringExecution", read_weighted_term);
    return a;
}

topology_spread_constraint read_spread_constraint(reader& r, json::value v, const path& p) {
    topology_spread_constraint c;
    if (!r.object(v, p)) {
        return c;
    }
    c.max_skew = r.int32(v["maxSkew"], p / "maxSkew");
    c.topology_key = r.string(v["topologyKey"], p / "topologyKey");
    c.when_unsatisfiable = r.string(v["whenUnsatisfiable"], p / "whenUnsatisfiable");
    c.selector = read_label_selector(r, v["labelSelector"], p / "labelSelector");
    const json::value min_domains = v["minDomains"];
    if (!min_domains.is_null()) {
        c.min_domains = r.int32(min_domains, p / "minDomains");
    }
    c.node_affinity_policy = r.string(v["nodeAffinityPolicy"], p / "nodeAffinityPolicy");
    c.node_taints_policy = r.string(v["nodeTaintsPolicy"], p / "nodeTaintsPolicy");
    c.match_label_keys =
        read_array<std::string>(r, v["matchLabelKeys"], p / "matchLabelKeys", read_string_item);
    return c;
}

// Reads the source object `src` (if present) of a volume: its readOnly flag and the given fields.
bool read_source(reader& r, json::value v, std::string_view key, const path& p, volume& out,
                 json::value& src, path& src_p) {
    src = v[key];
    src_p = p / key;
    if (!r.object(src, src_p)) {
        return false;
    }
    out.read_only = r.boolean(src["readOnly"], src_p / "readOnly");
    return true;
}

volume read_volume(reader& r, json::value v, const path& p) {
    volume vol;
    if (!r.object(v, p)) {
        return vol;
    }
    vol.name = r.string(v["name"], p / "name");
    json::value src;
    path sp;
    if (read_source(r, v, "persistentVolumeClaim", p, vol, src, sp)) {
        vol.pvc_claim_name = r.string(src["claimName"], sp / "claimName");
    }
    vol.ephemeral = v["ephemeral"].is_object();
    if (read_source(r, v, "gcePersistentDisk", p, vol, src, sp)) {
        vol.gce_pd_name = r.string(src["pdName"], sp / "pdName");
    }
    if (read_source(r, v, "awsElasticBlockStore", p, vol, src, sp)) {
        vol.aws_ebs_volume_id = r.string(src["volumeID"], sp / "volumeID");
    }
    if (read_source(r, v, "rbd", p, vol, src, sp)) {
        vol.rbd_monitors =
            read_array<std::string>(r, src["monitors"], sp / "monitors", read_string_item);
        vol.rbd_pool = r.string(src["pool"], sp / "pool");
        if (vol.rbd_pool.empty()) {
            vol.rbd_pool = "rbd";  // the API default
        }
        vol.rbd_image = r.string(src["image"], sp / "image");
    }
    if (read_source(r, v, "iscsi", p, vol, src, sp)) {
        vol.iscsi_target_portal = r.string(src["targetPortal"], sp / "targetPortal");
        vol.iscsi_iqn = r.string(src["iqn"], sp / "iqn");
        vol.iscsi_lun = r.int32(src["lun"], sp / "lun");
    }
    return vol;
}

}  // namespace

void read_pod_constraints(reader& r, json::value spec, const path& p, pod& out) {
    const json::value affinity = spec["affinity"];
    const path affinity_p = p / "affinity";
    if (r.object(affinity, affinity_p)) {
        out.affinity = read_pod_affinity(r, affinity["podAffinity"], affinity_p / "podAffinity");
        out.anti_affinity =
            read_pod_affinity(r, affinity["podAntiAffinity"], affinity_p / "podAntiAffinity");
    }
    out.topology_spread_constraints = read_array<topology_spread_constraint>(
        r, spec["topologySpreadConstraints"], p / "topologySpreadConstraints",
        read_spread_constraint);
    out.volumes = read_array<volume>(r, spec["volumes"], p / "volumes", read_volume);
}

}  // namespace multisched::api::detail
