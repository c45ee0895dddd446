// SPDX-License-Identifier: Apache-2.0
// File shapes (JSON or YAML; List, object, several documents) -> collector.
#include <boost/system/errc.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/client/file_util.hpp"
#include "core/config/yaml_json.hpp"
#include "core/snapshot/collector.hpp"
#include "core/snapshot/snapshot.hpp"

namespace multisched::snapshot {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

error load_error(std::string_view source, std::string_view what) {
    return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                 fmt::format("{}: {}", source, what)};
}

bool starts_json(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '{';
}

// A List: kind "List" or "<Kind>List" whose items are an array, null or absent (empty), or no
// kind and an items array.
struct list_shape {
    bool is_list = false;
    std::string item_kind;  // "Pod" for a PodList; "" for a List
};

list_shape shape_of(std::string_view kind, bool items_is_list, bool items_is_null) {
    list_shape s;
    if (kind.empty()) {
        s.is_list = items_is_list;
        return s;
    }
    if (!kind.ends_with("List") || !(items_is_list || items_is_null)) {
        return s;
    }
    s.is_list = true;
    s.item_kind = kind.substr(0, kind.size() - 4);
    return s;
}

// How far reading got: whether any List was seen (an empty List is a valid, empty snapshot).
struct reading {
    detail::collector items;
    bool saw_list = false;
};

std::string item_where(std::string_view prefix, std::size_t i) {
    return prefix.empty() ? fmt::format("items[{}]", i) : fmt::format("{}.items[{}]", prefix, i);
}

void read_json(const json::document& doc, reading& out) {
    const json::value root = doc.root();
    const json::value items = root["items"];
    const list_shape shape = shape_of(root["kind"].as_string(), items.is_array(), items.is_null());
    if (!shape.is_list) {
        out.items.add("documents[0]", root, "");
        return;
    }
    out.saw_list = true;
    std::size_t i = 0;
    items.for_each_item(
        [&](json::value item) { out.items.add(item_where("", i++), item, shape.item_kind); });
}

// One YAML item: converted to JSON text, parsed, handed on.
void add_yaml_item(std::string where, const YAML::Node& node, std::string_view list_item_kind,
                   detail::collector& out) {
    const auto text = config::yaml_to_json(node);
    if (!text) {
        out.problem(fmt::format("{}: {}: skipped", where, text.error().message));
        return;
    }
    const auto doc = json::document::parse(*text);
    if (!doc) {
        out.problem(fmt::format("{}: {}: skipped", where, doc.error().message));
        return;
    }
    out.add(std::move(where), doc->root(), list_item_kind);
}

// Member `key` of a map node, or an undefined node (const operator[] on a missing key yields an
// invalid node that throws on use).
YAML::Node member(const YAML::Node& map, const char* key) {
    if (!map.IsMap()) {
        return YAML::Node(YAML::NodeType::Undefined);
    }
    const YAML::Node v = map[key];
    return v.IsDefined() ? v : YAML::Node(YAML::NodeType::Undefined);
}

// `only`: the file holds no other non-empty document, so List items are plain "items[i]".
void read_yaml_document(const YAML::Node& doc, const std::string& where, bool only, reading& out) {
    const YAML::Node kind = member(doc, "kind");
    const YAML::Node items = member(doc, "items");
    const list_shape shape = shape_of(kind.IsScalar() ? kind.Scalar() : std::string(),
                                      items.IsSequence(), !items.IsDefined() || items.IsNull());
    if (!shape.is_list) {
        add_yaml_item(where, doc, "", out.items);
        return;
    }
    out.saw_list = true;
    const std::string_view prefix = only ? std::string_view() : std::string_view(where);
    if (!items.IsSequence()) {
        return;
    }
    std::size_t i = 0;
    for (const auto& item : items) {
        add_yaml_item(item_where(prefix, i++), item, shape.item_kind, out.items);
    }
}

result<bool> read_yaml(std::string_view text, std::string_view source, reading& out) {
    try {
        const std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
        std::size_t non_empty = 0;
        for (const auto& d : docs) {
            non_empty += d.IsNull() ? 0 : 1;
        }
        for (std::size_t i = 0; i < docs.size(); ++i) {
            if (docs[i].IsNull()) {
                continue;
            }
            read_yaml_document(docs[i], fmt::format("documents[{}]", i), non_empty == 1, out);
        }
        return true;
    } catch (const YAML::Exception& e) {
        const std::string at =
            e.mark.is_null()
                ? std::string()
                : fmt::format("line {}, column {}: ", e.mark.line + 1, e.mark.column + 1);
        return load_error(source, fmt::format("not YAML: {}{}", at, e.msg));
    }
}

}  // namespace

result<load_result> load_snapshot(std::string_view text, std::string_view source_name) {
    if (text.starts_with(kUtf8Bom)) {
        text.remove_prefix(kUtf8Bom.size());
    }
    reading in;
    if (starts_json(text)) {
        // A text that opens with '{' is JSON, or else YAML in flow style ({kind: Node, ...}).
        const auto doc = json::document::parse(text);
        if (doc) {
            read_json(*doc, in);
        } else if (reading yaml; read_yaml(text, source_name, yaml)) {
            in = std::move(yaml);
        } else {
            return load_error(source_name, fmt::format("not JSON: {}", doc.error().message));
        }
    } else if (auto r = read_yaml(text, source_name, in); !r) {
        return r.error();
    }
    load_result out = in.items.finish();
    if (in.saw_list || out.snapshot.object_count() > 0) {
        return out;
    }
    if (out.problems.empty()) {
        return load_error(source_name, out.terminated_pods > 0
                                           ? "nothing to simulate: only terminated pods"
                                           : "no List and no object to simulate");
    }
    std::string what = fmt::format("nothing to simulate: {}", out.problems.front());
    if (out.problems.size() > 1) {
        what += fmt::format(" (and {} more)", out.problems.size() - 1);
    }
    return load_error(source_name, what);
}

result<load_result> load_snapshot_file(const std::string& path) {
    auto text = client::read_whole_file(path);
    if (!text) {
        return text.error();
    }
    return load_snapshot(*text, path);
}

}  // namespace multisched::snapshot
