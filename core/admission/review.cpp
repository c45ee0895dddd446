// SPDX-License-Identifier: Apache-2.0
// AdmissionReview in, AdmissionReview out. The pod is decoded with api::decode_pod, which wants
// metadata.name and metadata.uid: both are unset before admission on create, so the decoder is
// given a copy of the object with just the metadata routing reads (namespace, labels) plus
// placeholders, and the spec as sent.
#include "core/admission/review.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/api/decode.hpp"
#include "core/api/quantity.hpp"
#include "core/config/extenders.hpp"
#include "core/json/json.hpp"

namespace multisched::admission {
namespace {

constexpr std::string_view kReviewKind = "AdmissionReview";
constexpr std::string_view kPlaceholderUID = "admission-review";

admission_response bad_request(std::string message) {
    admission_response r;
    r.status = 400;
    r.content_type = kContentTypeText;
    r.body = fmt::format("invalid AdmissionReview request: {}\n", message);
    r.decision.reason = std::move(message);
    return r;
}

// `[{"op":"add","path":"/spec/schedulerName","value":"<name>"}]`: "add" replaces an existing
// member (RFC 6902 4.1), and spec always exists on a pod.
std::string scheduler_name_patch(std::string_view scheduler_name) {
    json::writer w;
    w.begin_array().begin_object();
    w.field("op", "add").field("path", "/spec/schedulerName").field("value", scheduler_name);
    w.end_object().end_array();
    return w.str();
}

std::string answer(std::string_view api_version, std::string_view uid,
                   const std::optional<std::string>& scheduler_name) {
    json::writer w;
    w.begin_object().field("apiVersion", api_version).field("kind", kReviewKind);
    w.key("response").begin_object().field("uid", uid).key("allowed").boolean(true);
    if (scheduler_name) {
        w.field("patchType", "JSONPatch");
        w.field("patch", config::encode_base64(scheduler_name_patch(*scheduler_name)));
    }
    w.end_object().end_object();
    return w.str();
}

admission_response allowed(std::string_view api_version, std::string uid, route_decision d) {
    admission_response r;
    r.content_type = kContentTypeJSON;
    r.body = answer(api_version, uid, d.scheduler_name);
    r.uid = std::move(uid);
    r.decision = std::move(d);
    return r;
}

bool is_pod_create(json::value request) {
    const json::value resource = request["resource"];
    return resource["group"].as_string().empty() && resource["resource"].as_string() == "pods" &&
           request["subResource"].as_string().empty() &&
           request["operation"].as_string() == "CREATE";
}

// Why `object` is not a v1 Pod, or "" when it is (kind and apiVersion may be absent).
std::string not_a_pod(json::value object) {
    if (!object.is_object()) {
        return "request.object: expected a Pod object";
    }
    const json::value kind = object["kind"];
    if (!kind.absent() && kind.as_string() != "Pod") {
        return fmt::format("request.object: kind {} is not a Pod", kind.dump());
    }
    const json::value version = object["apiVersion"];
    if (!version.absent() && version.as_string() != "v1") {
        return fmt::format("request.object: apiVersion {} is not v1", version.dump());
    }
    return {};
}

// A v1.Pod text that api::decode_pod accepts: placeholder name and uid, the real namespace and
// labels, the spec as sent.
std::string decodable_pod(json::value object, std::string_view ns, std::string_view name) {
    json::writer w;
    w.begin_object().field("name", name).field("namespace", ns).field("uid", kPlaceholderUID);
    w.end_object();
    std::string meta = w.str();
    if (const json::value labels = object["metadata"]["labels"]; !labels.absent()) {
        meta.pop_back();
        meta += ",\"labels\":" + labels.dump() + "}";
    }
    std::string text = "{\"metadata\":" + meta;
    if (const json::value spec = object["spec"]; !spec.absent()) {
        text += ",\"spec\":" + spec.dump();
    }
    return text + "}";
}

// Names of the resources with a non-zero limit in any container or init container.
std::vector<std::string> limited_resources(json::value spec) {
    std::vector<std::string> out;
    const auto scan = [&](json::value container) {
        container["resources"]["limits"].for_each_member([&](std::string_view name, json::value q) {
            std::string text(q.as_string());
            if (q.is_number()) {  // a bare JSON number is a quantity too, as in the decoder
                const auto i = q.as_int();
                text = i ? std::to_string(*i) : q.dump();
            }
            const auto amount = api::quantity::parse(text);
            if (amount && *amount > api::quantity() &&
                std::find(out.begin(), out.end(), name) == out.end()) {
                out.emplace_back(name);
            }
        });
    };
    spec["containers"].for_each_item(scan);
    spec["initContainers"].for_each_item(scan);
    return out;
}

// Routes the pod of a CREATE request whose object is known to be a Pod object.
route_decision route_object(json::value request, const routing_rules& rules,
                            const namespace_labels_fn& namespace_labels, std::string& pod_key) {
    const json::value object = request["object"];
    const json::value meta = object["metadata"];
    std::string ns(request["namespace"].as_string());
    if (ns.empty()) {
        ns = meta["namespace"].as_string();
    }
    std::string name(meta["name"].as_string());
    if (name.empty()) {
        name = fmt::format("{}*", meta["generateName"].as_string());
    }
    pod_key = fmt::format("{}/{}", ns, name);
    const auto doc = json::document::parse(decodable_pod(object, ns, name));
    auto pod = doc ? api::decode_pod(doc->root()) : result<api::pod>(doc.error());
    if (!pod) {
        route_decision d;
        d.reason = fmt::format("left alone: {}", pod.error().message);
        return d;
    }
    std::optional<api::label_map> labels;
    if (ns != kSystemNamespace && rules.uses_namespace_labels() && namespace_labels) {
        labels = namespace_labels(ns);
    }
    const auto limited = limited_resources(object["spec"]);
    return route(rules, *pod, labels ? &*labels : nullptr, limited);
}

}  // namespace

admission_response review(std::string_view request_body, const routing_rules& rules,
                          const namespace_labels_fn& namespace_labels) {
    const auto doc = json::document::parse(request_body);
    if (!doc) {
        return bad_request(doc.error().message);
    }
    const json::value root = doc->root();
    if (!root.is_object()) {
        return bad_request("expected a JSON object");
    }
    const std::string_view version = root["apiVersion"].as_string();
    if (version != kAdmissionV1 && version != kAdmissionV1beta1) {
        return bad_request(
            fmt::format("apiVersion {}: expected {} or {}",
                        root["apiVersion"].absent() ? "missing" : root["apiVersion"].dump(),
                        kAdmissionV1, kAdmissionV1beta1));
    }
    if (root["kind"].as_string() != kReviewKind) {
        return bad_request(fmt::format("kind {}: expected {}",
                                       root["kind"].absent() ? "missing" : root["kind"].dump(),
                                       kReviewKind));
    }
    const json::value request = root["request"];
    if (!request.is_object()) {
        return bad_request("request: required");
    }
    std::string uid(request["uid"].as_string());
    if (uid.empty()) {
        return bad_request("request.uid: required");
    }
    if (!is_pod_create(request)) {
        route_decision d;
        d.reason = fmt::format("not a pod CREATE ({} {})", request["operation"].as_string(),
                               request["resource"]["resource"].as_string());
        return allowed(version, std::move(uid), std::move(d));
    }
    if (std::string why = not_a_pod(request["object"]); !why.empty()) {
        return bad_request(std::move(why));
    }
    std::string pod_key;
    route_decision d = route_object(request, rules, namespace_labels, pod_key);
    admission_response r = allowed(version, std::move(uid), std::move(d));
    r.pod = std::move(pod_key);
    return r;
}

}  // namespace multisched::admission
