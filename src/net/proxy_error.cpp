// The "lwspp.proxy" error category: the text of each proxy_error. In net/
// because the SOCKS5 codec, the lowest user of these codes, lives here.
#include <string>

#include "lwspp/proxy.hpp"

namespace lwspp {
namespace {

class proxy_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.proxy"; }
  std::string message(int value) const override {
    switch (static_cast<proxy_error>(value)) {
      case proxy_error::invalid_url:
        return "invalid proxy URL";
      case proxy_error::unsupported_scheme:
        return "unsupported proxy scheme";
      case proxy_error::invalid_request:
        return "cannot ask the proxy for this destination";
      case proxy_error::bad_reply:
        return "malformed reply from the proxy";
      case proxy_error::closed:
        return "the proxy closed the connection";
      case proxy_error::auth_required:
        return "proxy authentication required";
      case proxy_error::auth_failed:
        return "proxy authentication failed";
      case proxy_error::no_acceptable_auth:
        return "the proxy accepts none of the offered authentication methods";
      case proxy_error::refused:
        return "the proxy refused the tunnel";
      case proxy_error::socks_failure:
        return "the SOCKS5 proxy could not connect";
    }
    return "unknown proxy error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& proxy_error_category() noexcept {
  static const proxy_category instance;
  return instance;
}

}  // namespace lwspp
