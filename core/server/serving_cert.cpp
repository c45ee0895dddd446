// SPDX-License-Identifier: Apache-2.0
#include "core/server/serving_cert.hpp"

#include <chrono>
#include <cstdint>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace multisched::server {
namespace {

namespace ssl = boost::asio::ssl;

constexpr long kOneHour = 3600;
constexpr long kOneYear = 365L * 24 * kOneHour;

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

error openssl_error(std::string_view what) {
    char buf[256] = "";
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    ERR_clear_error();
    return error{{}, fmt::format("self-signed certificate: {}: {}", what, buf)};
}

// A random serial in [1, 2^63 - 1], as client-go draws it.
bool set_random_serial(X509* cert) {
    unsigned char bytes[8];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        return false;
    }
    bytes[0] &= 0x7f;
    bytes[7] |= 0x01;  // never zero
    BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
    const bool ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
    BN_free(bn);
    return ok;
}

bool add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
    if (ext == nullptr) {
        return false;
    }
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

result<std::string> to_pem(int (*write)(BIO*, void*), void* object) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || write(bio.get(), object) != 1) {
        return openssl_error("PEM encoding");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

result<std::string> cert_pem(X509* cert) {
    return to_pem([](BIO* b, void* c) { return PEM_write_bio_X509(b, static_cast<X509*>(c)); },
                  cert);
}

result<std::string> key_pem(EVP_PKEY* key) {
    return to_pem(
        [](BIO* b, void* k) {
            return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0,
                                            nullptr, nullptr);
        },
        key);
}

// An unsigned certificate for `key`, subject CN=`cn`, valid from an hour ago for a year.
result<x509_ptr> new_cert(EVP_PKEY* key, const std::string& cn) {
    x509_ptr cert(X509_new(), &X509_free);
    if (!cert || X509_set_version(cert.get(), 2) != 1 || !set_random_serial(cert.get())) {
        return openssl_error("new certificate");
    }
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kOneHour);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), kOneYear - kOneHour);
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) != 1 ||
        X509_set_pubkey(cert.get(), key) != 1) {
        return openssl_error("certificate subject");
    }
    return cert;
}

result<x509_ptr> make_ca(EVP_PKEY* key, const std::string& cn) {
    auto ca = new_cert(key, cn);
    if (!ca) {
        return ca.error();
    }
    X509* x = ca->get();
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    if (!add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign") ||
        !add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") ||
        !add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
        X509_sign(x, key, EVP_sha256()) == 0) {
        return openssl_error("CA certificate");
    }
    return std::move(*ca);
}

result<std::string> subject_alt_names(const std::string& host, const std::vector<std::string>& ips,
                                      const std::vector<std::string>& dns) {
    // Go writes DNS names before IP addresses.
    std::vector<std::string> names;
    std::vector<std::string> addresses;
    boost::system::error_code ec;
    const auto host_ip = boost::asio::ip::make_address(host, ec);
    if (ec) {
        names.push_back("DNS:" + host);
    } else {
        addresses.push_back("IP:" + host_ip.to_string());
    }
    for (const auto& ip : ips) {
        const auto address = boost::asio::ip::make_address(ip, ec);
        if (ec) {
            return error{ec, fmt::format("self-signed certificate: invalid IP address {}", ip)};
        }
        addresses.push_back("IP:" + address.to_string());
    }
    for (const auto& d : dns) {
        names.push_back("DNS:" + d);
    }
    names.insert(names.end(), addresses.begin(), addresses.end());
    return fmt::format("{}", fmt::join(names, ","));
}

}  // namespace

result<serving_cert> generate_self_signed_cert(const std::string& host,
                                               const std::vector<std::string>& alternate_ips,
                                               const std::vector<std::string>& alternate_dns) {
    auto sans = subject_alt_names(host, alternate_ips, alternate_dns);
    if (!sans) {
        return sans.error();
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    pkey_ptr ca_key(EVP_RSA_gen(2048), &EVP_PKEY_free);
    pkey_ptr key(EVP_RSA_gen(2048), &EVP_PKEY_free);
    if (!ca_key || !key) {
        return openssl_error("RSA key generation");
    }
    auto ca = make_ca(ca_key.get(), fmt::format("{}-ca@{}", host, now));
    if (!ca) {
        return ca.error();
    }
    auto cert = new_cert(key.get(), fmt::format("{}@{}", host, now));
    if (!cert) {
        return cert.error();
    }
    X509* x = cert->get();
    X509_set_issuer_name(x, X509_get_subject_name(ca->get()));
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca->get(), x, nullptr, nullptr, 0);
    if (!add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
        !add_ext(x, &ctx, NID_ext_key_usage, "serverAuth") ||
        !add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") ||
        !add_ext(x, &ctx, NID_subject_alt_name, *sans) ||
        X509_sign(x, ca_key.get(), EVP_sha256()) == 0) {
        return openssl_error("serving certificate");
    }
    auto leaf_pem = cert_pem(x);
    auto ca_pem = cert_pem(ca->get());
    auto private_pem = key_pem(key.get());
    if (!leaf_pem || !ca_pem || !private_pem) {
        return openssl_error("PEM encoding");
    }
    serving_cert out;
    out.cert_chain_pem = *leaf_pem + *ca_pem;
    out.key_pem = std::move(*private_pem);
    out.ca_pem = std::move(*ca_pem);
    return out;
}

result<int> parse_tls_min_version(std::string_view name) {
    if (name.empty() || name == "VersionTLS12") {
        return TLS1_2_VERSION;
    }
    if (name == "VersionTLS10") {
        return TLS1_VERSION;
    }
    if (name == "VersionTLS11") {
        return TLS1_1_VERSION;
    }
    if (name == "VersionTLS13") {
        return TLS1_3_VERSION;
    }
    return error{{},
                 fmt::format("unknown tls version {}: possible values are VersionTLS10, "
                             "VersionTLS11, VersionTLS12, VersionTLS13",
                             name)};
}

result<std::shared_ptr<ssl::context>> make_server_tls_context(const tls_server_config& config) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_compression,
                     ec);
    SSL_CTX* native = ctx->native_handle();
    const int min_version = config.min_version == 0 ? TLS1_2_VERSION : config.min_version;
    if (ec || SSL_CTX_set_min_proto_version(native, min_version) != 1) {
        return error{ec, "TLS configuration: cannot set the minimum TLS version"};
    }
    ctx->use_certificate_chain(boost::asio::buffer(config.cert_chain_pem), ec);
    if (ec) {
        return error{ec, fmt::format("TLS configuration: serving certificate: {}", ec.message())};
    }
    ctx->use_private_key(boost::asio::buffer(config.key_pem), ssl::context::pem, ec);
    if (ec) {
        return error{ec, fmt::format("TLS configuration: serving key: {}", ec.message())};
    }
    if (SSL_CTX_check_private_key(native) != 1) {
        ERR_clear_error();
        return error{{}, "TLS configuration: private key does not match the serving certificate"};
    }
    // Session resumption with a client-certificate request needs a session id context.
    static constexpr unsigned char kSessionContext[] = "multisched";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
    if (config.request_client_certificate) {
        ctx->set_verify_mode(ssl::verify_peer, ec);
        // Any certificate is accepted here; authentication verifies it against the client CA.
        ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; }, ec);
        if (ec) {
            return error{ec, "TLS configuration: cannot request client certificates"};
        }
    }
    return ctx;
}

}  // namespace multisched::server
