// What this build contains (grows with each layer).
#include "lwspp/version.hpp"

namespace lwspp {

std::string_view built_features() noexcept {
  return "epoll tcp unix udp raw";
}

}  // namespace lwspp
