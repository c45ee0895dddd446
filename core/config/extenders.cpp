// SPDX-License-Identifier: Apache-2.0
// Extenders: decoding (types.go Extender, extender/v1 types.go ExtenderTLSConfig and
// ExtenderManagedResource), validation (validation.go validateExtenders with apimachinery's
// IsQualifiedName and v1helper.IsExtendedResourceName) and encoding.
#include "core/config/extenders.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

#include <fmt/format.h>

#include "core/config/yaml_scalar.hpp"

namespace multisched::config {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_map() {
    std::array<std::uint8_t, 256> m{};
    for (auto& v : m) {
        v = kInvalid;
    }
    for (std::size_t i = 0; i < kBase64Alphabet.size(); ++i) {
        m[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return m;
}
constexpr std::array<std::uint8_t, 256> kDecodeMap = make_decode_map();

error corrupt(std::size_t at) {
    return error{std::make_error_code(std::errc::invalid_argument),
                 fmt::format("illegal base64 data at input byte {}", at)};
}

bool is_newline(char c) {
    return c == '\n' || c == '\r';
}

// Go's decodeQuantum for a padded encoding: decodes one group of four symbols starting at `si`
// into `out`; advances `si`; sets `done` at the end of the data or after padding.
result<void> decode_quantum(std::string_view src, std::size_t& si, std::string& out, bool& done) {
    std::array<std::uint32_t, 4> buf{};
    std::size_t len = 4;
    for (std::size_t j = 0; j < 4; ++j) {
        if (si == src.size()) {
            if (j == 0) {
                done = true;
                return {};
            }
            return corrupt(si - j);  // unpadded or truncated
        }
        const char in = src[si++];
        if (const auto v = kDecodeMap[static_cast<unsigned char>(in)]; v != kInvalid) {
            buf[j] = v;
            continue;
        }
        if (is_newline(in)) {
            --j;
            continue;
        }
        if (in != '=' || j < 2) {
            return corrupt(si - 1);
        }
        if (j == 2) {  // "==" expected; the first '=' is consumed
            while (si < src.size() && is_newline(src[si])) {
                ++si;
            }
            if (si == src.size()) {
                return corrupt(src.size());
            }
            if (src[si] != '=') {
                return corrupt(si - 1);
            }
            ++si;
        }
        while (si < src.size() && is_newline(src[si])) {
            ++si;
        }
        if (si < src.size()) {
            return corrupt(si);  // data after the padding
        }
        len = j;
        done = true;
        break;
    }
    const std::uint32_t v = buf[0] << 18 | buf[1] << 12 | buf[2] << 6 | buf[3];
    const std::array<char, 3> bytes = {static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                                       static_cast<char>(v)};
    out.append(bytes.data(), len - 1);
    return {};
}

// --- validation helpers (apimachinery util/validation) ---------------------------------------

constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kSubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::size_t kQualifiedNameMaxLength = 63;
constexpr std::size_t kSubdomainMaxLength = 253;

// apimachinery RegexError, with its spacing.
std::string regex_error(std::string_view msg, std::string_view format,
                        std::initializer_list<std::string_view> examples) {
    std::string out(msg);
    out += " (e.g. ";
    bool first = true;
    for (const auto e : examples) {
        out += first ? "" : " or ";
        out += fmt::format("'{}', ", e);
        first = false;
    }
    return out + fmt::format("regex used for validation is '{}')", format);
}

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool matches_qualified_name_part(std::string_view s) {
    return !s.empty() && is_alnum(s.front()) && is_alnum(s.back()) &&
           std::all_of(s.begin(), s.end(),
                       [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool matches_subdomain(std::string_view s) {
    const auto lower_alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    std::size_t start = 0;
    while (true) {
        const auto dot = s.find('.', start);
        const auto label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
        if (label.empty() || !lower_alnum(label.front()) || !lower_alnum(label.back()) ||
            !std::all_of(label.begin(), label.end(),
                         [&](char c) { return lower_alnum(c) || c == '-'; })) {
            return false;
        }
        if (dot == std::string_view::npos) {
            return true;
        }
        start = dot + 1;
    }
}

// Go's %q for the printable ASCII names validation reports.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

// --- decoding ---------------------------------------------------------------------------------

// A Go []byte field: a base64 string (null = empty).
void set_bytes(field_reader& r, const YAML::Node& v, const std::string& path, std::string& out) {
    using yaml_scalar::scalar_kind;
    const auto kind = v.IsScalar() ? yaml_scalar::resolve(v).kind : scalar_kind::string;
    if (v.IsScalar() && kind != scalar_kind::string && kind != scalar_kind::null) {
        r.type_error(v, path, "[]byte (a base64 string)");
        return;
    }
    const auto text = r.string_value(v, path);
    if (!text) {
        return;
    }
    auto bytes = decode_base64(*text);
    if (!bytes) {
        r.fail(v, path, bytes.error().message);
        return;
    }
    out = std::move(*bytes);
}

void decode_tls(field_reader& r, const YAML::Node& n, const std::string& path,
                std::optional<extender_tls_config>& out) {
    if (!n.IsDefined() || n.IsNull()) {
        out.reset();  // a nil pointer
        return;
    }
    extender_tls_config tls;
    const bool is_map =
        r.fields(n, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
            if (key == "insecure") {
                field_reader::set(r.bool_value(v, p), tls.insecure);
            } else if (key == "serverName") {
                field_reader::set(r.string_value(v, p), tls.server_name);
            } else if (key == "certFile") {
                field_reader::set(r.string_value(v, p), tls.cert_file);
            } else if (key == "keyFile") {
                field_reader::set(r.string_value(v, p), tls.key_file);
            } else if (key == "caFile") {
                field_reader::set(r.string_value(v, p), tls.ca_file);
            } else if (key == "certData") {
                set_bytes(r, v, p, tls.cert_data);
            } else if (key == "keyData") {
                set_bytes(r, v, p, tls.key_data);
            } else if (key == "caData") {
                set_bytes(r, v, p, tls.ca_data);
            } else {
                return false;
            }
            return true;
        });
    if (is_map) {
        out = std::move(tls);
    }
}

void decode_managed_resources(field_reader& r, const YAML::Node& n, const std::string& path,
                              std::vector<extender_managed_resource>& out) {
    r.items(n, path, "list", [&](std::size_t, const YAML::Node& item, const std::string& ip) {
        extender_managed_resource m;
        r.fields(item, ip, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
            if (key == "name") {
                field_reader::set(r.string_value(v, p), m.name);
            } else if (key == "ignoredByScheduler") {
                field_reader::set(r.bool_value(v, p), m.ignored_by_scheduler);
            } else {
                return false;
            }
            return true;
        });
        out.push_back(std::move(m));
    });
}

// The string members of Extender, by YAML key.
std::string* string_field(extender_config& e, std::string_view key) {
    if (key == "urlPrefix") {
        return &e.url_prefix;
    }
    if (key == "filterVerb") {
        return &e.filter_verb;
    }
    if (key == "preemptVerb") {
        return &e.preempt_verb;
    }
    if (key == "prioritizeVerb") {
        return &e.prioritize_verb;
    }
    if (key == "bindVerb") {
        return &e.bind_verb;
    }
    return nullptr;
}

// The bool members of Extender, by YAML key.
bool* bool_field(extender_config& e, std::string_view key) {
    if (key == "enableHTTPS") {
        return &e.enable_https;
    }
    if (key == "nodeCacheCapable") {
        return &e.node_cache_capable;
    }
    if (key == "ignorable") {
        return &e.ignorable;
    }
    return nullptr;
}

void decode_extender(field_reader& r, const YAML::Node& n, const std::string& path,
                     extender_config& e) {
    r.fields(n, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
        if (std::string* s = string_field(e, key)) {
            field_reader::set(r.string_value(v, p), *s);
        } else if (bool* b = bool_field(e, key)) {
            field_reader::set(r.bool_value(v, p), *b);
        } else if (key == "weight") {
            r.set_int64(v, p, e.weight);
        } else if (key == "tlsConfig") {
            decode_tls(r, v, p, e.tls_config);
        } else if (key == "httpTimeout") {
            field_reader::set(r.duration_value(v, p), e.http_timeout);
        } else if (key == "managedResources") {
            decode_managed_resources(r, v, p, e.managed_resources);
        } else {
            return false;
        }
        return true;
    });
}

// --- encoding ---------------------------------------------------------------------------------

// A string value, quoted when go-yaml would read it back as another type ("123", "true", "").
void emit_string(YAML::Emitter& out, const std::string& s) {
    if (yaml_scalar::resolve_plain(s).kind != yaml_scalar::scalar_kind::string) {
        out << YAML::DoubleQuoted;
    }
    out << s;
}

void emit_string_field(YAML::Emitter& out, std::string_view key, const std::string& value,
                       bool omit_empty = true) {
    if (omit_empty && value.empty()) {
        return;
    }
    out << YAML::Key << std::string(key) << YAML::Value;
    emit_string(out, value);
}

void emit_true_field(YAML::Emitter& out, std::string_view key, bool value) {
    if (value) {
        out << YAML::Key << std::string(key) << YAML::Value << true;  // omitempty
    }
}

void emit_tls(YAML::Emitter& out, const extender_tls_config& t) {
    out << YAML::BeginMap;
    emit_true_field(out, "insecure", t.insecure);
    emit_string_field(out, "serverName", t.server_name);
    emit_string_field(out, "certFile", t.cert_file);
    emit_string_field(out, "keyFile", t.key_file);
    emit_string_field(out, "caFile", t.ca_file);
    emit_string_field(out, "certData", t.cert_data.empty() ? "" : encode_base64(t.cert_data));
    emit_string_field(out, "keyData", t.key_data.empty() ? "" : encode_base64(t.key_data));
    emit_string_field(out, "caData", t.ca_data.empty() ? "" : encode_base64(t.ca_data));
    out << YAML::EndMap;
}

void emit_extender(YAML::Emitter& out, const extender_config& e) {
    out << YAML::BeginMap;
    emit_string_field(out, "urlPrefix", e.url_prefix, false);
    emit_string_field(out, "filterVerb", e.filter_verb);
    emit_string_field(out, "preemptVerb", e.preempt_verb);
    emit_string_field(out, "prioritizeVerb", e.prioritize_verb);
    if (e.weight != 0) {
        out << YAML::Key << "weight" << YAML::Value << e.weight;
    }
    emit_string_field(out, "bindVerb", e.bind_verb);
    emit_true_field(out, "enableHTTPS", e.enable_https);
    if (e.tls_config) {
        out << YAML::Key << "tlsConfig" << YAML::Value;
        emit_tls(out, *e.tls_config);
    }
    // metav1.Duration is a struct: Go's omitempty never drops it.
    out << YAML::Key << "httpTimeout" << YAML::Value << format_duration(e.http_timeout);
    emit_true_field(out, "nodeCacheCapable", e.node_cache_capable);
    if (!e.managed_resources.empty()) {
        out << YAML::Key << "managedResources" << YAML::Value << YAML::BeginSeq;
        for (const auto& m : e.managed_resources) {
            out << YAML::BeginMap;
            emit_string_field(out, "name", m.name, false);
            emit_true_field(out, "ignoredByScheduler", m.ignored_by_scheduler);
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    emit_true_field(out, "ignorable", e.ignorable);
    out << YAML::EndMap;
}

}  // namespace

std::string encode_base64(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 3; ++k) {
            v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        }
        for (std::size_t k = 0; k < 4; ++k) {
            out += k <= n ? kBase64Alphabet[(v >> (18 - 6 * k)) & 0x3f] : '=';
        }
    }
    return out;
}

result<std::string> decode_base64(std::string_view text) {
    std::string out;
    std::size_t si = 0;
    for (bool done = false; !done;) {
        if (auto ok = decode_quantum(text, si, out, done); !ok) {
            return ok.error();
        }
    }
    return out;
}

std::vector<std::string> qualified_name_errors(std::string_view value) {
    std::vector<std::string> errs;
    std::string_view name = value;
    const auto slashes = std::count(value.begin(), value.end(), '/');
    if (slashes > 1) {
        errs.push_back(
            "a qualified name " +
            regex_error(kQualifiedNameMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
            " with an optional DNS subdomain prefix and '/' (e.g. "
            "'example.com/MyName')");
        return errs;
    }
    if (slashes == 1) {
        const auto slash = value.find('/');
        const auto prefix = value.substr(0, slash);
        name = value.substr(slash + 1);
        if (prefix.empty()) {
            errs.push_back("prefix part must be non-empty");
        } else {
            if (prefix.size() > kSubdomainMaxLength) {
                errs.push_back(fmt::format("prefix part must be no more than {} characters",
                                           kSubdomainMaxLength));
            }
            if (!matches_subdomain(prefix)) {
                errs.push_back("prefix part " +
                               regex_error(kSubdomainMsg, kSubdomainFmt, {"example.com"}));
            }
        }
    }
    if (name.empty()) {
        errs.push_back("name part must be non-empty");
    } else if (name.size() > kQualifiedNameMaxLength) {
        errs.push_back(
            fmt::format("name part must be no more than {} characters", kQualifiedNameMaxLength));
    }
    if (!matches_qualified_name_part(name)) {
        errs.push_back("name part " + regex_error(kQualifiedNameMsg, kQualifiedNameFmt,
                                                  {"MyName", "my.name", "123-abc"}));
    }
    return errs;
}

bool is_extended_resource_name(std::string_view name) {
    // Native resources: no domain prefix, or a kubernetes.io one.
    if (name.find('/') == std::string_view::npos ||
        name.find("kubernetes.io/") != std::string_view::npos) {
        return false;
    }
    constexpr std::string_view kRequestsPrefix = "requests.";
    if (name.starts_with(kRequestsPrefix)) {
        return false;
    }
    // The quota form "requests.<name>" must be a qualified name too.
    return qualified_name_errors(std::string(kRequestsPrefix) + std::string(name)).empty();
}

void decode_extenders(field_reader& reader, const YAML::Node& list, const std::string& path,
                      std::vector<extender_config>& out) {
    reader.items(list, path, "list",
                 [&](std::size_t, const YAML::Node& item, const std::string& item_path) {
                     extender_config e;
                     decode_extender(reader, item, item_path, e);
                     out.push_back(std::move(e));
                 });
}

void emit_extenders(YAML::Emitter& out, const std::vector<extender_config>& extenders) {
    out << YAML::BeginSeq;
    for (const auto& e : extenders) {
        emit_extender(out, e);
    }
    out << YAML::EndSeq;
}

std::vector<std::pair<std::string, std::string>> validate_extenders(
    const std::vector<extender_config>& extenders) {
    std::vector<std::pair<std::string, std::string>> errs;
    int binders = 0;
    std::set<std::string, std::less<>> managed;
    for (std::size_t i = 0; i < extenders.size(); ++i) {
        const auto& e = extenders[i];
        const std::string path = index_path("extenders", i);
        if (!e.prioritize_verb.empty() && e.weight <= 0) {
            errs.emplace_back(path + ".weight",
                              fmt::format("Invalid value: {}: must have a positive weight applied "
                                          "to it",
                                          e.weight));
        }
        if (!e.bind_verb.empty()) {
            ++binders;
        }
        for (std::size_t j = 0; j < e.managed_resources.size(); ++j) {
            const std::string& name = e.managed_resources[j].name;
            const std::string npath = index_path(path + ".managedResources", j) + ".name";
            const auto qualified = qualified_name_errors(name);
            for (const auto& msg : qualified) {
                errs.emplace_back(npath, fmt::format("Invalid value: {}: {}", quoted(name), msg));
            }
            if (qualified.empty() && !is_extended_resource_name(name)) {
                errs.emplace_back(npath, fmt::format("Invalid value: {}: is an invalid extended "
                                                     "resource name",
                                                     quoted(name)));
            }
            if (!managed.insert(name).second) {
                errs.emplace_back(npath, fmt::format("Invalid value: {}: duplicate extender "
                                                     "managed resource name",
                                                     quoted(name)));
            }
        }
    }
    if (binders > 1) {
        errs.emplace_back("extenders",
                          fmt::format("Invalid value: \"found {} extenders implementing bind\": "
                                      "only one extender can implement bind",
                                      binders));
    }
    return errs;
}

}  // namespace multisched::config
