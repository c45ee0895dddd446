// SPDX-License-Identifier: Apache-2.0
#include "core/json/json.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/errc.hpp>
#include <fmt/format.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace multisched::json {

value value::operator[](std::string_view key) const {
    if (!is_object()) {
        return value();
    }
    // With duplicate keys Go's decoder keeps the last one; so do we.
    const rapidjson::Value* found = nullptr;
    for (const auto& m : v_->GetObject()) {
        if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == key) {
            found = &m.value;
        }
    }
    return value(found);
}

value value::at(std::size_t i) const {
    if (!is_array() || i >= v_->Size()) {
        return value();
    }
    return value(&(*v_)[static_cast<rapidjson::SizeType>(i)]);
}

std::size_t value::size() const {
    if (is_array()) {
        return v_->Size();
    }
    if (is_object()) {
        return v_->MemberCount();
    }
    return 0;
}

std::string_view value::as_string(std::string_view def) const {
    if (!is_string()) {
        return def;
    }
    return std::string_view(v_->GetString(), v_->GetStringLength());
}

std::optional<std::int64_t> value::as_int() const {
    // IsInt64 also holds for a uint64 that fits; doubles (even 5.0) are not integers here, as in
    // Go's decoder.
    if (v_ == nullptr || !v_->IsInt64()) {
        return std::nullopt;
    }
    return v_->GetInt64();
}

bool value::as_bool(bool def) const {
    if (!is_bool()) {
        return def;
    }
    return v_->GetBool();
}

std::string value::dump() const {
    if (v_ == nullptr) {
        return {};
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v_->Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

namespace {

// A SAX handler that forwards to `Handler` and stops the parse (returns false) when arrays and
// objects nest deeper than kMaxDepth. RapidJSON's reader recurses once per level, and
// so does every walk over the tree: without a bound, a 3 MiB body of '[' (within the apiserver's
// request limit) overflows the stack.
template <typename Handler>
class depth_limited {
  public:
    explicit depth_limited(Handler& h) : h_(h) {}
    bool exceeded() const { return exceeded_; }

    bool Null() { return h_.Null(); }
    bool Bool(bool b) { return h_.Bool(b); }
    bool Int(int i) { return h_.Int(i); }
    bool Uint(unsigned u) { return h_.Uint(u); }
    bool Int64(std::int64_t i) { return h_.Int64(i); }
    bool Uint64(std::uint64_t u) { return h_.Uint64(u); }
    bool Double(double d) { return h_.Double(d); }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
        return h_.RawNumber(s, n, copy);
    }
    bool String(const char* s, rapidjson::SizeType n, bool copy) { return h_.String(s, n, copy); }
    bool Key(const char* s, rapidjson::SizeType n, bool copy) { return h_.Key(s, n, copy); }
    bool StartObject() { return enter() && h_.StartObject(); }
    bool EndObject(rapidjson::SizeType members) {
        --depth_;
        return h_.EndObject(members);
    }
    bool StartArray() { return enter() && h_.StartArray(); }
    bool EndArray(rapidjson::SizeType elements) {
        --depth_;
        return h_.EndArray(elements);
    }

  private:
    bool enter() {
        if (++depth_ > kMaxDepth) {
            exceeded_ = true;
            return false;
        }
        return true;
    }

    Handler& h_;
    std::size_t depth_ = 0;
    bool exceeded_ = false;
};

}  // namespace

using input_stream = rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream>;

// Finds the spans of a List's items and reads its metadata in one SAX pass. Depth 1 is the root
// object's members, depth 2 the members of metadata and the elements of items.
class list_scanner {
  public:
    explicit list_scanner(const input_stream& in) : in_(in) {}

    struct span {
        std::size_t begin = 0;
        std::size_t end = 0;  // begin == end: a scalar element
    };
    std::vector<span> items;
    list_metadata meta;

    bool Null() { return scalar(); }
    bool Bool(bool /*b*/) { return scalar(); }
    bool Int(int /*i*/) { return scalar(); }
    bool Uint(unsigned /*u*/) { return scalar(); }
    bool Int64(std::int64_t /*i*/) { return scalar(); }
    bool Uint64(std::uint64_t /*u*/) { return scalar(); }
    bool Double(double /*d*/) { return scalar(); }
    bool RawNumber(const char* /*s*/, rapidjson::SizeType /*n*/, bool /*copy*/) { return scalar(); }
    bool String(const char* s, rapidjson::SizeType n, bool /*copy*/) {
        if (depth_ == 2 && section_ == section::metadata) {
            if (key_ == "resourceVersion") {
                meta.resource_version.assign(s, n);
            } else if (key_ == "continue") {
                meta.continue_token.assign(s, n);
            }
        }
        return scalar();
    }
    bool Key(const char* s, rapidjson::SizeType n, bool /*copy*/) {
        const std::string_view k(s, n);
        if (depth_ == 1 && root_is_object_) {
            section_ = k == "metadata" ? section::metadata
                       : k == "items"  ? section::items
                                       : section::other;
        } else if (depth_ == 2) {
            key_.assign(k);
        }
        return true;
    }
    bool StartObject() { return start(true); }
    bool EndObject(rapidjson::SizeType /*members*/) { return end(); }
    bool StartArray() { return start(false); }
    bool EndArray(rapidjson::SizeType /*elements*/) { return end(); }

  private:
    enum class section {
        other,
        metadata,
        items
    };

    bool in_items_array() const { return section_ == section::items && items_is_array_; }

    bool scalar() {
        if (depth_ == 2 && in_items_array()) {
            items.push_back({in_.Tell(), in_.Tell()});
        }
        return true;
    }
    // The reader calls StartObject/StartArray after taking '{' / '[', and EndObject/EndArray
    // after taking the closing bracket.
    bool start(bool object) {
        ++depth_;
        if (depth_ == 1) {
            root_is_object_ = object;
        } else if (depth_ == 2 && section_ == section::items) {
            items_is_array_ = !object;
        } else if (depth_ == 3 && in_items_array()) {
            item_begin_ = in_.Tell() - 1;
        }
        return true;
    }
    bool end() {
        if (depth_ == 3 && in_items_array()) {
            items.push_back({item_begin_, in_.Tell()});
        } else if (depth_ == 2) {
            items_is_array_ = false;  // leaving items (or metadata)
        }
        --depth_;
        return true;
    }

    const input_stream& in_;
    std::size_t depth_ = 0;
    bool root_is_object_ = false;
    bool items_is_array_ = false;
    section section_ = section::other;
    std::string key_;  // the last key inside metadata
    std::size_t item_begin_ = 0;
};

namespace {

// The error of a failed parse: where, and why (the depth bound, or the reader's own reason).
error parse_error(const rapidjson::ParseResult& parsed, bool too_deep) {
    return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                 fmt::format("invalid JSON at offset {}: {}", parsed.Offset(),
                             too_deep ? fmt::format("exceeded max depth ({})", kMaxDepth)
                                      : rapidjson::GetParseError_En(parsed.Code()))};
}

}  // namespace

