// The HTTP/2 server session: its timeouts. One timer per connection (the
// connection's role timer) is armed for the nearest deadline; reading and
// writing only stamp times (the loop's clock, read once per wake-up), and
// the timer, when it fires, checks the stamps and arms itself again.
//
//   our SETTINGS unacknowledged      header_timeout   GOAWAY SETTINGS_TIMEOUT (§6.5.3)
//   no stream open                   keepalive_timeout GOAWAY NO_ERROR, close
//   output blocked, nothing sent     send_timeout     close: the client stopped reading
//     (socket full or the connection window at zero)
//   a stream's window at zero        send_timeout     that stream reset (CANCEL)
//   request body stalled             body_timeout     408 (or a reset once answered)
//   no stream open                   1 s              spare streams freed
#include "h2/frame_writer.hpp"
#include "h2/server_session.hpp"
#include "http/dispatch.hpp"

namespace lwspp::h2 {

void server_session::watch(clock::time_point deadline) {
  if (deadline >= armed_until_ || failed_ || !conn_->is_open()) return;
  armed_until_ = deadline;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now());
  conn_->set_role_timer(std::max(left, std::chrono::milliseconds(1)), false);
}

// Output is blocked (or flowed): the send timeout counts from the last time
// anything went out.
void server_session::note_send_progress(bool blocked, bool progressed) {
  if (!blocked) {
    send_stalled_since_ = clock::time_point::max();
    return;
  }
  if (progressed || send_stalled_since_ == clock::time_point::max()) {
    send_stalled_since_ = now();
    watch(send_stalled_since_ + srv_.opts.send_timeout);
  }
}

void server_session::arm_next() {
  const auto& o = srv_.opts;
  clock::time_point next = clock::time_point::max();
  auto consider = [&next](clock::time_point t) { next = std::min(next, t); };
  if (!settings_acked_) consider(settings_sent_ + o.header_timeout);
  if (streams_.empty()) consider(idle_since_ + o.keepalive_timeout);
  if (streams_.empty() && !spare_.empty()) consider(idle_since_ + spare_idle);
  if (send_stalled_since_ != clock::time_point::max())
    consider(send_stalled_since_ + o.send_timeout);
  for (auto& s : streams_) {
    if (s->pending() > 0 && s->send_win.size <= 0) consider(s->progress + o.send_timeout);
    if (!s->remote_closed && !s->body_paused() && !s->tunnel)
      consider(s->progress + o.body_timeout);
  }
  // Nothing to time: look again after the keep-alive time (the
  // connection's own idle timeout would count a busy handler as idle).
  if (next == clock::time_point::max()) next = now() + o.keepalive_timeout;
  armed_until_ = clock::time_point::max();
  watch(next);
}

void server_session::on_role_timer(connection& c) {
  (void)c;
  armed_until_ = clock::time_point::max();
  if (failed_ || !conn_->is_open()) return;
  batch b(*this);
  const auto& o = srv_.opts;
  const clock::time_point t = now();
  if (streams_.empty() && t >= idle_since_ + spare_idle) spare_.clear();
  if (!settings_acked_ && t >= settings_sent_ + o.header_timeout)
    return fail(error::settings_timeout, "SETTINGS not acknowledged in time");
  if (streams_.empty() && t >= idle_since_ + o.keepalive_timeout) {
    append_goaway(out_, last_peer_stream_, error::no_error, "idle");
    failed_ = true;  // takes nothing more
    flush();
    conn_->close(close_reason(lwspp::error::idle_timeout, "no stream for the keep-alive time"));
    return;
  }
  if (send_stalled_since_ != clock::time_point::max() &&
      t >= send_stalled_since_ + o.send_timeout) {
    failed_ = true;
    conn_->close(close_reason(lwspp::error::idle_timeout, "responses not read in time"));
    return;
  }
  thread_local std::vector<std::uint32_t> late;
  late.clear();
  for (auto& s : streams_) {
    const bool send_late =
        s->pending() > 0 && s->send_win.size <= 0 && t >= s->progress + o.send_timeout;
    // A WebSocket's stream is quiet as long as its messages are (it pings).
    const bool body_late =
        !s->remote_closed && !s->body_paused() && !s->tunnel && t >= s->progress + o.body_timeout;
    if (send_late || body_late) late.push_back(s->stream_id);
  }
  for (const std::uint32_t id : late) {
    stream* s = find(id);
    if (!s || s->closed) continue;
    if (s->pending() > 0 && s->send_win.size <= 0) {
      s->warn("stream window closed for the send timeout: stream reset");
      reset(*s, error::cancel);
    } else if (!s->res.headers_sent()) {
      // As HTTP/1.1 answers a stalled body; the response's end resets the
      // request side (§8.1).
      s->plan = http::detail::body_plan::discard;
      http::detail::send_error(*s, 408);
    } else {
      reset(*s, error::cancel);
    }
  }
  if (!failed_ && conn_->is_open()) arm_next();
}

}  // namespace lwspp::h2
