// SPDX-License-Identifier: Apache-2.0
#include "core/json/json.hpp"

#include <boost/system/errc.hpp>
#include <fmt/format.h>
#include <rapidjson/error/en.h>

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

result<document> document::parse(std::string_view text) {
    document d;
    d.doc_ = std::make_unique<rapidjson::Document>();
    d.doc_->Parse<rapidjson::kParseDefaultFlags>(text.data(), text.size());
    if (d.doc_->HasParseError()) {
        return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                     fmt::format("invalid JSON at offset {}: {}", d.doc_->GetErrorOffset(),
                                 rapidjson::GetParseError_En(d.doc_->GetParseError()))};
    }
    return d;
}

}  // namespace multisched::json
