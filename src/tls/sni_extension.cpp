// server_name extension parsing (see sni_extension.hpp).
//
//   struct { NameType name_type; opaque HostName<1..2^16-1>; } ServerName;
//   struct { ServerName server_name_list<1..2^16-1>; } ServerNameList;
#include "tls/sni_extension.hpp"

namespace lwspp::tls {
namespace {

constexpr unsigned char host_name_type = 0;

std::size_t u16(const unsigned char* p) noexcept {
  return (std::size_t{p[0]} << 8) | p[1];
}

}  // namespace

bool parse_sni_extension(const unsigned char* data, std::size_t size,
                         std::string_view& host) noexcept {
  host = {};
  if (size < 2 || u16(data) != size - 2 || size == 2) return false;
  const unsigned char* p = data + 2;
  std::size_t left = size - 2;
  while (left > 0) {
    if (left < 3) return false;
    const unsigned char type = p[0];
    const std::size_t len = u16(p + 1);
    if (len == 0 || len > left - 3) return false;
    // The first host_name counts (RFC 6066 allows one of each type).
    if (type == host_name_type && host.empty()) {
      host = std::string_view(reinterpret_cast<const char*>(p + 3), len);
    }
    p += 3 + len;
    left -= 3 + len;
  }
  return true;
}

}  // namespace lwspp::tls
