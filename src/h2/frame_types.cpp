// The frame header codec and the per-type tables of frame_types.hpp.
#include "h2/frame_types.hpp"

namespace lwspp::h2 {
namespace {

struct type_entry {
  std::string_view name;
  std::uint8_t flags;
};

// Indexed by frame type.
constexpr type_entry types[known_frame_types] = {
    {"DATA", flag::end_stream | flag::padded},
    {"HEADERS", flag::end_stream | flag::end_headers | flag::padded | flag::priority},
    {"PRIORITY", 0},
    {"RST_STREAM", 0},
    {"SETTINGS", flag::ack},
    {"PUSH_PROMISE", flag::end_headers | flag::padded},
    {"PING", flag::ack},
    {"GOAWAY", 0},
    {"WINDOW_UPDATE", 0},
    {"CONTINUATION", flag::end_headers},
};

}  // namespace

std::string_view type_name(frame_type t) noexcept {
  return is_known(t) ? types[static_cast<unsigned>(t)].name : "UNKNOWN";
}

std::uint8_t defined_flags(frame_type t) noexcept {
  return is_known(t) ? types[static_cast<unsigned>(t)].flags : 0;
}

frame_header parse_frame_header(std::span<const char, frame_header_size> in) noexcept {
  const auto* u = reinterpret_cast<const unsigned char*>(in.data());
  frame_header h;
  h.length = (std::uint32_t{u[0]} << 16) | (std::uint32_t{u[1]} << 8) | std::uint32_t{u[2]};
  h.type = static_cast<frame_type>(u[3]);
  h.flags = u[4];
  h.stream_id = read_u32(in.data() + 5) & max_stream_id;
  return h;
}

void write_frame_header(const frame_header& h, std::span<char, frame_header_size> out) noexcept {
  out[0] = static_cast<char>(h.length >> 16);
  out[1] = static_cast<char>(h.length >> 8);
  out[2] = static_cast<char>(h.length);
  out[3] = static_cast<char>(h.type);
  out[4] = static_cast<char>(h.flags);
  write_u32(out.data() + 5, h.stream_id & max_stream_id);
}

priority_spec parse_priority(const char* p) noexcept {
  const std::uint32_t dep = read_u32(p);
  return {.dependency = dep & max_stream_id,
          .weight = static_cast<std::uint8_t>(p[4]),
          .exclusive = (dep >> 31) != 0};
}

}  // namespace lwspp::h2
