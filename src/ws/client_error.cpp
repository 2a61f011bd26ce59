// The "lwspp.ws.client" error category (lwspp::ws::client_error).
#include <string>

#include "lwspp/ws_client.hpp"

namespace lwspp::ws {
namespace {

class client_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.ws.client"; }
  std::string message(int value) const override {
    switch (static_cast<client_error>(value)) {
      case client_error::bad_url:
        return "bad WebSocket URL";
      case client_error::bad_option:
        return "bad WebSocket client option";
      case client_error::handshake_timeout:
        return "WebSocket handshake timed out";
      case client_error::handshake_status:
        return "WebSocket handshake refused";
      case client_error::handshake_invalid:
        return "invalid WebSocket handshake response";
      case client_error::too_many_redirects:
        return "too many redirects";
    }
    return "unknown lwspp.ws.client error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& client_error_category() noexcept {
  static const client_category instance;
  return instance;
}

}  // namespace lwspp::ws
