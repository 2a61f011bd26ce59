// The OpenSSL error queue as text (see handles.hpp).
#include "tls/openssl/handles.hpp"

namespace lwspp::tls::ossl {

std::string drain_errors(const char* fallback) {
  std::string text;
  while (const unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    std::string piece;
    if (reason) {
      piece = reason;
    } else {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      piece = buf;
    }
    if (text.find(piece) != std::string::npos) continue;
    if (!text.empty()) text += "; ";
    text += piece;
  }
  return text.empty() ? std::string(fallback) : text;
}

}  // namespace lwspp::tls::ossl
