// SPDX-License-Identifier: Apache-2.0
// The vocabulary of the secure server: one parsed request, one response, the authenticated user,
// and the small text helpers the handlers share (query parsing, percent-decoding, Go's %q).
// Handlers are synchronous: `handler` takes the request and returns the response. Everything
// here is plain data, used from the io_context's thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/util/task.hpp"

namespace multisched::server {

namespace http = boost::beast::http;

// Who made the request, as kube-apiserver's user.Info: name, uid, groups, extra.
struct user_info {
    std::string name;
    std::string uid;
    std::vector<std::string> groups;
    std::map<std::string, std::vector<std::string>> extra;

    bool in_group(std::string_view group) const;
};

inline constexpr std::string_view kAnonymousUser = "system:anonymous";
inline constexpr std::string_view kUnauthenticatedGroup = "system:unauthenticated";
inline constexpr std::string_view kAuthenticatedGroup = "system:authenticated";
inline constexpr std::string_view kMastersGroup = "system:masters";

// The certificate chain a client presented in the TLS handshake (leaf first), unverified: the
// x509 authenticators verify it. Defined in client_cert.hpp.
struct peer_certificates;

// One request as the handler chain sees it.
struct request {
    http::request<http::string_body> message;  // method, target, headers, body
    std::string path;       // percent-decoded path of the target: "/healthz/ping"
    std::string raw_query;  // the target after '?', still encoded ("verbose&exclude=a")
    std::shared_ptr<const peer_certificates> peer_certs;  // null when none was presented
    std::string remote_address;                           // "127.0.0.1:53422"
    user_info user;                                       // set by the authentication filter

    http::verb method() const { return message.method(); }
    // The request-target as sent (Go's RequestURI).
    std::string_view target() const;
    std::string_view header(http::field f) const;
    std::string_view header(std::string_view name) const;
};

// A response; content_type empty means no Content-Type header.
struct response {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // any other headers

    // A text/plain; charset=utf-8 response with X-Content-Type-Options: nosniff, the way Go's
    // http.Error writes one (it appends the newline itself: pass the text without it).
    static response error_text(unsigned status, std::string_view text);
    // The value of header `name` (case-insensitive) among `headers`, or empty.
    std::string_view find_header(std::string_view name) const;
};

// A mux handler. Called on the io_context's thread; an exception it throws becomes the
// "panic" 500 of the recovery filter.
using handler = std::function<response(const request&)>;

// What the server calls for every parsed request: the handler chain in production, anything in
// tests. `serve` runs on the io_context's thread, must not throw (the chain's recovery filter
// guarantees it) and should bound its own waits: the connection has no deadline while it runs.
class request_handler {
  public:
    virtual ~request_handler() = default;
    virtual task<response> serve(request req) = 0;
};

// Splits a request-target into decoded path and raw query. Origin form ("/a?b") and absolute
// form ("https://host/a?b") are accepted; nullopt for anything else or a bad %-escape.
std::optional<std::pair<std::string, std::string>> split_target(std::string_view target);

// Decodes %XX escapes (and '+' as space when `plus_is_space`); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

// Go's url.ParseQuery: decoded key/value pairs in order; malformed pairs are skipped.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view raw_query);

// All values of `key` in the query, and whether `key` is present at all (even without value).
std::vector<std::string> query_values(std::string_view raw_query, std::string_view key);
bool query_has(std::string_view raw_query, std::string_view key);

// An HTTP Date header value for now ("Mon, 02 Jan 2006 15:04:05 GMT").
std::string http_date();

}  // namespace multisched::server
