// Loading certificates, keys and CA bundles (PEM, from files or memory)
// into an SSL_CTX, with errors that name the file and the reason.
//
// Files are read whole into memory first: the error for a missing file is
// then the system's text, not OpenSSL's, and a reload sees each file once.
#pragma once

#include <string>
#include <vector>

#include "lwspp/result.hpp"
#include "lwspp/tls.hpp"
#include "tls/openssl/handles.hpp"

namespace lwspp::tls::ossl {

// Installs each chain and key; one chain per key type (RSA, ECDSA, ...).
result<void> use_certificates(SSL_CTX* ctx, const std::vector<tls_certificate>& certs);

// Parses every certificate in a PEM file and/or PEM text (a bundle).
// `what` names the bundle in errors ("CA file").
result<x509_stack_ptr> load_bundle(const std::string& file, const std::string& pem,
                                   const char* what);

// Trusts every certificate of the bundle; with `as_client_cas`, also names
// them in the CertificateRequest (servers asking for client certificates).
result<void> use_trust(SSL_CTX* ctx, const std::string& file, const std::string& pem,
                       bool as_client_cas);

}  // namespace lwspp::tls::ossl
