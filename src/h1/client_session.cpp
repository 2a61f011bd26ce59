// The HTTP/1.1 client role. See client_session.hpp.
#include "h1/client_session.hpp"

#include <charconv>

#include "http/origin_pool.hpp"

namespace lwspp::h1 {

using http::client_error;
using http::detail::client_exchange;
using http::detail::outgoing_request;

namespace {

close_reason failure(client_error e, std::string detail) {
  return close_reason(http::make_error_code(e), std::move(detail));
}

void append_hex(std::string& out, std::uint64_t n) {
  char buf[17];
  const auto r = std::to_chars(buf, buf + sizeof buf, n, 16);
  out.append(buf, r.ptr);
}

}  // namespace

// The streamed body's writer: frames pieces as chunks, or counts them
// against the declared Content-Length.
class client_session::sink final : public http::body_sink {
 public:
  explicit sink(client_session& s) : s_(s) {}
  send_result write(std::string_view piece) override {
    connection& c = *s_.conn_;
    const outgoing_request& r = s_.writing_->outgoing();
    if (piece.empty()) return {.status = send_status::written, .buffered = c.buffered()};
    if (r.has_length) {
      if (piece.size() > r.length - s_.body_written_) {
        overrun = true;
        return {.status = send_status::refused, .buffered = c.buffered()};
      }
      s_.body_written_ += piece.size();
      return c.send(piece);
    }
    std::string frame;
    frame.reserve(piece.size() + 20);
    append_hex(frame, piece.size());
    frame += "\r\n";
    frame += piece;
    frame += "\r\n";
    s_.body_written_ += piece.size();
    return c.send(std::move(frame));
  }
  bool overrun = false;

