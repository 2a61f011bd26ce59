// lwspp::ws::message_reader — WebSocket messages from bytes, on top of the
// frame parser: whole messages (bounded by max_message_size, default 1 MiB)
// or, as an opt-in, message pieces as they arrive; ping, pong and close
// frames in between. Text is checked to be UTF-8 as it arrives, across
// fragments and any split; compressed messages (permessage-deflate) are
// inflated within the same bound. Every failure says which close code to
// send and why.
//
// Contract (as the frame parser's, see docs/ws-codec.md):
//   step s = r.feed(bytes);   // s.consumed bytes of `bytes` were used
//   switch (s.ev) { need_more, message, fragment, ping, pong, close, error }
// The caller re-feeds the unconsumed rest. `bytes` is mutable: masked
// payloads are unmasked in place. A message that arrives as one frame in one
// span is delivered in place (zero copy); otherwise it is gathered in the
// reader's buffer. Views in a step stay valid until the next feed() (and,
// for views into the caller's span, as long as the caller keeps its bytes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "lwspp/ws.hpp"
#include "util/utf8.hpp"
#include "ws/deflate.hpp"
#include "ws/frame_parser.hpp"
#include "ws/message_buffer.hpp"

namespace lwspp::ws {

struct reader_settings {
  endpoint side = endpoint::server;
  // Bound on one message's payload after decompression, in both modes.
  // Over → 1009. 1 MiB by default.
  std::uint64_t max_message_size = default_max_message_size;
  // Deliver pieces of messages as they arrive (event::fragment) instead of
  // whole messages (event::message).
  bool streaming = false;
  // Streaming a compressed message: the most decompressed bytes one
  // fragment carries (the size of the buffer inflate writes into).
  std::size_t max_fragment = 16 * 1024;
};

enum class event : std::uint8_t {
  need_more,  // all of the input was consumed; feed more
  message,    // a whole text or binary message: kind, data
  fragment,   // streaming: the next piece of a message: kind, data, first, last
  ping,       // a ping: data is its payload (answer with a pong carrying it)
  pong,       // a pong: data is its payload
  close,      // a close frame (valid): close_code, data is the reason. Later input is discarded
  error,      // the peer broke the protocol: send error_close_code() and close
};

struct step {
  event ev = event::need_more;
  std::size_t consumed = 0;
  std::string_view data = {};
  message_kind kind = message_kind::binary;  // message, fragment
  bool first = false;                        // fragment: the message's first piece
  bool last = false;                         // fragment: the message's last piece
  std::uint16_t close_code = 0;              // close: 1005 when the frame had no code
};

class message_reader {
 public:
  explicit message_reader(reader_settings s = {});
  ~message_reader();
  message_reader(message_reader&&) noexcept;
  message_reader& operator=(message_reader&&) noexcept;

  step feed(std::span<char> in);

  // permessage-deflate was negotiated: RSV1 marks compressed messages.
  void enable_deflate(const inflater_settings& s);

  // After event::error: the reason, the close frame to send, and the stream
  // offset of the first byte of the frame where it was found.
  error error_code() const noexcept { return error_; }
  std::uint16_t error_close_code() const noexcept { return close_code_for(error_); }
  std::string_view error_reason() const noexcept { return reason_for(error_); }
  std::uint64_t error_offset() const noexcept { return error_offset_; }

  bool closed() const noexcept { return closed_; }  // a close frame was received
  // Between messages with nothing held (no partial frame or message, no
  // inflater): a fresh reader with the same settings would go on the same.
  bool at_boundary() const noexcept {
    return frames_.at_boundary() && !inflater_ && buffer_.size() == 0 && pending_ == 0 &&
           !finishing_ && !draining_ && !failed_ && !closed_;
  }
  // Heap bytes held now: the message buffer and the inflater's zlib state.
  std::size_t memory() const noexcept;
  const reader_settings& settings() const noexcept { return settings_; }

 private:
  step on_data(const frame_step& f, std::size_t used);
  step on_compressed(std::string_view piece, bool end, std::size_t used);
  step on_streamed(std::string_view piece, bool end, std::size_t used);
  step on_control(const frame_step& f, std::size_t used);
  step fail(error e, std::uint64_t offset, std::size_t used);
  bool check_text(std::string_view out, bool end);
  step fragment(std::string_view data, bool last, std::size_t used);

  reader_settings settings_;
  frame_parser frames_;
  message_buffer buffer_;               // the message so far, or inflate's output
  std::unique_ptr<inflater> inflater_;  // when permessage-deflate was negotiated
  std::uint64_t message_size_ = 0;      // decompressed bytes of the current message
  std::uint64_t error_offset_ = 0;
  std::size_t pending_ = 0;  // streaming, compressed: unmasked payload bytes at the
                             // start of the next input, not yet inflated
  util::utf8_validator utf8_;
  error error_{};
  message_kind kind_ = message_kind::binary;
  bool pending_end_ = false;  // those bytes end the message
  bool finishing_ = false;    // streaming, compressed: the tail's output is still coming
  bool draining_ = false;     // streaming, compressed: zlib may hold output that had no room
  bool first_ = false;        // streaming: no piece of this message delivered yet
  bool release_ = false;      // the buffer was handed out: free it at the next feed
  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace lwspp::ws