result<void> parse_into(rapidjson::Document& doc, std::string_view text) {
    rapidjson::ParseResult parsed;
    bool too_deep = false;
    auto generate = [&](rapidjson::Document& handler) {
        depth_limited<rapidjson::Document> limited(handler);
        rapidjson::MemoryStream bytes(text.data(), text.size());
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
        rapidjson::Reader reader;
        parsed = reader.Parse<rapidjson::kParseDefaultFlags>(in, limited);
        too_deep = limited.exceeded();
        return !parsed.IsError();
    };
    doc.Populate(generate);
    if (parsed.IsError()) {
        return parse_error(parsed, too_deep);
    }
    return {};
}

result<list_metadata> read_list(std::string_view text, const std::function<void(value)>& on_item) {
    rapidjson::MemoryStream bytes(text.data(), text.size());
    input_stream in(bytes);
    list_scanner scanner(in);
    depth_limited<list_scanner> limited(scanner);
    rapidjson::Reader reader;
    const rapidjson::ParseResult parsed = reader.Parse<rapidjson::kParseDefaultFlags>(in, limited);
    if (parsed.IsError()) {
        return parse_error(parsed, limited.exceeded());
    }
    for (const auto& s : scanner.items) {
        if (s.begin == s.end) {
            on_item(value());
            continue;
        }
        // A document per item: a reused one's pool allocator would keep every item's memory.
        // Already checked as part of the whole text, so the parse cannot fail.
        rapidjson::Document item;
        item.Parse<rapidjson::kParseDefaultFlags>(text.data() + s.begin, s.end - s.begin);
        on_item(item.HasParseError() ? value() : value(&item));
    }
    return std::move(scanner.meta);
}

result<document> document::parse(std::string_view text) {
    document d;
    d.doc_ = std::make_unique<rapidjson::Document>();
    if (auto parsed = parse_into(*d.doc_, text); !parsed) {
        return parsed.error();
    }
    return d;
}

}  // namespace multisched::json
