// The HTTP/2 client role (RFC 9113): one per connection that speaks h2 to a
// server (ALPN "h2" over TLS, or prior knowledge in cleartext). Each request
// of the HTTP client (http/client_exchange.hpp) is a stream: HEADERS (HPACK)
// and DATA out within the server's windows, the response's HEADERS and DATA
// in, credit given back as the body is consumed. Its pool
// (http/origin_pool.hpp) gives it requests while it has room: up to the
// server's SETTINGS_MAX_CONCURRENT_STREAMS at once (100 assumed until the
// server's SETTINGS arrive).
//
// Output is batched as in the server session: every entry (a read, a
// request started, a user's pause or resume) appends frames to one buffer,
// which goes to the connection when the outermost entry returns.
//
// Lifetime of the connection: it stops taking requests after the server's
// GOAWAY (streams above its last-stream-id fail as never processed, so
// their requests may be sent again), when stream ids run out, or on any
// connection error; it closes when its last stream ends.
//
// Deadlines are per stream, as HTTP/1.1 has them per request: once the
// request is sent, first_byte_timeout until a frame of its response
// arrives, then read_timeout between its frames (none while delivery is
// paused, or on an open tunnel). A stream past its deadline is reset
// (RST_STREAM CANCEL) and its request fails with first_byte_timeout or
// read_timeout; the other streams go on. They share the connection's one
// role timer, set to the earliest deadline (or to idle_timeout while the
// connection rests in the pool).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "h2/client_stream.hpp"
#include "h2/flow_window.hpp"
#include "h2/frame_reader.hpp"
#include "h2/frame_sink.hpp"
#include "h2/hpack/decoder.hpp"
#include "h2/hpack/encoder.hpp"
#include "h2/settings.hpp"
#include "http/pooled_session.hpp"
#include "lwspp/connection.hpp"

namespace lwspp::h2 {

// Our side's settings and bounds.
struct client_limits {
  // Per stream: response body the server may send ahead of the reader (what
  // a paused request holds at most).
  std::uint32_t initial_window = 1024 * 1024;
  // All streams' response bodies in flight together.
  std::uint32_t connection_window = 16 * 1024 * 1024;
  // Streams opened before the server's SETTINGS say how many it takes.
  std::uint32_t assumed_max_streams = 100;
  // A streamed request body pulled ahead of the stream's window.
  std::size_t stream_high_water = 64 * 1024;
  // The last stream id this connection uses; past it a new connection takes
  // the requests (RFC 9113 §5.1.1). Lower only in tests.
  std::uint32_t last_stream_id = max_stream_id;
  // Closes the connection once the streams it carried have ended (a
  // WebSocket's own connection, ws/h2_tunnel.hpp), instead of resting.
  bool single_use = false;
};

class client_session final : public role, public http::detail::pooled_session {
 public:
  client_session(std::shared_ptr<http::detail::session_owner> pool, std::uint64_t serial,
                 client_limits limits = {});
  ~client_session() override;

  // pooled_session
  bool can_take(const http::detail::client_exchange& x) const noexcept override;
  bool idle() const noexcept override { return open_ && streams_.empty(); }
  bool multiplexed() const noexcept override { return true; }
  bool accepting() const noexcept override;
  void start(std::shared_ptr<http::detail::client_exchange> x) override;
  void rest() override;
  void close_connection(close_reason why) override;

  // client_transport
  void pause(http::detail::client_exchange& x, bool on) override;
  void abandon(http::detail::client_exchange& x) override;
  void body_ready(http::detail::client_exchange& x) override;

  // role
  void on_open(connection& c) override;
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_shutdown(connection& c) override;
  void on_role_timer(connection& c) override;

