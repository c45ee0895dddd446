// SPDX-License-Identifier: Apache-2.0
#include "core/server/mux.hpp"

#include <algorithm>

#include <boost/beast/http/verb.hpp>

#include "core/server/status.hpp"
#include "core/util/check.hpp"

namespace multisched::server {

void mux::handle(std::string path, handler h, std::vector<http::verb> methods) {
    MS_CHECK(!path.empty() && path.front() == '/', "mux path must start with '/'");
    MS_CHECK(!exact_.contains(path), "mux path registered twice");
    exact_.emplace(std::move(path), route{std::move(h), std::move(methods)});
}

void mux::handle_prefix(std::string prefix, handler h, std::vector<http::verb> methods) {
    MS_CHECK(!prefix.empty() && prefix.front() == '/' && prefix.back() == '/',
             "mux prefix must start and end with '/'");
    MS_CHECK(!prefixes_.contains(prefix), "mux prefix registered twice");
    prefixes_.emplace(std::move(prefix), route{std::move(h), std::move(methods)});
}

response mux::call(const route& r, const request& req) {
    if (r.methods.empty()) {
        return r.fn(req);
    }
    const auto method = req.method() == http::verb::head ? http::verb::get : req.method();
    if (std::find(r.methods.begin(), r.methods.end(), method) != r.methods.end()) {
        return r.fn(req);
    }
    response res = response::error_text(405, "Method Not Allowed");
    std::string allow;
    for (const auto m : r.methods) {
        allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(m));
        if (m == http::verb::get) {
            allow += ", HEAD";
        }
    }
    res.headers.emplace_back("Allow", std::move(allow));
    return res;
}

response mux::serve(const request& req) const {
    if (const auto it = exact_.find(req.path); it != exact_.end()) {
        return call(it->second, req);
    }
    const route* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& [prefix, r] : prefixes_) {
        if (req.path.starts_with(prefix) && prefix.size() > best_len) {
            best = &r;
            best_len = prefix.size();
        }
    }
    if (best != nullptr) {
        return call(*best, req);
    }
    return not_found_response();
}

bool mux::handles(std::string_view path) const {
    return exact_.find(path) != exact_.end() || prefixes_.find(path) != prefixes_.end();
}

std::vector<std::string> mux::paths() const {
    std::vector<std::string> out;
    for (const auto& [p, r] : exact_) {
        out.push_back(p);
    }
    for (const auto& [p, r] : prefixes_) {
        out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace multisched::server
