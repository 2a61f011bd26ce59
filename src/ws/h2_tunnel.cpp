// The WebSocket client's HTTP/2 stream (RFC 8441). See h2_tunnel.hpp.
#include "ws/h2_tunnel.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "h2/client_session.hpp"
#include "ws/client_core.hpp"
#include "ws/client_handshake.hpp"

namespace lwspp::ws::detail {

namespace {

// The session's bytes held before the stream takes them, at most (then the
// socket is not read until pulled).
constexpr std::size_t high_water = 64 * 1024;

close_reason failure(client_error e, std::string detail, int code = 0) {
  return close_reason(make_error_code(e), std::move(detail), code);
}

void add_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out += ": ";
  out.append(value);
  out += "\r\n";
}

}  // namespace

result<void> h2_tunnel::start(const std::shared_ptr<client_core>& core, connection& c) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
    return error_info(
        std::error_code(errno, std::system_category()),
        std::string("no socket pair for the WebSocket over HTTP/2: ") + std::strerror(errno));
  loop& l = c.get_loop();
  auto t = std::make_shared<h2_tunnel>(core);
  t->secure_ = c.is_tls();
  const connection_ref ours = connection::create(l, fds[0], *t, c.options());
  ours->share_role(t);
  ours->set_idle_timeout(std::chrono::milliseconds(0));  // the WebSocket side times itself
  t->sock_ = ours.get();
  // The session core takes a connection when made, before its own exists:
  // c until its on_open, which makes the socketpair's end its connection.
  auto ws = std::make_unique<h2_client_session>(core, c, t);
  const connection_ref theirs = connection::create(l, fds[1], *ws, c.options());
  theirs->own_role(std::move(ws));
  theirs->set_idle_timeout(std::chrono::milliseconds(0));
  theirs->set_peer(c.peer());  // handlers see the server's address

  // The HTTP/2 session takes the attempt's connection over.
  auto h2s = std::make_unique<h2::client_session>(t, 0, h2::client_limits{.single_use = true});
  h2::client_session& s = *h2s;
  c.switch_role(s, std::move(h2s));  // the caller's role is freed after its callback
  ours->start();
  theirs->start();  // the session's on_open: the attempt is now its own
  s.on_open(c);
  return {};
}

h2_tunnel::h2_tunnel(std::shared_ptr<client_core> core) : core_(std::move(core)) {
  const client_options& o = core_->options();
  // The WebSocket session keeps the time (its handshake timeout, then its
  // pings): no HTTP/2 deadline of its own. The connection is this
  // WebSocket's only, so it is never idle in a pool.
  hopts_.first_byte_timeout = std::chrono::milliseconds(0);
  hopts_.read_timeout = std::chrono::milliseconds(0);
  hopts_.idle_timeout = std::chrono::milliseconds(0);
  hopts_.max_response_head = o.max_response_head;
  build_request();
}

h2_tunnel::~h2_tunnel() = default;

// The extended CONNECT (RFC 8441 §4, §5): no Upgrade, Connection or
// Sec-WebSocket-Key; the version, subprotocols and extensions as in HTTP/1.1.
void h2_tunnel::build_request() {
  const client_options& o = core_->options();
  const url u = core_->current_url();
  target_ = u.resource;
  authority_ = u.authority();
  add_field(fields_, "sec-websocket-version", "13");
  const auto& protocols = core_->config().opts.protocols;
  if (!protocols.empty()) {
    std::string list;
    for (const std::string& p : protocols) {
      if (!list.empty()) list += ", ";
      list += p;
    }
    add_field(fields_, "sec-websocket-protocol", list);
  }
  if (const auto& d = core_->deflate_offer())
    add_field(fields_, "sec-websocket-extensions", format_deflate_offer(*d));
  if (!o.origin.empty()) add_field(fields_, "origin", o.origin);
  for (const auto& [name, value] : o.headers)
    add_field(fields_, name, value);
  req_ = {.method = "CONNECT",
          .target = target_,
          .authority = authority_,
          .fields = fields_,
          .body = {},
          .streamed = true,
          .send_length = false,
          .has_length = false,
          .length = 0,
          .head = false,
          .idempotent = false,
          .protocol = "websocket"};
}

// --- the HTTP/2 session's owner --------------------------------------------------------------

void h2_tunnel::session_open(http::detail::pooled_session& s) {
  h2_ = static_cast<h2::client_session*>(&s);
  // The CONNECT waits for the server's SETTINGS (session_idle).
}

void h2_tunnel::session_idle(http::detail::pooled_session& s) {
  if (!h2_ || &s != h2_) return;
  if (started_) {
    // The stream ended (the session closes its connection: single_use).
    if (s.idle()) live_ = false;
    return;
  }
  if (!h2_->settings_received() || !ws_ || !s.accepting()) return;
  if (!h2_->connect_protocol()) {
    // RFC 8441 §3: without SETTINGS_ENABLE_CONNECT_PROTOCOL no extended
    // CONNECT may be sent. HTTP/1.1 on a new connection instead.
    // The session ends first (quietly: the core starts the next attempt),
    // then this connection.
    core_->fall_back_to_h1();
    ws_->quit_for_fallback();
    end_h2(close_reason(lwspp::error::closed_locally,
                        "no extended CONNECT on this server: HTTP/1.1 instead"));
    return;
  }
  started_ = live_ = true;
  s.start(shared_from_this());
}

void h2_tunnel::session_closed(http::detail::pooled_session& s, const close_reason& why,
                               bool was_open) {
  (void)s;
  (void)was_open;
  h2_ = nullptr;
  live_ = false;
  // Streams failed before this (on_fail); a close before the CONNECT went
  // out ends the attempt with the connection's reason.
  fail_ws(why.is(lwspp::error::peer_closed) && !started_
              ? failure(client_error::handshake_invalid,
                        "the server closed the HTTP/2 connection before the WebSocket opened")
              : why);
}

