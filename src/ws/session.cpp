// The WebSocket session core. See session.hpp for the states; the rules
// that matter:
// - The closing handshake (RFC 6455 §5.5.1, §7): a close frame from the
//   peer is echoed with its code and the connection closes (a server closes
//   TCP first; a client waits for that, at most close_timeout); after our
//   own close frame nothing but the peer's answer is awaited, for at most
//   close_timeout. A protocol error sends its close code and closes at once.
// - A frame is written whole or not at all: header and payload are checked
//   against the connection's hard limit together before either goes out.
// - A client masks every frame with a fresh key from the kernel's CSPRNG
//   (util/random.hpp); the caller's bytes are never changed.
// - Nothing is delivered after a close frame was sent or received.
#include "ws/session.hpp"

#include <cstring>

#include "tls/session.hpp"
#include "util/random.hpp"
#include "ws/close_payload.hpp"
#include "ws/pubsub.hpp"
#include "ws/server_session.hpp"

namespace lwspp::ws::detail {

namespace {

// Frames up to this size are copied into one buffer and written with one
// send; larger ones go as header and payload (no copy unless the socket is full).
constexpr std::size_t coalesce_limit = 16 * 1024;

reader_settings reader_for(const options& o, bool streaming, endpoint side) {
  reader_settings r;
  r.side = side;
  r.max_message_size = o.max_message_size;
  r.streaming = streaming;
  r.max_fragment = o.max_fragment;
  return r;
}

std::string code_text(std::uint16_t code, std::string_view reason) {
  std::string s = "close " + std::to_string(code);
  if (!reason.empty()) {
    s += ": ";
    s.append(reason);
  }
  return s;
}

mask_key fresh_mask_key() noexcept {
  mask_key k;
  util::random_bytes(std::as_writable_bytes(std::span(k)));
  return k;
}

}  // namespace

session::session(endpoint_config& cfg, connection& c, endpoint side)
    : cfg_(&cfg),
      conn_(&c),
      reader_(reader_for(cfg.opts, static_cast<bool>(cfg.h.fragment), side)),
      client_(side == endpoint::client) {}

session::~session() = default;

void session::reopen(endpoint_config& cfg, connection& c, std::int8_t protocol) {
  cfg_ = &cfg;
  conn_ = &c;
  reader_ = message_reader(reader_for(cfg.opts, static_cast<bool>(cfg.h.fragment),
                                      client_ ? endpoint::client : endpoint::server));
  deflater_.reset();
  x_.reset();
  code_sent_ = code_received_ = 0;
  phase_ = phase::open;
  protocol_ = protocol;
  out_kind_ = message_kind::text;
  out_utf8_ = {};
  out_streaming_ = out_compressed_ = awaiting_pong_ = paused_ = feeding_ = false;
  closed_reported_ = subscribed_ = false;
}

bool session::can_rest() const noexcept {
  return !client_ && phase_ == phase::open && !feeding_ && !paused_ && !out_streaming_ &&
         !awaiting_pong_ && !subscribed_ && !x_ && !deflater_ && reader_.at_boundary() &&
         conn_->is_open() && conn_->buffered() == 0 && !conn_->reading_paused();
}

session* session::of(connection& c) noexcept {
  role& r = c.current_role();
  if (auto* s = dynamic_cast<session*>(&r)) return s;
  // A resting server WebSocket: wake it for the caller, and let it rest
  // again once this loop iteration is over.
  if (auto* resting = dynamic_cast<resting_role*>(&r); resting && c.is_open()) {
    server_session& s = resting->wake(c);
    s.rest_later();
    return &s;
  }
  return nullptr;
}

std::string_view session::protocol_name() const noexcept {
  if (protocol_ < 0 || static_cast<std::size_t>(protocol_) >= cfg_->opts.protocols.size())
    return {};
  return cfg_->opts.protocols[static_cast<std::size_t>(protocol_)];
}

session::extra& session::more() {
  if (!x_) x_ = std::make_unique<extra>();
  return *x_;
}

void session::begin(const agreement& a) {
  const endpoint side = client_ ? endpoint::client : endpoint::server;
  protocol_ = static_cast<std::int8_t>(a.protocol);
  if (a.deflate) {
    inflater_settings in = inflater_for(*a.deflate, side);
    in.release_idle = cfg_->opts.deflate.release_idle;
    reader_.enable_deflate(in);
    deflater_settings out = deflater_for(*a.deflate, side);
    out.level = cfg_->opts.deflate.level;
    out.release_idle = cfg_->opts.deflate.release_idle;
    deflater_ = std::make_unique<deflater>(out);
  }
  phase_ = phase::open;
  // HTTP's idle timeout (keep-alive) is not ours: a WebSocket may be quiet
  // for long, and pings find out whether the peer is still there.
  conn_->set_idle_timeout(std::chrono::milliseconds(0));
  cancel_timer();
  arm_ping();
  if (cfg_->h.open) cfg_->h.open(*this);
}

void session::feed_rest(std::string_view rest) {
  if (!rest.empty() && phase_ != phase::done && conn_->is_open()) on_data(*conn_, rest);
}

// --- receiving ----------------------------------------------------------------------

void session::on_data(connection& c, std::string_view bytes) {
  (void)c;
  if (awaiting_pong_) {
    // Anything from the peer shows it is there: back from the pong timeout
    // to the ping interval (counted from this read).
    awaiting_pong_ = false;
    if (phase_ == phase::open) arm_ping();
  }
  if (phase_ == phase::done || phase_ == phase::lingering || phase_ == phase::opening) return;
  if (paused_ || (x_ && !x_->held.empty())) {
    hold(bytes);
    return;
  }
  // The reader unmasks in place. Every caller hands over bytes in a buffer
  // of its own that it does not read again: the loop's read buffer (or the
  // TLS plaintext space in it), or the h1 session's copy of the bytes after
  // the request head.
  feed(std::span<char>(const_cast<char*>(bytes.data()), bytes.size()));
}

void session::feed(std::span<char> in) {
  feeding_ = true;
  for (;;) {
    const step s = reader_.feed(in);
    in = in.subspan(s.consumed);
    if (s.ev == event::need_more) break;
    if (!dispatch_step(s)) break;
    if (phase_ == phase::done || !conn_->is_open()) break;
    if (paused_) {
      hold(std::string_view(in.data(), in.size()));
      break;
    }
  }
  feeding_ = false;
}

// One reader event. False: stop feeding (closed, failed).
bool session::dispatch_step(const step& s) {
  handlers& h = cfg_->h;
  switch (s.ev) {
    case event::need_more:
      return false;
    case event::message:
      if (phase_ == phase::open && h.message) h.message(*this, s.data, s.kind);
      return true;
    case event::fragment:
      if (phase_ == phase::open && h.fragment)
        h.fragment(*this, message_piece{s.data, s.kind, s.first, s.last});
      return true;
    case event::ping:
      if (phase_ != phase::open) return true;
      // A peer that pings without reading the answers does not grow the
      // queue: past the backpressure limit pongs are skipped (RFC 6455
      // §5.5.3 allows answering only the latest ping).
      if (conn_->buffered() <= cfg_->opts.max_backpressure)
        write_frame(opcode::pong, true, false, s.data);
      if (h.ping) h.ping(*this, s.data);
      return true;
    case event::pong:
      if (phase_ == phase::open && h.pong) h.pong(*this, s.data);
      return true;
    case event::close:
      on_peer_close(s.close_code, s.data);
      return false;
    case event::error: {
      const std::uint16_t code = reader_.error_close_code();
      const std::string_view reason = reader_.error_reason();
      fail(code, reason,
           close_reason(lwspp::error::protocol_error,
                        std::string(reason) + " (byte " + std::to_string(reader_.error_offset()) +
                            " of the stream)",
                        code));
      return false;
    }
  }
  return false;
}

void session::on_peer_close(std::uint16_t code, std::string_view reason) {
  code_received_ = code;
  more().reason.assign(reason);
  if (phase_ == phase::open) {
    // Echo the code (none if the peer gave none), then close TCP.
    send_close_frame(code == 1005 ? 0 : code, {});
    finish(close_reason(lwspp::error::peer_closed, code_text(code, reason), code), true);
    return;
  }
  // The answer to our close.
  finish(std::move(x_->why), true);
}

void session::fail(std::uint16_t code, std::string_view reason, close_reason why) {
  if (phase_ == phase::open) {
    send_close_frame(code, reason);
    more().reason.assign(reason);
  }
  finish(std::move(why), false);
}

// The WebSocket is over: close the connection (flush, FIN, linger). The
// server closes TCP first (RFC 6455 §7.1.1: it, not the client, then holds
// TIME_WAIT); a client whose closing handshake is complete waits for that,
// for at most close_timeout.
void session::finish(close_reason why, bool handshake_done) {
  cancel_timer();
  if (x_) x_->held.clear();
  if (client_ && handshake_done && conn_->is_open()) {
    phase_ = phase::lingering;
    more().why = std::move(why);
    conn_->set_role_timer(cfg_->opts.close_timeout, false);
    return;
  }
  phase_ = phase::done;
  conn_->close(std::move(why));
}

void session::hold(std::string_view bytes) {
  if (bytes.empty()) return;
  more().held.append(bytes);
}

void session::feed_held() {
  if (!x_ || x_->held.empty() || paused_ || feeding_ || phase_ != phase::open) return;
  std::string work = std::move(x_->held);
  x_->held.clear();
  feed(std::span<char>(work.data(), work.size()));
}

void session::pause() {
  if (paused_ || phase_ == phase::done) return;
  paused_ = true;
  conn_->pause_reading();
}

void session::resume() {
  if (!paused_ || phase_ == phase::done) return;
  paused_ = false;
  conn_->resume_reading();
  // Bytes held at the pause go first, after the current handler returns.
  if (x_ && !x_->held.empty() && !feeding_) {
    conn_->get_loop().defer([self = connection_ref(conn_)] {
      if (session* s = of(*self)) s->feed_held();
    });
  }
}

// --- sending --------------------------------------------------------------------------

send_result session::write_frame(opcode op, bool fin, bool rsv1, std::string_view payload) {
  connection& c = *conn_;
  if (!c.is_open()) return refused();
  frame_header fh{.op = op, .fin = fin, .rsv1 = rsv1, .length = payload.size()};
  if (client_) {
    fh.masked = true;
    fh.key = fresh_mask_key();
  }
  char head[max_header_size];
  const std::size_t n = write_header(fh, std::span<char, max_header_size>(head));
  // Header and payload go together or not at all.
  if (c.buffered() + n + payload.size() > c.options().write_limit)
    return {send_status::refused, c.buffered(), true};
  if (client_) return write_masked(std::string_view(head, n), payload, fh.key);
  if (n + payload.size() <= coalesce_limit) {
    thread_local std::string frame;
    frame.assign(head, n);
    frame.append(payload);
    return c.send(std::string_view(frame));
  }
  const send_result r = c.send(std::string_view(head, n));
  if (!r) return r;
  const send_result p = c.send(payload);
  if (!p && c.is_open()) c.abort();  // half a frame would corrupt the stream
  return p;
}

// A client's frame: header and masked payload in one buffer of our own (the
// caller's bytes stay as they are), moved into the write queue when it must wait.
send_result session::write_masked(std::string_view head, std::string_view payload, mask_key key) {
  const std::size_t n = head.size() + payload.size();
  if (n <= coalesce_limit) {
    thread_local std::string frame;
    frame.resize(n);
    std::memcpy(frame.data(), head.data(), head.size());
    copy_masked(payload.data(), frame.data() + head.size(), payload.size(), key, 0);
    return conn_->send(std::string_view(frame));
  }
  std::string frame(n, '\0');
  std::memcpy(frame.data(), head.data(), head.size());
  copy_masked(payload.data(), frame.data() + head.size(), payload.size(), key, 0);
  return conn_->send(std::move(frame));
}

// A message's frames: one, or several of send_frame_size (the first with
// the message's opcode and RSV1, the rest continuations).
send_result session::write_message(opcode op, std::string_view payload, bool rsv1) {
  const std::size_t max = cfg_->opts.send_frame_size;
  if (max == 0 || payload.size() <= max) return write_frame(op, true, rsv1, payload);
  if (conn_->buffered() + payload.size() + (payload.size() / max + 1) * max_header_size >
      conn_->options().write_limit)
    return {send_status::refused, conn_->buffered(), true};
  send_result r;
  bool first = true;
  while (!payload.empty()) {
    const std::string_view part = payload.substr(0, max);
    payload.remove_prefix(part.size());
    r = write_frame(first ? op : opcode::continuation, payload.empty(), first && rsv1, part);
    if (!r) return r;
    first = false;
  }
  return r;
}

// Over the backpressure limit: the policy's answer, or nullopt to go on.
std::optional<send_result> session::check_backpressure() {
  const std::size_t queued = conn_->buffered();
  if (queued <= cfg_->opts.max_backpressure) return std::nullopt;
  switch (cfg_->opts.on_backpressure) {
    case backpressure_policy::refuse:
      conn_->request_writable();
      return send_result{send_status::refused, queued, true};
    case backpressure_policy::close_policy:
    case backpressure_policy::close_try_again_later: {
      const std::uint16_t code =
          cfg_->opts.on_backpressure == backpressure_policy::close_policy ? 1008 : 1013;
      fail(code, "slow reader",
           close_reason(lwspp::error::write_buffer_full,
                        std::to_string(queued) + " bytes unread by the peer (max_backpressure " +
                            std::to_string(cfg_->opts.max_backpressure) + ")",
                        code));
      return refused();
    }
  }
  return std::nullopt;
}

send_result session::send_message(std::string_view data, message_kind kind) {
  if (!open_for_messages() || out_streaming_) return refused();
  if (kind == message_kind::text && !util::is_valid_utf8(data)) return refused();
  if (auto r = check_backpressure()) return *r;
  const opcode op = kind == message_kind::text ? opcode::text : opcode::binary;
  if (deflater_ && data.size() >= cfg_->opts.deflate.min_size) {
    thread_local std::string z;
    z.clear();
    if (!deflater_->compress(data, z, true)) return refused();
    const send_result r = write_message(op, z, true);
    if (z.capacity() > coalesce_limit * 4) std::string().swap(z);
    return r;
  }
  return write_message(op, data, false);
}

send_result session::send_piece(std::string_view data, message_kind kind, bool last) {
  if (!open_for_messages()) return refused();
  const bool first = !out_streaming_;
  if (first) {
    if (auto r = check_backpressure()) return *r;
    out_kind_ = kind;
    out_utf8_.reset();
    out_compressed_ = deflater_ != nullptr;
  } else if (kind != out_kind_) {
    return refused();
  }
  if (out_kind_ == message_kind::text && !(out_utf8_.feed(data) && (!last || out_utf8_.complete())))
    return refused();
  const opcode op = !first                            ? opcode::continuation
                    : out_kind_ == message_kind::text ? opcode::text
                                                      : opcode::binary;
  out_streaming_ = !last;
  if (out_compressed_) {
    thread_local std::string z;
    z.clear();
    if (!deflater_->compress(data, z, last)) return refused();
    if (z.empty() && !first && !last) return {send_status::written, conn_->buffered(), false};
    return write_frame(op, last, first, z);
  }
  return write_frame(op, last, false, data);
}

send_result session::send_ping(std::string_view payload) {
  if (!open_for_messages() || payload.size() > max_control_payload) return refused();
  return write_frame(opcode::ping, true, false, payload);
}

bool session::send_close_frame(std::uint16_t code, std::string_view reason) {
  char payload[max_control_payload];
  close_write w = write_close_payload(code, reason, std::span<char, max_control_payload>(payload));
  if (!w.ok) {
    code = 1000;
    w = write_close_payload(code, {}, std::span<char, max_control_payload>(payload));
  }
  code_sent_ = code;
  return static_cast<bool>(
      write_frame(opcode::close, true, false, std::string_view(payload, w.size)));
}

void session::start_close(close_code code, std::string_view reason, close_reason why) {
  if (phase_ != phase::open || !conn_->is_open()) return;
  const auto c = static_cast<std::uint16_t>(code);
  send_close_frame(close_code_sendable(c) ? c : 1000, reason);
  extra& x = more();
  x.reason.assign(reason);
  why.protocol_code = code_sent_;
  x.why = std::move(why);
  phase_ = phase::closing;
  conn_->set_role_timer(cfg_->opts.close_timeout, false);
  resume();  // the peer answers with its close frame: read until then
}

void session::abort_now() {
  phase_ = phase::done;
  cancel_timer();
  conn_->abort();
}

void session::on_writable(connection& c) {
  (void)c;
  if (phase_ == phase::open && cfg_->h.drain) cfg_->h.drain(*this);
}

// --- timers ------------------------------------------------------------------------------

// The connection's role timer serves every deadline here, one at a time:
// the client's handshake, the ping interval (counted from the last read, so
// traffic costs no timer work), the pong, close and linger timeouts.
void session::arm_ping() {
  if (cfg_->opts.ping_interval.count() > 0) conn_->set_role_timer(cfg_->opts.ping_interval, true);
}

void session::on_role_timer(connection& c) {
  (void)c;
  if (!conn_->is_open() || phase_ == phase::done) return;
  switch (phase_) {
    case phase::opening:
      on_opening_timeout();
      return;
    case phase::closing: {
      // The peer never answered our close frame.
      close_reason why = std::move(more().why);
      why.detail += why.detail.empty() ? "" : "; ";
      why.detail += "no close frame from the peer within " +
                    std::to_string(cfg_->opts.close_timeout.count()) + " ms";
      finish(std::move(why), false);
      return;
    }
    case phase::lingering:
      // The server did not close TCP after the closing handshake: we do.
      phase_ = phase::done;
      conn_->close(std::move(x_->why));
      return;
    default:
      break;
  }
  if (awaiting_pong_) {
    // Nothing came back within pong_timeout of our ping.
    fail(1001, "ping timeout",
         close_reason(lwspp::error::idle_timeout,
                      "no answer to a ping within " +
                          std::to_string(cfg_->opts.pong_timeout.count()) + " ms",
                      1001));
    return;
  }
  // ping_interval without anything read.
  awaiting_pong_ = true;
  write_frame(opcode::ping, true, false, {});
  conn_->set_role_timer(cfg_->opts.pong_timeout, false);
}

// --- endings ------------------------------------------------------------------------------

void session::on_peer_eof(connection& c) {
  if (phase_ == phase::closing || phase_ == phase::lingering) {
    phase_ = phase::done;
    cancel_timer();
    c.close(std::move(x_->why));
    return;
  }
  if (phase_ == phase::done) return;
  phase_ = phase::done;
  cancel_timer();
  if (c.is_tls() && c.tls_session().state() == tls::session_state::failed) {
    c.close(c.tls_session().failure());  // EOF without close_notify: truncated
    return;
  }
  c.close(close_reason(lwspp::error::peer_closed, "connection closed without a close frame", 1006));
}

void session::on_shutdown(connection& c) {
  if (phase_ == phase::opening) {
    c.close(close_reason(lwspp::error::server_stopping, "stopped during the opening handshake"));
    return;
  }
  start_close(close_code::going_away, client_ ? "going away" : "server shutting down",
              close_reason(lwspp::error::server_stopping, "closing handshake at shutdown"));
}

void session::on_close(connection& c, const close_reason& why) {
  (void)c;
  report_close(why, 1006);
}

void session::end_quietly() noexcept {
  phase_ = phase::done;
  cancel_timer();
  closed_reported_ = true;
}

void session::report_close(const close_reason& why, std::uint16_t fallback) {
  leave_all_topics(*this);  // before handlers::close: a closed socket gets no more
  phase_ = phase::done;
  cancel_timer();
  if (closed_reported_) return;
  closed_reported_ = true;
  if (!cfg_->h.close) return;
  std::uint16_t code = fallback;
  if (code_received_ != 0) {
    code = code_received_;
  } else if (code_sent_ != 0) {
    code = code_sent_;
  }
  const std::string_view reason = x_ && code != fallback ? std::string_view(x_->reason) : "";
  cfg_->h.close(*this, static_cast<close_code>(code), reason, why);
}

}  // namespace lwspp::ws::detail
