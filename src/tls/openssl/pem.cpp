// PEM loading for contexts (see pem.hpp).
#include "tls/openssl/pem.hpp"

#include <openssl/pem.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

namespace lwspp::tls::ossl {
namespace {

error_info load_error(const std::string& what, const std::string& reason) {
  return error_info(make_error_code(tls_error::certificate_load), what + ": " + reason);
}

std::string describe(const char* kind, const std::string& file) {
  return file.empty() ? std::string(kind) + " (in memory)" : std::string(kind) + " " + file;
}

// The whole file, or the system's reason it cannot be read.
result<std::string> read_file(const std::string& path, const char* kind) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return load_error(describe(kind, path), std::strerror(errno));
  std::string data;
  char buf[8192];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    data.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return load_error(describe(kind, path), std::strerror(err));
  return data;
}

// The text of a file field or a PEM field (the file wins when both are set).
result<std::string> source(const std::string& file, const std::string& pem, const char* kind) {
  if (!file.empty()) return read_file(file, kind);
  return pem;
}

// Clears key material from memory when it goes out of scope.
struct secret {
  std::string text;
  ~secret() { OPENSSL_cleanse(text.data(), text.size()); }
};

bio_ptr memory_bio(const std::string& text) {
  return bio_ptr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Reads every certificate of a PEM text; none at all is an error.
result<x509_stack_ptr> parse_certs(const std::string& text, const std::string& what) {
  ERR_clear_error();
  bio_ptr bio = memory_bio(text);
  x509_stack_ptr out(sk_X509_new_null());
  if (!bio || !out) return load_error(what, drain_errors("out of memory"));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (!sk_X509_push(out.get(), x)) {
      X509_free(x);
      return load_error(what, "out of memory");
    }
  }
  // The loop ends at the end of the text (no further PEM block) or at a bad one.
  const unsigned long e = ERR_peek_last_error();
  if (sk_X509_num(out.get()) > 0 && ERR_GET_LIB(e) == ERR_LIB_PEM &&
      ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
  } else if (e != 0 || sk_X509_num(out.get()) == 0) {
    return load_error(what, e ? drain_errors() : std::string("no certificate found"));
  }
  return out;
}

int password_cb(char* buf, int size, int, void* user) {
  const std::string& password = *static_cast<const std::string*>(user);
  if (password.empty() || password.size() > static_cast<std::size_t>(size)) return 0;
  std::memcpy(buf, password.data(), password.size());
  return static_cast<int>(password.size());
}

result<pkey_ptr> parse_key(const std::string& text, const std::string& password,
                           const std::string& what) {
  ERR_clear_error();
  bio_ptr bio = memory_bio(text);
  if (!bio) return load_error(what, drain_errors("out of memory"));
  // Always pass a callback: OpenSSL's default one would prompt on the terminal.
  pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, password_cb,
                                       const_cast<std::string*>(&password)));
  if (!key) return load_error(what, drain_errors("no private key found"));
  return key;
}

result<void> use_one(SSL_CTX* ctx, const tls_certificate& c, std::set<int>& key_types) {
  const std::string cert_what = describe("certificate", c.cert_file);
  const std::string key_what = describe("private key", c.key_file);
  if (c.cert_file.empty() && c.cert_pem.empty()) return load_error(cert_what, "not set");
  if (c.key_file.empty() && c.key_pem.empty()) return load_error(key_what, "not set");
  auto cert_text = source(c.cert_file, c.cert_pem, "certificate");
  if (!cert_text) return cert_text.error();
  secret key_text;
  {
    auto k = source(c.key_file, c.key_pem, "private key");
    if (!k) return k.error();
    key_text.text = std::move(k.value());
  }
  auto chain = parse_certs(*cert_text, cert_what);
  if (!chain) return chain.error();
  auto key = parse_key(key_text.text, c.key_password, key_what);
  if (!key) return key.error();

  x509_ptr leaf(sk_X509_shift(chain->get()));
  if (X509_check_private_key(leaf.get(), key->get()) != 1) {
    ERR_clear_error();
    return load_error(cert_what, "does not match " + key_what);
  }
  if (!key_types.insert(EVP_PKEY_get_base_id(key->get())).second) {
    return error_info(make_error_code(tls_error::invalid_option),
                      cert_what + ": a certificate with the same key type (" +
                          EVP_PKEY_get0_type_name(key->get()) + ") is already set");
  }
  ERR_clear_error();
  if (SSL_CTX_use_cert_and_key(ctx, leaf.get(), key->get(), chain->get(), 1) != 1) {
    return load_error(cert_what, drain_errors());
  }
  return {};
}

}  // namespace

result<void> use_certificates(SSL_CTX* ctx, const std::vector<tls_certificate>& certs) {
  if (certs.empty()) return load_error("TLS server", "no certificate set");
  std::set<int> key_types;
  for (const tls_certificate& c : certs) {
    if (auto r = use_one(ctx, c, key_types); !r) return r;
  }
  return {};
}

result<x509_stack_ptr> load_bundle(const std::string& file, const std::string& pem,
                                   const char* what) {
  x509_stack_ptr all(sk_X509_new_null());
  if (!all) return load_error(what, "out of memory");
  for (const bool from_file : {true, false}) {
    const std::string& field = from_file ? file : pem;
    if (field.empty()) continue;
    auto text = from_file ? read_file(file, what) : result<std::string>(pem);
    if (!text) return text.error();
    auto certs = parse_certs(*text, describe(what, from_file ? file : std::string()));
    if (!certs) return certs.error();
    while (X509* x = sk_X509_shift(certs->get())) {
      if (!sk_X509_push(all.get(), x)) {
        X509_free(x);
        return load_error(what, "out of memory");
      }
    }
  }
  return all;
}

result<void> use_trust(SSL_CTX* ctx, const std::string& file, const std::string& pem,
                       bool as_client_cas) {
  auto bundle = load_bundle(file, pem, as_client_cas ? "client CA" : "CA");
  if (!bundle) return bundle.error();
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  ERR_clear_error();
  for (int i = 0; i < sk_X509_num(bundle->get()); ++i) {
    X509* x = sk_X509_value(bundle->get(), i);
    // A certificate given twice is harmless; anything else is not.
    if (X509_STORE_add_cert(store, x) != 1) {
      const unsigned long e = ERR_peek_last_error();
      if (ERR_GET_REASON(e) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
        return load_error(as_client_cas ? "client CA" : "CA", drain_errors());
      }
      ERR_clear_error();
    }
    if (as_client_cas && SSL_CTX_add_client_CA(ctx, x) != 1) {
      return load_error("client CA", drain_errors());
    }
  }
  return {};
}

}  // namespace lwspp::tls::ossl