void h2_tunnel::end_h2(close_reason why) {
  if (h2::client_session* s = h2_) s->close_connection(std::move(why));
}

// --- the stream ------------------------------------------------------------------------------

http::source_status h2_tunnel::pull(http::body_sink& sink) {
  if (!out_.empty()) {
    sink.write(out_);  // the stream keeps it; it stops pulling past its own high water
    out_.clear();
    if (sock_ && !eof_) sock_->resume_reading();
  }
  if (eof_) return http::source_status::done;
  waiting_ = true;
  return http::source_status::deferred;
}

void h2_tunnel::on_head(http::client_response& r) {
  if (r.status < 200 || r.status > 299) {
    live_ = false;
    if (h2_) h2_->abandon(*this);
    return fail_ws(failure(client_error::handshake_status,
                           "HTTP " + std::to_string(r.status) + " to the extended CONNECT",
                           r.status));
  }
  int protocol_fields = 0;
  std::string_view protocol;
  std::string extensions;
  for (const auto& [name, value] : r.headers) {
    if (name == "sec-websocket-protocol") {
      ++protocol_fields;
      protocol = value;
    } else if (name == "sec-websocket-extensions") {
      if (!extensions.empty()) extensions += ", ";
      extensions += value;
    }
  }
  auto a = check_agreement(protocol, protocol_fields, extensions, core_->config().opts.protocols,
                           core_->deflate_offer());
  if (!a) {
    live_ = false;
    if (h2_) h2_->abandon(*this);
    return fail_ws(close_reason(a.error()));
  }
  opened_ = true;
  if (ws_) ws_->accepted(*a);
}

// Our END_STREAM is out. After the session closed (ws_ gone) a server that
// has not ended its half (it did not close after the closing handshake,
// and the session's close_timeout ran out) has nothing more we want.
void h2_tunnel::on_sent() {
  if (server_done_ || ws_ || !live_ || !h2_) return;
  live_ = false;
  h2_->abandon(*this);  // RST_STREAM CANCEL; the connection closes with its stream
}

void h2_tunnel::on_body(std::string_view piece) {
  if (!sock_) return;
  const send_result r = sock_->send(piece);
  if (r.ok() && r.backpressure && !paused_stream_ && h2_) {
    // The session reads slower than the server sends: no more credit to
    // the server until the socket drains (on_writable).
    paused_stream_ = true;
    h2_->pause(*this, true);
    sock_->request_writable();
  }
}

void h2_tunnel::on_end() {
  server_done_ = true;
  if (eof_) live_ = false;  // our END_STREAM went first: the stream is closed
  shut_socket_if_drained();
}

void h2_tunnel::on_fail(const error_info& why, bool anything_received) {
  (void)anything_received;
  live_ = false;
  // RST_STREAM NO_ERROR after the server's END_STREAM (RFC 9113 §8.1): it
  // wants no more of our half. The session has its EOF coming already.
  if (server_done_ && !why.code) return;
  fail_ws(close_reason(why.code, why.detail));
}

// The server ended its half: the session sees EOF after what came before.
void h2_tunnel::shut_socket_if_drained() {
  if (!server_done_ || !sock_) return;
  if (sock_->buffered() == 0)
    ::shutdown(sock_->fd(), SHUT_WR);
  else
    sock_->request_writable();
}

// The attempt's WebSocket ends with `why` (before it opened: the attempt
// failed; after: the stream was reset or the connection dropped).
void h2_tunnel::fail_ws(close_reason why) {
  if (!ws_) return;
  ws_->conn_ref().close(std::move(why));
}

// --- the WebSocket session -------------------------------------------------------------------

void h2_tunnel::ws_closed(const close_reason& why) {
  ws_ = nullptr;
  if (why.is(lwspp::error::aborted) || !opened_) {
    // Aborted (nothing more of it goes out), or over before the server's
    // 2xx (a handshake timeout, a refusal): the stream and its connection go.
    if (live_ && h2_) {
      live_ = false;
      h2_->abandon(*this);  // RST_STREAM CANCEL
    }
    if (sock_) sock_->abort();
    end_h2(close_reason(lwspp::error::closed_locally, "the WebSocket ended"));
  }
  // Otherwise its last bytes and EOF come through the socket (on_peer_eof).
}

// --- our socket end --------------------------------------------------------------------------

void h2_tunnel::on_data(connection& c, std::string_view bytes) {
  if (!live_) return;
  out_.append(bytes);
  if (out_.size() >= high_water) c.pause_reading();  // pull() resumes
  if (waiting_ && h2_) {
    waiting_ = false;
    h2_->body_ready(*this);
  }
}

void h2_tunnel::on_writable(connection& c) {
  (void)c;
  shut_socket_if_drained();
  if (paused_stream_ && h2_) {
    paused_stream_ = false;
    h2_->pause(*this, false);
  }
}

void h2_tunnel::on_peer_eof(connection& c) {
  // The session closed its socket: our half of the stream ends.
  eof_ = true;
  if (waiting_ && h2_ && live_) {
    waiting_ = false;
    h2_->body_ready(*this);
  }
  c.close();
}

void h2_tunnel::on_close(connection& c, const close_reason& why) {
  (void)c;
  (void)why;
  sock_ = nullptr;
  if (!eof_ && live_ && h2_) {
    live_ = false;
    h2_->abandon(*this);
  }
}

void h2_tunnel::on_shutdown(connection& c) {
  (void)c;  // the WebSocket end closes (1001), and its EOF ends this side
}

}  // namespace lwspp::ws::detail
