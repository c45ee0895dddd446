// SPDX-License-Identifier: Apache-2.0
#include "core/admission/review.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/admission/rules_test_util.hpp"
#include "core/config/extenders.hpp"
#include "core/json/json.hpp"

namespace multisched::admission {
namespace {

using test_util::rules_of;

const std::string kRules =
    "- name: gpu\n  schedulerName: gang\n  match: {resources: [example.com/gpu]}\n"
    "- name: team\n  schedulerName: team-sched\n"
    "  match: {namespaceSelector: {matchLabels: {team: ml}}}\n"
    "- name: labelled\n  schedulerName: gang\n  match: {podSelector: {matchLabels: {app: x}}}\n";

struct request_spec {
    std::string api_version = std::string(kAdmissionV1);
    std::string operation = "CREATE";
    std::string resource = R"({"group":"","version":"v1","resource":"pods"})";
    std::string sub_resource;
    std::string ns = "ml";
    std::string object = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},)"
                         R"("spec":{"containers":[{"name":"c"}]}})";
};

std::string body_of(const request_spec& s) {
    return fmt::format(R"({{"apiVersion":"{}","kind":"AdmissionReview","request":{{"uid":"u-1",)"
                       R"("kind":{{"group":"","version":"v1","kind":"Pod"}},"resource":{},)"
                       R"("subResource":"{}","namespace":"{}","operation":"{}","object":{}}}}})",
                       s.api_version, s.resource, s.sub_resource, s.ns, s.operation, s.object);
}

// A pod object with `spec` (JSON) and optional labels / generateName.
std::string pod_object(std::string_view spec, std::string_view meta = R"("name":"web")") {
    return fmt::format(R"({{"apiVersion":"v1","kind":"Pod","metadata":{{{}}},"spec":{}}})", meta,
                       spec);
}

// The decoded JSON Patch of a 200 answer, "" when it has none; checks the envelope.
std::string patch_of(const admission_response& r, std::string_view api_version) {
    REQUIRE(r.status == 200);
    CHECK(r.content_type == kContentTypeJSON);
    CHECK(r.uid == "u-1");
    const auto doc = json::document::parse(r.body);
    REQUIRE(doc.has_value());
    const json::value root = doc->root();
    CHECK(root["apiVersion"].as_string() == api_version);
    CHECK(root["kind"].as_string() == "AdmissionReview");
    const json::value resp = root["response"];
    CHECK(resp["uid"].as_string() == "u-1");
    CHECK(resp["allowed"].is_bool());
    CHECK(resp["allowed"].as_bool());
    if (resp["patch"].absent()) {
        CHECK(resp["patchType"].absent());
        CHECK(resp.size() == 2);
        return "";
    }
    CHECK(resp["patchType"].as_string() == "JSONPatch");
    const auto patch = config::decode_base64(resp["patch"].as_string());
    REQUIRE(patch.has_value());
    return *patch;
}

std::string patch_to(std::string_view scheduler) {
    return fmt::format(R"([{{"op":"add","path":"/spec/schedulerName","value":"{}"}}])", scheduler);
}

