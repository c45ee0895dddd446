// SPDX-License-Identifier: Apache-2.0
#include "plugins/node_resources_fit/args.hpp"

#include <fmt/format.h>

#include "plugins/helper/args.hpp"
#include "plugins/helper/resources.hpp"
#include "plugins/names.hpp"

namespace multisched::plugins::node_resources_fit {
namespace {

constexpr std::string_view kPlugin = names::kNodeResourcesFit;

error invalid(const std::string& path, const std::string& value, std::string_view why) {
    return helper::args_error(kPlugin, fmt::format("{}: Invalid value: {}: {}", path, value, why));
}

result<std::vector<std::string>> read_names(const YAML::Node& node, const std::string& path,
                                            bool is_group) {
    std::vector<std::string> out;
    if (!node.IsDefined() || node.IsNull()) {
        return out;
    }
    if (!node.IsSequence()) {
        return helper::args_error(kPlugin, path + ": expected a list");
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto item_path = fmt::format("{}[{}]", path, i);
        auto name = helper::read_scalar<std::string>(node[i], kPlugin, item_path);
        if (!name) {
            return name.error();
        }
        if (is_group && name->find('/') != std::string::npos) {
            return invalid(item_path, *name, "resource group name can't contain '/'");
        }
        if (!helper::is_qualified_name(*name)) {
            return invalid(item_path, *name, "must be a qualified name");
        }
        out.push_back(std::move(*name));
    }
    return out;
}

result<std::vector<resource_spec>> read_resources(const YAML::Node& node) {
    std::vector<resource_spec> out;
    if (!node.IsDefined() || node.IsNull()) {
        return out;
    }
    if (!node.IsSequence()) {
        return helper::args_error(kPlugin, "scoringStrategy.resources: expected a list");
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto path = fmt::format("scoringStrategy.resources[{}]", i);
        if (auto ok = helper::check_keys(node[i], kPlugin, path, {"name", "weight"}); !ok) {
            return ok.error();
        }
        resource_spec spec;
        if (node[i]["name"]) {
            auto name = helper::read_scalar<std::string>(node[i]["name"], kPlugin, path + ".name");
            if (!name) {
                return name.error();
            }
            spec.name = std::move(*name);
        }
        spec.weight = 0;
        if (node[i]["weight"]) {
            auto w =
                helper::read_scalar<std::int64_t>(node[i]["weight"], kPlugin, path + ".weight");
            if (!w) {
                return w.error();
            }
            spec.weight = *w;
        }
        // Defaulting runs before validation upstream: an unset or zero weight becomes 1.
        if (spec.weight == 0) {
            spec.weight = 1;
        }
        if (spec.weight < 0 || spec.weight > 100) {
            return invalid(
                path + ".weight", std::to_string(spec.weight),
                fmt::format("resource weight of {} not in valid range (0, 100]", spec.name));
        }
        out.push_back(std::move(spec));
    }
    return out;
}

result<std::vector<shape_point>> read_shape(const YAML::Node& rtcr) {
    const std::string path = "scoringStrategy.shape";
    if (auto ok = helper::check_keys(rtcr, kPlugin, "scoringStrategy.requestedToCapacityRatio",
                                     {"shape"});
        !ok) {
        return ok.error();
    }
    const YAML::Node node = rtcr["shape"];
    if (!node || node.IsNull() || (node.IsSequence() && node.size() == 0)) {
        return helper::args_error(kPlugin,
                                  path + ": Required value: at least one point must be specified");
    }
    if (!node.IsSequence()) {
        return helper::args_error(kPlugin, path + ": expected a list");
    }
    std::vector<shape_point> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto p = fmt::format("{}[{}]", path, i);
        if (auto ok = helper::check_keys(node[i], kPlugin, p, {"utilization", "score"}); !ok) {
            return ok.error();
        }
        shape_point point;
        for (auto [key, field] :
             {std::pair{"utilization", &point.utilization}, std::pair{"score", &point.score}}) {
            if (!node[i][key]) {
                continue;
            }
            auto v = helper::read_scalar<std::int64_t>(node[i][key], kPlugin, p + "." + key);
            if (!v) {
                return v.error();
            }
            *field = *v;
        }
        out.push_back(point);
    }
    for (std::size_t i = 1; i < out.size(); ++i) {
        if (out[i - 1].utilization >= out[i].utilization) {
            return invalid(fmt::format("{}[{}].utilization", path, i),
                           std::to_string(out[i].utilization),
                           "values must be sorted in increasing order");
        }
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i].utilization < 0 || out[i].utilization > 100) {
            return invalid(fmt::format("{}[{}].utilization", path, i),
                           std::to_string(out[i].utilization), "not in valid range [0, 100]");
        }
        if (out[i].score < 0 || out[i].score > kMaxCustomPriorityScore) {
            return invalid(fmt::format("{}[{}].score", path, i), std::to_string(out[i].score),
                           "not in valid range [0, 10]");
        }
    }
    return out;
}

