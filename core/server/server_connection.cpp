// SPDX-License-Identifier: Apache-2.0
#include "core/server/server_connection.hpp"

#include <array>
#include <exception>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "core/server/client_cert.hpp"
#include "core/util/log.hpp"

namespace multisched::server {
namespace {

namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kMaxDrainBytes = std::size_t{1} << 20;
constexpr std::string_view kPlainHttpReply =
    "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

// Go's tlsRecordHeaderLooksLikeHTTP on the first five bytes.
bool looks_like_http(const beast::flat_buffer& buffer) {
    const auto data = buffer.data();
    const std::string_view head(static_cast<const char*>(data.data()), 5);
    return head == "GET /" || head == "HEAD " || head == "POST " || head == "PUT /" ||
           head == "OPTIO";
}

// What to answer when reading a request failed, as Go's server does; 0 closes silently
// (timeouts, resets, a client that went away).
unsigned status_for_read_error(const boost::system::error_code& ec) {
    if (ec == http::error::header_limit) {
        return 431;
    }
    if (ec == http::error::body_limit) {
        return 413;
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
        return 0;
    }
    return ec.category() == http::make_error_code(http::error::bad_method).category() ? 400 : 0;
}

std::string reject_text(unsigned status) {
    switch (status) {
        case 413:
            return "413 Request Entity Too Large";
        case 431:
            return "431 Request Header Fields Too Large";
        default:
            return "400 Bad Request";
    }
}

// Go's status text where it differs from Beast's.
void set_go_reason(http::response<http::string_body>& out) {
    if (out.result_int() == 413) {
        out.reason("Request Entity Too Large");
    }
}

std::string endpoint_text(const tcp::endpoint& ep) {
    const auto address = ep.address();
    return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), ep.port())
                           : fmt::format("{}:{}", address.to_string(), ep.port());
}

}  // namespace

server_connection::server_connection(tcp::socket socket, ssl::context& tls,
                                     const serving_limits& limits, request_handler& handler)
    : stream_(beast::tcp_stream(std::move(socket)), tls), limits_(limits), handler_(handler) {
    boost::system::error_code ec;
    const auto peer = tcp().socket().remote_endpoint(ec);
    remote_ = ec ? std::string("unknown") : endpoint_text(peer);
}

beast::tcp_stream& server_connection::tcp() {
    return beast::get_lowest_layer(stream_);
}

void server_connection::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    tcp().close();
}

task<void> server_connection::run() {
    try {
        co_await serve();
    } catch (const boost::system::system_error& e) {
        // Cancelled by stop(): the normal way out of an awaited operation.
        if (e.code() == asio::error::operation_aborted) {
            MS_LOG_V(4, "connection from {} cancelled", remote_);
        } else {
            MS_LOG_ERROR("connection from {} ended with an exception: {}", remote_, e.what());
        }
    } catch (const std::exception& e) {
        MS_LOG_ERROR("connection from {} ended with an exception: {}", remote_, e.what());
    } catch (...) {
        MS_LOG_ERROR("connection from {} ended with an unknown exception", remote_);
    }
    close();
}

task<void> server_connection::serve() {
    if (!co_await handshake()) {
        co_return;
    }
    for (bool first = true; !closed_; first = false) {
        auto req = co_await read_request(first);
        if (!req) {
            co_return;
        }
        const unsigned version = req->message.version();
        const bool head = req->method() == http::verb::head;
        const bool keep_alive = req->message.keep_alive();
        tcp().expires_never();  // the handler bounds its own waits
        auto res = co_await handler_.serve(std::move(*req));
        if (closed_ || !co_await write_response(std::move(res), version, head, keep_alive)) {
            co_return;
        }
        if (!keep_alive) {
            co_await tls_close();
            co_return;
        }
    }
}

task<bool> server_connection::handshake() {
    tcp().expires_after(limits_.tls_handshake_timeout);
    // Read the first record header in the clear, to answer plain HTTP as Go does.
    while (buffer_.size() < 5) {
        auto [ec, n] = co_await tcp().async_read_some(buffer_.prepare(kReadChunk), use_task);
        if (ec) {
            co_return false;
        }
        buffer_.commit(n);
    }
    if (looks_like_http(buffer_)) {
        auto [ec, n] = co_await asio::async_write(tcp(), asio::buffer(kPlainHttpReply), use_task);
        if (!ec) {
            co_await linger_close();
        }
        co_return false;
    }
    auto [ec, used] =
        co_await stream_.async_handshake(ssl::stream_base::server, buffer_.data(), use_task);
    const bool leftover = used != buffer_.size();
    buffer_.consume(buffer_.size());
    if (ec || leftover) {
        MS_LOG_V(5, "http: TLS handshake error from {}: {}", remote_,
                 ec ? ec.message() : "data after the handshake");
        co_return false;
    }
    peer_certs_ = capture_peer_certificates(stream_.native_handle());
    co_return true;
}

