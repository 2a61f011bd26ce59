// One HTTP/2 stream of the server: an exchange of the HTTP layer (the same
// dispatcher, routes and handlers as HTTP/1.1) whose response goes out as
// HEADERS and DATA frames through its session.
//
// Streams are recycled by their session (a closed stream's object, with the
// capacity of its buffers, serves a later one): reopen() makes it new.
//
// State (RFC 9113 §5.1) from the server's side: a stream is created open by
// the client's HEADERS; END_STREAM from the client makes it half-closed
// (remote); the response's END_STREAM (or a reset either way) closes it. A
// closed stream is handed back to its session, which frees it after the
// current callback (a handler may still hold its request and response).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "h2/flow_window.hpp"
#include "h2/priority.hpp"
#include "http/dispatch.hpp"
#include "http/exchange.hpp"

namespace lwspp::h2 {

class server_session;
class ws_tunnel;

class stream final : public http::detail::exchange {
 public:
  stream(server_session& s, std::uint32_t id, std::uint32_t send_initial,
         std::uint32_t recv_initial);
  ~stream() override;

  // Makes a retired stream new for another id (see the top). Every member
  // is set back here: one added below must be added there too.
  void reopen(std::uint32_t id, std::uint32_t send_initial, std::uint32_t recv_initial);
  // Closed and reaped: lets go of what it must not keep while spare (its
  // file, its tunnel, large buffers).
  void retire() noexcept;

  // exchange
  connection& conn() noexcept override;
  send_result write_body(std::string_view data, bool last) override;
  void write_file(int fd, std::uint64_t offset, std::uint64_t len) override;
  void want_writable() override;
  void pause_body(bool pause) override;
  void warn(std::string_view what) override;

  // --- for the session ------------------------------------------------------
  // Response bytes ready to go out (flow control permitting).
  std::uint64_t pending() const noexcept { return out_.size() - out_off_ + file_left_; }
  // Whether END_STREAM still has to be sent after the pending bytes.
  bool end_pending() const noexcept { return end_pending_; }
  // Appends up to `max` bytes of the response as one DATA frame to `out`
  // (END_STREAM with the last); returns the bytes framed. On a file read
  // error the stream is reset instead (returns 0).
  std::uint32_t frame_data(std::string& out, std::uint32_t max);
  // The request's DATA: delivered to the handler (or held while paused).
  void on_request_data(std::string_view data);
  void on_request_end();
  // The peer or the session ended the stream early: on_abort for the handler.
  void abort_exchange();
  void close_file();
  // The handler paused the request body (it is not late then).
  bool body_paused() const noexcept { return body_paused_; }

  server_session& session;
  std::uint32_t stream_id;
  send_window send_win;
  recv_window recv_win;
  http::detail::body_plan plan = http::detail::body_plan::discard;
  std::uint64_t max_body = 0;
  std::uint64_t body_received = 0;
  std::uint32_t frame_left =
      0;  // of the DATA frame being read (its padding is credited at its end)
  std::int64_t content_length = -1;  // the request's, checked against its DATA
  bool remote_closed = false;        // END_STREAM received (half-closed remote)
  bool local_closed = false;         // END_STREAM sent
  bool closed = false;               // closed or reset: waiting to be freed
  bool reset_by_peer = false;        // ended by the client's RST_STREAM
  ws_tunnel* tunnel = nullptr;       // RFC 8441: the WebSocket this stream carries
  // The last time request body came in or response body went out (or the
  // stream opened): the body and send timeouts count from it.
  std::chrono::steady_clock::time_point progress{};
  priority prio;                // RFC 9218: urgency and incremental
  bool queued = false;          // in the session's send queue
  bool wants_writable = false;  // the handler asked for on_writable
  bool head_request = false;
  bool dispatched = false;  // the request went to the HTTP layer

 private:
  void send_head(bool end_stream);
  // The request is complete (and not paused): the handler's on_body_end, or
  // for a WebSocket the client's end of the tunnel.
  void request_done();
  // The response's trailers, when it has any: END_STREAM then goes on their
  // HEADERS frame after the last DATA instead of on the DATA.
  bool has_trailers() const noexcept { return !no_body_ && !res.trailer_fields().empty(); }
  void append_trailers(std::string& out);
  std::string out_;          // response body not yet framed
  std::size_t out_off_ = 0;  // framed bytes at the front of out_
  std::string held_;         // request body held while the handler paused it
  std::uint64_t length_left_ = 0;
  std::uint64_t file_off_ = 0;
  std::uint64_t file_left_ = 0;
  int file_fd_ = -1;
  bool end_pending_ = false;  // END_STREAM goes with the last pending byte
  bool body_paused_ = false;
  bool no_body_ = false;  // HEAD, 204, 304: body bytes are dropped
};

}  // namespace lwspp::h2
