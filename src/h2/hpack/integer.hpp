// HPACK integers (RFC 7541 §5.1): an N-bit prefix in the first byte, then
// 7 bits per continuation byte, least significant group first. Values are
// limited to 32 bits: every HPACK integer (index, length, table size) fits,
// and a longer one is an attack, not a header.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "h2/hpack/error.hpp"

namespace lwspp::h2::hpack {

// Appends `value` with a `prefix_bits` (1..8) prefix; `high` holds the bits of
// the first byte above the prefix (the representation's pattern).
inline void encode_integer(std::string& out, std::uint8_t high, int prefix_bits,
                           std::uint32_t value) {
  const std::uint32_t max_prefix = (1u << prefix_bits) - 1;
  if (value < max_prefix) {
    out.push_back(static_cast<char>(high | value));
    return;
  }
  out.push_back(static_cast<char>(high | max_prefix));
  value -= max_prefix;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads an integer with a `prefix_bits` prefix starting at `p` (< end) and
// advances `p` past it. The bits above the prefix are ignored.
// Errors: truncated, integer_overflow (over 2^32-1, or more than 5
// continuation bytes: 5 x 7 bits already pass 32).
inline error decode_integer(const std::uint8_t*& p, const std::uint8_t* end, int prefix_bits,
                            std::uint32_t& value) {
  const std::uint32_t max_prefix = (1u << prefix_bits) - 1;
  std::uint64_t v = *p++ & max_prefix;
  if (v < max_prefix) {
    value = static_cast<std::uint32_t>(v);
    return {};
  }
  for (int shift = 0; shift <= 28; shift += 7) {
    if (p == end) return error::truncated;
    const std::uint8_t b = *p++;
    v += static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (v > UINT32_MAX) return error::integer_overflow;
    if ((b & 0x80) == 0) {
      value = static_cast<std::uint32_t>(v);
      return {};
    }
  }
  return error::integer_overflow;
}

}  // namespace lwspp::h2::hpack
