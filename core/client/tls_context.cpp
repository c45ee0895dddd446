// SPDX-License-Identifier: Apache-2.0
#include "core/client/tls_context.hpp"

#include <boost/asio/buffer.hpp>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace multisched::client {
namespace {

namespace ssl = boost::asio::ssl;

error tls_error(std::string_view field, const boost::system::error_code& ec) {
    return error{ec, fmt::format("TLS configuration: {}: {}", field, ec.message())};
}

}  // namespace

result<std::shared_ptr<ssl::context>> make_tls_context(const rest_config& config) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::no_compression,
                     ec);
    if (ec) {
        return tls_error("options", ec);
    }
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
        return error{{}, "TLS configuration: cannot require TLS 1.2"};
    }
    if (config.insecure_skip_tls_verify) {
        ctx->set_verify_mode(ssl::verify_none, ec);
    } else {
        ctx->set_verify_mode(ssl::verify_peer, ec);
    }
    if (ec) {
        return tls_error("verify mode", ec);
    }
    if (!config.insecure_skip_tls_verify) {
        if (config.ca_pem.empty()) {
            ctx->set_default_verify_paths(ec);
            if (ec) {
                return tls_error("system trust store", ec);
            }
        } else {
            ctx->add_certificate_authority(boost::asio::buffer(config.ca_pem), ec);
            if (ec) {
                return tls_error("certificate-authority", ec);
            }
        }
    }
    if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
        return error{{}, "TLS configuration: client certificate and key must be given together"};
    }
    if (!config.client_cert_pem.empty()) {
        ctx->use_certificate_chain(boost::asio::buffer(config.client_cert_pem), ec);
        if (ec) {
            return tls_error("client-certificate", ec);
        }
        ctx->use_private_key(boost::asio::buffer(config.client_key_pem), ssl::context::pem, ec);
        if (ec) {
            return tls_error("client-key", ec);
        }
        if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
            ERR_clear_error();
            return error{{}, "TLS configuration: client-key does not match client-certificate"};
        }
    }
    return ctx;
}

}  // namespace multisched::client
