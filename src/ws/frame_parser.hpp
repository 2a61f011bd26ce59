// lwspp::ws::frame_parser — the sans-I/O WebSocket frame decoder (RFC 6455
// §5). It checks every framing rule: reserved bits and opcodes, masking by
// side, lengths (shortest form, top bit clear), control frames (≤ 125 bytes,
// never fragmented), and the order of fragments (a continuation needs a
// started message, a new text or binary frame needs none). It does not look
// inside payloads: UTF-8, close codes and decompression are the message
// reader's (ws/message_reader.hpp).
//
// Contract (as every codec here, see docs/ws-codec.md):
//   frame_step s = p.feed(bytes);   // s.consumed bytes of `bytes` were used
//   switch (s.ev) { need_more, data, control, error }
// The caller re-feeds the unconsumed rest. The span is mutable: masked
// payloads are unmasked in place, so a payload is never copied. Views in a
// step stay valid until the caller reuses its buffer (a control frame split
// over several feeds: until the next feed()).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "ws/error.hpp"
#include "ws/frame.hpp"

namespace lwspp::ws {

// 1 MiB: what one message may hold unless the owner says otherwise.
inline constexpr std::uint64_t default_max_message_size = 1024 * 1024;

struct frame_parser_settings {
  endpoint side = endpoint::server;
  // Bound on the payload of one uncompressed message (all its frames), checked
  // at each frame header before any payload arrives. Over → message_too_big.
  // Compressed messages are bounded after inflation by the message reader.
  std::uint64_t max_message_size = default_max_message_size;
  // permessage-deflate was negotiated: RSV1 is allowed on the first frame of
  // a text or binary message (and nowhere else).
  bool allow_rsv1 = false;
};

enum class frame_event : std::uint8_t {
  need_more,  // all of the input was consumed; feed more
  data,       // a piece of a text, binary or continuation frame's payload (unmasked)
  control,    // a whole ping, pong or close frame (payload unmasked, not checked)
  error,      // a framing rule was broken: error(), close code, offset
};

struct frame_step {
  frame_event ev = frame_event::need_more;
  std::size_t consumed = 0;
  std::string_view data = {};        // data: the piece; control: the whole payload
  opcode op = opcode::continuation;  // the frame's opcode
  bool frame_first = false;          // data: first piece of the frame (its header came with it)
  bool frame_last = false;           // data: the frame's payload ends with this piece
  bool fin = false;                  // data: the frame has FIN, so frame_last ends the message
  bool compressed = false;           // data: the message's first frame had RSV1
};

class frame_parser {
 public:
  explicit frame_parser(frame_parser_settings s = {}) noexcept : settings_(s) {}

  frame_step feed(std::span<char> in);

  // After frame_event::error: what was wrong (close_code_for / reason_for
  // give the close frame) and the stream offset of the frame's first byte.
  error error_code() const noexcept { return error_; }
  std::uint64_t error_offset() const noexcept { return frame_offset_; }

  // True between messages: no data frame of an unfinished message was seen.
  bool in_message() const noexcept { return in_message_; }
  // Between frames and outside any message: nothing of the stream is held.
  bool at_boundary() const noexcept {
    return phase_ == phase::header && header_len_ == 0 && !in_message_;
  }
  // Bytes consumed since construction or reset().
  std::uint64_t offset() const noexcept { return offset_; }

  // The permessage-deflate negotiation ran after construction (client side).
  void allow_rsv1(bool on) noexcept { settings_.allow_rsv1 = on; }
  void set_max_message_size(std::uint64_t n) noexcept { settings_.max_message_size = n; }
  const frame_parser_settings& settings() const noexcept { return settings_; }

  void reset() noexcept;

 private:
  // State is "which function handles the next bytes"; each takes the unread
  // input and returns an event, or a step with ev == need_more and the
  // bytes it used when another phase should go on with the rest.
  enum class phase : std::uint8_t { header, data, control, failed };
  frame_step on_header(std::span<char> in);
  frame_step on_data(std::span<char> in);
  frame_step on_control(std::span<char> in);
  frame_step on_failed(std::span<char> in);
  frame_step run_phase(std::span<char> in);  // calls the phase's function

  // Checks the first two header bytes: true when they are acceptable.
  bool check_start(unsigned b0, unsigned b1);
  // Decodes a complete header (2-14 bytes at h) and moves to the next phase.
  bool start_frame(const unsigned char* h);
  frame_step fail(error e);

  frame_parser_settings settings_;
  std::uint64_t offset_ = 0;         // stream offset of the next unread byte
  std::uint64_t frame_offset_ = 0;   // stream offset of the current frame's first byte
  std::uint64_t left_ = 0;           // payload bytes of the current frame still to come
  std::uint64_t message_bytes_ = 0;  // payload of the unfinished uncompressed message
  std::unique_ptr<char[]> held_;     // a control frame's payload split over feeds
  mask_key key_{};
  phase phase_ = phase::header;
  error error_{};
  opcode op_ = opcode::continuation;
  std::uint8_t header_len_ = 0;   // bytes in header_ (a header split over feeds)
  std::uint8_t held_len_ = 0;     // bytes in held_
  std::uint8_t control_len_ = 0;  // the control frame's payload length
  std::uint8_t mask_phase_ = 0;
  bool masked_ = false;
  bool fin_ = false;
  bool first_piece_ = false;
  bool in_message_ = false;
  bool compressed_ = false;  // the unfinished message is compressed
  unsigned char header_[max_header_size] = {};
};

}  // namespace lwspp::ws
