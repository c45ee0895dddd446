// SPDX-License-Identifier: Apache-2.0
// The result-returning wrappers of the rules file and the check against served profiles.
// Decoding itself is in rules_decode.cpp.
#include "core/admission/rules.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "core/config/field_reader.hpp"

namespace multisched::admission {

bool routing_rules::uses_namespace_labels() const {
    return std::any_of(rules.begin(), rules.end(), [](const routing_rule& r) {
        return r.match.namespace_selector.has_value();
    });
}

result<routing_rules> decode_rules(std::string_view yaml_text, std::string_view source_name) {
    decoded_rules d = decode_rules_detailed(yaml_text);
    if (!d.errors.empty()) {
        return error{std::make_error_code(std::errc::invalid_argument),
                     config::format_errors(source_name, d.errors)};
    }
    return std::move(d.rules);
}

std::vector<rule_error> validate(const routing_rules& rules,
                                 const std::set<std::string>& served_profiles) {
    std::vector<rule_error> errors;
    for (std::size_t i = 0; i < rules.rules.size(); ++i) {
        const routing_rule& r = rules.rules[i];
        if (served_profiles.contains(r.scheduler_name)) {
            continue;
        }
        errors.push_back(
            {r.scheduler_name_origin, config::index_path("rules", i) + ".schedulerName",
             fmt::format("Unsupported value: \"{}\": not a profile of this scheduler; served: {}",
                         r.scheduler_name, fmt::join(served_profiles, ", "))});
    }
    return errors;
}

result<void> validate_rules(const routing_rules& rules,
                            const std::set<std::string>& served_profiles,
                            std::string_view source_name) {
    const auto errors = validate(rules, served_profiles);
    if (errors.empty()) {
        return {};
    }
    return error{std::make_error_code(std::errc::invalid_argument),
                 config::format_errors(source_name, errors)};
}

}  // namespace multisched::admission
