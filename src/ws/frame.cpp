// The frame header writer.
#include "ws/frame.hpp"

namespace lwspp::ws {

std::size_t write_header(const frame_header& h, std::span<char, max_header_size> out) noexcept {
  auto byte = [](unsigned v) { return static_cast<char>(v & 0xFF); };
  out[0] = byte((h.fin ? 0x80u : 0u) | (h.rsv1 ? 0x40u : 0u) | (h.rsv2 ? 0x20u : 0u) |
                (h.rsv3 ? 0x10u : 0u) | static_cast<unsigned>(h.op));
  const unsigned mask_bit = h.masked ? 0x80u : 0u;
  std::uint64_t len = h.length;
  if (len >= (std::uint64_t{1} << 63)) len = (std::uint64_t{1} << 63) - 1;
  std::size_t n;
  if (len < 126) {
    out[1] = byte(mask_bit | static_cast<unsigned>(len));
    n = 2;
  } else if (len <= 0xFFFF) {
    out[1] = byte(mask_bit | 126u);
    out[2] = byte(static_cast<unsigned>(len >> 8));
    out[3] = byte(static_cast<unsigned>(len));
    n = 4;
  } else {
    out[1] = byte(mask_bit | 127u);
    for (int i = 0; i < 8; ++i)
      out[2 + i] = byte(static_cast<unsigned>(len >> (56 - 8 * i)));
    n = 10;
  }
  if (h.masked) {
    for (int i = 0; i < 4; ++i)
      out[n + i] = static_cast<char>(h.key[i]);
    n += 4;
  }
  return n;
}

}  // namespace lwspp::ws
