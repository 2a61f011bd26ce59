// RFC 8441: a WebSocket carried by one HTTP/2 stream of the server.
//
// The WebSocket session (src/ws/, unchanged: the route's handlers, options,
// deflate, pub/sub, the closing handshake) runs on a connection of its own:
// one end of a socketpair, with the client's address as its peer. The
// tunnel is the role of the other end and moves bytes between that socket
// and the stream: DATA from the client is written to the socket; what the
// session writes is read from the socket and sent as DATA.
//
// Backpressure both ways: while the socket holds more than its high-water
// mark the stream's request body is paused (the client's window is not
// replenished); while the stream holds a full buffer the socket is not read.
//
// Ends: the session closing its socket (after the closing handshake) ends
// the stream with END_STREAM; the client's END_STREAM half-closes the socket
// (the session sees EOF, and its last frames still come back); a reset
// either way aborts the other side.
//
// Why a socketpair: the WebSocket layer is written against a connection, and
// this reuses it whole. It costs two descriptors and one copy through the
// kernel per message; an in-process transport under connection would remove
// both (docs/http2.md).
//
// Lifetimes: the tunnel is owned by its socket's connection. The stream
// holds a pointer to it; each tells the other when it goes (stream_gone,
// and the stream's `tunnel` cleared in on_close). Loop thread only.
#pragma once
#include <string_view>

#include "lwspp/connection.hpp"

namespace lwspp::h2 {

class stream;

class ws_tunnel final : public role {
 public:
  // Answers the stream's extended CONNECT with 200 and hands a new socket to
  // the WebSocket route (the exchange's accepted upgrade). On failure (no
  // descriptors) answers 503 and returns nullptr.
  static ws_tunnel* open(stream& s);

  // --- from the stream --------------------------------------------------------
  void from_client(std::string_view data);
  void client_ended();     // END_STREAM from the client
  void stream_gone();      // reset, or the HTTP/2 connection closed
  void stream_writable();  // the stream took what it held

  // role (the socket's end that is ours)
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_peer_eof(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_shutdown(connection& c) override;  // the WebSocket side leads the goodbye

 private:
  explicit ws_tunnel(stream& s) : stream_(&s) {}
  void end_stream();

  stream* stream_;
  connection* sock_ = nullptr;  // until on_close
  bool paused_client_ = false;  // the stream's request body is paused for us
  bool ended_ = false;          // END_STREAM went out
};

}  // namespace lwspp::h2
