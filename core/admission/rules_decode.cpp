// SPDX-License-Identifier: Apache-2.0
// Strict decoding of the ProfileRouting file with core/config's field_reader (the reader of the
// scheduler config): every failure is collected with its field path and line. Label selectors are
// checked with api::label_selector_errors, whose messages carry the path; their line is found
// through the origins the reader records for each field path.
#include <cstddef>
#include <exception>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/admission/rules.hpp"
#include "core/api/selectors.hpp"
#include "core/config/extenders.hpp"
#include "core/config/field_reader.hpp"
#include "core/config/yaml_scalar.hpp"

namespace multisched::admission {
namespace {

using config::field_origin;
using config::field_reader;
using config::index_path;
using config::origin_of;

bool is_null(const YAML::Node& n) {
    return !n.IsDefined() || n.IsNull();
}

// validation.IsDNS1123Label: what namespace names must be.
bool is_dns1123_label(std::string_view s) {
    const auto lower_alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    if (s.empty() || s.size() > 63 || !lower_alnum(s.front()) || !lower_alnum(s.back())) {
        return false;
    }
    for (const char c : s) {
        if (!lower_alnum(c) && c != '-') {
            return false;
        }
    }
    return true;
}

enum class list_kind {
    namespaces,
    resources,
    names
};

class rules_decoder {
  public:
    explicit rules_decoder(std::vector<rule_error>& errors)
        : errors_(errors), reader_(origins_, errors) {}

    routing_rules decode_root(const YAML::Node& root) {
        routing_rules out;
        std::optional<std::string> api_version;
        std::optional<std::string> kind;
        reader_.fields(
            root, "", [&](std::string_view key, const YAML::Node& v, const std::string& p) {
                if (key == "apiVersion") {
                    api_version = required_string(v, p);
                } else if (key == "kind") {
                    kind = required_string(v, p);
                } else if (key == "rules") {
                    reader_.items(v, p, "[]Rule",
                                  [&](std::size_t, const YAML::Node& item, const std::string& ip) {
                                      out.rules.emplace_back();
                                      decode_rule(item, ip, out.rules.back());
                                  });
                } else {
                    return false;
                }
                return true;
            });
        check_type_meta(root, "apiVersion", api_version, kRulesApiVersion);
        check_type_meta(root, "kind", kind, kRulesKind);
        check_unique_names(out);
        return out;
    }

  private:
    // A string that must be set and non-empty. nullopt when it is not, with the error reported
    // here unless the reader already reported a type error.
    std::optional<std::string> required_string(const YAML::Node& v, const std::string& p) {
        const std::size_t before = errors_.size();
        auto s = reader_.string_value(v, p);
        if (s && !s->empty()) {
            return s;
        }
        if (errors_.size() != before) {
            return std::nullopt;
        }
        // yaml-cpp places a null value at the next token: point at the field's key instead.
        const auto key = origins_.find(p);
        const field_origin at = is_null(v) && key != origins_.end() ? key->second : origin_of(v);
        errors_.push_back({at, p, "Required value"});
        return std::nullopt;
    }

    void check_type_meta(const YAML::Node& root, const std::string& field,
                         const std::optional<std::string>& value, std::string_view want) {
        if (!origins_.contains(field)) {
            reader_.fail(root, field, fmt::format("Required value: must be \"{}\"", want));
        } else if (value && *value != want) {
            errors_.push_back(
                {origins_[field], field,
                 fmt::format("Unsupported value: \"{}\": supported values: \"{}\"", *value, want)});
        }
    }

    void decode_rule(const YAML::Node& item, const std::string& path, routing_rule& out) {
        bool has_name = false;
        bool has_scheduler = false;
        const bool is_map = reader_.fields(
            item, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
                if (key == "name") {
                    has_name = true;
                    field_reader::set(required_string(v, p), out.name);
                } else if (key == "schedulerName") {
                    has_scheduler = true;
                    field_reader::set(required_string(v, p), out.scheduler_name);
                    out.scheduler_name_origin = origin_of(v);
                } else if (key == "override") {
                    field_reader::set(reader_.bool_value(v, p), out.override_existing);
                } else if (key == "match") {
                    decode_match(v, p, out.match);
                } else {
                    return false;
                }
                return true;
            });
        if (!is_map) {
            return;
        }
        if (!has_name) {
            reader_.fail(item, path + ".name", "Required value");
        }
        if (!has_scheduler) {
            reader_.fail(item, path + ".schedulerName", "Required value");
        }
    }

