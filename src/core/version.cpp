// What this build contains (grows with each layer).
#include "lwspp/version.hpp"

namespace lwspp {

std::string_view built_features() noexcept {
#if LWSPP_HAVE_BROTLI
  return "epoll tcp unix udp raw http1 tls(openssl) gzip brotli";
#else
  return "epoll tcp unix udp raw http1 tls(openssl) gzip";
#endif
}

}  // namespace lwspp
