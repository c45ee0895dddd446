// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_affinity/args.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/api/selectors.hpp"
#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::node_affinity {
namespace {

constexpr std::string_view kPlugin = names::kNodeAffinity;
constexpr std::string_view kRequired = "requiredDuringSchedulingIgnoredDuringExecution";
constexpr std::string_view kPreferred = "preferredDuringSchedulingIgnoredDuringExecution";

bool is_null(const YAML::Node& n) {
    return !n.IsDefined() || n.IsNull();
}

// Calls `read(item, item_path)` for each item of a sequence (Null = none).
template <class F>
result<void> for_each_item(const YAML::Node& node, const std::string& path, F&& read) {
    if (is_null(node)) {
        return {};
    }
    if (!node.IsSequence()) {
        return helper::args_error(kPlugin, path + ": expected a list");
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        if (auto ok = read(node[i], path + "[" + std::to_string(i) + "]"); !ok) {
            return ok;
        }
    }
    return {};
}

result<api::node_selector_requirement> read_requirement(const YAML::Node& node,
                                                        const std::string& path) {
    if (auto ok = helper::check_keys(node, kPlugin, path, {"key", "operator", "values"}); !ok) {
        return ok.error();
    }
    api::node_selector_requirement r;
    for (const auto& [field, out] : {std::pair{"key", &r.key}, std::pair{"operator", &r.op}}) {
        if (!is_null(node[field])) {
            auto v = helper::read_scalar<std::string>(node[field], kPlugin, path + "." + field);
            if (!v) {
                return v.error();
            }
            *out = std::move(*v);
        }
    }
    auto ok = for_each_item(node["values"], path + ".values",
                            [&](const YAML::Node& item, const std::string& p) -> result<void> {
                                auto v = helper::read_scalar<std::string>(item, kPlugin, p);
                                if (!v) {
                                    return v.error();
                                }
                                r.values.push_back(std::move(*v));
                                return {};
                            });
    if (!ok) {
        return ok.error();
    }
    return r;
}

result<api::node_selector_term> read_term(const YAML::Node& node, const std::string& path) {
    if (auto ok = helper::check_keys(node, kPlugin, path, {"matchExpressions", "matchFields"});
        !ok) {
        return ok.error();
    }
    api::node_selector_term t;
    for (const auto& [field, out] : {std::pair{"matchExpressions", &t.match_expressions},
                                     std::pair{"matchFields", &t.match_fields}}) {
        auto* dst = out;
        auto ok = for_each_item(node[field], path + "." + field,
                                [&](const YAML::Node& item, const std::string& p) -> result<void> {
                                    auto r = read_requirement(item, p);
                                    if (!r) {
                                        return r.error();
                                    }
                                    dst->push_back(std::move(*r));
                                    return {};
                                });
        if (!ok) {
            return ok.error();
        }
    }
    return t;
}

result<std::vector<api::node_selector_term>> read_required(const YAML::Node& node,
                                                           const std::string& path) {
    if (auto ok = helper::check_keys(node, kPlugin, path, {"nodeSelectorTerms"}); !ok) {
        return ok.error();
    }
    std::vector<api::node_selector_term> terms;
    auto ok = for_each_item(node["nodeSelectorTerms"], path + ".nodeSelectorTerms",
                            [&](const YAML::Node& item, const std::string& p) -> result<void> {
                                auto t = read_term(item, p);
                                if (!t) {
                                    return t.error();
                                }
                                terms.push_back(std::move(*t));
                                return {};
                            });
    if (!ok) {
        return ok.error();
    }
    return terms;
}

result<api::preferred_scheduling_term> read_preferred(const YAML::Node& node,
                                                      const std::string& path) {
    if (auto ok = helper::check_keys(node, kPlugin, path, {"weight", "preference"}); !ok) {
        return ok.error();
    }
    api::preferred_scheduling_term t;
    if (!is_null(node["weight"])) {
        auto w = helper::read_scalar<std::int32_t>(node["weight"], kPlugin, path + ".weight");
        if (!w) {
            return w.error();
        }
        t.weight = *w;
    }
    auto pref = read_term(node["preference"], path + ".preference");
    if (!pref) {
        return pref.error();
    }
    t.preference = std::move(*pref);
    return t;
}

result<api::node_affinity> read_affinity(const YAML::Node& node) {
    const std::string path = "addedAffinity";
    if (auto ok = helper::check_keys(node, kPlugin, path, {kRequired, kPreferred}); !ok) {
        return ok.error();
    }
    api::node_affinity na;
    const std::string req_path = path + "." + std::string(kRequired);
    if (const YAML::Node req = node[std::string(kRequired)]; !is_null(req)) {
        auto terms = read_required(req, req_path);
        if (!terms) {
            return terms.error();
        }
        na.required = std::move(*terms);
    }
    const std::string pref_path = path + "." + std::string(kPreferred);
    auto ok = for_each_item(node[std::string(kPreferred)], pref_path,
                            [&](const YAML::Node& item, const std::string& p) -> result<void> {
                                auto t = read_preferred(item, p);
                                if (!t) {
                                    return t.error();
                                }
                                na.preferred.push_back(std::move(*t));
                                return {};
                            });
    if (!ok) {
        return ok.error();
    }
    // ValidateNodeAffinityArgs: the terms must parse; the first error is reported.
    if (na.required) {
        const api::node_selector sel(*na.required, req_path);
        if (!sel.errors().empty()) {
            return helper::args_error(kPlugin, sel.errors().front());
        }
    }
    const api::preferred_terms pref(na.preferred, pref_path);
    if (!pref.errors().empty()) {
        return helper::args_error(kPlugin, pref.errors().front());
    }
    return na;
}

}  // namespace