  // frame_sink
  void on_data(const data_piece& d);
  void on_headers(const header_block& h);
  void on_push_promise(const push_promise_block&) {}  // refused by the reader (ENABLE_PUSH 0)
  void on_priority(const priority_frame&) {}
  void on_rst_stream(const rst_stream_frame& f);
  void on_settings(const settings_frame& f);
  void on_ping(const ping_frame& f);
  void on_goaway(const goaway_frame& f);
  void on_window_update(const window_update_frame& f);
  void on_unknown(const unknown_frame&) {}
  void on_stream_error(const frame_error& e);
  void on_connection_error(const frame_error& e);

  std::size_t open_streams() const noexcept { return streams_.size(); }
  // The server's SETTINGS have arrived; they enable extended CONNECT
  // (RFC 8441 §3: only then may a client send one).
  bool settings_received() const noexcept { return got_settings_; }
  bool connect_protocol() const noexcept { return got_settings_ && peer_.enable_connect_protocol; }

 private:
  class sink;
  // Every entry holds one; the outermost one's end frames bodies, tells the
  // pool about room, frees closed streams and writes the output.
  class batch {
   public:
    explicit batch(client_session& s) : s_(s) { ++s_.depth_; }
    ~batch() {
      if (--s_.depth_ == 0) s_.finish_batch();
    }
    batch(const batch&) = delete;
    batch& operator=(const batch&) = delete;

   private:
    client_session& s_;
  };

  client_stream* find(std::uint32_t id) noexcept;
  client_stream* find(const http::detail::client_exchange& x) noexcept;
  bool idle_stream(std::uint32_t id) const noexcept { return id % 2 == 0 || id >= next_id_; }
  void send_preface();
  // --- in (client_session_in.cpp)
  void read_head(client_stream& s, bool end_stream);
  void read_trailers(client_stream& s, bool end_stream);
  void deliver(client_stream& s, std::string_view data);
  void credit(client_stream& s, std::uint32_t n);
  void finish_response(client_stream& s);
  // --- out (client_session_out.cpp)
  void schedule(client_stream& s);
  void pump();
  bool pull(client_stream& s);  // false: the stream is gone
  void frame_body(client_stream& s);
  void request_sent(client_stream& s);
  void finish_batch();
  void flush();
  bool backed_up() const noexcept;
  // --- ends
  void close_stream(client_stream& s);
  void reset_stream(client_stream& s, error code);
  void fail_stream(client_stream& s, const error_info& why, error rst_code);
  void fail_all(const error_info& why);
  void fail(error code, error_info why);  // GOAWAY, every stream fails, close
  void arm_timer();
  // When s times out (time_point::max(): it does not now).
  clock_type::time_point deadline_of(const client_stream& s) const noexcept;
  void progress(client_stream& s) noexcept;  // a frame of s arrived: its deadline restarts
  void maybe_close();

  std::shared_ptr<http::detail::session_owner> pool_;
  connection* conn_ = nullptr;
  client_limits limits_;
  frame_reader reader_;
  hpack::decoder dec_;
  hpack::encoder enc_;
  hpack::header_list fields_;
  settings peer_;
  std::unordered_map<std::uint32_t, std::unique_ptr<client_stream>> streams_;
  std::vector<std::unique_ptr<client_stream>> dead_;  // closed, freed at the batch's end
  std::deque<std::uint32_t> ready_;                   // streams with a body to frame
  std::string out_;
  std::string block_;  // a request's header block, reused
  send_window conn_send_;
  recv_window conn_recv_;
  std::string_view scheme_;
  clock_type::time_point timer_at_{};  // what the role timer is set to, when timer_set_
  std::uint32_t next_id_ = 1;
  std::uint32_t max_streams_;
  int depth_ = 0;
  bool open_ = false;
  bool got_settings_ = false;
  bool goaway_ = false;     // the server's GOAWAY: no new streams
  bool failed_ = false;     // a connection error, or closed
  bool room_ = false;       // a stream ended or the limits changed: tell the pool
  bool stalled_ = false;    // a streamed source waits for on_writable
  bool timer_set_ = false;  // the role timer is a stream deadline at timer_at_ (not idle)
};

}  // namespace lwspp::h2
