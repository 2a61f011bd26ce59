// Making keys and X.509 certificates in memory: self-signed development
// certificates (make_self_signed) and the test PKI (CAs, leaves, expired
// ones). Not a CA toolkit: the fields are the few a TLS peer checks.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "lwspp/result.hpp"

namespace lwspp::tls {

enum class key_kind : std::uint8_t { ec_p256, rsa2048 };

struct cert_spec {
  std::string common_name = {};
  // subjectAltName: each a DNS name or an IP address (told apart by parsing).
  std::vector<std::string> alt_names = {};
  key_kind key = key_kind::ec_p256;
  bool is_ca = false;
  // Validity, relative to now (negative is in the past).
  std::chrono::seconds not_before = std::chrono::hours(-1);
  std::chrono::seconds not_after = std::chrono::hours(24 * 365);
};

struct pem_pair {
  std::string cert_pem = {};
  std::string key_pem = {};  // unencrypted PKCS#8
};

// A new key and a certificate for it, signed by `issuer` (a CA made here
// or loaded), or self-signed when issuer is nullptr.
result<pem_pair> make_certificate(const cert_spec& spec, const pem_pair* issuer = nullptr);

}  // namespace lwspp::tls
