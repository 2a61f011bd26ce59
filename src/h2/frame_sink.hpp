// Typed frame events for an owner of a frame_reader: a sink is any type with
// one handler per event, checked at compile time (no virtual calls, no
// reason codes), and read_frames() drives the reader over a span into it.
//
//   struct conn {
//     void on_data(const data_piece&);          void on_headers(const header_block&);
//     void on_push_promise(const push_promise_block&);
//     void on_priority(const priority_frame&);  void on_rst_stream(const rst_stream_frame&);
//     void on_settings(const settings_frame&);  void on_ping(const ping_frame&);
//     void on_goaway(const goaway_frame&);      void on_window_update(const window_update_frame&);
//     void on_unknown(const unknown_frame&);
//     void on_priority_update(const priority_update_frame&);  // optional (RFC 9218)
//     void on_stream_error(const frame_error&); void on_connection_error(const frame_error&);
//   };
//   std::size_t used = read_frames(reader, bytes, c);
//
// Views in the events stay valid during the handler call only (they point
// into `bytes` or the reader's buffer).
#pragma once
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "h2/frame_reader.hpp"

namespace lwspp::h2 {

// A piece of a DATA frame's payload, padding removed. frame_length is the
// whole payload as sent (pad length and padding included): what flow control
// counts (§6.9.1), known from the first piece on. A frame with no data comes
// as one empty piece with first and last set.
struct data_piece {
  std::uint32_t stream_id = 0;
  std::string_view data = {};
  std::uint32_t frame_length = 0;
  bool first = false;
  bool last = false;
  bool end_stream = false;  // set on the last piece only
};

// A whole header block (HEADERS and its CONTINUATIONs), for HPACK.
struct header_block {
  std::uint32_t stream_id = 0;
  std::string_view block = {};
  bool end_stream = false;
  bool has_priority = false;  // priority parsed and to be ignored (§5.3.2)
  priority_spec priority = {};
  // protocol_error when the stream depends on itself: decode the block
  // anyway (HPACK state), then reset the stream with this code.
  error stream_error = error::no_error;
};

struct push_promise_block {
  std::uint32_t stream_id = 0;
  std::uint32_t promised_stream_id = 0;
  std::string_view block = {};
};

struct priority_frame {
  std::uint32_t stream_id = 0;
  priority_spec priority = {};
};

struct rst_stream_frame {
  std::uint32_t stream_id = 0;
  std::uint32_t error_code = 0;  // as on the wire: codes beyond RFC 9113's are legal
};

struct settings_frame {
  bool ack = false;
  std::string_view entries = {};  // every value in range; see for_each_setting
};

struct ping_frame {
  bool ack = false;
  std::string_view opaque = {};  // 8 bytes
};

struct goaway_frame {
  std::uint32_t last_stream_id = 0;
  std::uint32_t error_code = 0;  // as on the wire
  std::string_view debug = {};
};

struct window_update_frame {
  std::uint32_t stream_id = 0;  // 0: the connection's window
  std::uint32_t increment = 0;  // 1 .. 2^31-1
};

// RFC 9218 §7.1 (read only by a reader with read_priority_update).
struct priority_update_frame {
  std::uint32_t stream_id = 0;  // the prioritized stream
  std::string_view value = {};  // a priority field value
};

struct unknown_frame {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream_id = 0;
  std::uint32_t length = 0;  // the payload, skipped
};

template <class S>
concept frame_sink = requires(S& s, const frame_error& e) {
  s.on_data(data_piece{});
  s.on_headers(header_block{});
  s.on_push_promise(push_promise_block{});
  s.on_priority(priority_frame{});
  s.on_rst_stream(rst_stream_frame{});
  s.on_settings(settings_frame{});
  s.on_ping(ping_frame{});
  s.on_goaway(goaway_frame{});
  s.on_window_update(window_update_frame{});
  s.on_unknown(unknown_frame{});
  s.on_stream_error(e);
  s.on_connection_error(e);
};

// Hands one step to its handler.
template <frame_sink S>
void dispatch(const frame_reader& r, const frame_step& s, S& sink) {
  switch (s.ev) {
    case frame_event::need_more:
      break;
    case frame_event::data:
      sink.on_data({s.stream_id, s.payload, s.frame_length, s.first, s.last, s.end_stream});
      break;
    case frame_event::headers:
      sink.on_headers(
          {s.stream_id, s.payload, s.end_stream, s.has_priority, s.priority, s.stream_error});
      break;
    case frame_event::push_promise:
      sink.on_push_promise({s.stream_id, s.other_id, s.payload});
      break;
    case frame_event::priority:
      sink.on_priority({s.stream_id, s.priority});
      break;
    case frame_event::rst_stream:
      sink.on_rst_stream({s.stream_id, s.value});
      break;
    case frame_event::settings:
      sink.on_settings({s.ack, s.payload});
      break;
    case frame_event::ping:
      sink.on_ping({s.ack, s.payload});
      break;
    case frame_event::goaway:
      sink.on_goaway({s.other_id, s.value, s.payload});
      break;
    case frame_event::window_update:
      sink.on_window_update({s.stream_id, s.value});
      break;
    case frame_event::priority_update:
      // Only sinks that read the extension ask for it (frame_reader_settings).
      if constexpr (requires { sink.on_priority_update(priority_update_frame{}); })
        sink.on_priority_update({s.other_id, s.payload});
      else
        sink.on_unknown({priority_update_type, s.flags, 0, s.frame_length});
      break;
    case frame_event::unknown:
      sink.on_unknown({static_cast<std::uint8_t>(s.type), s.flags, s.stream_id, s.frame_length});
      break;
    case frame_event::stream_error:
      sink.on_stream_error(r.failure());
      break;
    case frame_event::connection_error:
      sink.on_connection_error(r.failure());
      break;
  }
}

// Reads every frame in `in` into the sink. Returns the bytes consumed: all
// of them, or fewer after a connection error (reported once; the reader
// then stays failed).
template <frame_sink S>
std::size_t read_frames(frame_reader& r, std::span<const char> in, S& sink) {
  std::size_t used = 0;
  for (;;) {
    const frame_step s = r.next(in.subspan(used));
    used += s.consumed;
    dispatch(r, s, sink);
    if (s.ev == frame_event::need_more || s.ev == frame_event::connection_error) return used;
  }
}

}  // namespace lwspp::h2
