// SPDX-License-Identifier: Apache-2.0
#include "core/server/secure_server.hpp"

#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <fmt/format.h>

#include "core/client/file_util.hpp"
#include "core/server/serving_cert.hpp"
#include "core/util/log.hpp"

namespace multisched::server {
namespace {

namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

// Go's tcpKeepAliveListener period (idle and interval).
constexpr int kKeepAliveSeconds = 180;

result<void> write_private_file(const fs::path& path, const std::string& data, fs::perms perms) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    out.close();
    if (!out) {
        return error{{}, fmt::format("cannot write {}", path.string())};
    }
    fs::permissions(path, perms, ec);
    return {};
}

result<serving_cert> read_pair(const std::string& cert_file, const std::string& key_file) {
    auto cert = client::read_whole_file(cert_file);
    if (!cert) {
        return cert.error();
    }
    auto key = client::read_whole_file(key_file);
    if (!key) {
        return key.error();
    }
    serving_cert out;
    out.cert_chain_pem = std::move(*cert);
    out.key_pem = std::move(*key);
    return out;
}

// SecureServingOptions: explicit PEM or files, else MaybeDefaultWithSelfSignedCerts.
result<serving_cert> serving_pair(const serving_options& opts) {
    if (!opts.tls_cert_pem.empty() || !opts.tls_key_pem.empty()) {
        serving_cert out;
        out.cert_chain_pem = opts.tls_cert_pem;
        out.key_pem = opts.tls_key_pem;
        return out;
    }
    if (!opts.tls_cert_file.empty() || !opts.tls_private_key_file.empty()) {
        if (opts.tls_cert_file.empty() || opts.tls_private_key_file.empty()) {
            return error{{}, "--tls-cert-file and --tls-private-key-file must be given together"};
        }
        return read_pair(opts.tls_cert_file, opts.tls_private_key_file);
    }
    const fs::path dir(opts.cert_dir);
    const auto cert_file = (dir / (opts.pair_name + ".crt")).string();
    const auto key_file = (dir / (opts.pair_name + ".key")).string();
    if (!opts.cert_dir.empty()) {
        if (auto existing = read_pair(cert_file, key_file)) {
            return existing;
        }
    }
    auto generated = generate_self_signed_cert("localhost", {"127.0.0.1"}, {});
    if (!generated) {
        return generated.error();
    }
    if (opts.cert_dir.empty()) {
        MS_LOG_INFO("Generated self-signed cert in-memory");
        return generated;
    }
    constexpr auto kCertPerms = fs::perms::owner_read | fs::perms::owner_write |
                                fs::perms::group_read | fs::perms::others_read;
    if (auto w = write_private_file(cert_file, generated->cert_chain_pem, kCertPerms); !w) {
        return w.error();
    }
    constexpr auto kKeyPerms = fs::perms::owner_read | fs::perms::owner_write;
    if (auto w = write_private_file(key_file, generated->key_pem, kKeyPerms); !w) {
        return w.error();
    }
    MS_LOG_INFO("Generated self-signed cert ({}, {})", cert_file, key_file);
    return generated;
}

std::string host_port(const std::string& host, std::uint16_t port) {
    return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                               : fmt::format("{}:{}", host, port);
}

}  // namespace

secure_server::secure_server(asio::any_io_executor ex, serving_options opts,
                             std::shared_ptr<request_handler> handler)
    : ex_(ex),
      opts_(std::move(opts)),
      handler_(std::move(handler)),
      acceptor_(ex),
      wake_(ex),
      connections_(ex, "secure-serving") {}

result<std::unique_ptr<secure_server>> secure_server::create(
    asio::any_io_executor ex, serving_options opts, std::shared_ptr<request_handler> handler) {
    auto pair = serving_pair(opts);
    if (!pair) {
        return pair.error();
    }
    auto min_version = parse_tls_min_version(opts.tls_min_version);
    if (!min_version) {
        return min_version.error();
    }
    tls_server_config tls;
    tls.cert_chain_pem = pair->cert_chain_pem;
    tls.key_pem = pair->key_pem;
    tls.min_version = *min_version;
    tls.request_client_certificate = opts.request_client_certificate;
    auto context = make_server_tls_context(tls);
    if (!context) {
        return context.error();
    }
    std::unique_ptr<secure_server> server(
        new secure_server(std::move(ex), std::move(opts), std::move(handler)));
    server->tls_ = std::move(*context);
    server->self_signed_ca_pem_ = std::move(pair->ca_pem);
    return server;
}

