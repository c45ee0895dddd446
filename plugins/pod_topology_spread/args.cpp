// SPDX-License-Identifier: Apache-2.0
#include "plugins/pod_topology_spread/args.hpp"

#include <cstdint>
#include <utility>

#include "core/api/selectors.hpp"
#include "plugins/helper/args.hpp"
#include "plugins/names.hpp"
#include "plugins/pod_topology_spread/common.hpp"

namespace multisched::plugins::pod_topology_spread {
namespace {

constexpr std::string_view kPlugin = names::kPodTopologySpread;

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

// Reads node[field] into `out` when present.
template <class T>
result<void> read_field(const YAML::Node& node, const char* field, const std::string& path,
                        T& out) {
    if (is_null(node[field])) {
        return {};
    }
    const std::string at = path.empty() ? std::string(field) : path + "." + field;
    auto v = helper::read_scalar<T>(node[field], kPlugin, at);
    if (!v) {
        return v.error();
    }
    out = std::move(*v);
    return {};
}

result<void> read_strings(const YAML::Node& node, const std::string& path,
                          std::vector<std::string>& out) {
    return for_each_item(node, path, [&](const YAML::Node& item, const std::string& p) {
        auto v = helper::read_scalar<std::string>(item, kPlugin, p);
        if (!v) {
            return result<void>(v.error());
        }
        out.push_back(std::move(*v));
        return result<void>();
    });
}

result<api::node_selector_requirement> read_requirement(const YAML::Node& node,
                                                        const std::string& path) {
    if (auto ok = helper::check_keys(node, kPlugin, path, {"key", "operator", "values"}); !ok) {
        return ok.error();
    }
    api::node_selector_requirement r;
    if (auto ok = read_field(node, "key", path, r.key); !ok) {
        return ok.error();
    }
    if (auto ok = read_field(node, "operator", path, r.op); !ok) {
        return ok.error();
    }
    if (auto ok = read_strings(node["values"], path + ".values", r.values); !ok) {
        return ok.error();
    }
    return r;
}

result<api::label_selector> read_selector(const YAML::Node& node, const std::string& path) {
    if (auto ok = helper::check_keys(node, kPlugin, path, {"matchLabels", "matchExpressions"});
        !ok) {
        return ok.error();
    }
    api::label_selector s;
    if (const YAML::Node labels = node["matchLabels"]; !is_null(labels)) {
        if (!labels.IsMap()) {
            return helper::args_error(kPlugin, path + ".matchLabels: expected a mapping");
        }
        for (const auto& kv : labels) {
            const std::string key = kv.first.as<std::string>();
            auto v =
                helper::read_scalar<std::string>(kv.second, kPlugin, path + ".matchLabels." + key);
            if (!v) {
                return v.error();
            }
            s.match_labels.set(key, std::move(*v));
        }
    }
    auto ok = for_each_item(node["matchExpressions"], path + ".matchExpressions",
                            [&](const YAML::Node& item, const std::string& p) {
                                auto r = read_requirement(item, p);
                                if (!r) {
                                    return result<void>(r.error());
                                }
                                s.match_expressions.push_back(std::move(*r));
                                return result<void>();
                            });
    if (!ok) {
        return ok.error();
    }
    return s;
}

result<api::topology_spread_constraint> read_constraint(const YAML::Node& node,
                                                        const std::string& path) {
    if (auto ok = helper::check_keys(
            node, kPlugin, path,
            {"maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector", "minDomains",
             "nodeAffinityPolicy", "nodeTaintsPolicy", "matchLabelKeys"});
        !ok) {
        return ok.error();
    }
    api::topology_spread_constraint c;
    std::int32_t min_domains = 0;
    for (auto ok :
         {read_field(node, "maxSkew", path, c.max_skew),
          read_field(node, "topologyKey", path, c.topology_key),
          read_field(node, "whenUnsatisfiable", path, c.when_unsatisfiable),
          read_field(node, "minDomains", path, min_domains),
          read_field(node, "nodeAffinityPolicy", path, c.node_affinity_policy),
          read_field(node, "nodeTaintsPolicy", path, c.node_taints_policy),
          read_strings(node["matchLabelKeys"], path + ".matchLabelKeys", c.match_label_keys)}) {
        if (!ok) {
            return ok.error();
        }
    }
    if (!is_null(node["minDomains"])) {
        c.min_domains = min_domains;
    }
    if (!is_null(node["labelSelector"])) {
        auto s = read_selector(node["labelSelector"], path + ".labelSelector");
        if (!s) {
            return s.error();
        }
        c.selector = std::move(*s);
    }
    return c;
}

// errors.NewAggregate(...).Error(): one error as is, several as "[a, b]".
std::string aggregate(const std::vector<std::string>& errs) {
    if (errs.size() == 1) {
        return errs.front();
    }
    std::string out = "[";
    for (std::size_t i = 0; i < errs.size(); ++i) {
        out += (i == 0 ? "" : ", ") + errs[i];
    }
    return out + "]";
}

// validateTopologyKey: required, and a valid label name (metav1validation.ValidateLabelName).
void validate_topology_key(const std::string& key, const std::string& path,
                           std::vector<std::string>& errs) {
    if (key.empty()) {
        errs.push_back(path + ": Required value: can not be empty");
        return;
    }
    // label_requirement_errors names the key "<prefix>.key"; re-home its messages under `path`.
    const std::string prefix = "x";
    for (const auto& e : api::label_requirement_errors({key, "Exists", {}}, prefix)) {
        const std::string at = prefix + ".key";
        if (e.rfind(at, 0) == 0) {
            errs.push_back(path + e.substr(at.size()));
        }
    }
}

void validate_constraint(const std::vector<api::topology_spread_constraint>& all, std::size_t i,
                         std::vector<std::string>& errs) {
    const auto& c = all[i];
    const std::string p = "defaultConstraints[" + std::to_string(i) + "]";
    if (c.max_skew <= 0) {
        errs.push_back(p + ".maxSkew: Invalid value: " + std::to_string(c.max_skew) +
                       ": not in valid range");
    }
    validate_topology_key(c.topology_key, p + ".topologyKey", errs);
    if (c.when_unsatisfiable.empty()) {
        errs.push_back(p + ".whenUnsatisfiable: Required value: can not be empty");
    } else if (c.when_unsatisfiable != kDoNotSchedule && c.when_unsatisfiable != kScheduleAnyway) {
        errs.push_back(p + ".whenUnsatisfiable: Unsupported value: \"" + c.when_unsatisfiable +
                       "\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"");
    }
    if (c.selector) {
        errs.push_back(p +
                       ".labelSelector: Forbidden: constraint must not define a selector, as "
                       "they deduced for each pod");
    }
    for (std::size_t j = 0; j < i; ++j) {
        if (all[j].topology_key == c.topology_key &&
            all[j].when_unsatisfiable == c.when_unsatisfiable) {
            errs.push_back(p + ": Duplicate value: \"{" + c.topology_key + ", " +
                           c.when_unsatisfiable + "}\"");
            break;
        }
    }
}

}  // namespace

std::vector<std::string> validate_args(const pod_topology_spread_args& args) {
    std::vector<std::string> errs;
    const auto& t = args.defaulting_type;
    if (t != kSystemDefaulting && t != kListDefaulting) {
        errs.push_back("defaultingType: Unsupported value: \"" + t +
                       "\": supported values: \"System\", \"List\"");
    } else if (t == kSystemDefaulting && !args.default_constraints.empty()) {
        errs.push_back("defaultingType: Invalid value: \"" + t +
                       "\": when .defaultConstraints are not empty");
    }
    for (std::size_t i = 0; i < args.default_constraints.size(); ++i) {
        validate_constraint(args.default_constraints, i, errs);
    }
    return errs;
}

result<pod_topology_spread_args> parse_args(const YAML::Node& args) {
    if (auto ok = helper::check_keys(args, kPlugin, "", {"defaultConstraints", "defaultingType"});
        !ok) {
        return ok.error();
    }
    pod_topology_spread_args out;
    if (!is_null(args)) {
        if (auto ok = read_field(args, "defaultingType", "", out.defaulting_type); !ok) {
            return ok.error();
        }
        auto ok = for_each_item(args["defaultConstraints"], "defaultConstraints",
                                [&](const YAML::Node& item, const std::string& p) {
                                    auto c = read_constraint(item, p);
                                    if (!c) {
                                        return result<void>(c.error());
                                    }
                                    out.default_constraints.push_back(std::move(*c));
                                    return result<void>();
                                });
        if (!ok) {
            return ok.error();
        }
    }
    // SetDefaults_PodTopologySpreadArgs: an unset defaultingType is System.
    if (out.defaulting_type.empty()) {
        out.defaulting_type = std::string(kSystemDefaulting);
    }
    if (auto errs = validate_args(out); !errs.empty()) {
        return helper::args_error(kPlugin, aggregate(errs));
    }
    return out;
}

std::vector<api::topology_spread_constraint> system_default_constraints() {
    std::vector<api::topology_spread_constraint> out(2);
    out[0].topology_key = std::string(kLabelHostname);
    out[0].when_unsatisfiable = std::string(kScheduleAnyway);
    out[0].max_skew = 3;
    out[1].topology_key = std::string(kLabelTopologyZone);
    out[1].when_unsatisfiable = std::string(kScheduleAnyway);
    out[1].max_skew = 5;
    return out;
}

namespace {

// metav1.LabelSelector; valid args never have one, but the encoding stays total.
YAML::Node encode_selector(const api::label_selector& s) {
    YAML::Node out(YAML::NodeType::Map);
    if (!s.match_labels.empty()) {
        YAML::Node labels(YAML::NodeType::Map);
        for (const auto& [k, v] : s.match_labels.items) {
            labels[k] = v;
        }
        out["matchLabels"] = labels;
    }
    if (!s.match_expressions.empty()) {
        YAML::Node exprs(YAML::NodeType::Sequence);
        for (const auto& r : s.match_expressions) {
            YAML::Node e(YAML::NodeType::Map);
            e["key"] = r.key;
            e["operator"] = r.op;
            if (!r.values.empty()) {
                e["values"] = helper::encode_string_list(r.values);
            }
            exprs.push_back(e);
        }
        out["matchExpressions"] = exprs;
    }
    return out;
}

// core/v1 TopologySpreadConstraint: maxSkew, topologyKey and whenUnsatisfiable always, the rest
// omitempty.
YAML::Node encode_constraint(const api::topology_spread_constraint& c) {
    YAML::Node out(YAML::NodeType::Map);
    out["maxSkew"] = c.max_skew;
    out["topologyKey"] = c.topology_key;
    out["whenUnsatisfiable"] = c.when_unsatisfiable;
    if (c.selector) {
        out["labelSelector"] = encode_selector(*c.selector);
    }
    if (c.min_domains) {
        out["minDomains"] = *c.min_domains;
    }
    if (!c.node_affinity_policy.empty()) {
        out["nodeAffinityPolicy"] = c.node_affinity_policy;
    }
    if (!c.node_taints_policy.empty()) {
        out["nodeTaintsPolicy"] = c.node_taints_policy;
    }
    if (!c.match_label_keys.empty()) {
        out["matchLabelKeys"] = helper::encode_string_list(c.match_label_keys);
    }
    return out;
}

}  // namespace

YAML::Node encode_args(const pod_topology_spread_args& args) {
    YAML::Node out = helper::encoded_args_head(kPlugin);
    if (!args.default_constraints.empty()) {
        YAML::Node list(YAML::NodeType::Sequence);
        for (const auto& c : args.default_constraints) {
            list.push_back(encode_constraint(c));
        }
        out["defaultConstraints"] = list;
    }
    if (!args.defaulting_type.empty()) {
        out["defaultingType"] = args.defaulting_type;
    }
    return out;
}

result<YAML::Node> default_args(const YAML::Node& args) {
    return helper::encode_parsed(parse_args(args), encode_args);
}

}  // namespace multisched::plugins::pod_topology_spread
