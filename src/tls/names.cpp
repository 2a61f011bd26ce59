// Host name checks for SNI and verification (see names.hpp).
#include "tls/names.hpp"

#include <arpa/inet.h>

#include "util/ascii.hpp"

namespace lwspp::tls {

std::string normalize_host(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return {};
  std::string out;
  out.reserve(host.size());
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return {};
      label = 0;
    } else {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
      if (!ok || ++label > 63) return {};
    }
    out.push_back(util::to_lower(c));
  }
  if (label == 0) return {};
  return out;
}

bool is_ip_literal(std::string_view host, std::string* out) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host.size() >= 64) return false;
  // inet_pton needs a NUL-terminated string.
  const std::string text(host);
  unsigned char buf[16];
  const bool ip =
      inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
  if (ip && out) *out = text;
  return ip;
}

}  // namespace lwspp::tls