    void decode_match(const YAML::Node& node, const std::string& path, rule_match& m) {
        reader_.fields(node, path,
                       [&](std::string_view key, const YAML::Node& v, const std::string& p) {
                           if (key == "namespaces") {
                               m.namespaces = string_list(v, p, list_kind::namespaces);
                           } else if (key == "namespaceSelector") {
                               m.namespace_selector = selector(v, p);
                           } else if (key == "podSelector") {
                               m.pod_selector = selector(v, p);
                           } else if (key == "resources") {
                               m.resources = string_list(v, p, list_kind::resources);
                           } else if (key == "priorityClassNames") {
                               m.priority_class_names = string_list(v, p, list_kind::names);
                           } else {
                               return false;
                           }
                           return true;
                       });
    }

    // A condition list: null = not given; [] is refused (it would match no pod).
    std::vector<std::string> string_list(const YAML::Node& seq, const std::string& path,
                                         list_kind kind) {
        std::vector<std::string> out;
        if (seq.IsSequence() && seq.size() == 0) {
            reader_.fail(seq, path,
                         "Required value: an empty list matches no pod; omit the field to match "
                         "every pod");
            return out;
        }
        reader_.items(seq, path, "[]string",
                      [&](std::size_t, const YAML::Node& item, const std::string& ip) {
                          auto s = required_string(item, ip);
                          if (s && check_list_item(item, ip, *s, kind)) {
                              out.push_back(std::move(*s));
                          }
                      });
        return out;
    }

    bool check_list_item(const YAML::Node& item, const std::string& path, const std::string& s,
                         list_kind kind) {
        if (kind == list_kind::namespaces && !is_dns1123_label(s)) {
            reader_.fail(item, path,
                         fmt::format("Invalid value: \"{}\": a namespace name must be a lowercase "
                                     "RFC 1123 label (at most 63 characters: lower case "
                                     "alphanumerics or '-', starting and ending with an "
                                     "alphanumeric)",
                                     s));
            return false;
        }
        if (kind == list_kind::resources) {
            const auto errs = config::qualified_name_errors(s);
            if (!errs.empty()) {
                reader_.fail(item, path, fmt::format("Invalid value: \"{}\": {}", s, errs[0]));
                return false;
            }
        }
        return true;
    }

    // A metav1.LabelSelector; null = not given. Checked only when it decoded cleanly.
    std::optional<api::label_selector> selector(const YAML::Node& node, const std::string& path) {
        if (is_null(node)) {
            return std::nullopt;
        }
        const std::size_t before = errors_.size();
        api::label_selector s;
        reader_.fields(
            node, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
                if (key == "matchLabels") {
                    read_labels(v, p, s.match_labels);
                } else if (key == "matchExpressions") {
                    reader_.items(v, p, "[]LabelSelectorRequirement",
                                  [&](std::size_t, const YAML::Node& item, const std::string& ip) {
                                      s.match_expressions.push_back(requirement(item, ip));
                                  });
                } else {
                    return false;
                }
                return true;
            });
        if (errors_.size() != before) {
            return std::nullopt;
        }
        for (const std::string& e : api::label_selector_errors(s, path)) {
            report(e);
        }
        return s;
    }

