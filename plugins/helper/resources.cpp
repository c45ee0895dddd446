// SPDX-License-Identifier: Apache-2.0
#include "plugins/helper/resources.hpp"

#include <string>

namespace multisched::plugins::helper {
namespace {

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// One DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
bool is_dns_label(std::string_view s) {
    if (s.empty() || s.size() > 63 || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) {
        return false;
    }
    for (char c : s) {
        if (!is_lower_alnum(c) && c != '-') {
            return false;
        }
    }
    return true;
}

bool is_dns_subdomain(std::string_view s) {
    if (s.empty() || s.size() > 253) {
        return false;
    }
    while (true) {
        const auto dot = s.find('.');
        if (!is_dns_label(s.substr(0, dot))) {
            return false;
        }
        if (dot == std::string_view::npos) {
            return true;
        }
        s.remove_prefix(dot + 1);
    }
}

bool is_qualified_short_name(std::string_view s) {
    if (s.empty() || s.size() > 63 || !is_alnum(s.front()) || !is_alnum(s.back())) {
        return false;
    }
    for (char c : s) {
        if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

}  // namespace

bool is_qualified_name(std::string_view s) {
    const auto slash = s.find('/');
    if (slash == std::string_view::npos) {
        return is_qualified_short_name(s);
    }
    if (s.find('/', slash + 1) != std::string_view::npos) {
        return false;
    }
    return is_dns_subdomain(s.substr(0, slash)) && is_qualified_short_name(s.substr(slash + 1));
}

bool is_extended_resource_name(std::string_view name) {
    const bool native = name.find('/') == std::string_view::npos ||
                        name.find("kubernetes.io/") != std::string_view::npos;
    if (native || starts_with(name, "requests.")) {
        return false;
    }
    return is_qualified_name("requests." + std::string(name));
}

bool is_scalar_resource_name(std::string_view name) {
    return is_extended_resource_name(name) || starts_with(name, "hugepages-") ||
           starts_with(name, "attachable-volumes-") ||
           name.find("kubernetes.io/") != std::string_view::npos;
}

allocatable_and_requested resource_on_node(const framework::node_info& node,
                                           std::string_view resource, std::int64_t pod_request,
                                           bool use_requested) {
    if (pod_request == 0 && is_scalar_resource_name(resource)) {
        return {};
    }
    const api::node* n = node.node();
    if (n == nullptr) {
        return {};
    }
    const auto& alloc = n->allocatable;
    const auto& used = node.requested();
    if (resource == api::kResourceCPU) {
        return {alloc.milli_cpu,
                (use_requested ? used.milli_cpu : node.non_zero_milli_cpu()) + pod_request};
    }
    if (resource == api::kResourceMemory) {
        return {alloc.memory, (use_requested ? used.memory : node.non_zero_memory()) + pod_request};
    }
    if (resource == api::kResourceEphemeralStorage) {
        return {alloc.ephemeral_storage, used.ephemeral_storage + pod_request};
    }
    for (const auto& [name, value] : alloc.scalar) {
        if (name == resource) {
            return {value, used.scalar_value(resource) + pod_request};
        }
    }
    return {};
}

}  // namespace multisched::plugins::helper