task<std::optional<request>> server_connection::read_request(bool first) {
    if (!first && buffer_.size() == 0) {
        // Keep-alive: the next request may take up to the idle timeout to start.
        tcp().expires_after(limits_.idle_timeout);
        auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), use_task);
        if (ec) {
            co_return std::nullopt;
        }
        buffer_.commit(n);
    }
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes + 4096));
    parser.body_limit(limits_.max_body_bytes);
    tcp().expires_after(limits_.read_header_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream_, buffer_, parser, use_task);
    if (!hec && !parser.is_done()) {
        if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [cec, cn] = co_await asio::async_write(stream_, asio::buffer(kContinue), use_task);
            hec = cec;
        }
        if (!hec) {
            tcp().expires_after(limits_.request_timeout);
            auto [bec, bn] = co_await http::async_read(stream_, buffer_, parser, use_task);
            hec = bec;
        }
    }
    if (hec) {
        if (const unsigned status = status_for_read_error(hec); status != 0 && !closed_) {
            MS_LOG_V(4, "rejecting a request from {}: {}", remote_, hec.message());
            co_await reject(status, reject_text(status));
        }
        co_return std::nullopt;
    }
    request req;
    req.message = parser.release();
    if (req.message.version() == 11 && req.message.find(http::field::host) == req.message.end()) {
        co_await reject(400, "400 Bad Request: missing required Host header");
        co_return std::nullopt;
    }
    auto split = split_target(req.target());
    if (!split) {
        co_await reject(400, "400 Bad Request: malformed request target");
        co_return std::nullopt;
    }
    req.path = std::move(split->first);
    req.raw_query = std::move(split->second);
    req.peer_certs = peer_certs_;
    req.remote_address = remote_;
    co_return req;
}

task<bool> server_connection::write_response(response res, unsigned version, bool head,
                                             bool keep_alive) {
    http::response<http::string_body> out;
    out.version(version);
    out.result(res.status);
    set_go_reason(out);
    out.set(http::field::date, http_date());
    if (!res.content_type.empty()) {
        out.set(http::field::content_type, res.content_type);
    }
    for (const auto& [name, value] : res.headers) {
        out.insert(beast::string_view(name.data(), name.size()), value);
    }
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    tcp().expires_after(limits_.request_timeout);
    boost::system::error_code ec;
    if (head) {
        http::response_serializer<http::string_body> serializer(out);
        std::tie(ec, std::ignore) =
            co_await http::async_write_header(stream_, serializer, use_task);
    } else {
        std::tie(ec, std::ignore) = co_await http::async_write(stream_, out, use_task);
    }
    co_return !ec;
}

task<void> server_connection::reject(unsigned status, std::string body) {
    http::response<http::string_body> out;
    out.version(11);
    out.result(status);
    set_go_reason(out);
    out.set(http::field::content_type, "text/plain; charset=utf-8");
    out.body() = std::move(body);
    out.keep_alive(false);
    out.prepare_payload();
    tcp().expires_after(limits_.request_timeout);
    auto [ec, n] = co_await http::async_write(stream_, out, use_task);
    if (!ec) {
        co_await linger_close();
    }
}

task<void> server_connection::linger_close() {
    // Half-close, then read (and drop) what the client still sends for a moment, so that the
    // kernel does not answer it with a reset that could destroy the response in flight.
    boost::system::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp().expires_after(limits_.linger_timeout);
    std::array<char, kReadChunk> sink;
    for (std::size_t drained = 0; !ec && drained < kMaxDrainBytes;) {
        std::size_t n = 0;
        std::tie(ec, n) = co_await tcp().async_read_some(asio::buffer(sink), use_task);
        drained += n;
    }
    close();
}

task<void> server_connection::tls_close() {
    tcp().expires_after(limits_.linger_timeout);
    co_await stream_.async_shutdown(use_task);
    close();
}

}  // namespace multisched::server
