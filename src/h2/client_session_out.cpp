// The HTTP/2 client session: requests out. See client_session.hpp.
//
// A request's HEADERS go out when it starts (so stream ids rise in the
// order the frames leave, §5.1.1); its body waits in the stream and is
// framed at the end of each batch, round-robin (one DATA frame per stream
// in turn), within the connection's and the stream's send windows and the
// socket's high-water mark. A streamed body is pulled from its source
// while the stream holds less than half of stream_high_water.
#include <algorithm>

#include "h2/client_head.hpp"
#include "h2/client_session.hpp"
#include "h2/frame_writer.hpp"
#include "http/pooled_session.hpp"

namespace lwspp::h2 {

namespace {

// The largest DATA frame we make, whatever the peer's MAX_FRAME_SIZE allows.
constexpr std::int64_t max_data_frame = 64 * 1024;
// Output handed to the connection in pieces of about this size.
constexpr std::size_t flush_at = 64 * 1024;

error_info bad_request(std::string detail) {
  return error_info(make_error_code(http::client_error::bad_request), std::move(detail));
}

}  // namespace

// A streamed body's writer: pieces are kept in the stream until framed.
class client_session::sink final : public http::body_sink {
 public:
  sink(client_session& s, client_stream& st) : s_(s), st_(st) {}
  send_result write(std::string_view piece) override {
    const http::detail::outgoing_request& r = st_.x->outgoing();
    if (st_.closed || (r.has_length && piece.size() > r.length - st_.body_written)) {
      overrun = !st_.closed;
      return {.status = send_status::refused, .buffered = st_.pending()};
    }
    if (st_.out_off > 0 && st_.out_off == st_.out.size()) {
      st_.out.clear();
      st_.out_off = 0;
    }
    st_.out.append(piece);
    st_.body_written += piece.size();
    wrote += piece.size();
    const std::size_t buffered = st_.pending();
    if (buffered >= s_.limits_.stream_high_water)
      return {.status = send_status::queued, .buffered = buffered, .backpressure = true};
    return {.status = send_status::written, .buffered = buffered};
  }
  bool overrun = false;
  std::size_t wrote = 0;

