// The "lwspp.tls" error category: the text of each tls_error.
#include <string>

#include "lwspp/tls.hpp"

namespace lwspp {
namespace {

class tls_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.tls"; }
  std::string message(int value) const override {
    switch (static_cast<tls_error>(value)) {
      case tls_error::handshake_failed:
        return "TLS handshake failed";
      case tls_error::verify_failed:
        return "TLS certificate verification failed";
      case tls_error::alert_received:
        return "TLS alert from peer";
      case tls_error::bad_record:
        return "bad TLS record";
      case tls_error::not_tls:
        return "plaintext HTTP on a TLS port";
      case tls_error::truncated:
        return "TLS connection closed without close_notify";
      case tls_error::handshake_timeout:
        return "TLS handshake timed out";
      case tls_error::certificate_load:
        return "cannot load TLS certificate";
      case tls_error::invalid_option:
        return "invalid TLS setting";
    }
    return "unknown TLS error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& tls_error_category() noexcept {
  static const tls_category instance;
  return instance;
}

}  // namespace lwspp
