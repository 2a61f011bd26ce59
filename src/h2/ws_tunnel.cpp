// A WebSocket over an HTTP/2 stream (RFC 8441). See ws_tunnel.hpp.
#include "h2/ws_tunnel.hpp"

#include <sys/socket.h>  // socketpair

#include <memory>

#include "h2/server_session.hpp"
#include "h2/stream.hpp"
#include "http/ws_upgrade.hpp"

namespace lwspp::h2 {

namespace {

// The WebSocket end's role between its start and the hand-over, which follow
// each other at once: nothing can arrive in between.
struct waiting_role final : role {
  void on_data(connection&, std::string_view) override {}
};
waiting_role waiting;

}  // namespace

ws_tunnel* ws_tunnel::open(stream& s) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    s.warn("WebSocket over HTTP/2: no socket pair for the tunnel: 503");
    s.upgrade.reset();
    http::detail::send_error(s, 503);
    return nullptr;
  }
  connection& outer = s.conn();
  loop& l = outer.get_loop();
  auto owned = std::unique_ptr<ws_tunnel>(new ws_tunnel(s));
  ws_tunnel* t = owned.get();
  const connection_ref ours = connection::create(l, fds[0], *t, outer.options());
  ours->own_role(std::move(owned));
  ours->set_idle_timeout(std::chrono::milliseconds(0));  // the WebSocket side times itself
  t->sock_ = ours.get();
  const connection_ref theirs = connection::create(l, fds[1], waiting, outer.options());
  theirs->set_peer(outer.peer());  // handlers see the client's address

  // 200 with the agreement's fields (subprotocol, extensions), no END_STREAM.
  std::string fields;
  http::detail::append_ws_fields(s, fields);
  http::detail::exchange::add_field(s.res, fields);
  s.tunnel = t;
  s.write_body({}, false);

  ours->start();
  theirs->start();
  if (!ours->is_open() || !theirs->is_open()) {
    theirs->abort();
    ours->abort();
    return nullptr;
  }
  http::detail::hand_over(s, *theirs, {});
  return t;
}

// --- from the stream -------------------------------------------------------------------------

void ws_tunnel::from_client(std::string_view data) {
  if (!sock_ || !stream_) return;
  const send_result r = sock_->send(data);
  if (r.ok() && r.backpressure && !paused_client_) {
    // The WebSocket side reads slower than the client sends: stop crediting
    // the client until the socket drains (on_writable).
    paused_client_ = true;
    stream_->pause_body(true);
    sock_->request_writable();
  }
}

// The client sent END_STREAM: the session must see EOF after what came
// before, while its answer (a close frame) can still come back. So a half
// close: FIN once the socket's queue is empty, and reading goes on.
// (connection::close() would discard what arrives while closing.)
void ws_tunnel::client_ended() {
  if (sock_) sock_->shutdown_write();
}

void ws_tunnel::stream_gone() {
  stream_ = nullptr;
  if (sock_) sock_->abort();
}

void ws_tunnel::stream_writable() {
  if (sock_ && sock_->is_open()) sock_->resume_reading();
}

void ws_tunnel::end_stream() {
  if (!stream_ || ended_) return;
  ended_ = true;
  stream_->write_body({}, true);
}

// --- the socket ------------------------------------------------------------------------------

void ws_tunnel::on_data(connection& c, std::string_view bytes) {
  if (!stream_ || ended_) return;
  const send_result r = stream_->write_body(bytes, false);
  if (!r.ok()) {
    c.abort();
    return;
  }
  if (r.backpressure && stream_) {
    // The client reads slower than the session writes: leave the rest in
    // the socket until the stream has sent what it holds.
    c.pause_reading();
    stream_->writable_cb = [this](http::response&) { stream_writable(); };
    stream_->want_writable();
  }
}

void ws_tunnel::on_writable(connection& c) {
  (void)c;
  if (!paused_client_ || !stream_) return;
  paused_client_ = false;
  stream_->pause_body(false);
}

void ws_tunnel::on_peer_eof(connection& c) {
  end_stream();  // the session closed its socket: the stream ends too
  c.close();
}

void ws_tunnel::on_close(connection& c, const close_reason& why) {
  (void)c;
  (void)why;
  sock_ = nullptr;
  stream* s = stream_;
  if (!s) return;
  stream_ = nullptr;
  s->tunnel = nullptr;
  s->writable_cb = nullptr;
  // Closed without the session's EOF first (aborted): the client learns by
  // a reset, not an orderly end.
  if (!ended_) s->session.reset(*s, error::cancel);
}

void ws_tunnel::on_shutdown(connection& c) {
  (void)c;  // the WebSocket end closes (1001), and its EOF ends this side
}

}  // namespace lwspp::h2
