// SPDX-License-Identifier: Apache-2.0
// Typed glue around the type-erased reflector: a decode_fn from an api::decode_* function, and
// the cast back in handlers. T is an object-model type with `meta` (api::object_meta).
#pragma once

#include <memory>
#include <string>

#include "core/informer/reflector.hpp"

namespace multisched::informer {

// What a store keys its objects by: pods by uid, cluster-scoped objects by name, namespaced
// ones by "namespace/name".
enum class store_key {
    uid,
    name,
    namespaced_name
};

template <class T>
decode_fn typed_decoder(result<T> (*decode)(json::value), store_key key) {
    return [decode, key](json::value item) -> result<object> {
        auto obj = decode(item);
        if (!obj) {
            return obj.error();
        }
        auto shared = std::make_shared<const T>(std::move(*obj));
        const auto& meta = shared->meta;
        std::string k = key == store_key::uid    ? meta.uid
                        : key == store_key::name ? meta.name
                                                 : meta.ns + "/" + meta.name;
        std::string rv = meta.resource_version;
        return object{std::move(k), std::move(rv), std::move(shared)};
    };
}

// The object a typed_decoder<T> stored.
template <class T>
std::shared_ptr<const T> as(const object& o) {
    return std::static_pointer_cast<const T>(o.value);
}

}  // namespace multisched::informer
