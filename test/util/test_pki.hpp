// SPDX-License-Identifier: Apache-2.0
// Throw-away PKI for TLS tests: a CA and certificates it signs, made in memory with OpenSSL 3 and
// returned as PEM. Header-only so any *_test.cpp can include it. Keys are EC P-256 (fast).
// Failures throw std::runtime_error: these are test fixtures.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace multisched::testing {

struct pem_pair {
    std::string cert_pem;
    std::string key_pem;
};

// A CA that can sign: its PEM plus the live key and certificate.
struct test_ca {
    pem_pair pem;
    std::shared_ptr<EVP_PKEY> key;
    std::shared_ptr<X509> cert;
};

enum class cert_usage {
    server,
    client
};

namespace pki_detail {

[[noreturn]] inline void fail(const char* what) {
    char buf[256] = "";
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    ERR_clear_error();
    throw std::runtime_error(std::string("test_pki: ") + what + ": " + buf);
}

inline std::shared_ptr<EVP_PKEY> new_key() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (key == nullptr) {
        fail("EVP_EC_gen");
    }
    return {key, &EVP_PKEY_free};
}

inline void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
    if (ext == nullptr) {
        fail("X509V3_EXT_conf_nid");
    }
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) {
        fail("X509_add_ext");
    }
}

inline void add_name(X509_NAME* name, const char* field, const std::string& value) {
    if (value.empty()) {
        return;
    }
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) != 1) {
        fail("X509_NAME_add_entry_by_txt");
    }
}

template <class Write>
std::string to_pem(Write write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || write(bio.get()) != 1) {
        fail("PEM write");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

inline std::string cert_pem(X509* cert) {
    return to_pem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
}

inline std::string key_pem(EVP_PKEY* key) {
    return to_pem([key](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

// A certificate for `key` named `cn` (and `org`), signed by `issuer` (null: self-signed).
inline std::shared_ptr<X509> new_cert(EVP_PKEY* key, const std::string& cn, const std::string& org,
                                      const test_ca* issuer) {
    std::shared_ptr<X509> cert(X509_new(), &X509_free);
    if (!cert) {
        fail("X509_new");
    }
    X509* x = cert.get();
    X509_set_version(x, 2);  // v3
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;  // positive
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
    if (X509_set_pubkey(x, key) != 1) {
        fail("X509_set_pubkey");
    }
    X509_NAME* name = X509_get_subject_name(x);
    add_name(name, "O", org);
    add_name(name, "CN", cn);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->cert.get()) : name);
    return cert;
}

}  // namespace pki_detail

// A self-signed CA (basicConstraints CA:TRUE, keyCertSign).
inline test_ca make_test_ca(const std::string& cn = "multisched-test-ca") {
    using namespace pki_detail;
    test_ca ca;
    ca.key = new_key();
    ca.cert = new_cert(ca.key.get(), cn, "", nullptr);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca.cert.get(), ca.cert.get(), nullptr, nullptr, 0);
    add_ext(ca.cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(ca.cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    add_ext(ca.cert.get(), &ctx, NID_subject_key_identifier, "hash");
    if (X509_sign(ca.cert.get(), ca.key.get(), EVP_sha256()) == 0) {
        fail("X509_sign");
    }
    ca.pem = {cert_pem(ca.cert.get()), key_pem(ca.key.get())};
    return ca;
}

// A leaf certificate signed by `ca`. `sans` is an OpenSSL subjectAltName list such as
// "IP:127.0.0.1,DNS:localhost" (empty: none). `org` becomes O= (Kubernetes' group).
inline pem_pair issue_cert(const test_ca& ca, const std::string& cn, cert_usage usage,
                           const std::string& sans = "", const std::string& org = "") {
    using namespace pki_detail;
    auto key = new_key();
    auto cert = new_cert(key.get(), cn, org, &ca);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca.cert.get(), cert.get(), nullptr, nullptr, 0);
    add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(cert.get(), &ctx, NID_ext_key_usage,
            usage == cert_usage::server ? "serverAuth" : "clientAuth");
    add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    if (!sans.empty()) {
        add_ext(cert.get(), &ctx, NID_subject_alt_name, sans);
    }
    if (X509_sign(cert.get(), ca.key.get(), EVP_sha256()) == 0) {
        fail("X509_sign");
    }
    return {cert_pem(cert.get()), key_pem(key.get())};
}

}  // namespace multisched::testing
