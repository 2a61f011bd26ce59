// lwspp::h2::frame_reader — the sans-I/O HTTP/2 frame decoder (RFC 9113 §4,
// §6). It checks every framing rule the frame layer can see: the preface,
// sizes (SETTINGS_MAX_FRAME_SIZE and each type's fixed or minimum length),
// stream ids where 0 is forbidden or required, padding, SETTINGS values,
// zero WINDOW_UPDATE increments, PRIORITY self-dependency and the
// HEADERS/PUSH_PROMISE + CONTINUATION sequence. Stream states, flow-control
// windows and HPACK are the connection's.
//
// Contract (as every codec here, see docs/http2.md "## Frames"):
//   frame_step s = r.next(bytes);   // s.consumed bytes of `bytes` were used
//   switch (s.ev) { need_more, data, headers, ..., stream_error, connection_error }
// The caller re-feeds the unconsumed rest; frame_sink.hpp wraps this loop and
// calls typed handlers. Views in a step point into `bytes` when the frame lay
// whole in it, else into the reader's buffer; either way they stay valid
// until the next call. Only a frame split over calls is copied (at most
// max_frame_size bytes), and DATA never is: its payload comes out in pieces
// as it arrives, padding stripped.
//
// A header block (HEADERS or PUSH_PROMISE with its CONTINUATIONs) comes out
// as one event with the block joined, padding and priority fields removed,
// ready for the HPACK decoder. It is bounded by max_header_block: over that
// the reader fails the connection with ENHANCE_YOUR_CALM (the CONTINUATION
// flood defence; a server may first answer 431 on that stream, since its own
// HPACK encoder is unaffected, then send GOAWAY).
//
// Errors: a connection error is final (every later call repeats it); a
// stream error reports the code for RST_STREAM and the reader goes on with
// the next frame.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "h2/frame_error.hpp"
#include "h2/frame_types.hpp"

namespace lwspp::h2 {

// What comes before the first frame.
enum class preface_mode : std::uint8_t {
  none,                // frames from the first byte (tests, a reader resumed mid-stream)
  settings,            // a client reading a server: the first frame must be SETTINGS
  magic_and_settings,  // a server reading a client: client_preface, then SETTINGS
};

struct frame_reader_settings {
  preface_mode preface = preface_mode::none;
  // SETTINGS_MAX_FRAME_SIZE we advertised (and the peer acknowledged).
  // Larger frames are a connection FRAME_SIZE_ERROR.
  std::uint32_t max_frame_size = default_max_frame_size;
  // Bound on one header block, all its fragments together (after padding
  // and priority fields are removed). 64 KiB is four times what an h1 head
  // may be here; over it → connection ENHANCE_YOUR_CALM.
  std::size_t max_header_block = 64 * 1024;
  // Bound on the CONTINUATION frames of one block: empty ones do not grow
  // it, so this caps the work a flood of them can cause. Over → ENHANCE_YOUR_CALM.
  std::uint32_t max_continuations = 64;
  // PUSH_PROMISE is a connection PROTOCOL_ERROR unless allowed: a server
  // never receives one, a client only when it left SETTINGS_ENABLE_PUSH on.
  bool allow_push_promise = false;
  // RFC 9218's PRIORITY_UPDATE (0x10) is read and checked (a server's
  // reader); otherwise it is an unknown type like any other.
  bool read_priority_update = false;
};

enum class frame_event : std::uint8_t {
  need_more,         // all of the input was consumed; feed more
  data,              // a piece of a DATA frame's payload (padding removed)
  headers,           // a whole header block (HEADERS + CONTINUATIONs)
  push_promise,      // a whole header block (PUSH_PROMISE + CONTINUATIONs)
  priority,          // a PRIORITY frame (RFC 9113: to be ignored)
  rst_stream,        // RST_STREAM
  settings,          // SETTINGS (entries checked) or its ACK
  ping,              // PING or its ACK
  goaway,            // GOAWAY
  window_update,     // WINDOW_UPDATE
  priority_update,   // RFC 9218 PRIORITY_UPDATE (when read_priority_update)
  unknown,           // a frame of an unknown type: reported, its payload skipped
  stream_error,      // failure(): reset that stream; the reader goes on
  connection_error,  // failure(): GOAWAY with the code and close; final
};

// One event. Which fields mean something depends on ev:
//   data           stream_id, payload (a piece), frame_length, first, last,
//                  end_stream (with last)
//   headers        stream_id, payload (the block), end_stream, priority
//                  (when has_priority), stream_error (no_error, or
//                  protocol_error for a self-dependency: decode the block
//                  anyway, to keep HPACK in step, then reset the stream)
//   push_promise   stream_id, other_id (the promised stream), payload (the block)
//   priority       stream_id, priority
//   rst_stream     stream_id, value (the code, as on the wire)
//   settings       ack, payload (the entries, each value in range)
//   ping           ack, payload (8 bytes)
//   goaway         other_id (the last stream id), value (the code), payload (debug data)
//   priority_update other_id (the prioritized stream), payload (the field value)
//   window_update  stream_id, value (the increment)
//   unknown        type, flags, stream_id, frame_length
//   *_error        failure()
struct frame_step {
  frame_event ev = frame_event::need_more;
  std::size_t consumed = 0;
  frame_type type = frame_type::data;
  std::uint8_t flags = 0;  // the frame's defined flags only (unknown type: as sent)
  std::uint32_t stream_id = 0;
  std::uint32_t frame_length = 0;  // payload length of the frame (DATA: what flow control counts)
  std::uint32_t other_id = 0;      // push_promise: promised stream; goaway: last stream id;
                                   // priority_update: the prioritized stream
  std::uint32_t value = 0;         // rst_stream, goaway: error code; window_update: increment
  std::string_view payload = {};
  priority_spec priority = {};
  error stream_error = error::no_error;  // headers only, see above
  bool first = false;                    // data: the frame's first piece
  bool last = false;                     // data: the frame's last piece
  bool end_stream = false;               // data (on the last piece), headers: END_STREAM
  bool ack = false;                      // settings, ping: ACK
  bool has_priority = false;             // headers: the PRIORITY flag (priority was parsed)
};

class frame_reader {
 public:
  explicit frame_reader(frame_reader_settings s = {});

