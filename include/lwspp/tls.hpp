// TLS settings (server and client), the TLS error codes, what a handshake
// negotiated, and a self-signed certificate maker for development.
//
// These are plain values: no OpenSSL type appears here. The engine behind
// them lives in src/tls/ (OpenSSL 3 today). Defaults are the safe choice:
// TLS 1.2 minimum, the backend's default ciphers and groups, peer
// verification on for clients against the system trust store.
//
//   lwspp::tls_server_options tls{
//       .certificates = {{.cert_file = "site.crt", .key_file = "site.key"}},
//       .alpn = {"http/1.1"}};
//   lwspp::tls_client_options client{.ca_file = "ca.pem"};
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "lwspp/error.hpp"
#include "lwspp/result.hpp"

namespace lwspp {

enum class tls_version : std::uint8_t { tls1_2, tls1_3 };

// A certificate chain and its private key, from files or from memory (PEM).
// Set either the _file fields or the _pem fields of each half. The chain is
// the leaf first, then its intermediates (not the root).
struct tls_certificate {
  std::string cert_file = {};
  std::string cert_pem = {};
  std::string key_file = {};
  std::string key_pem = {};
  // For an encrypted private key; empty: the key must not be encrypted.
  std::string key_password = {};
};

enum class tls_client_auth : std::uint8_t {
  none,      // no certificate is asked for
  optional,  // asked for; if one is sent it must verify, else the handshake fails
  required,  // asked for and must be sent and verify
};

// What a server does with an SNI name that none of its vhosts serves (or no
// SNI at all): use the default vhost's certificate, or end the handshake with
// an unrecognized_name alert.
enum class tls_unknown_name : std::uint8_t { use_default, reject };

struct tls_server_options {
  // One or more chains; one per key type (say RSA and ECDSA) so that each
  // client gets the one it supports. At least one is required.
  std::vector<tls_certificate> certificates = {};
  // ALPN protocols this vhost speaks, in order of preference ("h2",
  // "http/1.1"). A client offering ALPN but none of these gets a
  // no_application_protocol alert. Empty: ALPN is ignored.
  std::vector<std::string> alpn = {};
  tls_version min_version = tls_version::tls1_2;
  tls_version max_version = tls_version::tls1_3;
  // OpenSSL cipher string for TLS 1.2, and the TLS 1.3 suites ("TLS_AES_128_GCM_SHA256:...").
  // Empty: the backend's defaults (which exclude weak ciphers).
  std::string ciphers = {};
  std::string ciphersuites = {};
  // Key exchange groups in preference order ("X25519:P-256"). Empty: defaults.
  std::string groups = {};
  // Resumption by session tickets (RFC 5077 / TLS 1.3 tickets). Off: no
  // resumption at all, every handshake is full.
  bool session_tickets = true;
  // Client certificates (mTLS). With optional or required, the client CAs
  // come from client_ca_file and/or client_ca_pem (one or more PEM certificates).
  tls_client_auth client_auth = tls_client_auth::none;
  std::string client_ca_file = {};
  std::string client_ca_pem = {};
  // Only read from the default vhost of a listener; see docs/tls.md.
  tls_unknown_name unknown_name = tls_unknown_name::use_default;
};

// What a TLS port does when a client speaks plaintext HTTP to it.
enum class tls_plaintext_http : std::uint8_t {
  error_page,      // a 400 response saying the port speaks https, then close
  redirect_https,  // a 301 to https://<Host><target>, then close
  close,           // close without a word
};

struct tls_client_options {
  // Peer verification. Trust anchors: ca_file and/or ca_pem when set, else
  // the system trust store.
  std::string ca_file = {};
  std::string ca_pem = {};
  // Name to send as SNI and to verify the certificate against: a DNS name or
  // an IP address (IP addresses are verified but never sent as SNI). Empty:
  // the host the connection was made to.
  std::string server_name = {};
  std::vector<std::string> alpn = {};
  tls_version min_version = tls_version::tls1_2;
  tls_version max_version = tls_version::tls1_3;
  std::string ciphers = {};
  std::string ciphersuites = {};
  std::string groups = {};
  // A client certificate, for servers that ask for one. Empty: none.
  tls_certificate certificate = {};
  // Keep sessions per server name and offer them on the next connection.
  bool session_resumption = true;
  // Accept any certificate and any name: no verification at all. For tests
  // against self-signed peers only; a warning is logged for every client
  // context made with it. Prefer ca_file with the peer's certificate.
  bool insecure_skip_verify = false;
};

// Why a TLS session failed (category "lwspp.tls"). Carried by close_reason
// with the backend's reason text as detail and, when an alert was sent or
// received, the alert number as protocol_code.
enum class tls_error {
  handshake_failed = 1,  // the handshake failed here (no shared version, cipher or
                         // ALPN protocol; bad message); detail: the backend's reason
  verify_failed,         // the peer's certificate did not verify; detail: the X.509
                         // text ("certificate has expired", "hostname mismatch", ...)
  alert_received,        // the peer sent a fatal alert ("tlsv1 alert unknown ca")
  bad_record,            // a record could not be parsed or decrypted (garbage, tampering)
  not_tls,               // the peer sent plaintext HTTP to a TLS port
  truncated,             // the peer closed the connection without close_notify
  handshake_timeout,     // the handshake took longer than allowed (set by the transport)
  certificate_load,      // a certificate, key or CA could not be loaded; detail: file
                         // and reason. On reload the old certificate stays in use.
  invalid_option,        // a setting was refused (cipher list, group, ALPN name, ...)
};

}  // namespace lwspp

template <>
struct std::is_error_code_enum<lwspp::tls_error> : std::true_type {};

namespace lwspp {

const std::error_category& tls_error_category() noexcept;

inline std::error_code make_error_code(tls_error e) noexcept {
  return {static_cast<int>(e), tls_error_category()};
}

// Who the peer is, from its verified certificate (for mTLS on a server, for
// the server on a client). Empty when no certificate was presented.
struct tls_peer_identity {
  std::string subject = {};  // one line, RFC 2253 ("CN=alice,O=Example")
  std::string common_name;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries, as text
  std::string issuer;
  std::string sha256_fingerprint;  // hex, lower case, of the DER certificate
  // True when the certificate was checked against the trust anchors (false
  // for a client with insecure_skip_verify).
  bool verified = false;
  bool empty() const noexcept { return subject.empty() && sha256_fingerprint.empty(); }
};

namespace tls {

struct self_signed_options {
  // DNS names and IP addresses for subjectAltName; the first is also the CN.
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  // Starts an hour in the past (clock skew), lasts this long.
  std::chrono::hours validity = std::chrono::hours(24 * 365);
};

// Makes an ECDSA P-256 key and a self-signed certificate for `names`, and
// writes them as PEM: cert_path (mode 0644) and key_path (mode 0600). Each
// file is written to a temporary name and renamed, so a reader never sees
// half a file. For development servers (`make run`), never for production.
result<void> make_self_signed(const std::string& cert_path, const std::string& key_path,
                              const self_signed_options& options = {});

}  // namespace tls
}  // namespace lwspp
