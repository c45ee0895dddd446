// SPDX-License-Identifier: Apache-2.0
#include "core/server/healthz.hpp"

#include <algorithm>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "core/util/go_quote.hpp"
#include "core/util/log.hpp"

namespace multisched::server {
namespace {

response ok_text(std::string body) {
    response r;
    r.body = std::move(body);
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
}

// The root handler: every check of the endpoint `name` ("healthz").
response run_checks(const std::string& name, const std::vector<health_check>& checks,
                    const request& req) {
    const auto excluded_values = query_values(req.raw_query, "exclude");
    std::set<std::string> excluded(excluded_values.begin(), excluded_values.end());
    std::string output;
    std::string failed_log;
    std::vector<std::string> failed;
    for (const auto& c : checks) {
        if (excluded.erase(c.name) > 0) {
            output += fmt::format("[+]{} excluded: ok\n", c.name);
            continue;
        }
        if (auto reason = c.check()) {
            // The reason is withheld: this endpoint is public.
            output += fmt::format("[-]{} failed: reason withheld\n", c.name);
            failed_log += fmt::format("[-]{} failed: {}\n", c.name, *reason);
            failed.push_back(c.name);
        } else {
            output += fmt::format("[+]{} ok\n", c.name);
        }
    }
    if (!excluded.empty()) {
        std::string quoted;
        for (const auto& e : excluded) {  // sorted, as sets.String.List()
            quoted += (quoted.empty() ? "" : ",") + go_quote(e);
        }
        output +=
            fmt::format("warn: some health checks cannot be excluded: no matches for {}\n", quoted);
        MS_LOG_WARN("cannot exclude some health checks, no health checks are installed matching {}",
                    quoted);
    }
    if (!failed.empty()) {
        MS_LOG_V(2, "{} check failed: {}\n{}", fmt::join(failed, ","), name, failed_log);
        return response::error_text(500, fmt::format("{}{} check failed", output, name));
    }
    if (!query_has(req.raw_query, "verbose")) {
        return ok_text("ok");
    }
    return ok_text(fmt::format("{}{} check passed\n", output, name));
}

// /<endpoint>/<check>: one check, with its reason.
response run_one(const health_check& c) {
    if (auto reason = c.check()) {
        return response::error_text(500, "internal server error: " + *reason);
    }
    response r;
    r.body = "ok";
    return r;
}

}  // namespace

health_check ping_check() {
    return health_check{"ping", [] { return std::optional<std::string>(); }};
}

void install_health_checks(mux& m, const std::string& path, std::vector<health_check> checks) {
    if (checks.empty()) {
        checks.push_back(ping_check());
    }
    const std::string trimmed = path.substr(path.find_first_not_of('/'));
    const std::string name = trimmed.substr(0, trimmed.find('/'));
    auto shared = std::make_shared<const std::vector<health_check>>(std::move(checks));
    m.handle(path, [name, shared](const request& req) { return run_checks(name, *shared, req); });
    for (std::size_t i = 0; i < shared->size(); ++i) {
        m.handle(path + "/" + (*shared)[i].name,
                 [shared, i](const request&) { return run_one((*shared)[i]); });
    }
}

}  // namespace multisched::server
