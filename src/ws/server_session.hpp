// The WebSocket server role: one per upgraded connection. It feeds the
// connection's bytes to the message reader and calls the route's handlers,
// frames what the application sends (compressed when permessage-deflate was
// agreed), answers pings, pings an idle peer, and runs the closing handshake.
//
// States:  open ──close()/error/shutdown──▶ closing ──peer's close/timeout──▶ done
//            └──────────peer's close: echo it─────────────────────────────────▲
// In `done` the connection itself is closing (flush, FIN, linger) and
// on_close follows; handlers::close runs there, exactly once.
//
// Memory: the object is the role; what only a closing or paused socket needs
// (the close reason, bytes held while reading is paused) is allocated then.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "lwspp/connection.hpp"
#include "lwspp/timer.hpp"
#include "lwspp/ws.hpp"
#include "util/utf8.hpp"
#include "ws/deflate.hpp"
#include "ws/deflate_offer.hpp"
#include "ws/frame.hpp"
#include "ws/message_reader.hpp"

namespace lwspp::ws::detail {

// A WebSocket route: its handlers and options, shared by every session of
// the route on every loop (the http::server that holds it outlives them).
struct route_config {
  handlers h;
  options opts;
  std::optional<deflate_server_settings> deflate;  // nullopt: permessage-deflate is off
  std::string fixed_fields;                        // options::response_headers, "name: value\r\n"
};

// What the handshake agreed on for one connection.
struct agreement {
  int protocol = -1;  // index into options::protocols
  std::optional<deflate_agreement> deflate;
};

class server_session final : public role, public socket {
  friend struct pubsub_access;  // ws/pubsub.hpp: shared frames for subscribers

 public:
  server_session(route_config& cfg, connection& c, const agreement& a);
  ~server_session() override;

  // The 101 has been queued and this session is the connection's role: runs
  // handlers::open (with the upgrade request) and feeds the bytes that came
  // after the request head.
  void start(const http::request& req, std::string_view rest);

  // The session of a connection whose role it is, or nullptr.
  static server_session* of(connection& c) noexcept;

  // role
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_shutdown(connection& c) override;
  void on_peer_eof(connection& c) override;

  // What socket's members do.
  send_result send_message(std::string_view data, message_kind kind);
  send_result send_piece(std::string_view data, message_kind kind, bool last);
  send_result send_ping(std::string_view payload);
  void start_close(close_code code, std::string_view reason, close_reason why);
  void abort_now();
  void pause();
  void resume();
  bool open_for_messages() const noexcept { return phase_ == phase::open && conn_->is_open(); }
  std::string_view protocol_name() const noexcept;
  bool deflate_on() const noexcept { return deflater_ != nullptr; }
  connection& conn_ref() const noexcept { return *conn_; }
  static const http::request* current_request() noexcept;

 private:
  enum class phase : std::uint8_t {
    open,     // messages both ways
    closing,  // our close frame is out; waiting for the peer's (close_timeout)
    done,     // the connection is closing; nothing more is read or sent
  };
  // Only a closing or paused session needs these.
  struct extra {
    std::string held;    // bytes received while reading was paused
    std::string reason;  // the close reason reported to handlers::close
    close_reason why;    // what ends the connection once the closing handshake is over
  };

  void feed(std::span<char> in);
  bool dispatch_step(const step& s);
  void on_peer_close(std::uint16_t code, std::string_view reason);
  void fail(std::uint16_t code, std::string_view reason, close_reason why);
  void finish(close_reason why);
  void hold(std::string_view bytes);
  void feed_held();
  extra& more();

  send_result write_frame(opcode op, bool fin, bool rsv1, std::string_view payload);
  send_result write_message(opcode op, std::string_view payload, bool rsv1);
  bool send_close_frame(std::uint16_t code, std::string_view reason);
  std::optional<send_result> check_backpressure();
  static send_result refused() noexcept { return {send_status::refused, 0, false}; }

  void arm_ping();
  void on_timer();
  static void on_timer_thunk(void* self) { static_cast<server_session*>(self)->on_timer(); }

  route_config& cfg_;
  connection* conn_;
  message_reader reader_;
  std::unique_ptr<deflater> deflater_;
  std::unique_ptr<extra> x_;
  timer timer_;  // ping interval, pong timeout, close timeout
  clock_type::time_point last_rx_{};
  std::uint16_t code_sent_ = 0;      // our close frame's code (0: none sent)
  std::uint16_t code_received_ = 0;  // the peer's close frame's code (0: none received)
  phase phase_ = phase::open;
  std::int8_t protocol_ = -1;
  message_kind out_kind_ = message_kind::text;
  util::utf8_validator out_utf8_;   // a text message being sent in pieces
  bool out_streaming_ : 1 = false;  // send_piece started a message that has not ended
  bool out_compressed_ : 1 = false;
  bool awaiting_pong_ : 1 = false;  // our ping is out and nothing has come back yet
  bool paused_ : 1 = false;
  bool feeding_ : 1 = false;
  bool closed_reported_ : 1 = false;
};

}  // namespace lwspp::ws::detail