 private:
  client_session& s_;
  client_stream& st_;
};

void client_session::start(std::shared_ptr<http::detail::client_exchange> x) {
  batch b(*this);
  const std::uint32_t id = next_id_;
  next_id_ += 2;
  ++served_;
  auto owned = std::make_unique<client_stream>(id, std::move(x), peer_.initial_window_size,
                                               limits_.initial_window);
  client_stream& s = *owned;
  streams_.emplace(id, std::move(owned));
  const http::detail::outgoing_request& r = s.x->outgoing();
  s.streamed = r.streamed;
  if (!r.streamed) s.body = r.body;
  const bool no_body = !r.streamed && r.body.empty();
  block_.clear();
  encode_request_head(enc_, r, scheme_, block_);
  append_headers(out_, id, block_, {.end_stream = no_body, .max_frame_size = peer_.max_frame_size});
  if (block_.capacity() > 4096) std::string().swap(block_);
  if (no_body) {
    request_sent(s);
    return;
  }
  if (!r.streamed) s.source_done = true;
  schedule(s);
}

void client_session::request_sent(client_stream& s) {
  s.local_closed = true;
  if (s.received == 0) progress(s);  // the first byte's deadline starts
  if (s.response_done) {
    close_stream(s);  // a tunnel whose response had ended: both halves are done
    return;
  }
  s.x->on_sent();
}

void client_session::body_ready(http::detail::client_exchange& x) {
  client_stream* s = find(x);
  if (!s || !s->waiting_source) return;
  batch b(*this);
  s->waiting_source = false;
  schedule(*s);
}

void client_session::schedule(client_stream& s) {
  if (s.queued || s.closed || s.local_closed) return;
  s.queued = true;
  ready_.push_back(s.id);
}

bool client_session::backed_up() const noexcept {
  return conn_->buffered() > conn_->options().write_high_water;
}

// Asks a streamed body's source for more. False when the stream went away
// (failed, or abandoned from inside the source).
bool client_session::pull(client_stream& s) {
  const std::uint32_t id = s.id;
  const std::shared_ptr<http::detail::client_exchange> x = s.x;
  sink k(*this, s);
  const http::source_status st = x->pull(k);
  if (find(id) != &s) return false;
  const http::detail::outgoing_request& r = x->outgoing();
  if (k.overrun) {
    fail_stream(s,
                bad_request("the body source wrote more than its content_length of " +
                            std::to_string(r.length) + " bytes"),
                error::cancel);
    return false;
  }
  if (st == http::source_status::deferred) {
    s.waiting_source = true;
  } else if (st == http::source_status::done) {
    if (r.has_length && s.body_written != r.length) {
      fail_stream(s,
                  bad_request("the body source ended after " + std::to_string(s.body_written) +
                              " of " + std::to_string(r.length) + " bytes"),
                  error::cancel);
      return false;
    }
    s.source_done = true;
  } else if (k.wrote == 0) {
    // "more" with nothing written: asked again when the socket drains.
    s.stalled_source = true;
    stalled_ = true;
    conn_->request_writable();
  }
  return true;
}

void client_session::pump() {
  while (!ready_.empty() && !failed_ && conn_ && conn_->is_open()) {
    if (backed_up()) {
      conn_->request_writable();  // on_writable goes on from here
      return;
    }
    client_stream* s = find(ready_.front());
    if (!s || s->local_closed) {
      ready_.pop_front();
      if (s) s->queued = false;
      continue;
    }
    if (s->wants_pull(limits_.stream_high_water) && !s->stalled_source && !pull(*s)) {
      ready_.pop_front();
      continue;
    }
    if (s->pending() > 0) {
      if (conn_send_.size <= 0) return;  // a WINDOW_UPDATE on stream 0 goes on
      if (s->send_win.size <= 0) {
        // Its own WINDOW_UPDATE schedules it again.
        ready_.pop_front();
        s->queued = false;
        continue;
      }
    }
    ready_.pop_front();
    s->queued = false;
    frame_body(*s);
    if (!s->closed && !s->local_closed &&
        (s->pending() > 0 || s->wants_pull(limits_.stream_high_water)))
      schedule(*s);
    if (out_.size() >= flush_at) flush();
  }
}

// One DATA frame of what the stream has, END_STREAM with the last byte.
void client_session::frame_body(client_stream& s) {
  const std::size_t pending = s.pending();
  if (pending == 0 && !s.source_done) return;
  const auto allow = static_cast<std::size_t>(std::max<std::int64_t>(
      0, std::min<std::int64_t>({conn_send_.size, s.send_win.size,
                                 std::int64_t{peer_.max_frame_size}, max_data_frame})));
  const std::size_t n = std::min(pending, allow);
  const bool end = s.source_done && n == pending;
  if (n == 0 && !end) return;
  std::string_view piece;
  if (!s.body.empty()) {
    piece = s.body.substr(0, n);
    s.body.remove_prefix(n);
  } else {
    piece = std::string_view(s.out).substr(s.out_off, n);
    s.out_off += n;
  }
  append_data(out_, s.id, piece, end);
  conn_send_.take(static_cast<std::uint32_t>(n));
  s.send_win.take(static_cast<std::uint32_t>(n));
  if (s.out_off == s.out.size() && s.out_off > 0) {
    s.out.clear();
    s.out_off = 0;
    if (s.out.capacity() > 4 * limits_.stream_high_water) std::string().swap(s.out);
  }
  if (end) request_sent(s);
}

void client_session::finish_batch() {
  ++depth_;  // calls made from here do not finish again
  for (int round = 0; round < 8 && !failed_; ++round) {
    if (room_ && open_) {
      // Streams ended or limits changed: the pool may start waiting requests
      // here (or, after a GOAWAY, open another connection for them).
      room_ = false;
      pool_->session_idle(*this);
    }
    pump();
    if (!room_) break;
  }
  if (!failed_)
    if (const std::uint32_t inc = conn_recv_.take_update()) append_window_update(out_, 0, inc);
  flush();
  dead_.clear();
  if (open_ && !failed_) {
    if (streams_.empty())
      maybe_close();
    else
      arm_timer();
  }
  --depth_;
}

void client_session::flush() {
  if (out_.empty()) return;
  if (conn_ && conn_->is_open()) conn_->send(std::move(out_));
  out_.clear();
}

}  // namespace lwspp::h2
