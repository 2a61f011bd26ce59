// The HTTP/2 server role (RFC 9113): one per connection that chose h2 (ALPN
// "h2" on TLS, or the client preface on a cleartext port). It reads frames
// (frame_reader), decodes header blocks (hpack::decoder), runs each request
// as a stream (h2/stream.hpp) through the HTTP layer's dispatcher, and
// writes responses as frames within the flow-control windows.
//
// Output: every frame is appended to one buffer that is handed to the
// connection when the outermost call into the session returns (a batch), so
// one read's answers leave in one write. Response bodies wait in their
// streams and are framed round-robin, one frame per stream in turn, while
// the connection window, the stream's window and the socket (write high
// water) allow.
#pragma once
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "h2/flow_window.hpp"
#include "h2/frame_reader.hpp"
#include "h2/frame_sink.hpp"
#include "h2/hpack/decoder.hpp"
#include "h2/response_head.hpp"
#include "h2/settings.hpp"
#include "h2/stream.hpp"
#include "h2/stream_table.hpp"
#include "http/server_impl.hpp"
#include "lwspp/connection.hpp"

namespace lwspp::h2 {

// Our side's limits (the SETTINGS we send, and the defences).
struct server_limits {
  std::uint32_t max_concurrent_streams = 100;
  // Per stream: the most request body a client may send ahead of the handler.
  std::uint32_t initial_window = 1024 * 1024;
  // The connection: all streams' request bodies in flight together.
  std::uint32_t connection_window = 16 * 1024 * 1024;
  // Rapid reset (CVE-2023-44487): streams the client opens and resets
  // before their response ended, per second. Over it → GOAWAY ENHANCE_YOUR_CALM.
  std::uint32_t max_resets_per_second = 200;
  // PING, SETTINGS, PRIORITY, unknown-type and empty DATA frames per second
  // before ENHANCE_YOUR_CALM (floods).
  std::uint32_t max_control_per_second = 1000;
  // A response's body bytes a stream buffers before write() reports backpressure.
  std::size_t stream_high_water = 64 * 1024;
};

// A stream with output, in the session's send queue (server_session_out.cpp).
struct server_session_ready {
  std::uint32_t id;
  priority prio;
  std::uint32_t seq;  // the stream id, or for an incremental stream its turn
};

class server_session final : public role, public http::detail::exchange_host {
 public:
  server_session(http::server::impl& srv, connection& c, server_limits limits = {});
  ~server_session() override;

  // Replaces c's role with a new session (which c owns) and feeds it the
  // bytes read so far (the client preface, on a cleartext port).
  static void start(http::server::impl& srv, connection& c, std::string_view first_bytes);

  // role
  void on_open(connection& c) override;
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_shutdown(connection& c) override;
  void on_peer_eof(connection& c) override;
  void on_role_timer(connection& c) override;

  // exchange_host
  http::detail::exchange* find_exchange(std::uint64_t exchange_id) noexcept override;

  // frame_sink
  void on_data(const data_piece& d);
  void on_headers(const header_block& h);
  void on_push_promise(const push_promise_block&) {}  // refused by the reader
  void on_priority(const priority_frame&);            // RFC 9113 §5.3.2: ignored, but counted
  void on_rst_stream(const rst_stream_frame& f);
  void on_settings(const settings_frame& f);
  void on_ping(const ping_frame& f);
  void on_goaway(const goaway_frame& f);
  void on_window_update(const window_update_frame& f);
  void on_unknown(const unknown_frame&);                    // ignored (§5.5), but counted
  void on_priority_update(const priority_update_frame& f);  // RFC 9218
  void on_stream_error(const frame_error& e);
  void on_connection_error(const frame_error& e);

  // --- for streams -------------------------------------------------------------
  connection& conn() noexcept { return *conn_; }
  const http::server::impl& server() const noexcept { return srv_; }
  std::string& out() noexcept { return out_; }
  head_encoder& encoder() noexcept { return enc_; }
  std::uint32_t peer_max_frame() const noexcept { return peer_.max_frame_size; }
  std::size_t stream_high_water() const noexcept { return limits_.stream_high_water; }
  bool backed_up() const noexcept;
  // The stream has response bytes (or END_STREAM) to send.
  void schedule(stream& s);
  // The stream sent END_STREAM: closes it (resetting the request side if the
  // client is still sending, §8.1).
  void local_end(stream& s);
  // Resets a stream with code (RST_STREAM goes out) and closes it.
  void reset(stream& s, error code);
  // The request body was consumed by the handler: credit for the client.
  void consumed(stream& s, std::uint32_t n);

