// SPDX-License-Identifier: Apache-2.0
// A test server on 127.0.0.1 (port 0) in the test's io_context, plain HTTP or TLS with a
// throw-away certificate: it accepts connections, does the server handshake, and hands each
// connection's stream to the test's `serve`. No threads: the test drives the io_context.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "core/util/task.hpp"

namespace multisched::testing {

// The listening side and its counters. A test's server state derives from it and adds what its
// `serve` records.
struct loopback_server {
    loopback_server(asio::io_context& ioc, std::shared_ptr<asio::ssl::context> tls)
        : acceptor(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          context(std::move(tls)) {}

    unsigned short port() const { return acceptor.local_endpoint().port(); }
    std::string scheme() const { return context ? "https" : "http"; }

    asio::ip::tcp::acceptor acceptor;
    std::shared_ptr<asio::ssl::context> context;  // null: plain HTTP
    int connections = 0;
    int handshake_failures = 0;
};

namespace detail {

template <class State, class Serve>
task<void> serve_connection(std::shared_ptr<State> st, asio::ip::tcp::socket socket, Serve serve) {
    ++st->connections;
    if (!st->context) {
        boost::beast::tcp_stream stream(std::move(socket));
        co_await serve(st, stream);
        co_return;
    }
    asio::ssl::stream<boost::beast::tcp_stream> stream(boost::beast::tcp_stream(std::move(socket)),
                                                       *st->context);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_task);
    if (ec) {
        ++st->handshake_failures;
        co_return;
    }
    co_await serve(st, stream);
}

template <class State, class Serve>
task<void> accept_connections(std::shared_ptr<State> st, Serve serve) {
    for (;;) {
        auto [ec, socket] = co_await st->acceptor.async_accept(use_task);
        if (ec) {
            co_return;
        }
        asio::co_spawn(st->acceptor.get_executor(), serve_connection(st, std::move(socket), serve),
                       asio::detached);
    }
}

}  // namespace detail

// Starts accepting on `st` (a loopback_server). `serve(st, stream)` returns the task<void> that
// handles one connection; `stream` is a beast::tcp_stream or, with TLS, an ssl::stream over one,
// and lives until that task ends. Connections close when their task ends.
template <class State, class Serve>
void start_serving(asio::io_context& ioc, std::shared_ptr<State> st, Serve serve) {
    asio::co_spawn(ioc, detail::accept_connections(std::move(st), std::move(serve)),
                   asio::detached);
}

}  // namespace multisched::testing
