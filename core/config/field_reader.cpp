// SPDX-License-Identifier: Apache-2.0
#include "core/config/field_reader.hpp"

#include <cmath>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include "core/config/yaml_scalar.hpp"

namespace multisched::config {
namespace {

// Whether a document has content (anything but a null).
class content_detector : public YAML::EventHandler {
  public:
    bool content = false;
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override { content = true; }
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        content = true;
    }
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        content = true;
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        content = true;
    }
    void OnMapEnd() override {}
};

}  // namespace

std::size_t count_yaml_documents(const std::string& text, std::size_t cap) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    std::size_t n = 0;
    for (std::size_t round = 0; round < cap + 2 && n < cap; ++round) {
        content_detector handler;
        if (!parser.HandleNextDocument(handler)) {
            break;
        }
        n += handler.content ? 1 : 0;
    }
    return n;
}

using namespace yaml_scalar;

field_origin origin_of(const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    if (m.is_null()) {
        return {};
    }
    return {m.line + 1, m.column + 1, {}};
}

std::string child_path(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

std::string index_path(std::string_view path, std::size_t i) {
    return fmt::format("{}[{}]", path, i);
}

void field_reader::fail(const YAML::Node& at, std::string path, std::string detail) {
    errors_.push_back({origin_of(at), std::move(path), std::move(detail)});
}

void field_reader::type_error(const YAML::Node& at, const std::string& path,
                              std::string_view want) {
    fail(at, path, fmt::format("cannot unmarshal {} into {}", describe(at), want));
}

bool field_reader::fields(const YAML::Node& map, const std::string& path, const field_fn& fn) {
    if (!map.IsDefined() || map.IsNull()) {
        return true;
    }
    if (!map.IsMap()) {
        type_error(map, path.empty() ? "<root>" : path, "object");
        return false;
    }
    std::map<std::string, int, std::less<>> seen;  // key -> line of first occurrence
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;  // a copy: `it->` yields a temporary proxy
        if (!key.IsScalar()) {
            fail(key, path.empty() ? "<root>" : path, "mapping keys must be strings");
            continue;
        }
        const std::string& name = key.Scalar();
        const std::string field_path = child_path(path, name);
        if (auto [pos, inserted] = seen.emplace(name, origin_of(key).line); !inserted) {
            fail(key, field_path,
                 fmt::format("duplicate field \"{}\" (first set at line {})", name, pos->second));
            continue;
        }
        origins_[field_path] = origin_of(key);
        if (!fn(name, it->second, field_path)) {
            origins_.erase(field_path);
            fail(key, field_path, fmt::format("unknown field \"{}\"", name));
        }
    }
    return true;
}

bool field_reader::items(const YAML::Node& seq, const std::string& path, std::string_view want,
                         const item_fn& fn) {
    if (!seq.IsDefined() || seq.IsNull()) {
        return true;
    }
    if (!seq.IsSequence()) {
        type_error(seq, path, want);
        return false;
    }
    std::size_t i = 0;
    for (auto it = seq.begin(); it != seq.end(); ++it, ++i) {
        const std::string item_path = index_path(path, i);
        origins_[item_path] = origin_of(*it);
        fn(i, *it, item_path);
    }
    return true;
}

std::optional<std::string> field_reader::string_value(const YAML::Node& v,
                                                      const std::string& path) {
    if (!v.IsScalar() && !v.IsNull()) {
        type_error(v, path, "string");
        return std::nullopt;
    }
    const scalar_value s = resolve(v);
    if (s.kind == scalar_kind::null) {
        return std::nullopt;
    }
    if (s.kind != scalar_kind::string) {
        type_error(v, path, "string");
        return std::nullopt;
    }
    return v.Scalar();
}

std::optional<bool> field_reader::bool_value(const YAML::Node& v, const std::string& path) {
    const scalar_value s = v.IsScalar() || v.IsNull() ? resolve(v) : scalar_value{};
    if (s.kind == scalar_kind::null) {
        return std::nullopt;
    }
    if (!v.IsScalar() || s.kind != scalar_kind::boolean) {
        type_error(v, path, "bool");
        return std::nullopt;
    }
    return s.bool_value;
}

std::optional<std::int64_t> field_reader::int_value(const YAML::Node& v, const std::string& path,
                                                    std::int64_t lo, std::int64_t hi,
                                                    std::string_view type_name) {
    const scalar_value s = v.IsScalar() || v.IsNull() ? resolve(v) : scalar_value{};
    if (s.kind == scalar_kind::null) {
        return std::nullopt;
    }
    if (!v.IsScalar() || s.kind != scalar_kind::integer) {
        type_error(v, path, type_name);
        return std::nullopt;
    }
    if (s.int_overflow || s.int_value < lo || s.int_value > hi) {
        fail(v, path,
             fmt::format("cannot unmarshal number {} into {}: value out of range", v.Scalar(),
                         type_name));
        return std::nullopt;
    }
    return s.int_value;
}

std::optional<double> field_reader::float_value(const YAML::Node& v, const std::string& path) {
    const scalar_value s = v.IsScalar() || v.IsNull() ? resolve(v) : scalar_value{};
    if (s.kind == scalar_kind::null) {
        return std::nullopt;
    }
    if (v.IsScalar() && s.kind == scalar_kind::integer && !s.int_overflow) {
        return static_cast<double>(s.int_value);
    }
    if (!v.IsScalar() || s.kind != scalar_kind::floating || !std::isfinite(s.float_value) ||
        std::abs(s.float_value) > std::numeric_limits<float>::max()) {
        type_error(v, path, "float32");
        return std::nullopt;
    }
    return s.float_value;
}

std::optional<duration> field_reader::duration_value(const YAML::Node& v, const std::string& path) {
    if (v.IsScalar() && resolve(v).kind != scalar_kind::string &&
        resolve(v).kind != scalar_kind::null) {
        type_error(v, path, "duration");  // metav1.Duration only unmarshals from a string
        return std::nullopt;
    }
    const auto text = string_value(v, path);
    if (!text) {
        return std::nullopt;
    }
    auto d = parse_duration(*text);
    if (!d) {
        fail(v, path, d.error().message);
        return std::nullopt;
    }
    return *d;
}

}  // namespace multisched::config