TEST_CASE("admission.review_routes") {
    struct test_case {
        std::string name;
        request_spec request;
        std::string want_patch;  // "" = none
        std::string want_rule;
        std::string want_pod;
    };
    const std::string gpu_spec =
        R"({"containers":[{"name":"c","resources":{"requests":{"example.com/gpu":"1"}}}]})";
    const std::string limit_spec =
        R"({"initContainers":[{"name":"i","resources":{"requests":{"example.com/gpu":"0"},)"
        R"("limits":{"example.com/gpu":2}}}],"containers":[{"name":"c","resources":{"limits":)"
        R"({"cpu":0.5}}}]})";
    const std::string named_spec = R"({"schedulerName":"default-scheduler","containers":[]})";
    request_spec v1;
    request_spec v1beta1;
    v1beta1.api_version = std::string(kAdmissionV1beta1);
    v1beta1.object = pod_object(gpu_spec);
    request_spec gpu = v1;
    gpu.object = pod_object(gpu_spec);
    request_spec limit_only = v1;
    limit_only.object = pod_object(limit_spec);
    request_spec generated = v1;
    generated.object = pod_object(gpu_spec, R"("generateName":"job-","labels":{"x":"y"})");
    request_spec labelled = v1;
    labelled.object = pod_object(named_spec, R"("name":"p","labels":{"app":"x"})");
    request_spec update = gpu;
    update.operation = "UPDATE";
    request_spec deployment = gpu;
    deployment.resource = R"({"group":"apps","version":"v1","resource":"deployments"})";
    request_spec other_group_pods = gpu;
    other_group_pods.resource = R"({"group":"example.com","version":"v1","resource":"pods"})";
    request_spec binding = gpu;
    binding.sub_resource = "binding";
    binding.object = R"({"kind":"Binding","target":{"name":"n1"}})";
    request_spec team_ns = v1;
    team_ns.ns = "team-a";
    request_spec ns_from_meta = v1;
    ns_from_meta.ns = "";
    ns_from_meta.object = pod_object("{}", R"("name":"p","namespace":"team-a")");
    request_spec system = gpu;
    system.ns = "kube-system";
    request_spec undecodable = v1;
    undecodable.object = pod_object(R"({"containers":"c"})");

    const std::vector<test_case> cases = {
        {"v1: routed by resource", gpu, patch_to("gang"), "gpu", "ml/web"},
        {"v1beta1 answered in v1beta1", v1beta1, patch_to("gang"), "gpu", "ml/web"},
        {"no rule matches: no patch", v1, "", "", "ml/web"},
        {"limit only, request zero", limit_only, patch_to("gang"), "gpu", "ml/web"},
        {"generateName, no name or uid", generated, patch_to("gang"), "gpu", "ml/job-*"},
        {"pod labels, default-scheduler set", labelled, patch_to("gang"), "labelled", "ml/p"},
        {"namespace labels from request.namespace", team_ns, patch_to("team-sched"), "team",
         "team-a/web"},
        {"namespace from metadata when request has none", ns_from_meta, patch_to("team-sched"),
         "team", "team-a/p"},
        {"UPDATE is ignored", update, "", "", ""},
        {"other resources are ignored", deployment, "", "", ""},
        {"pods of another group are ignored", other_group_pods, "", "", ""},
        {"subresources are ignored", binding, "", "", ""},
        {"kube-system is ignored", system, "", "", "kube-system/web"},
        {"undecodable pod is allowed unchanged", undecodable, "", "", "ml/web"},
    };
    const routing_rules rules = rules_of(kRules);
    for (const auto& c : cases) {
        INFO(c.name);
        std::vector<std::string> looked_up;
        const namespace_labels_fn labels = [&](std::string_view ns) {
            looked_up.emplace_back(ns);
            return ns == "team-a" ? std::optional<api::label_map>(api::label_map{{{"team", "ml"}}})
                                  : std::nullopt;
        };
        const auto r = review(body_of(c.request), rules, labels);
        CHECK(patch_of(r, c.request.api_version) == c.want_patch);
        CHECK(r.decision.scheduler_name.has_value() == !c.want_patch.empty());
        CHECK(r.decision.rule == c.want_rule);
        CHECK(r.pod == c.want_pod);
        CHECK(looked_up.size() <= 1);
        if (!looked_up.empty()) {
            CHECK(looked_up[0] == c.want_pod.substr(0, c.want_pod.find('/')));
        }
    }
}