  // Every entry into the session (the loop's callbacks, a handler's call on
  // a stream) holds a batch: when the outermost ends, bodies are framed,
  // writable callbacks run and the output is written. That work allocates,
  // so it may throw (out of memory: the connection then resets, see
  // core/exception_guard.hpp); when the batch ends by an exception, nothing
  // more is done.
  class batch {
   public:
    explicit batch(server_session& s) : s_(s), unwinding_(std::uncaught_exceptions()) {
      ++s_.depth_;
    }
    ~batch() noexcept(false) {
      struct leave {
        int& depth;
        ~leave() { --depth; }
      } l{s_.depth_};
      // The outermost finishes, still counted: calls made from there
      // (writable callbacks) do not finish again.
      if (s_.depth_ == 1 && std::uncaught_exceptions() == unwinding_) s_.finish_batch();
    }
    batch(const batch&) = delete;
    batch& operator=(const batch&) = delete;

   private:
    server_session& s_;
    int unwinding_;
  };

 private:
  stream* find(std::uint32_t id) noexcept;
  void send_preface();
  void open_stream(const header_block& h, bool fields_ok);
  std::unique_ptr<stream> new_stream(std::uint32_t id);
  void reap();
  // Spare streams are freed once no stream has been open this long (an idle
  // connection holds no more than its session).
  static constexpr std::chrono::seconds spare_idle{1};
  void end_request(stream& s);
  void too_large(stream& s);
  void refuse(std::uint32_t id, error code);
  void close_stream(stream& s);
  void fail(error code, std::string_view why);
  void finish_batch();
  void pump();
  void reprioritize(stream& s, priority p);
  bool run_writable();
  void flush();
  void maybe_finish();
  bool over_rate(std::uint32_t& count, std::uint32_t limit);
  // Timeouts (server_session_timer.cpp): the connection's role timer is
  // armed for the nearest deadline; activity only stamps times.
  using clock = std::chrono::steady_clock;
  clock::time_point now() const noexcept { return conn_->get_loop().now(); }
  void watch(clock::time_point deadline);
  void arm_next();
  void note_send_progress(bool blocked, bool progressed);
  void remember_reset(std::uint32_t id);
  bool reset_by_us(std::uint32_t id) const noexcept;
  // How a recently closed stream ended, for frames that still name it.
  enum class ended : std::uint8_t { unknown, normally, reset_by_peer };
  ended how_closed(std::uint32_t id) const noexcept;

  http::server::impl& srv_;
  connection* conn_;
  server_limits limits_;
  frame_reader reader_;
  hpack::decoder dec_;
  head_encoder enc_;
  hpack::header_list fields_;
  settings peer_;
  stream_table streams_;
  std::vector<std::unique_ptr<stream>> dead_;   // closed, reaped after the callback
  std::vector<std::unique_ptr<stream>> spare_;  // reaped, for the next streams
  std::vector<server_session_ready> ready_;     // streams with output, in sending order
  std::uint32_t turns_ = 0;                     // queue order of incremental streams
  // RFC 9218: PRIORITY_UPDATEs for streams not opened yet, applied when
  // they open (a few; the oldest is dropped when more come).
  struct early_priority {
    std::uint32_t id = 0;
    priority prio;
  };
  early_priority early_[8] = {};
  std::uint32_t early_next_ = 0;
  std::string out_;
  send_window conn_send_;
  recv_window conn_recv_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::uint32_t last_peer_stream_ = 0;         // the highest stream id the client opened
  std::uint32_t goaway_last_ = max_stream_id;  // streams above this are refused (after GOAWAY)
  std::uint32_t recent_resets_[16] = {};       // streams we reset: their late frames are ignored
  std::uint32_t recent_reset_next_ = 0;
  // Streams closed otherwise (top bit: reset by the client), §5.1's closed state.
  std::uint32_t recent_closed_[16] = {};
  std::uint32_t recent_closed_next_ = 0;
  std::uint64_t serial_ = 0;
  std::chrono::steady_clock::time_point rate_start_{};
  clock::time_point settings_sent_{};  // our SETTINGS, until acknowledged
  clock::time_point idle_since_{};     // no stream open since
  clock::time_point send_stalled_since_ = clock::time_point::max();  // output blocked
  clock::time_point armed_until_ = clock::time_point::max();         // the role timer
  bool settings_acked_ = false;
  std::uint32_t resets_in_window_ = 0;
  std::uint32_t control_in_window_ = 0;
  int depth_ = 0;
  bool reap_scheduled_ = false;
  bool goaway_sent_ = false;
  bool peer_goaway_ = false;
  bool failed_ = false;
  bool read_paused_ = false;
};

}  // namespace lwspp::h2
