// Keys and certificates with the OpenSSL API (see tls/cert_maker.hpp).
#include "tls/cert_maker.hpp"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "lwspp/tls.hpp"
#include "tls/names.hpp"
#include "tls/openssl/handles.hpp"

namespace lwspp::tls {
namespace {

using ossl::bio_ptr;
using ossl::pkey_ptr;
using ossl::x509_ptr;

error_info failed(const char* step) {
  return error_info(make_error_code(tls_error::invalid_option),
                    std::string("making a certificate: ") + step + ": " + ossl::drain_errors());
}

pkey_ptr new_key(key_kind k) {
  if (k == key_kind::rsa2048)
    return pkey_ptr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
  return pkey_ptr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

std::string to_pem(bool is_key, X509* cert, EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  const int ok =
      is_key ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
             : PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (ok != 1 || len <= 0) return {};
  std::string out(data, static_cast<std::size_t>(len));
  OPENSSL_cleanse(data, static_cast<std::size_t>(len));
  return out;
}

bool add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, ctx, nid, value);
  if (!ext) return false;
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1;
}

bool add_alt_names(X509* cert, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  GENERAL_NAMES* gens = sk_GENERAL_NAME_new_null();
  bool ok = gens != nullptr;
  for (std::size_t i = 0; ok && i < names.size(); ++i) {
    GENERAL_NAME* g = GENERAL_NAME_new();
    std::string ip;
    if (g && is_ip_literal(names[i], &ip)) {
      ASN1_OCTET_STRING* os = a2i_IPADDRESS(ip.c_str());
      ok = os != nullptr;
      if (ok) GENERAL_NAME_set0_value(g, GEN_IPADD, os);
    } else if (g) {
      ASN1_IA5STRING* s = ASN1_IA5STRING_new();
      ok = s && ASN1_STRING_set(s, names[i].data(), static_cast<int>(names[i].size())) == 1;
      if (ok)
        GENERAL_NAME_set0_value(g, GEN_DNS, s);
      else
        ASN1_IA5STRING_free(s);
    }
    ok = ok && g && sk_GENERAL_NAME_push(gens, g) > 0;
    if (!ok) GENERAL_NAME_free(g);
  }
  ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
  GENERAL_NAMES_free(gens);
  return ok;
}

const char* key_usage(const cert_spec& spec) {
  if (spec.is_ca) return "critical,keyCertSign,cRLSign";
  // keyEncipherment is for RSA key transport; an EC key only signs.
  return spec.key == key_kind::rsa2048 ? "critical,digitalSignature,keyEncipherment"
                                       : "critical,digitalSignature";
}

bool set_serial(X509* cert) {
  // 159 random bits: positive, unique enough, under the 20-byte limit.
  BIGNUM* bn = BN_new();
  bool ok = bn && BN_rand(bn, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  return ok;
}

result<std::pair<x509_ptr, pkey_ptr>> parse_issuer(const pem_pair& issuer) {
  bio_ptr cb(BIO_new_mem_buf(issuer.cert_pem.data(), static_cast<int>(issuer.cert_pem.size())));
  bio_ptr kb(BIO_new_mem_buf(issuer.key_pem.data(), static_cast<int>(issuer.key_pem.size())));
  x509_ptr cert(cb ? PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr) : nullptr);
  pkey_ptr key(kb ? PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert || !key) return failed("reading the issuer");
  return std::make_pair(std::move(cert), std::move(key));
}

}  // namespace

result<pem_pair> make_certificate(const cert_spec& spec, const pem_pair* issuer) {
  ERR_clear_error();
  std::pair<x509_ptr, pkey_ptr> ca;
  if (issuer) {
    auto parsed = parse_issuer(*issuer);
    if (!parsed) return parsed.error();
    ca = std::move(*parsed);
  }
  pkey_ptr key = new_key(spec.key);
  x509_ptr cert(X509_new());
  if (!key || !cert) return failed("new key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(spec.common_name.c_str());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 || !set_serial(cert.get()) ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                       static_cast<long>(spec.not_before.count())) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.not_after.count())) ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(ca.first.get()) : name) !=
          1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return failed("certificate fields");
  }
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer ? ca.first.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
  const bool ok =
      add_ext(cert.get(), &v3, NID_basic_constraints,
              spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
      add_ext(cert.get(), &v3, NID_key_usage, key_usage(spec)) &&
      add_ext(cert.get(), &v3, NID_subject_key_identifier, "hash") &&
      (spec.is_ca || add_ext(cert.get(), &v3, NID_ext_key_usage, "serverAuth,clientAuth")) &&
      (!issuer || add_ext(cert.get(), &v3, NID_authority_key_identifier, "keyid:always")) &&
      add_alt_names(cert.get(), spec.alt_names);
  if (!ok) return failed("extensions");
  EVP_PKEY* signer = issuer ? ca.second.get() : key.get();
  if (X509_sign(cert.get(), signer, EVP_sha256()) <= 0) return failed("signing");
  pem_pair out{to_pem(false, cert.get(), nullptr), to_pem(true, nullptr, key.get())};
  if (out.cert_pem.empty() || out.key_pem.empty()) return failed("writing PEM");
  return out;
}

}  // namespace lwspp::tls
