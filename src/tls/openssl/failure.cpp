// Why a TLS session failed, in the words a person needs: the X.509 text for
// a certificate that did not verify, the alert the peer sent, OpenSSL's
// reason for anything else.
#include "tls/openssl/session_impl.hpp"

namespace lwspp::tls::ossl {

close_reason classify_failure(SSL* ssl, int ssl_error, bool handshaking, int sent_alert) {
  const unsigned long first = ERR_peek_error();
  const int lib = ERR_GET_LIB(first);
  const int reason = ERR_GET_REASON(first);
  std::string text = drain_errors(ssl_error == SSL_ERROR_SYSCALL ? "I/O error" : "unknown error");
  const long verify = SSL_get_verify_result(ssl);

  if (lib == ERR_LIB_SSL && reason == SSL_R_CERTIFICATE_VERIFY_FAILED && verify != X509_V_OK) {
    return close_reason(tls_error::verify_failed, X509_verify_cert_error_string(verify),
                        sent_alert);
  }
  // OpenSSL reports a received alert as reason SSL_AD_REASON_OFFSET + alert.
  if (lib == ERR_LIB_SSL && reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
    return close_reason(tls_error::alert_received, std::move(text), reason - SSL_AD_REASON_OFFSET);
  }
  if (lib == ERR_LIB_SSL && (reason == SSL_R_HTTP_REQUEST || reason == SSL_R_HTTPS_PROXY_REQUEST)) {
    return close_reason(tls_error::not_tls, std::move(text), sent_alert);
  }
  if (lib == ERR_LIB_SSL && reason == SSL_R_UNEXPECTED_EOF_WHILE_READING && !handshaking) {
    return close_reason(tls_error::truncated, std::move(text));
  }
  return close_reason(handshaking ? tls_error::handshake_failed : tls_error::bad_record,
                      std::move(text), sent_alert);
}

}  // namespace lwspp::tls::ossl
