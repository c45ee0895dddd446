// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the secure port's request parsing. The bytes go, in reads of at most 4 KiB as
// the connection reads them, into a Beast request parser with the server's limits
// (server::serving_limits: 1 MiB of header plus Go's 4 KiB of slack, 3 MiB of body); a request
// that parses then has its target split, its path decoded and its query parsed, as the handler
// chain does before routing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/server/http_types.hpp"
#include "core/server/server_connection.hpp"

namespace http = boost::beast::http;
namespace server = multisched::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const server::serving_limits limits;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes + 4096));
    parser.body_limit(limits.max_body_bytes);
    boost::beast::error_code ec;
    std::string_view pending(reinterpret_cast<const char*>(data), size);
    std::string buffered;
    while (!parser.is_done()) {
        const std::size_t take = std::min<std::size_t>(pending.size(), 4096);
        buffered.append(pending.substr(0, take));
        pending.remove_prefix(take);
        const std::size_t used =
            parser.put(boost::asio::buffer(buffered.data(), buffered.size()), ec);
        buffered.erase(0, used);
        if (ec == http::error::need_more) {
            ec = {};
            if (take == 0) {
                parser.put_eof(ec);
                break;
            }
            continue;
        }
        if (ec) {
            return 0;
        }
        if (take == 0 && used == 0) {
            break;
        }
    }
    if (ec || !parser.is_done()) {
        return 0;
    }
    const auto& msg = parser.get();
    const std::string_view target(msg.target().data(), msg.target().size());
    if (auto split = server::split_target(target)) {
        (void)server::parse_query(split->second);
        (void)server::query_values(split->second, "exclude");
        (void)server::query_has(split->second, "verbose");
    }
    (void)server::percent_decode(target, true);
    return 0;
}
