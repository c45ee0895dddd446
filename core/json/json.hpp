// SPDX-License-Identifier: Apache-2.0
// The JSON seam: RapidJSON is used here and in api/decode.cpp / api/encode.cpp only.
// json::document owns a parsed text; json::value is a cheap non-owning view into it. A view of a
// missing member is "absent" and every accessor on it returns the default, so decoders read
// optional fields without checks. json::writer builds request bodies.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/util/result.hpp"

namespace multisched::json {

class value {
  public:
    value() = default;
    explicit value(const rapidjson::Value* v) : v_(v) {}

    bool absent() const { return v_ == nullptr; }
    bool is_null() const { return v_ == nullptr || v_->IsNull(); }
    bool is_object() const { return v_ != nullptr && v_->IsObject(); }
    bool is_array() const { return v_ != nullptr && v_->IsArray(); }
    bool is_string() const { return v_ != nullptr && v_->IsString(); }
    bool is_number() const { return v_ != nullptr && v_->IsNumber(); }
    bool is_bool() const { return v_ != nullptr && v_->IsBool(); }

    // Member `key` of an object; absent if this is not an object or has no such member.
    value operator[](std::string_view key) const;
    // Element i of an array; absent if out of range or not an array.
    value at(std::size_t i) const;
    // Number of array elements or object members (0 otherwise).
    std::size_t size() const;

    // The string if this is a string, else `def`. The view lives as long as the document.
    std::string_view as_string(std::string_view def = {}) const;
    // Integral numbers only (an int64 or a uint64 that fits); nullopt otherwise.
    std::optional<std::int64_t> as_int() const;
    bool as_bool(bool def = false) const;

    // Calls f(value) for each array element; nothing if not an array.
    template <class F>
    void for_each_item(F&& f) const {
        if (!is_array()) {
            return;
        }
        for (const auto& item : v_->GetArray()) {
            f(value(&item));
        }
    }
    // Calls f(std::string_view key, value) for each object member; nothing if not an object.
    template <class F>
    void for_each_member(F&& f) const {
        if (!is_object()) {
            return;
        }
        for (const auto& m : v_->GetObject()) {
            f(std::string_view(m.name.GetString(), m.name.GetStringLength()), value(&m.value));
        }
    }

    // The value serialised back to compact JSON text (diagnostics, raw passthrough).
    std::string dump() const;

  private:
    const rapidjson::Value* v_ = nullptr;
};

// Arrays and objects nested deeper than this are refused, as Go's encoding/json refuses them
// ("exceeded max depth"): no apiserver object can be deeper, and the bound keeps the parser's and
// every tree walk's recursion within the stack.
inline constexpr std::size_t kMaxDepth = 10000;

// Parses `text` into `doc` (RapidJSON's default flags, nesting up to kMaxDepth); the error
// message gives the offset and the reason. For code that edits the tree; others use document.
result<void> parse_into(rapidjson::Document& doc, std::string_view text);

class document {
  public:
    // Parses `text` (see parse_into).
    static result<document> parse(std::string_view text);
    value root() const { return value(doc_.get()); }

  private:
    std::unique_ptr<rapidjson::Document> doc_;
};

// A Kubernetes List (`{"metadata": {...}, "items": [...]}`) read item by item: the whole text is
// checked first (an invalid text is an error and no item is passed on), then each element of
// `items` is parsed on its own and handed to `on_item`, so the list is never one tree in memory
// (a big cluster's first LIST is tens of MB). The view passed to `on_item` is valid during the
// call only; elements that are neither objects nor arrays are passed as absent values.
struct list_metadata {
    std::string resource_version;  // metadata.resourceVersion
    std::string continue_token;    // metadata.continue
};
result<list_metadata> read_list(std::string_view text, const std::function<void(value)>& on_item);

// Streaming writer for request bodies: w.begin_object(); w.key("a"); w.string("b"); ...
class writer {
  public:
    writer() : w_(buf_) {}
    writer& begin_object() {
        w_.StartObject();
        return *this;
    }
    writer& end_object() {
        w_.EndObject();
        return *this;
    }
    writer& begin_array() {
        w_.StartArray();
        return *this;
    }
    writer& end_array() {
        w_.EndArray();
        return *this;
    }
    writer& key(std::string_view k) {
        w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
        return *this;
    }
    writer& string(std::string_view s) {
        w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        return *this;
    }
    writer& integer(std::int64_t v) {
        w_.Int64(v);
        return *this;
    }
    writer& number(double v) {
        w_.Double(v);
        return *this;
    }
    writer& boolean(bool v) {
        w_.Bool(v);
        return *this;
    }
    writer& null() {
        w_.Null();
        return *this;
    }
    // Shorthand for key(k).string(v).
    writer& field(std::string_view k, std::string_view v) { return key(k).string(v); }
    std::string str() const { return std::string(buf_.GetString(), buf_.GetSize()); }

  private:
    rapidjson::StringBuffer buf_;
    rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace multisched::json