  frame_step next(std::span<const char> in);

  // After stream_error or connection_error.
  const frame_error& failure() const noexcept { return error_; }

  // Our SETTINGS_MAX_FRAME_SIZE took effect (the peer acknowledged it).
  void set_max_frame_size(std::uint32_t n) noexcept { settings_.max_frame_size = n; }
  void allow_push_promise(bool on) noexcept { settings_.allow_push_promise = on; }
  const frame_reader_settings& settings() const noexcept { return settings_; }

  // True between frames with no header block open: nothing of the stream is held.
  bool at_boundary() const noexcept;
  // Bytes consumed since construction.
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  // State is "which function handles the next bytes": each phase takes the
  // unread input and returns an event, or need_more with the bytes it used
  // (all of them, or fewer after moving to another phase).
  using phase_fn = frame_step (frame_reader::*)(std::span<const char> in);
  frame_step on_preface(std::span<const char> in);
  frame_step on_header(std::span<const char> in);
  frame_step on_pad_length(std::span<const char> in);  // DATA with PADDED
  frame_step on_data(std::span<const char> in);
  frame_step on_skip(std::span<const char> in);     // padding, unknown or rejected payloads
  frame_step on_payload(std::span<const char> in);  // every other frame, delivered whole
  frame_step on_failed(std::span<const char> in);

  // A complete header: checks it and picks the phase for the payload.
  frame_step start_frame(const frame_header& h);
  // The connection errors a header shows alone (size, stream id, sequence);
  // need_more when there are none.
  frame_step check_header();
  // A whole payload of a frame type other than DATA and unknown.
  frame_step finish_frame(std::string_view p);
  frame_step on_headers_frame(std::string_view p);
  frame_step on_push_promise_frame(std::string_view p);
  frame_step on_continuation_frame(std::string_view p);
  frame_step on_priority_frame(std::string_view p);
  frame_step on_rst_stream_frame(std::string_view p);
  frame_step on_settings_frame(std::string_view p);
  frame_step on_ping_frame(std::string_view p);
  frame_step on_goaway_frame(std::string_view p);
  frame_step on_window_update_frame(std::string_view p);
  frame_step on_priority_update_frame(std::string_view p);
  bool is_priority_update() const noexcept;
  // Removes the pad length and the padding of a HEADERS/PUSH_PROMISE payload
  // that has `fixed` bytes of fields before its fragment; false when the
  // padding does not fit.
  bool strip_padding(std::string_view& p, std::size_t fixed) const noexcept;
  // A fragment of a header block: the event when END_HEADERS ends it, else
  // kept for the CONTINUATIONs.
  frame_step add_fragment(frame_step s, std::string_view fragment);

  frame_step event(frame_event ev) const;  // a step describing the current frame
  frame_step fail(error code, const char* reason);
  frame_step stream_fail(error code, const char* reason);             // the reader goes on
  frame_step skip_payload(frame_step s);                              // s, then skip the payload
  frame_step pass_on(frame_step s, std::size_t used) const noexcept;  // s with s.consumed = used

  frame_reader_settings settings_;
  phase_fn phase_;
  frame_header frame_{};
  frame_error error_{};
  std::uint64_t offset_ = 0;             // connection offset of the next unread byte
  std::uint64_t frame_offset_ = 0;       // connection offset of the current frame's first byte
  std::uint32_t left_ = 0;               // bytes of the current phase still to come
  std::uint32_t pad_left_ = 0;           // DATA: padding after the data
  std::string held_;                     // a payload split over calls
  char header_[frame_header_size] = {};  // a frame header split over calls
  std::uint8_t header_len_ = 0;
  // The open header block (HEADERS or PUSH_PROMISE without END_HEADERS).
  std::string block_;
  frame_step block_start_{};        // its first frame as an event (flags, ids, priority)
  std::uint32_t block_stream_ = 0;  // 0: no block open
  std::uint32_t continuations_ = 0;
  bool data_started_ = false;   // DATA: a piece of this frame was reported
  bool settings_seen_ = false;  // the first frame was checked (preface modes)
};

}  // namespace lwspp::h2
