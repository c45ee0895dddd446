// SPDX-License-Identifier: Apache-2.0
// Internal to core/api: the typed JSON reader shared by the decoders (decode.cpp,
// decode_pod_constraints.cpp, decode_storage.cpp). Not a public interface.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/api/types.hpp"
#include "core/json/json.hpp"
#include "core/util/result.hpp"

namespace multisched::api::detail {

// One step of a field path ("spec", "containers", [1], ...), linked to its parent on the stack.
struct path {
    const path* parent = nullptr;
    std::string_view key;
    std::size_t index = 0;
    bool is_index = false;

    path operator/(std::string_view k) const { return path{this, k, 0, false}; }
    path operator[](std::size_t i) const { return path{this, {}, i, true}; }

    // "spec.containers[1].resources"; the root (no key, no parent) renders as "".
    std::string str() const {
        std::string prefix = parent != nullptr ? parent->str() : std::string();
        if (is_index) {
            return fmt::format("{}[{}]", prefix, index);
        }
        if (key.empty()) {
            return prefix;
        }
        return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
    }
};

std::string_view type_name(json::value v);

// Typed reads of optional fields. An absent or null field reads as the type's zero value, as in
// Go; a field of another type records an error (the first one wins) and reads as zero.
class reader {
  public:
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }

    void fail(const path& p, std::string_view what) {
        if (failed()) {
            return;
        }
        const std::string where = p.str();
        error_ = where.empty() ? std::string(what) : fmt::format("{}: {}", where, what);
    }

    void wrong_type(json::value v, const path& p, std::string_view want) {
        fail(p, fmt::format("expected {}, got {}", want, type_name(v)));
    }

    std::string string(json::value v, const path& p) {
        if (v.is_string()) {
            return std::string(v.as_string());
        }
        if (!v.is_null()) {
            wrong_type(v, p, "a string");
        }
        return {};
    }

    bool boolean(json::value v, const path& p) {
        if (v.is_bool()) {
            return v.as_bool();
        }
        if (!v.is_null()) {
            wrong_type(v, p, "a boolean");
        }
        return false;
    }

    // An integer within [lo, hi]; nullopt when absent, null or invalid.
    std::optional<std::int64_t> integer(json::value v, const path& p, std::int64_t lo,
                                        std::int64_t hi) {
        if (v.is_null()) {
            return std::nullopt;
        }
        const auto i = v.as_int();
        if (!i) {
            wrong_type(v, p, "an integer");
            return std::nullopt;
        }
        if (*i < lo || *i > hi) {
            fail(p, fmt::format("{} is out of range [{}, {}]", *i, lo, hi));
            return std::nullopt;
        }
        return i;
    }

    std::int32_t int32(json::value v, const path& p) {
        constexpr auto kLo = std::numeric_limits<std::int32_t>::min();
        constexpr auto kHi = std::numeric_limits<std::int32_t>::max();
        return static_cast<std::int32_t>(integer(v, p, kLo, kHi).value_or(0));
    }

    // True if `v` is an object to read; false if absent/null (fine) or another type (error).
    bool object(json::value v, const path& p) {
        if (v.is_object()) {
            return true;
        }
        if (!v.is_null()) {
            wrong_type(v, p, "an object");
        }
        return false;
    }

    bool array(json::value v, const path& p) {
        if (v.is_array()) {
            return true;
        }
        if (!v.is_null()) {
            wrong_type(v, p, "an array");
        }
        return false;
    }

  private:
    std::string error_;
};

// Reads a JSON array into a vector with `read(reader&, json::value item, const path& item_path)`.
template <class T, class F>
std::vector<T> read_array(reader& r, json::value v, const path& p, F&& read) {
    std::vector<T> out;
    if (!r.array(v, p)) {
        return out;
    }
    out.reserve(v.size());
    std::size_t i = 0;
    v.for_each_item([&](json::value item) {
        out.push_back(read(r, item, p[i]));
        ++i;
    });
    return out;
}

label_map read_string_map(reader& r, json::value v, const path& p);
std::string read_string_item(reader& r, json::value v, const path& p);
// metadata; name and uid are required.
object_meta read_meta(reader& r, json::value v, const path& p);

struct resources_read {
    resource_list list;
    bool has_cpu = false;
    bool has_memory = false;
};

// A ResourceList: name -> quantity; cpu in millicores, the rest in whole units (rounded up).
// A null quantity is a named zero, as in Go. Duplicate names: the last one counts.
resources_read read_resource_list(reader& r, json::value v, const path& p);
// A NodeSelectorRequirement or LabelSelectorRequirement (same shape).
node_selector_requirement read_requirement(reader& r, json::value v, const path& p);
// A NodeSelectorTerm.
node_selector_term read_node_selector_term(reader& r, json::value v, const path& p);
// A metav1.LabelSelector; nullopt when absent or null.
std::optional<label_selector> read_label_selector(reader& r, json::value v, const path& p);

// spec.affinity.podAffinity / podAntiAffinity, spec.topologySpreadConstraints, spec.volumes.
void read_pod_constraints(reader& r, json::value spec, const path& p, pod& out);

// "<kind> <name>: <what>" with errc::bad_message.
error decode_error(std::string_view kind, std::string_view name, const std::string& what);

}  // namespace multisched::api::detail
