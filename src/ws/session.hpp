// The WebSocket session core, shared by both ends: one per open WebSocket
// connection, its role. It feeds the connection's bytes to the message
// reader and calls the handlers, frames what the application sends
// (compressed when permessage-deflate was agreed; masked with a fresh key
// per frame on a client), answers pings, pings an idle peer, and runs the
// closing handshake. server_session and client_session are thin layers on
// top: how the session starts, and what a client does before and after.
//
// The endpoint decides the rules that differ (RFC 6455 §5.1, §7.1.1):
//   server: sends unmasked frames, receives masked ones only; closes TCP
//           first once the closing handshake is over.
//   client: sends masked frames, receives unmasked ones only (a masked
//           frame is a protocol error, 1002); after the closing handshake
//           waits (close_timeout) for the server to close TCP first.
//
// States:  opening ──begin()──▶ open ──close()/error/shutdown──▶ closing
//   open/closing ──close frames exchanged──▶ (client: lingering) ──▶ done
// `opening` is a client's handshake (the session is not yet a socket
// anyone can use). In `done` the connection itself is closing (flush, FIN,
// linger) and on_close follows; handlers::close runs there, exactly once.
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
#include "ws/handshake.hpp"
#include "ws/message_reader.hpp"

namespace lwspp::ws::detail {

// What every session of one endpoint shares: a route's handlers and
// options on a server, a client's on a client. Its owner outlives the
// sessions (the http::server; the client's control block they co-own).
struct endpoint_config {
  handlers h;
  options opts;
};

class session : public role, public socket {
  friend struct pubsub_access;  // ws/pubsub.hpp: shared frames for subscribers

 public:
  ~session() override;

  // The session of a connection whose role it is, or nullptr.
  static session* of(connection& c) noexcept;

  // role
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_shutdown(connection& c) override;
  void on_peer_eof(connection& c) override;
  void on_role_timer(connection& c) override;

  // What socket's members do.
  send_result send_message(std::string_view data, message_kind kind);
  send_result send_piece(std::string_view data, message_kind kind, bool last);
  send_result send_ping(std::string_view payload);
  void start_close(close_code code, std::string_view reason, close_reason why);
  void abort_now();
  void pause();
  void resume();
  bool open_for_messages() const noexcept { return phase_ == phase::open && conn_->is_open(); }
  bool handshake_done() const noexcept { return phase_ != phase::opening; }
  bool is_client() const noexcept { return client_; }
  std::int8_t protocol_index() const noexcept { return protocol_; }
  // pub/sub: set once the socket has subscribed (a subscriber does not rest:
  // the topics hold its session).
  void mark_subscribed() noexcept { subscribed_ = true; }
  std::string_view protocol_name() const noexcept;
  bool deflate_on() const noexcept { return deflater_ != nullptr; }
  connection& conn_ref() const noexcept { return *conn_; }

 protected:
  session(endpoint_config& cfg, connection& c, endpoint side);

  // The handshake is over: use what it agreed on, become open (HTTP's idle
  // timeout off, the ping timer on) and run handlers::open. Then
  // feed_rest() with the bytes that came after the handshake.
  void begin(const agreement& a);
  void feed_rest(std::string_view rest);
  bool opening() const noexcept { return phase_ == phase::opening; }
  // The core's timer while opening (a client's handshake timeout).
  void arm_opening_timer(std::chrono::milliseconds t) { conn_->set_role_timer(t, false); }
  virtual void on_opening_timeout() {}
  // A pooled server session made the open session of connection c again
  // (after resting): no deflate, nothing held, `protocol` agreed.
  void reopen(endpoint_config& cfg, connection& c, std::int8_t protocol);
  // Open with nothing in flight either way: a fresh session with the same
  // agreement would go on exactly the same (see server_session: resting).
  bool can_rest() const noexcept;

  // handlers::close, once; `fallback` is the code when no close frame was
  // sent or received (1006; a client whose TLS handshake failed: 1015).
  void report_close(const close_reason& why, std::uint16_t fallback);
  // Done without handlers::close (a client's attempt that was redirected).
  void end_quietly() noexcept;

  endpoint_config* cfg_;  // a pointer: a pooled server session moves between routes
  connection* conn_;

 private:
  enum class phase : std::uint8_t {
    opening,    // client: the opening handshake is under way
    open,       // messages both ways
    closing,    // our close frame is out; waiting for the peer's (close_timeout)
    lingering,  // client: close frames exchanged; waiting for the server's FIN
    done,       // the connection is closing; nothing more is read or sent
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
  void finish(close_reason why, bool handshake_done);
  void hold(std::string_view bytes);
  void feed_held();
  extra& more();

  send_result write_frame(opcode op, bool fin, bool rsv1, std::string_view payload);
  send_result write_masked(std::string_view head, std::string_view payload, mask_key key);
  send_result write_message(opcode op, std::string_view payload, bool rsv1);
  bool send_close_frame(std::uint16_t code, std::string_view reason);
  std::optional<send_result> check_backpressure();
  static send_result refused() noexcept { return {send_status::refused, 0, false}; }

  void arm_ping();
  void cancel_timer() noexcept { conn_->set_role_timer(std::chrono::milliseconds(0), false); }

  message_reader reader_;
  std::unique_ptr<deflater> deflater_;
  std::unique_ptr<extra> x_;
  std::uint16_t code_sent_ = 0;      // our close frame's code (0: none sent)
  std::uint16_t code_received_ = 0;  // the peer's close frame's code (0: none received)
  phase phase_ = phase::opening;
  std::int8_t protocol_ = -1;
  message_kind out_kind_ = message_kind::text;
  util::utf8_validator out_utf8_;   // a text message being sent in pieces
  bool out_streaming_ : 1 = false;  // send_piece started a message that has not ended
  bool out_compressed_ : 1 = false;
  bool awaiting_pong_ : 1 = false;  // our ping is out and nothing has come back yet
  bool paused_ : 1 = false;
  bool feeding_ : 1 = false;
  bool closed_reported_ : 1 = false;
  bool client_ : 1 = false;      // endpoint::client: mask what we send, linger after the close
  bool subscribed_ : 1 = false;  // pub/sub topics may hold this session
};

}  // namespace lwspp::ws::detail
