// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the apiserver objects multisched decodes, as a LIST item or a watch event. The
// first byte picks the decoder (modulo the table), the rest is the JSON text; decoder 0 is a
// watch event line whose object is decoded as the reflector does for pods. Any input must give
// a value or an error, never a crash, a leak or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/api/decode.hpp"
#include "core/json/json.hpp"

namespace {

namespace api = multisched::api;
using multisched::json::value;

void decode_watch_event(value root) {
    const std::string_view type = root["type"].as_string();
    const value obj = root["object"];
    if (type == "ERROR") {
        (void)obj["code"].as_int();
        (void)obj["message"].as_string();
        return;
    }
    (void)obj["metadata"]["resourceVersion"].as_string();
    (void)api::decode_pod(obj);
}

using decoder = void (*)(value);

constexpr decoder kDecoders[] = {
    decode_watch_event,
    [](value v) { (void)api::decode_pod(v); },
    [](value v) { (void)api::decode_node(v); },
    [](value v) { (void)api::decode_pvc(v); },
    [](value v) { (void)api::decode_pv(v); },
    [](value v) { (void)api::decode_storage_class(v); },
    [](value v) { (void)api::decode_csi_node(v); },
    [](value v) { (void)api::decode_pdb(v); },
    [](value v) { (void)api::decode_namespace(v); },
    [](value v) { (void)api::decode_service(v); },
    [](value v) { (void)api::decode_replication_controller(v); },
    [](value v) { (void)api::decode_workload_set(v); },
    [](value v) { (void)api::decode_pod_group(v); },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const decoder decode = kDecoders[data[0] % std::size(kDecoders)];
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto doc = multisched::json::document::parse(text);
    if (doc) {
        decode(doc->root());
    }
    return 0;
}
