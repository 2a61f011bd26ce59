// One request of the HTTP/2 client: a stream the client opened (RFC 9113
// §5.1) and what it still has to send and deliver. Owned by its session;
// a closed stream is freed when the session's current batch ends (a
// callback may still be running on it).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "h2/flow_window.hpp"
#include "http/client_exchange.hpp"
#include "lwspp/timer.hpp"

namespace lwspp::h2 {

struct client_stream {
  client_stream(std::uint32_t stream_id, std::shared_ptr<http::detail::client_exchange> ex,
                std::uint32_t send_initial, std::uint32_t recv_initial)
      : id(stream_id), x(std::move(ex)), recv_win(recv_initial) {
    send_win.size = send_initial;
  }

  // Request body bytes ready to be framed.
  std::size_t pending() const noexcept { return body.size() + out.size() - out_off; }
  // Whether the source may be asked for more now.
  bool wants_pull(std::size_t high_water) const noexcept {
    return streamed && !source_done && !waiting_source && pending() < high_water / 2;
  }

  const std::uint32_t id;
  std::shared_ptr<http::detail::client_exchange> x;
  send_window send_win;
  recv_window recv_win;

  // The request's body: a whole one is sent from the exchange's own copy
  // (`body`, what is left of it); a streamed one is pulled into `out`.
  std::string_view body;
  std::string out;
  std::size_t out_off = 0;
  std::uint64_t body_written = 0;  // streamed: bytes the source wrote
  bool streamed = false;
  bool source_done = false;     // END_STREAM goes with the last pending byte
  bool waiting_source = false;  // a deferred source: until body_ready()
  bool stalled_source = false;  // "more" with nothing written: pulled again on_writable
  bool local_closed = false;    // END_STREAM sent
  bool queued = false;          // in the session's send queue

  // The response.
  std::string held;            // DATA received while delivery was paused
  std::uint64_t received = 0;  // frames of the response seen (anything_received)
  std::uint64_t body_received = 0;
  std::int64_t content_length = -1;
  std::uint32_t frame_left = 0;  // of the DATA frame being read (padding credited at its end)
  bool head_done = false;        // the final head was delivered
  bool remote_closed = false;    // END_STREAM received
  bool end_held = false;         // ...while paused: on_end after the held bytes
  bool paused = false;
  bool response_done = false;  // a tunnel's response ended (on_end) before our half
  // The start of the deadline that runs (client_session::deadline_of): the
  // request sent (first_byte_timeout), then the last frame of the response
  // (read_timeout), or delivery resumed.
  clock_type::time_point since{};
  bool closed = false;  // done, failed or reset: waiting to be freed
};

}  // namespace lwspp::h2
