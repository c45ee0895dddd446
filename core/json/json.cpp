// SPDX-License-Identifier: Apache-2.0
#include "core/json/json.hpp"

#include <cstdint>

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
        return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                     fmt::format("invalid JSON at offset {}: {}", parsed.Offset(),
                                 too_deep ? fmt::format("exceeded max depth ({})", kMaxDepth)
                                          : rapidjson::GetParseError_En(parsed.Code()))};
    }
    return {};
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
