// SPDX-License-Identifier: Apache-2.0
#include "core/server/client_cert.hpp"

#include <boost/beast/core/error.hpp>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "core/json/json.hpp"
#include "core/server/webhook.hpp"

namespace multisched::server {
namespace {

std::shared_ptr<X509> own(X509* cert) {
    return {cert, &X509_free};
}

std::vector<std::string> name_entries(X509* cert, int nid) {
    std::vector<std::string> out;
    X509_NAME* name = X509_get_subject_name(cert);
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, nid, i)) {
        unsigned char* utf8 = nullptr;
        const int len =
            ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
        if (len >= 0) {
            out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
            OPENSSL_free(utf8);
        }
    }
    return out;
}

std::string serial_of(X509* cert) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* dec = bn != nullptr ? BN_bn2dec(bn) : nullptr;
    std::string out = dec != nullptr ? dec : "?";
    OPENSSL_free(dec);
    BN_free(bn);
    return out;
}

// Every certificate in `pem`, in order; an error when there is none or the PEM is malformed.
result<std::vector<std::shared_ptr<X509>>> read_certificates(std::string_view pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    std::vector<std::shared_ptr<X509>> out;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        out.push_back(own(cert));
    }
    const unsigned long last = ERR_peek_last_error();
    const bool clean_end = ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
    ERR_clear_error();
    if (out.empty() || (last != 0 && !clean_end)) {
        return error{{}, "no valid PEM certificate found"};
    }
    return out;
}

std::vector<std::string> string_array(json::value v) {
    // The ConfigMap stores lists as JSON text: "[\"front-proxy-client\"]".
    std::vector<std::string> out;
    if (!v.is_string()) {
        return out;
    }
    auto doc = json::document::parse(v.as_string());
    if (!doc) {
        return out;
    }
    doc->root().for_each_item([&](json::value item) {
        if (item.is_string()) {
            out.emplace_back(item.as_string());
        }
    });
    return out;
}

}  // namespace

std::shared_ptr<const peer_certificates> capture_peer_certificates(SSL* ssl) {
    X509* leaf = SSL_get1_peer_certificate(ssl);
    if (leaf == nullptr) {
        return nullptr;
    }
    auto chain = std::make_shared<peer_certificates>();
    chain->leaf = own(leaf);
    // On the server side the stack excludes the leaf.
    if (STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(sent); ++i) {
            X509* cert = sk_X509_value(sent, i);
            if (X509_cmp(cert, leaf) == 0) {
                continue;
            }
            X509_up_ref(cert);
            chain->intermediates.push_back(own(cert));
        }
    }
    return chain;
}

result<std::shared_ptr<const peer_certificates>> peer_certificates_from_pem(std::string_view pem) {
    auto certs = read_certificates(pem);
    if (!certs) {
        return certs.error();
    }
    auto chain = std::make_shared<peer_certificates>();
    chain->leaf = certs->front();
    chain->intermediates.assign(certs->begin() + 1, certs->end());
    return std::shared_ptr<const peer_certificates>(std::move(chain));
}

result<ca_bundle> ca_bundle::from_pem(std::string_view pem) {
    auto certs = read_certificates(pem);
    if (!certs) {
        return error{{}, "client CA bundle: " + certs.error().message};
    }
    ca_bundle bundle;
    bundle.store_.reset(X509_STORE_new(), &X509_STORE_free);
    for (const auto& cert : *certs) {
        if (X509_STORE_add_cert(bundle.store_.get(), cert.get()) != 1) {
            ERR_clear_error();  // a duplicate: harmless
        }
    }
    X509_STORE_set_flags(bundle.store_.get(), X509_V_FLAG_PARTIAL_CHAIN);
    bundle.count_ = certs->size();
    return bundle;
}

result<void> ca_bundle::verify_client(const peer_certificates& chain) const {
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                        &X509_STORE_CTX_free);
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(
        sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); });
    for (const auto& cert : chain.intermediates) {
        sk_X509_push(untrusted.get(), cert.get());
    }
    if (!ctx || !untrusted ||
        X509_STORE_CTX_init(ctx.get(), store_.get(), chain.leaf.get(), untrusted.get()) != 1) {
        ERR_clear_error();
        return error{{}, "verifying certificate: out of memory"};
    }
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    const int ok = X509_verify_cert(ctx.get());
    const int code = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    if (ok == 1) {
        return {};
    }
    return error{{},
                 fmt::format("verifying certificate SN={} failed: {}", serial_of(chain.leaf.get()),
                             X509_verify_cert_error_string(code))};
}

std::string common_name(X509* cert) {
    auto cns = name_entries(cert, NID_commonName);
    return cns.empty() ? std::string() : cns.back();
}

std::optional<user_info> user_from_certificate(X509* leaf) {
    user_info user;
    user.name = common_name(leaf);
    if (user.name.empty()) {
        return std::nullopt;
    }
    user.groups = name_entries(leaf, NID_organizationName);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(leaf, EVP_sha256(), digest, &len) == 1) {
        std::string hex;
        for (unsigned int i = 0; i < len; ++i) {
            hex += fmt::format("{:02x}", digest[i]);
        }
        user.extra["authentication.kubernetes.io/credential-id"] = {"X509SHA256=" + hex};
    }
    return user;
}

result<authentication_config_map> parse_authentication_config_map(std::string_view json_text) {
    auto doc = json::document::parse(json_text);
    if (!doc) {
        return error{{}, "extension-apiserver-authentication: " + doc.error().message};
    }
    const auto data = doc->root()["data"];
    authentication_config_map out;
    if (data["client-ca-file"].is_string()) {
        out.client_ca = std::string(data["client-ca-file"].as_string());
    }
    if (data["requestheader-client-ca-file"].is_string()) {
        out.requestheader_client_ca = std::string(data["requestheader-client-ca-file"].as_string());
    }
    out.requestheader_allowed_names = string_array(data["requestheader-allowed-names"]);
    out.requestheader_username_headers = string_array(data["requestheader-username-headers"]);
    out.requestheader_uid_headers = string_array(data["requestheader-uid-headers"]);
    out.requestheader_group_headers = string_array(data["requestheader-group-headers"]);
    out.requestheader_extra_headers_prefix =
        string_array(data["requestheader-extra-headers-prefix"]);
    return out;
}

task<result<authentication_config_map>> fetch_authentication_config_map(
    client::api_client* client, std::chrono::milliseconds timeout) {
    client::http_request req;
    req.target = std::string(kAuthenticationConfigMapPath);
    req.timeout = timeout;
    auto res = co_await send_with_deadline(client, std::move(req));
    constexpr std::string_view kWhat =
        "get configmap kube-system/extension-apiserver-authentication";
    if (!res) {
        co_return error{res.error().code, fmt::format("{}: {}", kWhat, res.error().message)};
    }
    if (res->status == 404) {
        co_return authentication_config_map{};
    }
    if (res->status != 200) {
        co_return error{
            {}, fmt::format("{}: the apiserver answered {}", kWhat, res->status), res->status};
    }
    co_return parse_authentication_config_map(res->body);
}

}  // namespace multisched::server
