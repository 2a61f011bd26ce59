// The payload of a close frame (RFC 6455 §5.5.1, §7.4): empty, or a 2-byte
// big-endian status code followed by a UTF-8 reason, 125 bytes in all.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ws/error.hpp"
#include "ws/frame.hpp"

namespace lwspp::ws {

// A code that may appear in a close frame: 1000-1003, 1007-1014, 3000-4999.
// 1005, 1006 and 1015 are only reported locally, never sent; 1004 and
// 1016-2999 are reserved; 0-999 and 5000 and above are not used.
constexpr bool close_code_sendable(std::uint16_t code) noexcept {
  if (code >= 3000 && code <= 4999) return true;
  if (code >= 1000 && code <= 1003) return true;
  return code >= 1007 && code <= 1014;
}

struct close_info {
  std::uint16_t code = 1005;     // 1005 (no status) when the payload was empty
  std::string_view reason = {};  // points into the parsed payload
};

struct close_parse {
  close_info info;
  error err{};  // error{} (0) when the payload is valid
};

// Checks a received close payload: not 1 byte, a sendable code, UTF-8 reason.
close_parse parse_close_payload(std::string_view payload) noexcept;

// The longest reason a close frame can carry.
inline constexpr std::size_t max_close_reason = max_control_payload - 2;

// Writes code and reason into `out`. code 0 means "no status code": an
// empty payload, allowed only with an empty reason. Not ok for a code that
// close_code_sendable refuses, a reason over 123 bytes, or one not UTF-8.
struct close_write {
  std::size_t size = 0;
  bool ok = false;
};
close_write write_close_payload(std::uint16_t code, std::string_view reason,
                                std::span<char, max_control_payload> out) noexcept;

}  // namespace lwspp::ws
