// SPDX-License-Identifier: Apache-2.0
#include "core/client/connection.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace multisched::client {
namespace {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

error stage_error(std::string_view stage, const boost::system::error_code& ec) {
    return error{ec, fmt::format("{}: {}", stage, ec.message())};
}

// The handshake error, with OpenSSL's verification verdict when that is what failed.
error handshake_error(connection::tls_stream& stream, const boost::system::error_code& ec,
                      const dial_target& target) {
    const long verdict = SSL_get_verify_result(stream.native_handle());
    if (verdict != X509_V_OK) {
        std::string why = X509_verify_cert_error_string(verdict);
        if (verdict == X509_V_ERR_HOSTNAME_MISMATCH || verdict == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            why += fmt::format(" (certificate is not valid for {})", target.server_name);
        }
        return error{ec, fmt::format("TLS handshake: {}: {}", ec.message(), why)};
    }
    return stage_error("TLS handshake", ec);
}

// Sets SNI (DNS names only, as Go) and the name the peer certificate must match.
result<void> prepare_tls(connection::tls_stream& stream, const dial_target& target) {
    SSL* ssl = stream.native_handle();
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(target.server_name, ec);
    const bool is_ip = !ec;
    if (!is_ip && SSL_set_tlsext_host_name(ssl, target.server_name.c_str()) != 1) {
        return error{{}, fmt::format("TLS handshake: cannot set SNI {}", target.server_name)};
    }
    if (!target.verify) {
        return {};
    }
    // OpenSSL's own name check (what ssl::host_name_verification calls) as a verify parameter:
    // a mismatch then shows up in SSL_get_verify_result with a readable reason.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, address.to_string().c_str())
                         : X509_VERIFY_PARAM_set1_host(param, target.server_name.c_str(), 0);
    if (ok != 1) {
        return error{{}, fmt::format("TLS handshake: cannot verify name {}", target.server_name)};
    }
    return {};
}

}  // namespace

connection::connection(asio::any_io_executor ex, const std::shared_ptr<ssl::context>& tls)
    : context_(tls) {
    if (tls) {
        tls_.emplace(std::move(ex), *tls);
    } else {
        plain_.emplace(std::move(ex));
    }
}

beast::tcp_stream& connection::tcp() {
    if (tls_) {
        return beast::get_lowest_layer(*tls_);
    }
    return *plain_;
}

bool connection::looks_alive() {
    if (buffer_.size() != 0) {
        return false;  // unread bytes after the last response: the stream is out of step
    }
    if (tls_ && SSL_pending(tls_->native_handle()) > 0) {
        return false;
    }
    auto& socket = tcp().socket();
    if (!socket.is_open()) {
        return false;
    }
    char byte = 0;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    // 0: the server closed (FIN); > 0: a TLS alert (close_notify) or stray bytes.
    return false;
}

task<result<std::unique_ptr<connection>>> dial(asio::any_io_executor ex,
                                               std::shared_ptr<ssl::context> tls,
                                               dial_target target,
                                               steady_clock::time_point deadline) {
    std::vector<tcp::endpoint> endpoints;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(target.host, ec);
    unsigned short port = 0;
    const char* port_end = target.port.data() + target.port.size();
    const bool numeric_port =
        std::from_chars(target.port.data(), port_end, port).ptr == port_end && port != 0;
    if (!ec && numeric_port) {
        endpoints.emplace_back(address, port);
    } else {
        // getaddrinfo cannot be cancelled or bounded: the deadline is checked once it returns.
        tcp::resolver resolver(ex);
        auto [rec, results] = co_await resolver.async_resolve(target.host, target.port, use_task);
        if (rec) {
            co_return stage_error("resolve", rec);
        }
        for (const auto& entry : results) {
            endpoints.push_back(entry.endpoint());
        }
        if (steady_clock::now() >= deadline) {
            co_return stage_error("resolve", beast::error::timeout);
        }
    }

    auto conn = std::make_unique<connection>(ex, tls);
    conn->tcp().expires_at(deadline);
    auto [cec, endpoint] = co_await conn->tcp().async_connect(endpoints, use_task);
    if (cec) {
        co_return stage_error("connect", cec);
    }
    (void)endpoint;
    conn->tcp().socket().set_option(tcp::no_delay(true), ec);
    if (!conn->tls()) {
        co_return conn;
    }
    if (auto prepared = prepare_tls(*conn->tls(), target); !prepared) {
        co_return prepared.error();
    }
    auto [hec] = co_await conn->tls()->async_handshake(ssl::stream_base::client, use_task);
    if (hec) {
        co_return handshake_error(*conn->tls(), hec, target);
    }
    co_return conn;
}

std::unique_ptr<connection> connection_pool::take(steady_clock::time_point now) {
    drop_expired(now);
    while (!idle_.empty()) {
        std::unique_ptr<connection> conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->looks_alive()) {
            return conn;
        }
    }
    return nullptr;
}

void connection_pool::put(std::unique_ptr<connection> conn, steady_clock::time_point now) {
    drop_expired(now);
    conn->idle_since = now;
    idle_.push_back(std::move(conn));
    if (idle_.size() > max_idle_) {
        idle_.erase(idle_.begin());
    }
}

void connection_pool::drop_expired(steady_clock::time_point now) {
    // idle_ is ordered by idle_since: expired connections form a prefix.
    const auto first_fresh = std::find_if(idle_.begin(), idle_.end(), [&](const auto& c) {
        return now - c->idle_since <= idle_timeout_;
    });
    idle_.erase(idle_.begin(), first_fresh);
}

}  // namespace multisched::client
