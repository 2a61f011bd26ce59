// The HTTP/2 client session: its life, the pool's side and control frames.
// See client_session.hpp; responses are read in client_session_in.cpp,
// requests written in client_session_out.cpp.
//
// Errors, RFC 9113 §5.4: a rule the server breaks on one stream fails that
// request (RST_STREAM goes out, the connection goes on); one that leaves the
// connection's state unknown (HPACK, windows, stream ids) fails every
// request with GOAWAY and the connection closes.
#include "h2/client_session.hpp"

#include <algorithm>

#include "h2/frame_writer.hpp"
#include "http/pooled_session.hpp"

namespace lwspp::h2 {

namespace {

hpack::decoder_settings decoder_limits(const http::client_options& o) {
  // As much as an HTTP/1.1 response head may hold, counted the RFC 9113
  // way (each field's name and value plus 32, for up to 128 fields).
  const std::size_t n = o.max_response_head + hpack::field_overhead * 128;
  return {.max_table_size = 4096,
          .max_header_list_size = static_cast<std::uint32_t>(std::min<std::size_t>(n, 1u << 24))};
}

}  // namespace

client_session::client_session(std::shared_ptr<http::detail::session_owner> pool,
                               std::uint64_t serial, client_limits limits)
    : pooled_session(serial),
      pool_(std::move(pool)),
      limits_(limits),
      reader_({.preface = preface_mode::settings}),
      dec_(decoder_limits(pool_->opts())),
      conn_recv_(limits.connection_window),
      scheme_(pool_->secure() ? "https" : "http"),
      max_streams_(limits.assumed_max_streams) {}

client_session::~client_session() = default;

client_stream* client_session::find(std::uint32_t id) noexcept {
  const auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

client_stream* client_session::find(const http::detail::client_exchange& x) noexcept {
  for (auto& [id, s] : streams_)
    if (s->x.get() == &x) return s.get();
  return nullptr;
}

// --- the pool's side ----------------------------------------------------------------

bool client_session::accepting() const noexcept {
  return open_ && !goaway_ && !failed_ && next_id_ <= limits_.last_stream_id;
}

bool client_session::can_take(const http::detail::client_exchange& x) const noexcept {
  (void)x;
  return accepting() && streams_.size() < max_streams_;
}

void client_session::rest() {
  timer_set_ = false;
  // Replaces a stream's deadline; 0: no idle timeout, and no timer.
  const auto t = std::max(pool_->opts().idle_timeout, std::chrono::milliseconds(0));
  if (conn_ && conn_->is_open()) conn_->set_role_timer(t, false);
}

void client_session::close_connection(close_reason why) {
  if (conn_ && conn_->current_state() != connection::state::closed) conn_->close(std::move(why));
}

clock_type::time_point client_session::deadline_of(const client_stream& s) const noexcept {
  constexpr auto none = clock_type::time_point::max();
  // Still sending the request (as HTTP/1.1: no deadline while the body goes
  // out), held back by our reader, or an open tunnel (its user keeps time).
  if (s.closed || s.paused || (!s.local_closed && s.received == 0)) return none;
  if (s.head_done && !s.x->outgoing().protocol.empty()) return none;
  const http::client_options& o = pool_->opts();
  const std::chrono::milliseconds t = s.received == 0 ? o.first_byte_timeout : o.read_timeout;
  return t.count() > 0 ? s.since + t : none;
}

void client_session::progress(client_stream& s) noexcept {
  s.since = conn_ ? conn_->get_loop().now() : clock_type::now();
}

// The role timer at the earliest deadline. Called at the end of every batch
// with streams open: deadlines only move later as frames arrive, so an
// unchanged earliest one leaves the timer alone.
void client_session::arm_timer() {
  if (!conn_ || !conn_->is_open() || streams_.empty()) return;
  clock_type::time_point next = clock_type::time_point::max();
  for (const auto& [id, s] : streams_)
    next = std::min(next, deadline_of(*s));
  if (timer_set_ && next == timer_at_) return;
  timer_set_ = true;
  timer_at_ = next;
  if (next == clock_type::time_point::max()) {
    conn_->set_role_timer(std::chrono::milliseconds(0), false);  // and no idle timer either
    return;
  }
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(next - conn_->get_loop().now());
  conn_->set_role_timer(std::max(left, std::chrono::milliseconds(1)), false);
}

void client_session::on_role_timer(connection& c) {
  batch b(*this);
  timer_set_ = false;
  if (streams_.empty()) {
    close_connection(close_reason(lwspp::error::idle_timeout, "idle in the pool"));
    return;
  }
  const clock_type::time_point now = c.get_loop().refresh_now();
  const http::client_options& o = pool_->opts();
  std::vector<client_stream*> late;
  for (auto& [id, s] : streams_)
    if (deadline_of(*s) <= now) late.push_back(s.get());
  std::sort(late.begin(), late.end(),
            [](const client_stream* a, const client_stream* b) { return a->id < b->id; });
  // The same codes and words as HTTP/1.1; the connection and the other
  // streams go on.
  for (client_stream* s : late) {
    if (s->closed) continue;
    const bool none = s->received == 0;
    fail_stream(*s,
                none ? error_info(make_error_code(http::client_error::first_byte_timeout),
                                  "no response within " +
                                      std::to_string(o.first_byte_timeout.count()) + " ms")
                     : error_info(make_error_code(http::client_error::read_timeout),
                                  "the response stalled for " +
                                      std::to_string(o.read_timeout.count()) + " ms"),
                error::cancel);
  }
}

// --- opening and closing --------------------------------------------------------------

// The client preface (§3.4): the magic, our SETTINGS, then the connection
// window raised at once.
void client_session::send_preface() {
  out_.append(client_preface);
  settings ours;
  ours.enable_push = false;
  ours.initial_window_size = limits_.initial_window;
  ours.max_header_list_size = decoder_limits(pool_->opts()).max_header_list_size;
  append_settings(out_, ours);
  if (limits_.connection_window > 65535)
    append_window_update(out_, 0, limits_.connection_window - 65535);
}

void client_session::on_open(connection& c) {
  conn_ = &c;
  open_ = true;
  opened_at_ = c.get_loop().refresh_now();
  {
    batch b(*this);
    send_preface();
  }
  pool_->session_open(*this);
}

void client_session::on_data(connection& c, std::string_view bytes) {
  (void)c;
  if (failed_) return;
  batch b(*this);
  read_frames(reader_, bytes, *this);
}

void client_session::on_writable(connection& c) {
  (void)c;
  batch b(*this);
  if (stalled_) {
    stalled_ = false;
    for (auto& [id, s] : streams_)
      if (s->stalled_source) {
        s->stalled_source = false;
        schedule(*s);
      }
  }
}

void client_session::close_stream(client_stream& s) {
  if (s.closed) return;
  s.closed = true;
  const auto it = streams_.find(s.id);
  if (it == streams_.end()) return;
  dead_.push_back(std::move(it->second));
  streams_.erase(it);
  room_ = true;
}

void client_session::reset_stream(client_stream& s, error code) {
  if (s.closed) return;
  if (!failed_) append_rst_stream(out_, s.id, code);
  close_stream(s);
}

void client_session::fail_stream(client_stream& s, const error_info& why, error rst_code) {
  if (s.closed) return;
  const bool got = s.received > 0;
  reset_stream(s, rst_code);
  s.x->on_fail(why, got);
}

void client_session::fail_all(const error_info& why) {
  std::vector<client_stream*> all;
  for (auto& [id, s] : streams_)
    all.push_back(s.get());
  std::sort(all.begin(), all.end(),
            [](const client_stream* a, const client_stream* b) { return a->id < b->id; });
  for (client_stream* s : all) {
    if (s->closed) continue;
    const bool got = s->received > 0;
    close_stream(*s);
    s->x->on_fail(why, got);
  }
}

void client_session::fail(error code, error_info why) {
  if (failed_) return;
  batch b(*this);
  append_goaway(out_, 0, code, why.detail);
  flush();
  failed_ = true;
  fail_all(why);
  close_connection(close_reason(why.code, why.detail));
}

void client_session::maybe_close() {
  if (!streams_.empty() || !conn_ || !conn_->is_open()) return;
  if (goaway_)
    close_connection(close_reason(lwspp::error::peer_closed, "the server sent GOAWAY"));
  else if (next_id_ > limits_.last_stream_id)
    close_connection(close_reason(lwspp::error::closed_locally, "stream ids used up"));
  else if (limits_.single_use && served_ > 0)
    close_connection(close_reason(lwspp::error::closed_locally, "its streams have ended"));
}

void client_session::on_shutdown(connection& c) {
  {
    batch b(*this);
    if (!failed_) append_goaway(out_, 0, error::no_error);
    flush();
    failed_ = true;
    fail_all(error_info(make_error_code(http::client_error::stopping), "the context is stopping"));
  }
  c.close();
}

void client_session::on_close(connection& c, const close_reason& why) {
  (void)c;
  const bool was_open = open_;
  open_ = false;
  failed_ = true;
  {
    batch b(*this);
    if (!streams_.empty()) {
      // A clean close by either side in the middle of a response is, for
      // the request, the server going away.
      if (why.clean())
        fail_all(error_info(make_error_code(http::client_error::truncated),
                            "the connection closed before the response"));
      else
        fail_all(why);
    }
    room_ = false;
  }
  auto keep = pool_;
  conn_ = nullptr;
  keep->session_closed(*this, why, was_open);
}

// --- control frames ----------------------------------------------------------------------

void client_session::on_rst_stream(const rst_stream_frame& f) {
  if (failed_) return;
  client_stream* s = find(f.stream_id);
  if (!s) {
    if (idle_stream(f.stream_id))
      fail(error::protocol_error,
           error_info(make_error_code(error::protocol_error), "RST_STREAM on an idle stream"));
    return;  // closed already
  }
  const error code = static_cast<error>(f.error_code);
  // REFUSED_STREAM (§8.7): nothing of the request was processed.
  const bool got = code != error::refused_stream && s->received > 0;
  close_stream(*s);
  s->x->on_fail(error_info(make_error_code(code),
                           "the server reset the stream (" + std::string(wire_name(code)) + ")"),
                got);
}

void client_session::on_settings(const settings_frame& f) {
  if (failed_ || f.ack) return;
  const std::uint32_t old_window = peer_.initial_window_size;
  if (const error e = peer_.apply_payload(f.entries); e != error::no_error)
    return fail(e, error_info(make_error_code(e), "the server sent a bad SETTINGS value"));
  got_settings_ = true;
  enc_.set_peer_max_table_size(peer_.header_table_size);
  max_streams_ = peer_.max_concurrent_streams;
  append_settings_ack(out_);
  room_ = true;
  if (peer_.initial_window_size != old_window) {
    // §6.9.2: every open stream's window moves by the difference.
    const std::int64_t delta = std::int64_t{peer_.initial_window_size} - old_window;
    for (auto& [id, s] : streams_) {
      if (!s->send_win.grow(delta))
        return fail(error::flow_control_error,
                    error_info(make_error_code(error::flow_control_error),
                               "SETTINGS_INITIAL_WINDOW_SIZE overflows a window"));
      if (s->pending() > 0) schedule(*s);
    }
  }
}

void client_session::on_ping(const ping_frame& f) {
  if (failed_ || f.ack) return;
  append_ping(out_, f.opaque, true);
}

void client_session::on_goaway(const goaway_frame& f) {
  if (failed_) return;
  goaway_ = true;
  room_ = true;  // the pool opens another connection for what waits
  const error code = static_cast<error>(f.error_code);
  // Streams above last-stream-id were not processed (§6.8): their requests
  // may go again, on another connection.
  std::vector<client_stream*> refused;
  for (auto& [id, s] : streams_)
    if (id > f.last_stream_id) refused.push_back(s.get());
  std::sort(refused.begin(), refused.end(),
            [](const client_stream* a, const client_stream* b) { return a->id < b->id; });
  const std::string why = "the server is going away (GOAWAY " + std::string(wire_name(code)) +
                          "): the request was not processed";
  for (client_stream* s : refused) {
    if (s->closed) continue;
    close_stream(*s);
    s->x->on_fail(error_info(make_error_code(error::refused_stream), why), false);
  }
  maybe_close();
}

void client_session::on_window_update(const window_update_frame& f) {
  if (failed_) return;
  if (f.stream_id == 0) {
    // What waited for it goes at the batch's end (pump keeps its queue).
    if (!conn_send_.grow(f.increment))
      fail(error::flow_control_error, error_info(make_error_code(error::flow_control_error),
                                                 "the connection window passed 2^31-1"));
    return;
  }
  client_stream* s = find(f.stream_id);
  if (!s) {
    if (idle_stream(f.stream_id))
      fail(error::protocol_error,
           error_info(make_error_code(error::protocol_error), "WINDOW_UPDATE on an idle stream"));
    return;
  }
  if (!s->send_win.grow(f.increment))
    return fail_stream(
        *s,
        error_info(make_error_code(error::flow_control_error), "the stream's window passed 2^31-1"),
        error::flow_control_error);
  if (s->pending() > 0 || s->source_done) schedule(*s);
}

void client_session::on_stream_error(const frame_error& e) {
  if (failed_) return;
  if (client_stream* s = find(e.stream_id)) return fail_stream(*s, e.info(), e.code);
  append_rst_stream(out_, e.stream_id, e.code);
}

void client_session::on_connection_error(const frame_error& e) {
  fail(e.code, e.info());
}

}  // namespace lwspp::h2
