// The identity in a peer's certificate: subject, CN, subjectAltName entries,
// issuer, SHA-256 fingerprint (see session_impl.hpp::identity_of).
#include <arpa/inet.h>
#include <openssl/x509v3.h>

#include "tls/openssl/session_impl.hpp"

namespace lwspp::tls::ossl {
namespace {

std::string name_text(const X509_NAME* name) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

std::string utf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  const int len = ASN1_STRING_to_UTF8(&out, s);
  if (len < 0) return {};
  std::string text(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return text;
}

std::string common_name(const X509_NAME* name) {
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  return utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  const int len = ASN1_STRING_length(ip);
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  if (len == 4) inet_ntop(AF_INET, p, buf, sizeof buf);
  if (len == 16) inet_ntop(AF_INET6, p, buf, sizeof buf);
  return buf;
}

void add_alt_names(X509* cert, tls_peer_identity& id) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) id.dns_names.push_back(utf8(n->d.dNSName));
    if (n->type == GEN_IPADD) id.ip_addresses.push_back(ip_text(n->d.iPAddress));
  }
  GENERAL_NAMES_free(names);
}

std::string fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

}  // namespace

tls_peer_identity identity_of(X509* cert, bool verified) {
  tls_peer_identity id;
  id.subject = name_text(X509_get_subject_name(cert));
  id.common_name = common_name(X509_get_subject_name(cert));
  id.issuer = name_text(X509_get_issuer_name(cert));
  add_alt_names(cert, id);
  id.sha256_fingerprint = fingerprint(cert);
  id.verified = verified;
  ERR_clear_error();
  return id;
}

}  // namespace lwspp::tls::ossl