 private:
  client_session& s_;
};

client_session::client_session(std::shared_ptr<http::detail::origin_pool> pool,
                               std::uint64_t serial)
    : pooled_session(serial),
      pool_(std::move(pool)),
      parser_(response_limits{.max_status_line = pool_->opts().max_response_head,
                              .max_header_bytes = pool_->opts().max_response_head}) {}

client_session::~client_session() = default;

bool client_session::can_take(const client_exchange& x) const noexcept {
  if (!open_ || !reusable_ || writing_) return false;
  if (inflight_.empty()) return true;
  const unsigned depth = pool_->opts().pipeline_depth;
  if (inflight_.size() >= depth) return false;
  // Pipelined: only idempotent requests with whole bodies, behind others alike.
  const outgoing_request& r = x.outgoing();
  return r.idempotent && !r.streamed && inflight_.back()->outgoing().idempotent;
}

void client_session::start(exchange_ptr x) {
  const outgoing_request& r = x->outgoing();
  if (inflight_.empty()) {
    parser_.reset(r.head);
    received_ = 0;
  }
  const bool was_idle = inflight_.empty();
  inflight_.push_back(x);
  write_head(r);
  // The deadlines: an idle connection's idle timer is replaced by the first
  // byte timeout when the request is written (arm_read_deadline), in one
  // step. Behind a request in flight (pipelined), the front's deadline stays.
  if (r.streamed) {
    // No deadline while the body goes out: only the idle timer to drop.
    if (was_idle) conn_->set_role_timer(std::chrono::milliseconds(0), false);
    writing_ = std::move(x);
    body_written_ = 0;
    pump_body();
    return;
  }
  request_written();
}

void client_session::write_head(const outgoing_request& r) {
  // Built in a buffer the session keeps: on keep-alive the socket takes the
  // whole head at once, so a string of its own for each request would only
  // be allocated and freed again.
  std::string& head = head_buf_;
  head.clear();
  head.reserve(64 + r.method.size() + r.target.size() + r.authority.size() + r.fields.size() +
               (r.streamed || r.body.size() > 16 * 1024 ? 0 : r.body.size()));
  head += r.method;
  head += ' ';
  head += r.target;
  head += " HTTP/1.1\r\nHost: ";
  head += r.authority;
  head += "\r\n";
  head += r.fields;
  if (r.streamed) {
    if (r.has_length) {
      head += "Content-Length: ";
      head += std::to_string(r.length);
      head += "\r\n";
    } else {
      head += "Transfer-Encoding: chunked\r\n";
    }
  } else if (r.send_length || !r.body.empty()) {
    head += "Content-Length: ";
    head += std::to_string(r.body.size());
    head += "\r\n";
  }
  head += "\r\n";
  // A small body goes in the head's write: one segment for most requests.
  const bool body_in_head = !r.streamed && r.body.size() <= 16 * 1024;
  if (body_in_head) head += r.body;
  conn_->send(std::string_view(head));  // copied only if the socket does not take it all
  if (!r.streamed && !body_in_head) conn_->send(r.body);
  // Keep a head-sized buffer, not the largest body that ever rode along.
  if (head.capacity() > 4096) std::string().swap(head);
}

void client_session::pump_body() {
  while (writing_ && !waiting_source_ && conn_ && conn_->is_open()) {
    sink s(*this);
    const exchange_ptr x = writing_;
    const http::source_status st = x->pull(s);
    if (writing_ != x) return;  // abandoned from inside the source
    const outgoing_request& r = x->outgoing();
    if (s.overrun) {
      fail_front(client_error::bad_request,
                 "the body source wrote more than its content_length of " +
                     std::to_string(r.length) + " bytes");
      return;
    }
    if (st == http::source_status::deferred) {
      waiting_source_ = true;
      return;
    }
    if (st == http::source_status::done) {
      if (r.has_length && body_written_ != r.length) {
        fail_front(client_error::bad_request, "the body source ended after " +
                                                  std::to_string(body_written_) + " of " +
                                                  std::to_string(r.length) + " bytes");
        return;
      }
      if (!r.has_length) conn_->send(std::string_view("0\r\n\r\n"));
      writing_.reset();
      request_written();
      return;
    }
    // more: go on while the connection takes it, else wait for on_writable.
    if (conn_->buffered() >= conn_->options().write_high_water) {
      conn_->request_writable();
      return;
    }
  }
}

void client_session::request_written() {
  const exchange_ptr x = inflight_.back();
  x->on_sent();
  if (x == inflight_.front() && received_ == 0) arm_read_deadline();
}

void client_session::arm_read_deadline() {
  if (inflight_.empty() || !conn_ || !conn_->is_open()) return;
  const http::client_options& o = pool_->opts();
  // A phase without a timeout still replaces the timer of the phase before
  // (the pool's idle timer, the first byte's).
  const std::chrono::milliseconds none(0);
  if (received_ == 0) {
    if (writing_ && writing_ == inflight_.front()) return;  // still sending the request
    conn_->set_role_timer(o.first_byte_timeout.count() > 0 ? o.first_byte_timeout : none, false);
  } else {
    conn_->set_role_timer(o.read_timeout.count() > 0 ? o.read_timeout : none, true);
  }
}

void client_session::rest() {
  const auto t = pool_->opts().idle_timeout;
  if (conn_ && conn_->is_open() && t.count() > 0) conn_->set_role_timer(t, false);
}

void client_session::close_connection(close_reason why) {
  if (conn_ && conn_->current_state() != connection::state::closed) conn_->close(std::move(why));
}

void client_session::on_open(connection& c) {
  if (c.is_tls() && c.tls_alpn() == "h2") {
    // The server chose HTTP/2: an h2 session takes the connection over.
    pool_->switch_to_h2(*this, c);
    return;
  }
  conn_ = &c;
  open_ = true;
  opened_at_ = c.get_loop().refresh_now();
  pool_->session_open(*this);
}

void client_session::on_data(connection& c, std::string_view bytes) {
  (void)c;
  feed(bytes);
}

void client_session::feed(std::string_view bytes) {
  if (paused_ || feeding_) {
    held_.append(bytes);
    return;
  }
  feeding_ = true;
  // Feed until the parser wants more input: an event may be due with no
  // further bytes (the end of a body that ended with the read, the end of
  // a response without a body).
  response_event last = response_event::head;
  while (!bytes.empty() || last != response_event::need_more) {
    if (inflight_.empty()) {
      if (bytes.empty()) break;
      // Nothing was asked: a server talking out of turn.
      feeding_ = false;
      held_.clear();
      close_connection(
          close_reason(error::protocol_error, "the server sent " + std::to_string(bytes.size()) +
                                                  " bytes with no request outstanding"));
      return;
    }
    const response_step s = parser_.feed(bytes);
    last = s.ev;
    const std::uint64_t before = received_;
    received_ += s.consumed;
    bytes.remove_prefix(s.consumed);
    if (before == 0 && received_ > 0) arm_read_deadline();  // now the read timeout applies
    if (!handle_step(s)) {
      if (paused_ && !bytes.empty()) held_.insert(0, bytes);
      break;
    }
  }
  feeding_ = false;
}

bool client_session::handle_step(const response_step& s) {
  switch (s.ev) {
    case response_event::need_more:
      return true;
    case response_event::head: {
      const int status = parser_.head().status;
      if (status == 101) {
        fail_front(client_error::bad_response, "an unexpected 101 Switching Protocols");
        return false;
      }
      if (status < 200) return true;  // 1xx: informational, the final response follows
      const exchange_ptr x = inflight_.front();
      deliver_head();
      if (inflight_.empty() || inflight_.front() != x) return false;
      break;
    }
    case response_event::body: {
      const exchange_ptr x = inflight_.front();
      x->on_body(s.data);
      if (inflight_.empty() || inflight_.front() != x) return false;
      break;
    }
    case response_event::end:
      response_ended();
      return !inflight_.empty() && open_ && !paused_;
    case response_event::error:
      fail_front(client_error::bad_response, std::string(parser_.error_reason()) + " (byte " +
                                                 std::to_string(parser_.error_offset()) +
                                                 " of the response)");
      return false;
  }
  return !paused_ && open_;
}

void client_session::deliver_head() {
  const exchange_ptr x = inflight_.front();
  const response_head& h = parser_.head();
  http::client_response& r = x->response;
  r.status = h.status;
  r.version = 10 + h.version_minor;
  r.reason.assign(h.reason);
  r.headers.clear();
  r.headers.reserve(h.headers.size());
  for (const header_field& f : h.headers)
    r.headers.push_back({std::string(f.name), std::string(f.value)});
  r.timings.reused = served_ > 0;
  x->on_head(r);
}

void client_session::response_ended() {
  const exchange_ptr x = inflight_.front();
  inflight_.pop_front();
  ++served_;
  received_ = 0;
  bool keep = reusable_ && parser_.keep_alive();
  if (writing_ == x) {  // the answer came before the whole request was sent
    writing_.reset();
    waiting_source_ = false;
    keep = false;
  }
  if (!keep) reusable_ = false;
  // The connection goes back to the pool before the request hears of its
  // end: a callback that sends the next request then finds it idle.
  if (!inflight_.empty()) {
    parser_.reset(inflight_.front()->outgoing().head);
    arm_read_deadline();
  } else if (reusable_) {
    pool_->session_idle(*this);
  } else {
    close_connection(close_reason(error::closed_locally, "not reusable"));
  }
  x->on_end();
}

void client_session::fail_front(client_error e, std::string detail) {
  if (inflight_.empty()) return;
  const exchange_ptr x = inflight_.front();
  inflight_.pop_front();
  if (writing_ == x) writing_.reset();
  reusable_ = false;
  const close_reason why = failure(e, std::move(detail));
  x->on_fail(why, received_ > 0);
  close_connection(why);
}

void client_session::fail_all(const close_reason& why) {
  bool front = true;
  while (!inflight_.empty()) {
    const exchange_ptr x = inflight_.front();
    inflight_.pop_front();
    const bool got = front && received_ > 0;
    front = false;
    x->on_fail(why, got);
  }
  writing_.reset();
}

void client_session::on_writable(connection& c) {
  (void)c;
  if (writing_ && !waiting_source_) pump_body();
}

void client_session::on_peer_eof(connection& c) {
  if (!held_.empty() || paused_) {  // the body so far is still to be delivered
    eof_pending_ = true;
    return;
  }
  if (!inflight_.empty() && received_ > 0) {
    const response_step s = parser_.finish();
    if (s.ev == response_event::end) {
      reusable_ = false;
      response_ended();
    } else {
      fail_front(client_error::truncated, std::string(parser_.error_reason()) + " (after " +
                                              std::to_string(received_) +
                                              " bytes of the response)");
    }
  }
  // Requests that got no answer fail with the close (their owners may send
  // them again on a new connection).
  reusable_ = false;
  if (c.current_state() != connection::state::closed)
    c.close(close_reason(error::peer_closed, "the server closed the connection"));
}

void client_session::on_shutdown(connection& c) {
  fail_all(failure(client_error::stopping, "the context is stopping"));
  c.close();
}

void client_session::on_role_timer(connection& c) {
  (void)c;
  const http::client_options& o = pool_->opts();
  if (inflight_.empty()) {
    close_connection(close_reason(error::idle_timeout, "idle in the pool"));
  } else if (received_ == 0) {
    fail_front(client_error::first_byte_timeout,
               "no response within " + std::to_string(o.first_byte_timeout.count()) + " ms");
  } else {
    fail_front(client_error::read_timeout,
               "the response stalled for " + std::to_string(o.read_timeout.count()) + " ms");
  }
}

void client_session::on_close(connection& c, const close_reason& why) {
  (void)c;
  const bool was_open = open_;
  open_ = false;
  held_.clear();
  if (!inflight_.empty()) {
    // A clean close by either side in the middle of an exchange is, for the
    // request, the server going away.
    if (why.clean())
      fail_all(failure(client_error::truncated, "the connection closed before the response"));
    else
      fail_all(why);
  }
  pool_->session_closed(*this, why, was_open);
  conn_ = nullptr;
}

void client_session::pause(client_exchange& x, bool on) {
  if (inflight_.empty() || inflight_.front().get() != &x || paused_ == on || !conn_) return;
  paused_ = on;
  if (on) {
    conn_->pause_reading();
    return;
  }
  conn_->resume_reading();
  if (feeding_) return;  // resumed from inside a delivery: the feed loop goes on
  std::string held = std::move(held_);
  held_.clear();
  feed(held);  // also when empty: an end may be due
  if (eof_pending_ && held_.empty() && !paused_ && conn_) {
    eof_pending_ = false;
    on_peer_eof(*conn_);
  }
}

void client_session::abandon(client_exchange& x) {
  for (auto it = inflight_.begin(); it != inflight_.end(); ++it) {
    if (it->get() != &x) continue;
    const exchange_ptr keep = *it;  // x may be released with its entry
    inflight_.erase(it);
    if (writing_ == keep) writing_.reset();
    // The rest of its response (or of its request) cannot be skipped
    // cheaply: the connection goes, and requests behind it fail as unanswered.
    reusable_ = false;
    close_connection(close_reason(error::closed_locally, "the request was abandoned"));
    return;
  }
}

void client_session::body_ready(client_exchange& x) {
  if (writing_.get() != &x || !waiting_source_) return;
  waiting_source_ = false;
  pump_body();
}

}  // namespace lwspp::h1
