// The HTTP/2 server session: frames in. See server_session.hpp; writing is
// in server_session_out.cpp.
//
// Errors, RFC 9113 §5.4: a rule broken for one stream resets that stream
// (RST_STREAM) and the connection goes on; one that leaves the connection
// state unknown (HPACK, flow-control totals, stream ids) ends it with GOAWAY.
#include "h2/server_session.hpp"

#include "h2/frame_writer.hpp"
#include "h2/request_head.hpp"
#include "h2/ws_tunnel.hpp"
#include "http/dispatch.hpp"

namespace lwspp::h2 {

namespace {

using http::detail::body_plan;

hpack::decoder_settings decoder_limits(const http::server::impl& srv) {
  // As much as an HTTP/1.1 head may hold here, counted the RFC 9113 way
  // (each field's name and value plus 32).
  const std::size_t n = srv.opts.max_header_bytes + 32 * srv.opts.max_headers;
  return {.max_table_size = 4096,
          .max_header_list_size = static_cast<std::uint32_t>(std::min<std::size_t>(n, 1u << 24))};
}

}  // namespace

server_session::server_session(http::server::impl& srv, connection& c, server_limits limits)
    : srv_(srv),
      conn_(&c),
      limits_(limits),
      reader_({.preface = preface_mode::magic_and_settings, .read_priority_update = true}),
      dec_(decoder_limits(srv)),
      conn_recv_(limits.connection_window) {}

server_session::~server_session() {
  *alive_ = false;
}

void server_session::start(http::server::impl& srv, connection& c, std::string_view first_bytes) {
  auto owned = std::make_unique<server_session>(srv, c);
  server_session& s = *owned;
  c.switch_role(s, std::move(owned));
  s.on_open(c);
  if (!first_bytes.empty() && c.is_open()) s.on_data(c, first_bytes);
}

// Our SETTINGS go first (§3.4), with the connection window raised at once.
void server_session::send_preface() {
  settings ours;
  ours.enable_push = false;
  ours.max_concurrent_streams = limits_.max_concurrent_streams;
  ours.initial_window_size = limits_.initial_window;
  ours.max_header_list_size = decoder_limits(srv_).max_header_list_size;
  ours.enable_connect_protocol = true;  // RFC 8441: WebSockets over streams
  ours.no_rfc7540_priorities = true;    // RFC 9218 §2.1: the priority field is what counts
  append_settings(out_, ours);
  if (limits_.connection_window > 65535)
    append_window_update(out_, 0, limits_.connection_window - 65535);
}

void server_session::on_open(connection& c) {
  (void)c;
  batch b(*this);
  send_preface();
  settings_sent_ = idle_since_ = now();
  arm_next();
}

stream* server_session::find(std::uint32_t id) noexcept {
  return streams_.find(id);
}

http::detail::exchange* server_session::find_exchange(std::uint64_t exchange_id) noexcept {
  for (auto& s : streams_)
    if (s->id == exchange_id) return s.get();
  return nullptr;
}

void server_session::on_data(connection& c, std::string_view bytes) {
  (void)c;
  if (failed_) return;
  batch b(*this);
  read_frames(reader_, bytes, *this);
  if (!failed_ && backed_up() && !read_paused_) {
    // The client sends requests faster than it reads the answers: read no
    // more until they drain (on_writable).
    read_paused_ = true;
    conn_->pause_reading();
    conn_->request_writable();
  }
}

// --- streams opened and closed -------------------------------------------------------

void server_session::on_headers(const header_block& h) {
  if (failed_) return;
  const std::uint32_t id = h.stream_id;
  if (id % 2 == 0) return fail(error::protocol_error, "HEADERS on an even stream id");
  // Decoded whatever happens next: the HPACK table must stay in step.
  const hpack::decode_result d = dec_.decode(h.block, fields_);
  if (!d.ok() && hpack::is_connection_error(d.err))
    return fail(error::compression_error, "header block cannot be decoded");
  if (stream* s = find(id)) {
    // Trailers: they end the request; their fields are not used.
    if (s->remote_closed) return reset(*s, error::stream_closed);
    if (!h.end_stream || !d.ok()) return reset(*s, error::protocol_error);
    for (const hpack::header_field f : fields_)
      if (!f.name.empty() && f.name.front() == ':') return reset(*s, error::protocol_error);
    return end_request(*s);
  }
  if (id <= last_peer_stream_) {
    if (reset_by_us(id)) return;  // in flight when we reset it
    // §5.1, closed: after the client's RST_STREAM a stream error, after its
    // END_STREAM a connection error; both STREAM_CLOSED. An id never used
    // (or closed long ago) is a decreasing stream id (§5.1.1).
    switch (how_closed(id)) {
      case ended::reset_by_peer:
        return refuse(id, error::stream_closed);
      case ended::normally:
        return fail(error::stream_closed, "HEADERS on a closed stream");
      case ended::unknown:
        break;
    }
    return fail(error::protocol_error, "HEADERS on a closed stream or a decreasing stream id");
  }
  last_peer_stream_ = id;
  if (goaway_sent_ && id > goaway_last_) return;  // §6.8: ignored after GOAWAY
  if (h.stream_error != error::no_error) return refuse(id, h.stream_error);
  if (streams_.size() >= limits_.max_concurrent_streams) return refuse(id, error::refused_stream);
  open_stream(h, d.ok());
}

std::unique_ptr<stream> server_session::new_stream(std::uint32_t id) {
  if (spare_.empty())
    return std::make_unique<stream>(*this, id, peer_.initial_window_size, limits_.initial_window);
  std::unique_ptr<stream> s = std::move(spare_.back());
  spare_.pop_back();
  s->reopen(id, peer_.initial_window_size, limits_.initial_window);
  return s;
}

void server_session::reap() {
  reap_scheduled_ = false;
  // As many spares as streams may be open at once: a client that keeps its
  // streams busy allocates none (they are freed after spare_idle without
  // any open). A failed push_back leaves the rest for the next reap.
  for (std::unique_ptr<stream>& s : dead_) {
    if (!s) continue;
    s->retire();
    if (spare_.size() < limits_.max_concurrent_streams) spare_.push_back(std::move(s));
  }
  dead_.clear();
  if (streams_.empty() && !spare_.empty()) watch(idle_since_ + spare_idle);
}

void server_session::open_stream(const header_block& h, bool fields_ok) {
  streams_.add(new_stream(h.stream_id));
  stream& s = *streams_.find(h.stream_id);
  s.id = ++serial_;
  s.remote_closed = h.end_stream;
  s.progress = now();
  if (!h.end_stream) watch(s.progress + srv_.opts.body_timeout);
  if (!fields_ok) {
    // Too many header bytes: decoded (the table is in step) and dropped.
    http::detail::exchange::set_head(s.req, http::method::other, "", "", "", "", 20);
    http::detail::send_error(s, 431);
  } else {
    const request_head_result r = read_request_head(fields_, s);
    if (r.code != error::no_error) return reset(s, r.code);
    s.content_length = r.content_length;
    s.prio = r.prio;
    // A PRIORITY_UPDATE sent before the request wins over its field (RFC 9218 §7.1).
    for (early_priority& e : early_)
      if (e.id == h.stream_id) {
        s.prio = e.prio;
        e.id = 0;
      }
    s.head_request = s.req.verb() == http::method::head;
    if (r.status != 0) {
      http::detail::send_error(s, r.status);
    } else {
      s.dispatched = true;
      const http::detail::begin_result b = http::detail::begin(s);
      s.plan = b.plan;
      s.max_body = b.max_body;
      if (s.plan == body_plan::upgrade && !s.closed) ws_tunnel::open(s);  // RFC 8441
      if (!s.closed && s.content_length > 0 && s.plan != body_plan::discard &&
          static_cast<std::uint64_t>(s.content_length) > s.max_body)
        return too_large(s);
    }
  }
  if (h.end_stream && !s.closed) end_request(s);
}

// A request body over the route's limit: 413 when nothing was answered yet.
void server_session::too_large(stream& s) {
  if (s.res.headers_sent()) return reset(s, error::cancel);
  s.plan = body_plan::discard;
  http::detail::send_error(s, 413);
}

void server_session::end_request(stream& s) {
  if (s.content_length >= 0 && static_cast<std::uint64_t>(s.content_length) != s.body_received)
    return reset(s, error::protocol_error);  // §8.1.1: malformed
  s.on_request_end();
}

void server_session::refuse(std::uint32_t id, error code) {
  append_rst_stream(out_, id, code);
  remember_reset(id);
}

void server_session::reset(stream& s, error code) {
  if (s.closed) return;
  refuse(s.stream_id, code);
  s.abort_exchange();
  close_stream(s);
}

void server_session::local_end(stream& s) {
  if (s.closed) return;
  if (s.remote_closed) return close_stream(s);
  // §8.1: the response is complete before the request: the client may stop
  // sending it.
  reset(s, error::no_error);
}

void server_session::close_stream(stream& s) {
  if (s.closed) return;
  s.closed = true;
  s.close_file();
  if (s.res.ended() && srv_.log) srv_.log->write(s.req, s.res.status(), s.body_bytes_out);
  if (!reset_by_us(s.stream_id))
    recent_closed_[recent_closed_next_++ % std::size(recent_closed_)] =
        s.stream_id | (s.reset_by_peer ? 0x80000000u : 0);
  std::unique_ptr<stream> owned = streams_.take(s.stream_id);
  if (!owned) return;
  dead_.push_back(std::move(owned));
  if (streams_.empty()) {
    idle_since_ = now();
    watch(idle_since_ + srv_.opts.keepalive_timeout);
  }
  if (!reap_scheduled_) {
    // Freed after this callback: a handler may still hold its request and
    // response (a response that ended in res.send() inside on_request).
    reap_scheduled_ = true;
    conn_->get_loop().defer([this, alive = alive_] {
      if (*alive) reap();
    });
  }
  maybe_finish();
}

void server_session::remember_reset(std::uint32_t id) {
  recent_resets_[recent_reset_next_++ % std::size(recent_resets_)] = id;
}

bool server_session::reset_by_us(std::uint32_t id) const noexcept {
  for (const std::uint32_t r : recent_resets_)
    if (r == id) return true;
  return false;
}

server_session::ended server_session::how_closed(std::uint32_t id) const noexcept {
  for (const std::uint32_t c : recent_closed_)
    if ((c & 0x7fffffffu) == id && c != 0)
      return (c & 0x80000000u) ? ended::reset_by_peer : ended::normally;
  return ended::unknown;
}

// --- request bodies ---------------------------------------------------------------------

void server_session::on_data(const data_piece& d) {
  if (failed_) return;
  if (d.first) {
    // Empty DATA frames that do not end the stream cost work and carry
    // nothing (CVE-2019-9518): counted with the control frames.
    if (d.frame_length == 0 && !d.end_stream &&
        over_rate(control_in_window_, limits_.max_control_per_second))
      return fail(error::enhance_your_calm, "empty DATA flood");
    if (!conn_recv_.receive(d.frame_length))
      return fail(error::flow_control_error, "DATA over the connection window");
    // The connection's credit comes back at once: each stream's window
    // bounds what waits for a handler.
    conn_recv_.consumed(d.frame_length);
  }
  stream* s = find(d.stream_id);
  if (!s) {
    if (d.stream_id > last_peer_stream_)
      return fail(error::protocol_error, "DATA on an idle stream");
    if (d.first && !reset_by_us(d.stream_id)) refuse(d.stream_id, error::stream_closed);
    return;
  }
  if (s->remote_closed) return reset(*s, error::stream_closed);
  if (d.first) {
    if (!s->recv_win.receive(d.frame_length)) return reset(*s, error::flow_control_error);
    s->frame_left = d.frame_length;
    s->progress = now();
  }
  s->frame_left -= static_cast<std::uint32_t>(d.data.size());
  if (d.last && s->frame_left > 0) {
    consumed(*s, s->frame_left);  // padding: nothing to deliver, credit now
    s->frame_left = 0;
  }
  s->body_received += d.data.size();
  if (s->content_length >= 0 && s->body_received > static_cast<std::uint64_t>(s->content_length))
    return reset(*s, error::protocol_error);
  if (s->plan == body_plan::whole && s->body_received > s->max_body) return too_large(*s);
  if (!d.data.empty()) s->on_request_data(d.data);
  if (d.last && d.end_stream && !s->closed) {
    s->remote_closed = true;
    end_request(*s);
  }
}

void server_session::consumed(stream& s, std::uint32_t n) {
  s.recv_win.consumed(n);
  if (s.remote_closed) return;
  if (const std::uint32_t inc = s.recv_win.take_update())
    append_window_update(out_, s.stream_id, inc);
}

// --- control frames ----------------------------------------------------------------------

bool server_session::over_rate(std::uint32_t& count, std::uint32_t limit) {
  const auto now = std::chrono::steady_clock::now();
  if (now - rate_start_ >= std::chrono::seconds(1)) {
    rate_start_ = now;
    resets_in_window_ = control_in_window_ = 0;
  }
  return ++count > limit;
}

void server_session::on_rst_stream(const rst_stream_frame& f) {
  if (failed_) return;
  if (f.stream_id > last_peer_stream_)
    return fail(error::protocol_error, "RST_STREAM on an idle stream");
  stream* s = find(f.stream_id);
  if (!s) return;  // closed already
  const bool cancelled = !s->res.ended();
  s->reset_by_peer = true;
  s->abort_exchange();
  close_stream(*s);
  if (cancelled && over_rate(resets_in_window_, limits_.max_resets_per_second))
    fail(error::enhance_your_calm, "too many streams reset by the client");
}

void server_session::on_settings(const settings_frame& f) {
  if (failed_) return;
  if (f.ack) {
    settings_acked_ = true;  // nothing else to do: what we announced holds
    return;
  }
  if (over_rate(control_in_window_, limits_.max_control_per_second))
    return fail(error::enhance_your_calm, "SETTINGS flood");
  const std::uint32_t old_window = peer_.initial_window_size;
  if (const error e = peer_.apply_payload(f.entries); e != error::no_error)
    return fail(e, "bad SETTINGS value");
  enc_.hpack().set_peer_max_table_size(peer_.header_table_size);
  append_settings_ack(out_);
  if (peer_.initial_window_size != old_window) {
    // §6.9.2: every open stream's window moves by the difference.
    const std::int64_t delta = std::int64_t{peer_.initial_window_size} - old_window;
    for (auto& s : streams_) {
      if (!s->send_win.grow(delta))
        return fail(error::flow_control_error, "SETTINGS_INITIAL_WINDOW_SIZE overflows a window");
      if (s->pending() > 0) schedule(*s);
    }
  }
}

void server_session::on_ping(const ping_frame& f) {
  if (failed_ || f.ack) return;
  if (over_rate(control_in_window_, limits_.max_control_per_second))
    return fail(error::enhance_your_calm, "PING flood");
  append_ping(out_, f.opaque, true);
}

// Frames that need no answer still cost a parse each: a flood of them is
// ended like a PING flood.
void server_session::on_priority(const priority_frame& f) {
  (void)f;
  if (!failed_ && over_rate(control_in_window_, limits_.max_control_per_second))
    fail(error::enhance_your_calm, "PRIORITY flood");
}

void server_session::on_unknown(const unknown_frame& f) {
  (void)f;
  if (!failed_ && over_rate(control_in_window_, limits_.max_control_per_second))
    fail(error::enhance_your_calm, "flood of frames of unknown types");
}

void server_session::on_priority_update(const priority_update_frame& f) {
  if (failed_) return;
  if (over_rate(control_in_window_, limits_.max_control_per_second))
    return fail(error::enhance_your_calm, "PRIORITY_UPDATE flood");
  if (stream* s = find(f.stream_id)) return reprioritize(*s, parse_priority(f.value, s->prio));
  // Closed streams, and the even ids of push streams this server never
  // opens, are not ours to schedule.
  if (f.stream_id <= last_peer_stream_ || f.stream_id % 2 == 0) return;
  for (early_priority& e : early_)
    if (e.id == f.stream_id) {
      e.prio = parse_priority(f.value, e.prio);
      return;
    }
  early_[early_next_++ % std::size(early_)] = {f.stream_id, parse_priority(f.value)};
}

void server_session::on_goaway(const goaway_frame& f) {
  (void)f;
  peer_goaway_ = true;  // no new streams will come; finish the ones open
  maybe_finish();
}

void server_session::on_window_update(const window_update_frame& f) {
  if (failed_) return;
  if (f.stream_id == 0) {
    if (!conn_send_.grow(f.increment))
      return fail(error::flow_control_error, "connection window over 2^31-1");
    return;  // the batch's end pumps what waited
  }
  stream* s = find(f.stream_id);
  if (!s) {
    if (f.stream_id > last_peer_stream_)
      fail(error::protocol_error, "WINDOW_UPDATE on an idle stream");
    return;
  }
  if (!s->send_win.grow(f.increment)) return reset(*s, error::flow_control_error);
  if (s->pending() > 0 || s->end_pending()) schedule(*s);
}

void server_session::on_stream_error(const frame_error& e) {
  if (failed_) return;
  if (stream* s = find(e.stream_id)) return reset(*s, e.code);
  refuse(e.stream_id, e.code);
}

void server_session::on_connection_error(const frame_error& e) {
  fail(e.code, e.reason);
}

// --- the connection's end ------------------------------------------------------------------

void server_session::fail(error code, std::string_view why) {
  if (failed_) return;
  failed_ = true;
  append_goaway(out_, last_peer_stream_, code, why);
  flush();
  if (conn_->is_open()) conn_->close(close_reason(make_error_code(code), std::string(why)));
}

void server_session::maybe_finish() {
  if (!(goaway_sent_ || peer_goaway_) || !streams_.empty() || failed_) return;
  if (!conn_->is_open()) return;
  flush();
  conn_->close(
      close_reason(goaway_sent_ ? lwspp::error::server_stopping : lwspp::error::peer_closed));
}

void server_session::on_shutdown(connection& c) {
  (void)c;
  batch b(*this);
  if (goaway_sent_ || failed_) return;
  // Graceful (§6.8): streams up to the last one opened are finished, later
  // ones ignored, and the connection closes when none is left.
  goaway_sent_ = true;
  goaway_last_ = last_peer_stream_;
  append_goaway(out_, last_peer_stream_, error::no_error);
  maybe_finish();
}

void server_session::on_peer_eof(connection& c) {
  (void)c;
  batch b(*this);
  peer_goaway_ = true;  // nothing more can arrive: answer what is open, then close
  // A stream still receiving (a request body, a WebSocket) can never be
  // completed: it ends as if reset (its handler's on_abort runs).
  thread_local std::vector<std::uint32_t> open;
  open.clear();
  for (auto& s : streams_)
    if (!s->remote_closed) open.push_back(s->stream_id);
  for (const std::uint32_t id : open) {
    if (stream* s = find(id)) {
      s->abort_exchange();
      close_stream(*s);
    }
  }
  maybe_finish();
}

void server_session::on_close(connection& c, const close_reason& why) {
  (void)c;
  (void)why;
  failed_ = true;
  for (auto& s : streams_) {
    s->closed = true;
    s->abort_exchange();
  }
}

}  // namespace lwspp::h2
