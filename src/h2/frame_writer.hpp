// Serialising HTTP/2 frames (RFC 9113 §6) into a caller's buffer.
//
// Each append_* adds one frame (a header block: HEADERS or PUSH_PROMISE plus
// as many CONTINUATIONs as max_frame_size needs) to the end of `out`. It
// returns false and appends nothing when the arguments cannot go on the
// wire (a stream id over 2^31-1, 0 where a stream is needed, a payload over
// the frame size, a zero window increment): callers check those first, so
// false is a bug of theirs, never a peer's doing.
//
// DATA payloads need not be copied: write_data_prefix() writes the 9-byte
// header (and the pad length) into a small array that goes out in front of
// the payload (writev, or the write queue); then `pad` zero bytes.
//
//   char head[max_data_prefix];
//   std::size_t n = write_data_prefix(head, 1, body.size(), true);
//   iov = {{head, n}, {body.data(), body.size()}};
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "h2/frame_error.hpp"
#include "h2/frame_types.hpp"
#include "h2/settings.hpp"

namespace lwspp::h2 {

inline constexpr std::size_t max_data_prefix = frame_header_size + 1;

// The header of one DATA frame carrying `length` bytes of data and `pad`
// bytes of padding (pad > 0 sets PADDED and writes the pad length byte).
// Returns the prefix size (9 or 10), or 0 when the frame would be invalid.
std::size_t write_data_prefix(std::span<char, max_data_prefix> out, std::uint32_t stream_id,
                              std::size_t length, bool end_stream, std::uint8_t pad = 0) noexcept;
// The same with the payload (and padding) copied in: one DATA frame.
bool append_data(std::string& out, std::uint32_t stream_id, std::string_view data, bool end_stream,
                 std::uint8_t pad = 0);

struct headers_options {
  bool end_stream = false;
  std::uint8_t pad = 0;  // padding of the HEADERS frame (0: not padded)
  bool has_priority = false;
  priority_spec priority = {};  // sent when has_priority (RFC 9113 deprecates it)
  // The peer's SETTINGS_MAX_FRAME_SIZE: the block is split at it.
  std::uint32_t max_frame_size = default_max_frame_size;
};

// HEADERS (+ CONTINUATION frames when the block does not fit in one frame).
bool append_headers(std::string& out, std::uint32_t stream_id, std::string_view block,
                    const headers_options& o = {});
// PUSH_PROMISE (+ CONTINUATION frames), on stream_id, promising `promised`.
bool append_push_promise(std::string& out, std::uint32_t stream_id, std::uint32_t promised,
                         std::string_view block,
                         std::uint32_t max_frame_size = default_max_frame_size,
                         std::uint8_t pad = 0);

bool append_priority(std::string& out, std::uint32_t stream_id, const priority_spec& p);
bool append_rst_stream(std::string& out, std::uint32_t stream_id, error code);
// SETTINGS with the entries of `s` that differ from the initial values.
bool append_settings(std::string& out, const settings& s);
bool append_settings_ack(std::string& out);
// PING with its 8 opaque bytes (an ACK echoes the ones received).
bool append_ping(std::string& out, std::string_view opaque, bool ack = false);
bool append_goaway(std::string& out, std::uint32_t last_stream_id, error code,
                   std::string_view debug = {});
bool append_window_update(std::string& out, std::uint32_t stream_id, std::uint32_t increment);
// Any frame as given (flags and type unchecked): for extension and unknown
// types, and for tests that need frames a peer must reject.
bool append_frame(std::string& out, const frame_header& h, std::string_view payload);

}  // namespace lwspp::h2
