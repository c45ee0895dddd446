// SPDX-License-Identifier: Apache-2.0
// Internal to core/config: the strict field-by-field YAML reader shared by the config decoder
// (decode.cpp) and the extender decoder (extenders.cpp). Every failure is collected as a
// field_error with the node's line:column; nothing throws for malformed input. Plain scalars are
// typed as go-yaml v2 resolves them (yaml_scalar.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/config/config.hpp"

namespace multisched::config {

// The documents with content in `text`, counted up to `cap`. yaml-cpp 0.7's LoadAll never
// terminates on some inputs (a stray top-level ',' yields endless documents), hence the cap.
std::size_t count_yaml_documents(const std::string& text, std::size_t cap);

// 1-based position of a node; zeros when yaml-cpp has none.
field_origin origin_of(const YAML::Node& n);
// "a.b" (or "b" at the root) and "a[3]": field paths as messages spell them.
std::string child_path(std::string_view path, std::string_view key);
std::string index_path(std::string_view path, std::size_t i);

class field_reader {
  public:
    using origin_map = std::map<std::string, field_origin, std::less<>>;
    using field_fn =
        std::function<bool(std::string_view key, const YAML::Node& value, const std::string& path)>;
    using item_fn = std::function<void(std::size_t i, const YAML::Node& item, const std::string&)>;

    // Records origins into `origins` (keyed by field path) and failures into `errors`.
    field_reader(origin_map& origins, std::vector<field_error>& errors)
        : origins_(origins), errors_(errors) {}

    void fail(const YAML::Node& at, std::string path, std::string detail);
    // "cannot unmarshal <what the node is> into <want>".
    void type_error(const YAML::Node& at, const std::string& path, std::string_view want);
    // Drops a recorded origin (a field whose null value means "unset").
    void forget_origin(const std::string& path) { origins_.erase(path); }

    // Walks a mapping: reports non-string and duplicate keys, records each known field's origin
    // and reports unknown ones (fn returns false). Null = absent. Returns false if not a map.
    bool fields(const YAML::Node& map, const std::string& path, const field_fn& fn);
    // Calls fn(i, item, item_path) per element, recording each item's origin; null = empty list.
    bool items(const YAML::Node& seq, const std::string& path, std::string_view want,
               const item_fn& fn);

    // Typed scalars; nullopt for null (unset) and for failures (already reported).
    std::optional<std::string> string_value(const YAML::Node& v, const std::string& path);
    std::optional<bool> bool_value(const YAML::Node& v, const std::string& path);
    std::optional<std::int64_t> int_value(const YAML::Node& v, const std::string& path,
                                          std::int64_t lo, std::int64_t hi,
                                          std::string_view type_name);
    std::optional<double> float_value(const YAML::Node& v, const std::string& path);
    // A Go duration string (metav1.Duration).
    std::optional<duration> duration_value(const YAML::Node& v, const std::string& path);

    template <class T>
    static void set(std::optional<T> v, T& out) {
        if (v) {
            out = *v;
        }
    }
    void set_int32(const YAML::Node& v, const std::string& path, std::int32_t& out) {
        if (auto i = int32_value(v, path)) {
            out = *i;
        }
    }
    void set_opt_int32(const YAML::Node& v, const std::string& path,
                       std::optional<std::int32_t>& out) {
        if (auto i = int32_value(v, path)) {
            out = *i;
        }
    }
    void set_int64(const YAML::Node& v, const std::string& path, std::int64_t& out) {
        set(int_value(v, path, std::numeric_limits<std::int64_t>::min(),
                      std::numeric_limits<std::int64_t>::max(), "int64"),
            out);
    }

  private:
    std::optional<std::int32_t> int32_value(const YAML::Node& v, const std::string& path) {
        const auto i = int_value(v, path, std::numeric_limits<std::int32_t>::min(),
                                 std::numeric_limits<std::int32_t>::max(), "int32");
        return i ? std::optional<std::int32_t>(static_cast<std::int32_t>(*i)) : std::nullopt;
    }

    origin_map& origins_;
    std::vector<field_error>& errors_;
};

}  // namespace multisched::config