    void read_labels(const YAML::Node& node, const std::string& path, api::label_map& out) {
        reader_.fields(
            node, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
                if (is_null(v)) {
                    out.set(std::string(key), "");  // a null value is "" in a Go map[string]string
                } else if (auto s = reader_.string_value(v, p)) {
                    out.set(std::string(key), std::move(*s));
                }
                return true;
            });
    }

    api::node_selector_requirement requirement(const YAML::Node& node, const std::string& path) {
        api::node_selector_requirement r;
        reader_.fields(
            node, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
                if (key == "key") {
                    field_reader::set(reader_.string_value(v, p), r.key);
                } else if (key == "operator") {
                    field_reader::set(reader_.string_value(v, p), r.op);
                } else if (key == "values") {
                    reader_.items(
                        v, p, "[]string",
                        [&](std::size_t, const YAML::Node& item, const std::string& ip) {
                            r.values.push_back(reader_.string_value(item, ip).value_or(""));
                        });
                } else {
                    return false;
                }
                return true;
            });
        return r;
    }

    // "<path>: <detail>" from api validation, placed at the nearest recorded origin.
    void report(const std::string& message) {
        const auto colon = message.find(": ");
        std::string path = message.substr(0, colon);
        std::string detail = colon == std::string::npos ? message : message.substr(colon + 2);
        errors_.push_back({origin_near(path), std::move(path), std::move(detail)});
    }

    // The origin of `path` or of its closest recorded ancestor ("a.b[1].c" -> "a.b[1]" -> ...).
    field_origin origin_near(std::string path) const {
        while (!path.empty()) {
            if (const auto it = origins_.find(path); it != origins_.end()) {
                return it->second;
            }
            const auto cut = path.back() == ']' ? path.rfind('[') : path.rfind('.');
            path.resize(cut == std::string::npos ? 0 : cut);
        }
        return {};
    }

    void check_unique_names(const routing_rules& out) {
        std::map<std::string, std::size_t, std::less<>> first;
        for (std::size_t i = 0; i < out.rules.size(); ++i) {
            const std::string& name = out.rules[i].name;
            if (name.empty() || first.emplace(name, i).second) {
                continue;
            }
            const std::string path = index_path("rules", i) + ".name";
            errors_.push_back({origin_near(path), path,
                               fmt::format("Duplicate value: \"{}\": already the name of rules[{}]",
                                           name, first[name])});
        }
    }

    field_reader::origin_map origins_;
    std::vector<rule_error>& errors_;
    field_reader reader_;
};

// True if the text holds more than one document with content.
bool has_several_documents(const std::string& text) {
    if (text.find("\n---") == std::string::npos && text.find("\n...") == std::string::npos) {
        return false;
    }
    return config::count_yaml_documents(text, 2) > 1;
}

// Parses the single document of `text`; nullopt with an error in `errors` otherwise.
std::optional<YAML::Node> load_document(const std::string& text, std::vector<rule_error>& errors) {
    try {
        YAML::Node root = YAML::Load(text);
        if (has_several_documents(text)) {
            errors.push_back(
                {{}, "", fmt::format("multiple YAML documents: expected one {}", kRulesKind)});
            return std::nullopt;
        }
        return root;
    } catch (const YAML::Exception& e) {
        field_origin at;
        if (!e.mark.is_null()) {
            at = {e.mark.line + 1, e.mark.column + 1, {}};
        }
        errors.push_back({at, "", fmt::format("invalid YAML: {}", e.msg)});
    } catch (const std::exception& e) {
        errors.push_back({{}, "", fmt::format("invalid YAML: {}", e.what())});
    }
    return std::nullopt;
}

}  // namespace

decoded_rules decode_rules_detailed(std::string_view yaml_text) {
    decoded_rules out;
    if (yaml_text.size() > kMaxRulesFileBytes) {
        out.errors.push_back(
            {{}, "", fmt::format("file is larger than {} bytes", kMaxRulesFileBytes)});
        return out;
    }
    const auto root = load_document(std::string(yaml_text), out.errors);
    if (!root) {
        return out;
    }
    if (is_null(*root)) {
        out.errors.push_back({{}, "", fmt::format("empty file: expected a {}", kRulesKind)});
        return out;
    }
    if (!root->IsMap()) {
        out.errors.push_back({origin_of(*root), "",
                              fmt::format("expected a {} object, got {}", kRulesKind,
                                          config::yaml_scalar::describe(*root))});
        return out;
    }
    try {
        out.rules = rules_decoder(out.errors).decode_root(*root);
    } catch (const std::exception& e) {  // yaml-cpp accessors may throw on malformed trees
        out.errors.push_back({{}, "", fmt::format("couldn't decode: {}", e.what())});
    }
    return out;
}

}  // namespace multisched::admission