result<void> secure_server::listen() {
    const auto where = host_port(opts_.bind_address, opts_.port);
    auto fail = [&](std::string_view op, const boost::system::error_code& ec) {
        acceptor_.close();
        return error{ec, fmt::format("failed to listen on {}: listen tcp {}: {}: {}", where, where,
                                     op, ec.message())};
    };
    boost::system::error_code ec;
    auto address = asio::ip::make_address(opts_.bind_address, ec);
    if (ec) {
        return error{ec, fmt::format("invalid --bind-address {}", opts_.bind_address)};
    }
    // Go listens on every address, IPv4 and IPv6, for an unspecified bind address.
    bool dual_stack = address.is_unspecified();
    if (dual_stack) {
        acceptor_.open(tcp::v6(), ec);
        if (!ec) {
            acceptor_.set_option(asio::ip::v6_only(false), ec);
        }
        if (ec) {
            acceptor_.close();
            dual_stack = false;
            ec.clear();
        } else {
            address = asio::ip::address_v6::any();
        }
    }
    const tcp::endpoint endpoint(address, opts_.port);
    if (!acceptor_.is_open()) {
        acceptor_.open(endpoint.protocol(), ec);
    }
    if (ec) {
        return fail("socket", ec);
    }
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (opts_.reuse_port) {
        const int one = 1;
        ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    acceptor_.bind(endpoint, ec);
    if (ec) {
        return fail("bind", ec);
    }
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return fail("listen", ec);
    }
    const auto bound = acceptor_.local_endpoint(ec);
    port_ = bound.port();
    MS_LOG_INFO("Serving securely on {}", host_port(bound.address().to_string(), port_));
    return {};
}

void secure_server::configure_socket(tcp::socket& socket) const {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    socket.set_option(asio::socket_base::keep_alive(true), ec);
    const int period = kKeepAliveSeconds;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &period, sizeof period);
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &period, sizeof period);
}

task<void> secure_server::run() {
    std::uint64_t next_id = 0;
    std::chrono::milliseconds retry_delay{0};
    while (!stopping_ && acceptor_.is_open()) {
        if (live_.size() >= opts_.limits.max_connections) {
            // At the cap: leave new clients in the listen backlog until a connection ends.
            wake_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_.async_wait(use_task);
            continue;
        }
        auto [ec, socket] = co_await acceptor_.async_accept(use_task);
        if (stopping_) {
            break;
        }
        if (ec) {
            // Go's Serve: back off 5 ms, doubling to 1 s, on accept errors (EMFILE, ...).
            retry_delay = std::min<std::chrono::milliseconds>(
                std::chrono::seconds(1),
                std::max<std::chrono::milliseconds>(std::chrono::milliseconds(5), retry_delay * 2));
            MS_LOG_ERROR("http: Accept error: {}; retrying in {}ms", ec.message(),
                         retry_delay.count());
            wake_.expires_after(retry_delay);
            co_await wake_.async_wait(use_task);
            continue;
        }
        retry_delay = std::chrono::milliseconds(0);
        configure_socket(socket);
        const auto id = next_id++;
        auto conn =
            std::make_unique<server_connection>(std::move(socket), *tls_, opts_.limits, *handler_);
        live_.emplace(id, conn.get());
        connections_.spawn(serve_connection(id, std::move(conn)));
    }
    co_await connections_.wait();
}

task<void> secure_server::serve_connection(std::uint64_t id,
                                           std::unique_ptr<server_connection> conn) {
    // The entry goes even if run() unexpectedly throws: live_ must never dangle.
    struct forget {
        secure_server* self;
        std::uint64_t id;
        ~forget() {
            self->live_.erase(id);
            self->wake_.cancel();
        }
    } guard{this, id};
    co_await conn->run();
}

void secure_server::stop() {
    if (stopping_) {
        return;
    }
    stopping_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    wake_.cancel();
    for (auto& [id, conn] : live_) {
        conn->close();
    }
    connections_.cancel();
}

}  // namespace multisched::server
