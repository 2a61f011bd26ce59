// Owning handles for OpenSSL objects, and the error queue as text.
//
// OpenSSL reports why something failed through a per-thread queue of packed
// codes. Every public operation clears it first (so stale entries are never
// blamed) and turns what is left into a sentence a person can act on.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace lwspp::tls::ossl {

template <auto Free>
struct deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, deleter<SSL_CTX_free>>;
using ssl_ptr = std::unique_ptr<SSL, deleter<SSL_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free_all>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_store_ptr = std::unique_ptr<X509_STORE, deleter<X509_STORE_free>>;
using session_ptr = std::unique_ptr<SSL_SESSION, deleter<SSL_SESSION_free>>;

inline void free_x509_stack(STACK_OF(X509) * s) noexcept {
  sk_X509_pop_free(s, X509_free);
}
using x509_stack_ptr = std::unique_ptr<STACK_OF(X509), deleter<free_x509_stack>>;

// The reasons in this thread's error queue, oldest first, joined with "; "
// (duplicates dropped); `fallback` when the queue is empty. Clears the queue.
std::string drain_errors(const char* fallback = "unknown error");

}  // namespace lwspp::tls::ossl
