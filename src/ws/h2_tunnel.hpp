// The WebSocket client over HTTP/2 (RFC 8441): one attempt's WebSocket
// carried by one stream of an HTTP/2 connection of its own.
//
//   the attempt's connection (TCP, TLS) opens with ALPN "h2", or in
//   cleartext with prior knowledge (client_options::http2)
//   → its role becomes an HTTP/2 client session (h2/client_session.hpp)
//     whose owner is the tunnel below, instead of an HTTP client's pool
//   → the server's SETTINGS: with ENABLE_CONNECT_PROTOCOL the extended
//     CONNECT goes out (:method CONNECT, :protocol websocket, :scheme,
//     :authority, :path, sec-websocket-version/protocol/extensions); without
//     it the client core falls back to an HTTP/1.1 Upgrade on a new
//     connection (and stays on HTTP/1.1 for this client's later attempts)
//   → a 2xx (no Sec-WebSocket-Accept: §5): the WebSocket is open.
//
// The WebSocket session (ws/session.hpp, unchanged) runs as the client end
// on one end of a socketpair: h2_client_session. The tunnel is the role of
// the other end (as on the server, h2/ws_tunnel.hpp) and the stream's
// exchange: what the session writes is read from the socket and pulled into
// DATA frames; the response's DATA is written to the socket.
//
// Backpressure both ways: while the socket holds more than its high-water
// mark, delivery of the stream is paused (no credit goes back to the
// server); while the stream holds what it could not send yet (windows), the
// socket is not read past stream_high_water.
//
// Ends: the session closing its socket after the closing handshake ends our
// half with END_STREAM; the server's END_STREAM half-closes the socket (the
// session sees EOF). An aborted session, one that ends before the 2xx, and
// a server that keeps its half open after the session has gone get
// RST_STREAM CANCEL; a reset or a dropped connection closes the session
// with the reason (handlers::close, 1006). The stream's end closes the
// connection.
//
// Lifetimes: the tunnel is shared by the HTTP/2 session (its owner), the
// stream (its exchange) and the socket end it reads (its role); the
// WebSocket session holds it too. Each side tells the tunnel when it goes.
// Loop thread only.
#pragma once
#include <memory>
#include <string>

#include "http/pooled_session.hpp"
#include "lwspp/connection.hpp"
#include "ws/session.hpp"

namespace lwspp::h2 {
class client_session;
}

namespace lwspp::ws::detail {

class client_core;
class h2_tunnel;

// The attempt's WebSocket while it is carried by a stream.
class h2_client_session final : public session {
 public:
  h2_client_session(std::shared_ptr<client_core> core, connection& c, std::shared_ptr<h2_tunnel> t);
  ~h2_client_session() override;

  void on_open(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_peer_eof(connection& c) override;

  // From the tunnel: the server accepted (2xx), or the attempt ends quietly
  // (a fall-back to HTTP/1.1 follows).
  void accepted(const agreement& a);
  void quit_for_fallback();

 private:
  void on_opening_timeout() override;

  std::shared_ptr<client_core> core_;
  std::shared_ptr<h2_tunnel> tunnel_;
};

class h2_tunnel final : public role,
                        public http::detail::session_owner,
                        public http::detail::client_exchange,
                        public std::enable_shared_from_this<h2_tunnel> {
 public:
  // Called from the attempt's role when its connection `c` opened speaking
  // HTTP/2: makes the socketpair (the WebSocket session on one end, the
  // tunnel on the other) and hands c to an HTTP/2 client session. The old
  // role is freed when its callback returns. An error (no descriptors) is
  // returned: the caller fails the attempt with it.
  static result<void> start(const std::shared_ptr<client_core>& core, connection& c);

  explicit h2_tunnel(std::shared_ptr<client_core> core);
  ~h2_tunnel() override;

  // --- from the WebSocket session -------------------------------------------------------
  void ws_attached(h2_client_session& s) noexcept { ws_ = &s; }
  void ws_closed(const close_reason& why);

  // session_owner (the HTTP/2 session)
  const http::client_options& opts() const noexcept override { return hopts_; }
  bool secure() const noexcept override { return secure_; }
  void session_open(http::detail::pooled_session& s) override;
  void session_idle(http::detail::pooled_session& s) override;
  void session_closed(http::detail::pooled_session& s, const close_reason& why,
                      bool was_open) override;

  // client_exchange (the stream)
  const http::detail::outgoing_request& outgoing() const noexcept override { return req_; }
  http::source_status pull(http::body_sink& sink) override;
  void on_sent() override;
  void on_head(http::client_response& r) override;
  void on_body(std::string_view piece) override;
  void on_end() override;
  void on_fail(const error_info& why, bool anything_received) override;

  // role (our end of the socketpair)
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_peer_eof(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_shutdown(connection& c) override;

 private:
  void build_request();
  void fail_ws(close_reason why);
  void end_h2(close_reason why);
  void shut_socket_if_drained();

  std::shared_ptr<client_core> core_;
  http::client_options hopts_;
  http::detail::outgoing_request req_;
  std::string target_, authority_, fields_;
  h2::client_session* h2_ = nullptr;  // from session_open to session_closed
  connection* sock_ = nullptr;        // our socket end, until on_close
  h2_client_session* ws_ = nullptr;   // until ws_closed
  std::string out_;                   // read from the session, not pulled yet
  bool secure_ = false;
  bool started_ = false;        // the CONNECT went out
  bool opened_ = false;         // its 2xx came: the WebSocket is open
  bool live_ = false;           // the stream is open (started, not ended or failed)
  bool waiting_ = false;        // pull() said deferred: body_ready() when there is more
  bool eof_ = false;            // the session closed its socket: END_STREAM
  bool paused_stream_ = false;  // delivery paused: the socket is full
  bool server_done_ = false;    // the server's END_STREAM: FIN to the session once drained
};

}  // namespace lwspp::ws::detail
