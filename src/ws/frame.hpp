// WebSocket frames (RFC 6455 §5.2): opcodes, the header, and the writer.
//
// The writer only produces headers, into a small caller buffer, so that a
// payload is never copied just to put a header in front of it: the owner
// writes header and payload as two pieces (writev, or the write queue).
//
//   char head[max_header_size];
//   std::size_t n = write_header({.op = opcode::text, .length = p.size()}, head);
//   send(head, n); send(p);
//
// A client masks: it puts a fresh random key in the header and writes the
// payload masked into its own buffer with copy_masked (ws/mask.hpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "ws/mask.hpp"

namespace lwspp::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

constexpr bool is_control(opcode op) noexcept {
  return (static_cast<unsigned>(op) & 0x8) != 0;
}

// Opcodes RFC 6455 defines; the rest (3-7, 0xB-0xF) are reserved.
constexpr bool is_known(opcode op) noexcept {
  const unsigned v = static_cast<unsigned>(op);
  return v <= 2 || (v >= 8 && v <= 10);
}

// Which end of the connection a codec works for: a server receives masked
// frames only and sends unmasked ones, a client the other way round.
enum class endpoint : std::uint8_t { server, client };

// The largest payload of a control frame.
inline constexpr std::size_t max_control_payload = 125;
// The largest header: 2 bytes, a 64-bit length, a mask key.
inline constexpr std::size_t max_header_size = 14;

struct frame_header {
  opcode op = opcode::text;
  bool fin = true;
  bool rsv1 = false;  // permessage-deflate: set on the first frame of a compressed message
  bool rsv2 = false;
  bool rsv3 = false;
  bool masked = false;  // true in every client frame, never in a server frame
  mask_key key{};       // when masked
  std::uint64_t length = 0;
};

// Writes the header of `h` into `out` in its shortest form and returns its
// size (2 to 14 bytes). A length at or above 2^63 cannot be sent; it is
// written as 2^63 - 1 rather than a header that every receiver rejects, and
// callers never have such payloads (the owner checks sizes first).
std::size_t write_header(const frame_header& h, std::span<char, max_header_size> out) noexcept;

// The size write_header would produce for these options.
constexpr std::size_t header_size(std::uint64_t length, bool masked) noexcept {
  const std::size_t base = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
  return base + (masked ? 4 : 0);
}

}  // namespace lwspp::ws
