// HTTP/2 frames (RFC 9113 §4 and §6): types, flags, the 9-byte frame header
// and the limits every frame obeys. Shared by frame_reader and frame_writer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lwspp::h2 {

// The frame types of RFC 9113 §6. Anything else is an unknown type, which a
// receiver ignores (§4.1, §5.5): the reader reports it and skips its payload.
enum class frame_type : std::uint8_t {
  data = 0x0,
  headers = 0x1,
  priority = 0x2,
  rst_stream = 0x3,
  settings = 0x4,
  push_promise = 0x5,
  ping = 0x6,
  goaway = 0x7,
  window_update = 0x8,
  continuation = 0x9,
};
inline constexpr unsigned known_frame_types = 10;  // 0x0 .. 0x9
// RFC 9218 §7.1, an extension frame: read only where the reader's settings
// accept it (a server's), otherwise skipped as an unknown type.
inline constexpr std::uint8_t priority_update_type = 0x10;

constexpr bool is_known(frame_type t) noexcept {
  return static_cast<unsigned>(t) < known_frame_types;
}
// "DATA", "HEADERS", ... or "UNKNOWN" (for logs and the interop dump).
std::string_view type_name(frame_type t) noexcept;

// Flag bits (§6). Bits a type does not define are ignored on receipt (§4.1):
// the reader clears them before reporting a frame.
namespace flag {
inline constexpr std::uint8_t end_stream = 0x01;   // DATA, HEADERS
inline constexpr std::uint8_t ack = 0x01;          // SETTINGS, PING
inline constexpr std::uint8_t end_headers = 0x04;  // HEADERS, PUSH_PROMISE, CONTINUATION
inline constexpr std::uint8_t padded = 0x08;       // DATA, HEADERS, PUSH_PROMISE
inline constexpr std::uint8_t priority = 0x20;     // HEADERS
}  // namespace flag

// The flags each known type defines (unknown types: none).
std::uint8_t defined_flags(frame_type t) noexcept;

inline constexpr std::size_t frame_header_size = 9;
// SETTINGS_MAX_FRAME_SIZE: its initial value and the largest it may be (§6.5.2).
inline constexpr std::uint32_t default_max_frame_size = 16384;
inline constexpr std::uint32_t max_max_frame_size = 16777215;  // 2^24 - 1
// Stream identifiers and window increments are 31-bit (§4.1, §6.9).
inline constexpr std::uint32_t max_stream_id = 0x7fffffff;
inline constexpr std::uint32_t max_window_size = 0x7fffffff;
// The connection preface a client sends first (§3.4).
inline constexpr std::string_view client_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

struct frame_header {
  std::uint32_t length = 0;  // payload length, 24 bits
  frame_type type = frame_type::data;
  std::uint8_t flags = 0;
  std::uint32_t stream_id = 0;  // 31 bits; the reserved bit is dropped on read
};

// Decodes 9 bytes. The reserved bit of the stream identifier is ignored (§4.1).
frame_header parse_frame_header(std::span<const char, frame_header_size> in) noexcept;
// Encodes `h` (length must fit 24 bits, stream_id 31: callers check first).
void write_frame_header(const frame_header& h, std::span<char, frame_header_size> out) noexcept;

// Big-endian helpers for payload fields.
inline std::uint32_t read_u32(const char* p) noexcept {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}
inline std::uint16_t read_u16(const char* p) noexcept {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint16_t>((u[0] << 8) | u[1]);
}
inline void write_u32(char* p, std::uint32_t v) noexcept {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

// A priority signal (HEADERS with PRIORITY, or a PRIORITY frame). RFC 9113
// deprecates this scheme (§5.3.2): it is parsed for its errors and ignored.
struct priority_spec {
  std::uint32_t dependency = 0;
  std::uint8_t weight = 15;  // as on the wire: the weight minus one
  bool exclusive = false;
};
priority_spec parse_priority(const char* p) noexcept;  // 5 bytes

}  // namespace lwspp::h2