TEST_CASE("admission.review_details") {
    const routing_rules rules = rules_of(kRules);
    request_spec gpu;
    gpu.object = pod_object(R"({"containers":[{"resources":{"limits":{"example.com/gpu":"1"}}}]})");

    // The exact bodies, with and without a patch.
    const auto routed = review(body_of(gpu), rules, {});
    CHECK(routed.body ==
          R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":)"
          R"("u-1","allowed":true,"patchType":"JSONPatch","patch":")" +
              config::encode_base64(patch_to("gang")) + R"("}})");
    request_spec plain;
    const auto unrouted = review(body_of(plain), rules, {});
    CHECK(unrouted.body ==
          R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":)"
          R"("u-1","allowed":true}})");
    CHECK(unrouted.decision.reason == "no rule matched");

    // No namespace lookup when no rule needs it, or for kube-system.
    int calls = 0;
    const namespace_labels_fn count = [&](std::string_view) {
        ++calls;
        return std::optional<api::label_map>();
    };
    review(body_of(plain), rules_of("- {name: a, schedulerName: s}\n"), count);
    CHECK(calls == 0);
    request_spec system;
    system.ns = "kube-system";
    review(body_of(system), rules, count);
    CHECK(calls == 0);
    review(body_of(plain), rules, count);
    CHECK(calls == 1);

    // Limits given as bare JSON numbers, integral or not; a zero limit does not count.
    const routing_rules by_cpu =
        rules_of("- {name: c, schedulerName: s, match: {resources: [cpu]}}\n");
    for (const auto& [limit, want] : std::vector<std::pair<std::string, std::string>>{
             {"0.5", patch_to("s")}, {"2", patch_to("s")}, {"0", ""}, {"\"0m\"", ""}}) {
        INFO(limit);
        request_spec s;
        s.object = pod_object(fmt::format(
            R"({{"containers":[{{"resources":{{"requests":{{"cpu":0}},"limits":{{"cpu":{}}}}}}}]}})",
            limit));
        CHECK(patch_of(review(body_of(s), by_cpu, {}), kAdmissionV1) == want);
    }

    // An ignored request says why.
    request_spec del;
    del.operation = "DELETE";
    del.object = "null";
    const auto ignored = review(body_of(del), rules, {});
    CHECK(patch_of(ignored, kAdmissionV1).empty());
    CHECK(ignored.decision.reason == "not a pod CREATE (DELETE pods)");

    // A pod the decoder rejects is logged with the decoder's message.
    request_spec bad;
    bad.object = pod_object(R"({"containers":[{"resources":{"requests":{"cpu":"x"}}}]})");
    const auto undecoded = review(body_of(bad), rules, {});
    CHECK(patch_of(undecoded, kAdmissionV1).empty());
    CHECK(undecoded.decision.reason.starts_with(
        "left alone: pod ml/web: spec.containers[0].resources.requests.cpu: "));
}

TEST_CASE("admission.review_malformed") {
    struct test_case {
        std::string name;
        std::string body;
        std::string want;
    };
    request_spec no_object;
    no_object.object = "null";
    request_spec node;
    node.object = R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n"}})";
    request_spec apps_pod;
    apps_pod.object = R"({"apiVersion":"apps/v1","kind":"Pod"})";
    request_spec list_object;
    list_object.object = "[]";
    const std::vector<test_case> cases = {
        {"not JSON", "{", "invalid JSON at offset 1: Missing a name for object member."},
        {"not an object", "[]", "expected a JSON object"},
        {"no apiVersion", R"({"kind":"AdmissionReview"})",
         "apiVersion missing: expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"},
        {"wrong apiVersion", R"({"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview"})",
         "apiVersion \"admission.k8s.io/v2\": expected admission.k8s.io/v1 or "
         "admission.k8s.io/v1beta1"},
        {"wrong kind", R"({"apiVersion":"admission.k8s.io/v1","kind":"Review","request":{}})",
         "kind \"Review\": expected AdmissionReview"},
        {"no request", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})",
         "request: required"},
        {"no uid",
         R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":""}})",
         "request.uid: required"},
        {"pod CREATE without object", body_of(no_object), "request.object: expected a Pod object"},
        {"object is a list", body_of(list_object), "request.object: expected a Pod object"},
        {"object is a Node", body_of(node), "request.object: kind \"Node\" is not a Pod"},
        {"object of another version", body_of(apps_pod),
         "request.object: apiVersion \"apps/v1\" is not v1"},
    };
    const routing_rules rules = rules_of(kRules);
    for (const auto& c : cases) {
        INFO(c.name);
        const auto r = review(c.body, rules, {});
        CHECK(r.status == 400);
        CHECK(r.content_type == kContentTypeText);
        CHECK(r.body == "invalid AdmissionReview request: " + c.want + "\n");
        CHECK(r.decision.reason == c.want);
        CHECK_FALSE(r.decision.scheduler_name.has_value());
    }
}

}  // namespace
}  // namespace multisched::admission
