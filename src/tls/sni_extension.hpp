// The server_name extension of a ClientHello (RFC 6066 §3), read by the
// server before its TLS library does, to pick the vhost early.
#pragma once

#include <cstddef>
#include <string_view>

namespace lwspp::tls {

// The host_name in the extension's body (`data`, `size` bytes), or an empty
// view when it has none. False when the body is malformed. `host` points
// into `data`.
bool parse_sni_extension(const unsigned char* data, std::size_t size,
                         std::string_view& host) noexcept;

}  // namespace lwspp::tls
