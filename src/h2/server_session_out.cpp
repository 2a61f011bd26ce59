// The HTTP/2 server session: frames out. Response bodies wait in their
// streams; at the end of each batch they are framed, one DATA frame at a
// time, while the windows and the socket allow, then the batch's frames are
// handed to the connection in one send.
//
// Which stream goes next follows RFC 9218 (§10): the most urgent first;
// among equals, a non-incremental response (the default) is sent whole
// before the next, in stream order, and incremental ones take turns.
#include <algorithm>
#include <vector>

#include "h2/frame_writer.hpp"
#include "h2/server_session.hpp"

namespace lwspp::h2 {

namespace {

// Output handed to the connection in pieces of about this size while a
// batch frames many bodies (so no single string grows to megabytes).
constexpr std::size_t flush_at = 64 * 1024;
// The largest DATA frame we make, whatever the peer's MAX_FRAME_SIZE allows
// (up to 16 MiB): a file's piece is read into the output in one go.
constexpr std::int64_t max_data_frame = 64 * 1024;

}  // namespace

bool server_session::backed_up() const noexcept {
  return conn_->buffered() > conn_->options().write_high_water;
}

// ready_ is kept in sending order, so the next stream is its front: by
// urgency, then non-incremental ones by stream id (each is finished before
// the next), then incremental ones by when they were queued (each goes to
// the back after its frame: turns).
namespace {
bool before(const server_session_ready& a, const server_session_ready& b) noexcept {
  if (a.prio.urgency != b.prio.urgency) return a.prio.urgency < b.prio.urgency;
  if (a.prio.incremental != b.prio.incremental) return !a.prio.incremental;
  return a.seq < b.seq;
}
}  // namespace

void server_session::schedule(stream& s) {
  if (s.queued || s.closed) return;
  s.queued = true;
  const server_session_ready e{s.stream_id, s.prio, s.prio.incremental ? ++turns_ : s.stream_id};
  // Streams are mostly queued in the order they are sent: from the back.
  auto at = ready_.end();
  while (at != ready_.begin() && before(e, *(at - 1)))
    --at;
  ready_.insert(at, e);
}

void server_session::reprioritize(stream& s, priority p) {
  if (s.queued) {
    std::erase_if(ready_, [&](const server_session_ready& e) { return e.id == s.stream_id; });
    s.queued = false;
    s.prio = p;
    return schedule(s);
  }
  s.prio = p;
}

void server_session::finish_batch() {
  for (int round = 0; round < 8 && !failed_; ++round) {
    pump();
    if (!run_writable()) break;
  }
  if (!failed_)
    if (const std::uint32_t inc = conn_recv_.take_update()) append_window_update(out_, 0, inc);
  flush();
}

void server_session::pump() {
  bool progressed = false;
  while (!ready_.empty() && !failed_ && conn_->is_open()) {
    if (backed_up()) {
      conn_->request_writable();  // on_writable goes on from here
      return note_send_progress(true, progressed);
    }
    stream* s = find(ready_.front().id);
    if (!s) {
      ready_.erase(ready_.begin());
      continue;
    }
    if (s->pending() > 0) {
      // A WINDOW_UPDATE on stream 0 goes on.
      if (conn_send_.size <= 0) return note_send_progress(true, progressed);
      if (s->send_win.size <= 0) {
        // Its own WINDOW_UPDATE schedules it again (or the send timeout
        // resets it).
        ready_.erase(ready_.begin());
        s->queued = false;
        watch(s->progress + srv_.opts.send_timeout);
        continue;
      }
    }
    ready_.erase(ready_.begin());
    s->queued = false;
    const auto allow = static_cast<std::uint32_t>(std::max<std::int64_t>(
        0, std::min<std::int64_t>({conn_send_.size, s->send_win.size,
                                   std::int64_t{peer_.max_frame_size}, max_data_frame})));
    const std::uint32_t n = s->frame_data(out_, allow);
    conn_send_.take(n);
    s->send_win.take(n);
    if (n > 0) {
      s->progress = now();
      progressed = true;
    }
    if (!s->closed && (s->pending() > 0 || s->end_pending())) schedule(*s);
    if (out_.size() >= flush_at) flush();
  }
  note_send_progress(false, progressed);
}

// Streams whose handler waits for on_writable and whose backlog is low: the
// callback runs. Returns whether any ran (they may have written more).
bool server_session::run_writable() {
  if (backed_up()) return false;
  thread_local std::vector<std::uint32_t> ids;
  ids.clear();
  for (auto& s : streams_)
    if (s->wants_writable && s->pending() <= limits_.stream_high_water / 2)
      ids.push_back(s->stream_id);
  bool ran = false;
  for (const std::uint32_t id : ids) {
    stream* s = find(id);
    if (!s || !s->wants_writable || !s->writable_cb) continue;
    s->wants_writable = false;
    auto cb = std::move(s->writable_cb);
    s->writable_cb = nullptr;
    cb(s->res);
    ran = true;
  }
  return ran;
}

void server_session::flush() {
  if (out_.empty()) return;
  if (conn_->is_open()) conn_->send(std::move(out_));
  out_.clear();
}

void server_session::on_writable(connection& c) {
  (void)c;
  batch b(*this);
  if (read_paused_ && !backed_up()) {
    read_paused_ = false;
    conn_->resume_reading();
  }
}

}  // namespace lwspp::h2
