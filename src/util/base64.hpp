// Standard base64 (RFC 4648 §4, with '=' padding): Basic authentication
// decodes it, the WebSocket handshake encodes Sec-WebSocket-Accept and
// checks Sec-WebSocket-Key.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace lwspp::util {

// The encoded size of n bytes (padding included).
constexpr std::size_t base64_size(std::size_t n) noexcept {
  return (n + 2) / 3 * 4;
}

// Appends the encoding of `in` to `out`.
void base64_encode(std::string_view in, std::string& out);

// Decodes `in` into `out` (replacing its content). False on a length that is
// not a multiple of 4, a character outside the alphabet, padding anywhere but
// at the end, or more than two '=' ; `out` is then unspecified.
bool base64_decode(std::string_view in, std::string& out);

}  // namespace lwspp::util