result<void> read_strategy(const YAML::Node& node, fit_args& out) {
    if (auto ok = helper::check_keys(node, kPlugin, "scoringStrategy",
                                     {"type", "resources", "requestedToCapacityRatio"});
        !ok) {
        return ok.error();
    }
    std::string type;
    if (node["type"]) {
        auto t = helper::read_scalar<std::string>(node["type"], kPlugin, "scoringStrategy.type");
        if (!t) {
            return t.error();
        }
        type = std::move(*t);
    }
    if (type == "LeastAllocated") {
        out.type = scoring_type::least_allocated;
    } else if (type == "MostAllocated") {
        out.type = scoring_type::most_allocated;
    } else if (type == "RequestedToCapacityRatio") {
        out.type = scoring_type::requested_to_capacity_ratio;
    } else {
        return helper::args_error(
            kPlugin, fmt::format("scoringStrategy.type: Unsupported value: \"{}\": supported "
                                 "values: \"LeastAllocated\", \"MostAllocated\", "
                                 "\"RequestedToCapacityRatio\"",
                                 type));
    }
    auto resources = read_resources(node["resources"]);
    if (!resources) {
        return resources.error();
    }
    if (!resources->empty()) {
        out.resources = std::move(*resources);
    }
    // Upstream validates the shape whenever requestedToCapacityRatio is given, and dereferences it
    // (panics) when the type is RequestedToCapacityRatio without it: we report that as an error.
    const YAML::Node rtcr = node["requestedToCapacityRatio"];
    if (rtcr && !rtcr.IsNull()) {
        auto shape = read_shape(rtcr);
        if (!shape) {
            return shape.error();
        }
        out.shape = std::move(*shape);
    } else if (out.type == scoring_type::requested_to_capacity_ratio) {
        return helper::args_error(kPlugin,
                                  "scoringStrategy.requestedToCapacityRatio: Required value: "
                                  "shape is required for type RequestedToCapacityRatio");
    }
    return {};
}

}  // namespace

result<fit_args> parse_args(const YAML::Node& args) {
    fit_args out;
    out.resources = {{"cpu", 1}, {"memory", 1}};
    if (auto ok = helper::check_keys(
            args, kPlugin, "", {"ignoredResources", "ignoredResourceGroups", "scoringStrategy"});
        !ok) {
        return ok.error();
    }
    if (!args.IsDefined() || args.IsNull()) {
        return out;
    }
    auto ignored = read_names(args["ignoredResources"], "ignoredResources", false);
    if (!ignored) {
        return ignored.error();
    }
    out.ignored_resources = std::move(*ignored);
    auto groups = read_names(args["ignoredResourceGroups"], "ignoredResourceGroups", true);
    if (!groups) {
        return groups.error();
    }
    out.ignored_resource_groups = std::move(*groups);
    const YAML::Node strategy = args["scoringStrategy"];
    if (strategy && !strategy.IsNull()) {
        if (auto ok = read_strategy(strategy, out); !ok) {
            return ok.error();
        }
    }
    return out;
}

namespace {

std::string_view type_name(scoring_type t) {
    switch (t) {
        case scoring_type::most_allocated:
            return "MostAllocated";
        case scoring_type::requested_to_capacity_ratio:
            return "RequestedToCapacityRatio";
        case scoring_type::least_allocated:
            break;
    }
    return "LeastAllocated";
}

YAML::Node encode_strategy(const fit_args& args) {
    YAML::Node out(YAML::NodeType::Map);
    out["type"] = std::string(type_name(args.type));
    if (!args.resources.empty()) {
        out["resources"] = helper::encode_resource_specs(args.resources);
    }
    if (!args.shape.empty()) {
        YAML::Node shape(YAML::NodeType::Sequence);
        for (const auto& p : args.shape) {
            YAML::Node point(YAML::NodeType::Map);
            point["utilization"] = p.utilization;
            point["score"] = p.score;
            shape.push_back(point);
        }
        YAML::Node rtcr(YAML::NodeType::Map);
        rtcr["shape"] = shape;
        out["requestedToCapacityRatio"] = rtcr;
    }
    return out;
}

}  // namespace

YAML::Node encode_args(const fit_args& args) {
    YAML::Node out = helper::encoded_args_head(kPlugin);
    if (!args.ignored_resources.empty()) {
        out["ignoredResources"] = helper::encode_string_list(args.ignored_resources);
    }
    if (!args.ignored_resource_groups.empty()) {
        out["ignoredResourceGroups"] = helper::encode_string_list(args.ignored_resource_groups);
    }
    out["scoringStrategy"] = encode_strategy(args);
    return out;
}

result<YAML::Node> default_args(const YAML::Node& args) {
    return helper::encode_parsed(parse_args(args), encode_args);
}

}  // namespace multisched::plugins::node_resources_fit
