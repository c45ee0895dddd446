// SPDX-License-Identifier: Apache-2.0
// The innermost handler of the chain, as apiserver's PathRecorderMux: an exact-path table, then
// prefix handlers (longest prefix first), else 404 "404 page not found". Paths are compared
// after percent-decoding and without cleaning ("/healthz/" is not "/healthz").
// Upstream handlers accept every method; a route may list its methods, and then answers others
// with 405 and an Allow header (HEAD is accepted wherever GET is).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/server/http_types.hpp"

namespace multisched::server {

class mux {
  public:
    // Registers `h` for exactly `path` (which starts with '/'). An empty `methods` accepts any
    // method. Registering the same path twice is a programming error and aborts, as upstream's
    // mux panics.
    void handle(std::string path, handler h, std::vector<http::verb> methods = {});
    // Registers `h` for every path that starts with `prefix` (which must end with '/') and has no
    // exact handler.
    void handle_prefix(std::string prefix, handler h, std::vector<http::verb> methods = {});

    // Routes `req` by req.path and calls the handler; exceptions propagate to the caller (the
    // chain's recovery filter).
    response serve(const request& req) const;

    bool handles(std::string_view path) const;
    // Registered exact paths and prefixes, sorted.
    std::vector<std::string> paths() const;

  private:
    struct route {
        handler fn;
        std::vector<http::verb> methods;
    };
    static response call(const route& r, const request& req);

    std::map<std::string, route, std::less<>> exact_;
    std::map<std::string, route, std::less<>> prefixes_;
};

}  // namespace multisched::server