result<node_affinity_args> parse_args(const YAML::Node& args) {
    if (auto ok = helper::check_keys(args, kPlugin, "", {"addedAffinity"}); !ok) {
        return ok.error();
    }
    node_affinity_args out;
    if (is_null(args) || is_null(args["addedAffinity"])) {
        return out;
    }
    auto na = read_affinity(args["addedAffinity"]);
    if (!na) {
        return na.error();
    }
    out.added_affinity = std::move(*na);
    return out;
}

namespace {

// core/v1 NodeSelectorRequirement: key and operator always, values omitempty.
YAML::Node encode_requirement(const api::node_selector_requirement& r) {
    YAML::Node out(YAML::NodeType::Map);
    out["key"] = r.key;
    out["operator"] = r.op;
    if (!r.values.empty()) {
        out["values"] = helper::encode_string_list(r.values);
    }
    return out;
}

// core/v1 NodeSelectorTerm: both lists omitempty, so an empty term is {}.
YAML::Node encode_term(const api::node_selector_term& t) {
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& [field, list] : {std::pair{"matchExpressions", &t.match_expressions},
                                      std::pair{"matchFields", &t.match_fields}}) {
        if (list->empty()) {
            continue;
        }
        YAML::Node seq(YAML::NodeType::Sequence);
        for (const auto& r : *list) {
            seq.push_back(encode_requirement(r));
        }
        out[field] = seq;
    }
    return out;
}

YAML::Node encode_affinity(const api::node_affinity& na) {
    YAML::Node out(YAML::NodeType::Map);
    if (na.required) {
        YAML::Node terms(YAML::NodeType::Sequence);
        for (const auto& t : *na.required) {
            terms.push_back(encode_term(t));
        }
        YAML::Node selector(YAML::NodeType::Map);
        selector["nodeSelectorTerms"] = terms;
        out[std::string(kRequired)] = selector;
    }
    if (!na.preferred.empty()) {
        YAML::Node preferred(YAML::NodeType::Sequence);
        for (const auto& p : na.preferred) {
            YAML::Node item(YAML::NodeType::Map);
            item["weight"] = p.weight;
            item["preference"] = encode_term(p.preference);
            preferred.push_back(item);
        }
        out[std::string(kPreferred)] = preferred;
    }
    return out;
}

}  // namespace

YAML::Node encode_args(const node_affinity_args& args) {
    YAML::Node out = helper::encoded_args_head(kPlugin);
    if (args.added_affinity) {
        out["addedAffinity"] = encode_affinity(*args.added_affinity);
    }
    return out;
}

result<YAML::Node> default_args(const YAML::Node& args) {
    return helper::encode_parsed(parse_args(args), encode_args);
}

}  // namespace multisched::plugins::node_affinity
