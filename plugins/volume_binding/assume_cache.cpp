// SPDX-License-Identifier: Apache-2.0
#include "plugins/volume_binding/assume_cache.hpp"

#include <fmt/format.h>

#include "plugins/volume_binding/pv_util.hpp"

namespace multisched::plugins::volume_binding {
namespace {

// upstream assume cache versions: a resourceVersion that is not a number counts as 0.
std::uint64_t version(const api::object_meta& meta) {
    return parse_resource_version(meta.resource_version).value_or(0);
}

}  // namespace

template <class T>
bool assumed_objects<T>::stands(const cache::object_store<T>& store, std::string_view key,
                                const T& assumed) const {
    auto latest = store.find(key);
    return latest != nullptr && version(latest->meta) <= version(assumed.meta);
}

template <class T>
std::shared_ptr<const T> assumed_objects<T>::get(const cache::object_store<T>& store,
                                                 std::string_view key) const {
    if (auto it = items_.find(key); it != items_.end() && stands(store, key, *it->second)) {
        return it->second;
    }
    return store.find(key);
}

template <class T>
result<void> assumed_objects<T>::assume(const cache::object_store<T>& store, std::string key,
                                        std::shared_ptr<const T> obj) {
    auto latest = store.find(key);
    if (latest == nullptr) {
        return error{{}, fmt::format("could not find {} \"{}\"", kind_, key)};
    }
    const std::uint64_t stored = version(latest->meta);
    const std::uint64_t assumed = version(obj->meta);
    if (assumed < stored) {
        return error{{},
                     fmt::format("{} \"{}\" is out of sync (stored: {}, assume: {})", kind_, key,
                                 stored, assumed)};
    }
    items_[std::move(key)] = std::move(obj);
    return {};
}

template <class T>
void assumed_objects<T>::restore(std::string_view key) {
    if (auto it = items_.find(key); it != items_.end()) {
        items_.erase(it);
    }
}

template <class T>
void assumed_objects<T>::prune(const cache::object_store<T>& store) {
    for (auto it = items_.begin(); it != items_.end();) {
        if (stands(store, it->first, *it->second)) {
            ++it;
        } else {
            it = items_.erase(it);
        }
    }
}

template class assumed_objects<api::persistent_volume>;
template class assumed_objects<api::persistent_volume_claim>;

std::vector<std::shared_ptr<const api::persistent_volume>> assume_cache::pvs_of_class(
    const cache::cluster_objects& objects, std::string_view class_name) const {
    std::vector<std::shared_ptr<const api::persistent_volume>> out;
    for (const auto& [name, pv] : objects.pvs.items()) {
        if (pv->storage_class_name == class_name) {
            out.push_back(pvs.get(objects.pvs, name));
        }
    }
    return out;
}

}  // namespace multisched::plugins::volume_binding
