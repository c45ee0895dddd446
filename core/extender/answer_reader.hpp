// SPDX-License-Identifier: Apache-2.0
// Internal to core/extender: typed reads of an extender's JSON answer with Go's encoding/json
// rules (see protocol.hpp). Not a public interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/extender/protocol.hpp"
#include "core/json/json.hpp"
#include "core/util/result.hpp"

namespace multisched::extender::detail {

// Go's field matching for untagged structs: equal ignoring ASCII case.
bool same_field(std::string_view key, std::string_view field);
// Field paths as the extender sent the keys: "a.b", "a[3]".
std::string child(const std::string& path, std::string_view key);
std::string item(const std::string& path, std::size_t i);

// The reads of one answer. The first type error is kept; later reads still run but cannot
// replace it. Absent and null values read as "unset" without an error.
class answer_reader {
  public:
    // Errors read "extender <extender>: <what>: <detail>"; both views must outlive the reader.
    answer_reader(std::string_view extender, std::string_view what)
        : extender_(extender), what_(what) {}

    bool ok() const { return message_.empty(); }
    // The first error, with errc::bad_message.
    error failure() const;
    // The body parsed, or the parser's error as failure().
    result<json::document> parse(std::string_view body);
    void wrong_type(const std::string& path, std::string_view want, json::value got);

    // True for an object (an array); false for null, or for another type (an error).
    bool object(json::value v, const std::string& path) {
        return is(v, v.is_object(), path, "an object");
    }
    bool array(json::value v, const std::string& path) {
        return is(v, v.is_array(), path, "an array");
    }
    std::optional<std::string> string(json::value v, const std::string& path);
    // Integral numbers only, as Go decodes into int64.
    std::optional<std::int64_t> integer(json::value v, const std::string& path);
    // []string; nullopt for null.
    std::optional<std::vector<std::string>> strings(json::value v, const std::string& path);
    // map[string]string merged into `out`, as Go fills a non-nil map; null empties it.
    void string_map(json::value v, const std::string& path, failed_nodes_map& out);

  private:
    bool is(json::value v, bool type_ok, const std::string& path, std::string_view want) {
        if (type_ok) {
            return true;
        }
        if (!v.is_null()) {
            wrong_type(path, want, v);
        }
        return false;
    }

    std::string_view extender_;
    std::string_view what_;
    std::string message_;
};

}  // namespace multisched::extender::detail
