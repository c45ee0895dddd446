// SPDX-License-Identifier: Apache-2.0
// JSON -> the storage, disruption-budget and namespace objects of api/storage_types.hpp.
#include "core/api/decode.hpp"
#include "core/api/decode_reader.hpp"

namespace multisched::api {

using namespace detail;

namespace {

constexpr std::string_view kStorage = "storage";

label_map read_annotations(reader& r, json::value obj) {
    const path root;
    const json::value meta = obj["metadata"];
    if (!meta.is_object()) {
        return {};
    }
    return read_string_map(r, meta["annotations"], root / "metadata" / "annotations");
}

node_selector_term read_topology_term(reader& r, json::value v, const path& p) {
    node_selector_term t;
    if (!r.object(v, p)) {
        return t;
    }
    const json::value exprs = v["matchLabelExpressions"];
    const path exprs_p = p / "matchLabelExpressions";
    t.match_expressions = read_array<node_selector_requirement>(
        r, exprs, exprs_p, [](reader& rr, json::value e, const path& ep) {
            node_selector_requirement req;
            if (rr.object(e, ep)) {
                req.key = rr.string(e["key"], ep / "key");
                req.op = "In";
                req.values =
                    read_array<std::string>(rr, e["values"], ep / "values", read_string_item);
            }
            return req;
        });
    return t;
}

csi_node_driver read_csi_driver(reader& r, json::value v, const path& p) {
    csi_node_driver d;
    if (!r.object(v, p)) {
        return d;
    }
    d.name = r.string(v["name"], p / "name");
    d.node_id = r.string(v["nodeID"], p / "nodeID");
    const json::value alloc = v["allocatable"];
    const path alloc_p = p / "allocatable";
    if (r.object(alloc, alloc_p) && !alloc["count"].is_null()) {
        d.allocatable_count = r.int32(alloc["count"], alloc_p / "count");
    }
    d.topology_keys =
        read_array<std::string>(r, v["topologyKeys"], p / "topologyKeys", read_string_item);
    return d;
}

// Decodes `obj` with `read_body(reader&, obj, T&)` after its metadata; errors name the kind.
template <class T, class F>
result<T> decode_object(json::value obj, std::string_view kind, F&& read_body) {
    reader r;
    const path root;
    T out;
    if (!obj.is_object()) {
        r.wrong_type(obj, root, "an object");
        return decode_error(kind, "", r.error());
    }
    out.meta = read_meta(r, obj["metadata"], root / "metadata");
    read_body(r, obj, out);
    if (r.failed()) {
        const std::string name =
            out.meta.ns.empty() ? out.meta.name : out.meta.ns + "/" + out.meta.name;
        return decode_error(kind, out.meta.name.empty() ? std::string() : name, r.error());
    }
    return out;
}

}  // namespace

result<persistent_volume_claim> decode_pvc(json::value obj) {
    return decode_object<persistent_volume_claim>(
        obj, "persistentvolumeclaim", [](reader& r, json::value o, persistent_volume_claim& c) {
            const path root;
            c.annotations = read_annotations(r, o);
            const json::value spec = o["spec"];
            const path sp = root / "spec";
            if (r.object(spec, sp)) {
                c.volume_name = r.string(spec["volumeName"], sp / "volumeName");
                if (spec["storageClassName"].is_string()) {
                    c.storage_class_name = std::string(spec["storageClassName"].as_string());
                } else {
                    r.string(spec["storageClassName"], sp / "storageClassName");
                }
                c.access_modes = read_array<std::string>(r, spec["accessModes"], sp / "accessModes",
                                                         read_string_item);
                const json::value res = spec["resources"];
                if (r.object(res, sp / "resources")) {
                    c.storage_request =
                        read_resource_list(r, res["requests"], sp / "resources" / "requests")
                            .list.scalar_value(kStorage);
                }
                c.selector = read_label_selector(r, spec["selector"], sp / "selector");
                c.volume_mode = r.string(spec["volumeMode"], sp / "volumeMode");
            }
            const json::value status = o["status"];
            if (r.object(status, root / "status")) {
                c.phase = r.string(status["phase"], root / "status" / "phase");
            }
        });
}

result<persistent_volume> decode_pv(json::value obj) {
    return decode_object<persistent_volume>(
        obj, "persistentvolume", [](reader& r, json::value o, persistent_volume& v) {
            const path root;
            v.annotations = read_annotations(r, o);
            const json::value spec = o["spec"];
            const path sp = root / "spec";
            if (r.object(spec, sp)) {
                v.storage_class_name = r.string(spec["storageClassName"], sp / "storageClassName");
                v.access_modes = read_array<std::string>(r, spec["accessModes"], sp / "accessModes",
                                                         read_string_item);
                v.capacity = read_resource_list(r, spec["capacity"], sp / "capacity")
                                 .list.scalar_value(kStorage);
                const json::value na = spec["nodeAffinity"];
                const path na_p = sp / "nodeAffinity";
                if (r.object(na, na_p) && r.object(na["required"], na_p / "required")) {
                    v.node_affinity = read_array<node_selector_term>(
                        r, na["required"]["nodeSelectorTerms"],
                        na_p / "required" / "nodeSelectorTerms", read_node_selector_term);
                }
                const json::value ref = spec["claimRef"];
                const path ref_p = sp / "claimRef";
                if (r.object(ref, ref_p)) {
                    v.claim_ref = object_reference{r.string(ref["namespace"], ref_p / "namespace"),
                                                   r.string(ref["name"], ref_p / "name"),
                                                   r.string(ref["uid"], ref_p / "uid")};
                }
                v.volume_mode = r.string(spec["volumeMode"], sp / "volumeMode");
                const json::value csi = spec["csi"];
                if (r.object(csi, sp / "csi")) {
                    v.csi_driver = r.string(csi["driver"], sp / "csi" / "driver");
                    v.csi_volume_handle =
                        r.string(csi["volumeHandle"], sp / "csi" / "volumeHandle");
                }
            }
            const json::value status = o["status"];
            if (r.object(status, root / "status")) {
                v.phase = r.string(status["phase"], root / "status" / "phase");
            }
        });
}

result<storage_class> decode_storage_class(json::value obj) {
    return decode_object<storage_class>(
        obj, "storageclass", [](reader& r, json::value o, storage_class& sc) {
            const path root;
            sc.annotations = read_annotations(r, o);
            sc.provisioner = r.string(o["provisioner"], root / "provisioner");
            sc.volume_binding_mode = r.string(o["volumeBindingMode"], root / "volumeBindingMode");
            sc.allowed_topologies = read_array<node_selector_term>(
                r, o["allowedTopologies"], root / "allowedTopologies", read_topology_term);
        });
}

result<csi_node> decode_csi_node(json::value obj) {
    return decode_object<csi_node>(obj, "csinode", [](reader& r, json::value o, csi_node& n) {
        const path root;
        const json::value spec = o["spec"];
        if (r.object(spec, root / "spec")) {
            n.drivers = read_array<csi_node_driver>(r, spec["drivers"], root / "spec" / "drivers",
                                                    read_csi_driver);
        }
    });
}

result<pod_disruption_budget> decode_pdb(json::value obj) {
    return decode_object<pod_disruption_budget>(
        obj, "poddisruptionbudget", [](reader& r, json::value o, pod_disruption_budget& b) {
            const path root;
            const json::value spec = o["spec"];
            if (r.object(spec, root / "spec")) {
                b.selector = read_label_selector(r, spec["selector"], root / "spec" / "selector");
            }
            const json::value status = o["status"];
            const path st = root / "status";
            if (r.object(status, st)) {
                b.disruptions_allowed =
                    r.int32(status["disruptionsAllowed"], st / "disruptionsAllowed");
                const json::value disrupted = status["disruptedPods"];
                if (r.object(disrupted, st / "disruptedPods")) {
                    disrupted.for_each_member([&](std::string_view name, json::value) {
                        b.disrupted_pods.emplace_back(name);
                    });
                }
            }
        });
}

result<pod_group> decode_pod_group(json::value obj) {
    return decode_object<pod_group>(obj, "podgroup", [](reader& r, json::value o, pod_group& g) {
        const path root;
        const json::value spec = o["spec"];
        const path sp = root / "spec";
        if (r.object(spec, sp)) {
            g.min_member = r.int32(spec["minMember"], sp / "minMember");
            if (!spec["minResources"].is_null()) {
                g.min_resources =
                    read_resource_list(r, spec["minResources"], sp / "minResources").list;
            }
            if (!spec["scheduleTimeoutSeconds"].is_null()) {
                g.schedule_timeout_seconds =
                    r.int32(spec["scheduleTimeoutSeconds"], sp / "scheduleTimeoutSeconds");
            }
        }
        const json::value status = o["status"];
        const path st = root / "status";
        if (r.object(status, st)) {
            g.phase = r.string(status["phase"], st / "phase");
            g.scheduled = r.int32(status["scheduled"], st / "scheduled");
        }
    });
}

result<service> decode_service(json::value obj) {
    return decode_object<service>(obj, "service", [](reader& r, json::value o, service& s) {
        const path root;
        const json::value spec = o["spec"];
        if (r.object(spec, root / "spec") && !spec["selector"].is_null()) {
            s.selector = read_string_map(r, spec["selector"], root / "spec" / "selector");
        }
    });
}

result<replication_controller> decode_replication_controller(json::value obj) {
    return decode_object<replication_controller>(
        obj, "replicationcontroller", [](reader& r, json::value o, replication_controller& rc) {
            const path root;
            const json::value spec = o["spec"];
            if (r.object(spec, root / "spec")) {
                rc.selector = read_string_map(r, spec["selector"], root / "spec" / "selector");
            }
        });
}

result<workload_set> decode_workload_set(json::value obj) {
    return decode_object<workload_set>(
        obj, "workload", [](reader& r, json::value o, workload_set& w) {
            const path root;
            const json::value spec = o["spec"];
            if (r.object(spec, root / "spec")) {
                w.selector = read_label_selector(r, spec["selector"], root / "spec" / "selector");
            }
        });
}

result<namespace_object> decode_namespace(json::value obj) {
    return decode_object<namespace_object>(obj, "namespace",
                                           [](reader&, json::value, namespace_object&) {});
}

}  // namespace multisched::api
