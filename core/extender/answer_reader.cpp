// SPDX-License-Identifier: Apache-2.0
#include "core/extender/answer_reader.hpp"

#include <boost/system/errc.hpp>
#include <fmt/format.h>

#include "core/api/decode_reader.hpp"

namespace multisched::extender::detail {

bool same_field(std::string_view key, std::string_view field) {
    if (key.size() != field.size()) {
        return false;
    }
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (lower(key[i]) != lower(field[i])) {
            return false;
        }
    }
    return true;
}

std::string child(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

std::string item(const std::string& path, std::size_t i) {
    return fmt::format("{}[{}]", path, i);
}

error answer_reader::failure() const {
    return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                 fmt::format("extender {}: {}: {}", extender_, what_, message_)};
}

result<json::document> answer_reader::parse(std::string_view body) {
    auto doc = json::document::parse(body);
    if (!doc) {
        message_ = doc.error().message;
        return failure();
    }
    return doc;
}

void answer_reader::wrong_type(const std::string& path, std::string_view want, json::value got) {
    if (!ok()) {
        return;
    }
    message_ = path.empty()
                   ? fmt::format("expected {}, got {}", want, api::detail::type_name(got))
                   : fmt::format("{} must be {}, got {}", path, want, api::detail::type_name(got));
}

std::optional<std::string> answer_reader::string(json::value v, const std::string& path) {
    if (!is(v, v.is_string(), path, "a string")) {
        return std::nullopt;
    }
    return std::string(v.as_string());
}

std::optional<std::int64_t> answer_reader::integer(json::value v, const std::string& path) {
    if (v.is_null()) {
        return std::nullopt;
    }
    const auto i = v.as_int();
    if (!i) {
        wrong_type(path, "an integer", v);
    }
    return i;
}

std::optional<std::vector<std::string>> answer_reader::strings(json::value v,
                                                               const std::string& path) {
    if (!array(v, path)) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    std::size_t i = 0;
    v.for_each_item([&](json::value s) { out.push_back(string(s, item(path, i++)).value_or("")); });
    return out;
}

void answer_reader::string_map(json::value v, const std::string& path, failed_nodes_map& out) {
    if (v.is_null()) {
        out.clear();
        return;
    }
    if (!object(v, path)) {
        return;
    }
    v.for_each_member([&](std::string_view key, json::value s) {
        out.insert_or_assign(std::string(key), string(s, child(path, key)).value_or(""));
    });
}

}  // namespace multisched::extender::detail
