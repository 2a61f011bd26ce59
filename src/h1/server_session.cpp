// The HTTP/1.1 server session. See server_session.hpp for the shape; the
// rules that matter for safety:
// - A bad request is answered with its status and Connection: close, and no
//   part of it reaches a handler.
// - A response that starts before its request was fully read closes the
//   connection when it ends (the unread rest cannot be trusted to frame the
//   next request).
// - Nothing is ever sent that the response's framing does not cover: a
//   handler writing more (or less) than its Content-Length aborts the
//   connection instead.
// - Pipelined requests are read only as fast as their answers are: while the
//   peer leaves more than write_high_water of answers unread, no further
//   request is parsed (so answers neither pile up without bound nor get
//   refused by send() and lost).
#include "h1/server_session.hpp"

#include <unistd.h>

#include <cerrno>
#include <vector>

#include "h1/prior_knowledge.hpp"
#include "h2/server_session.hpp"
#include "http/path.hpp"
#include "http/ws_upgrade.hpp"
#include "lwspp/context.hpp"
#include "net/socket.hpp"

namespace lwspp::h1 {

namespace {

using http::detail::body_plan;
using http::detail::exchange;

// Bytes of pipelined requests kept while a response is in progress; past
// this, reading pauses until the response ends.
constexpr std::size_t max_pending = 64 * 1024;
// Sessions kept for reuse per thread (each loop is a thread).
constexpr std::size_t pool_limit = 256;
// A pooled session keeps buffers up to this capacity; larger ones (a big
// body, a pile of pipelined requests) are freed, or the pool would hold the
// largest request each of its sessions ever received (256 x max_body).
constexpr std::size_t pooled_buffer_limit = 16 * 1024;

void drop_if_large(std::string& s) {
  if (s.capacity() > pooled_buffer_limit) std::string().swap(s);
}

// Answers the peer has not read are piling up: no further pipelined request
// is read until they drain (the same mark at which send() reports backpressure).
bool output_backed_up(const connection& c) {
  return c.buffered() > c.options().write_high_water;
}

struct session_pool {
  std::vector<server_session*> free;
  ~session_pool() {
    for (server_session* s : free)
      delete s;
  }
};
thread_local session_pool pool;

// Body pieces up to this size are copied next to the head and sent in one
// write; larger ones go as a second send (no copy unless the socket is full).
constexpr std::size_t coalesce_limit = 16 * 1024;

parser_limits limits_of(const http::server::impl& srv) {
  parser_limits l;
  l.max_request_line = srv.opts.max_request_line;
  l.max_header_bytes = srv.opts.max_header_bytes;
  l.max_headers = srv.opts.max_headers;
  l.max_body = srv.largest_body;
  return l;
}

}  // namespace

// --- the idle role -------------------------------------------------------------

void server_role::on_open(connection& c) {
  if (srv_.opts.http2 && c.is_tls() && c.tls_alpn() == "h2") h2::server_session::start(srv_, c, {});
}

void server_role::on_data(connection& c, std::string_view bytes) {
  // Prior knowledge (RFC 9113 §3.3): the preface begins "PRI * HTTP/2.0",
  // which no HTTP/1.1 request starts with. Four bytes tell it from a
  // request; a first read of fewer ("P", "PR", "PRI") waits for more
  // (prior_knowledge.hpp).
  if (srv_.opts.http2 && !c.is_tls()) {
    switch (classify_first_bytes(bytes)) {
      case first_bytes::http2:
        h2::server_session::start(srv_, c, bytes);
        return;
      case first_bytes::undecided:
        preface_wait::start(*this, c, bytes, srv_.opts.header_timeout);
        return;
      case first_bytes::http1:
        break;
    }
  }
  server_session& s = server_session::take(srv_, *this, c);
  c.switch_role(s);
  s.on_data(c, bytes);
}

std::shared_ptr<role> make_server_role(http::server::impl& srv) {
  return std::make_shared<server_role>(srv);
}

// --- session lifetime -------------------------------------------------------------

server_session::server_session(loop& l) : timer_(l, &on_timeout_thunk, this) {}

server_session::~server_session() {
  close_file();
}

server_session& server_session::take(http::server::impl& srv, server_role& idle, connection& c) {
  server_session* s;
  if (!pool.free.empty()) {
    s = pool.free.back();
    pool.free.pop_back();
  } else {
    s = new server_session(c.get_loop());
  }
  s->attach(srv, idle, c);
  return *s;
}

void server_session::attach(http::server::impl& srv, server_role& idle, connection& c) {
  if (srv_ != &srv) parser_ = request_parser(limits_of(srv));
  srv_ = &srv;
  this->srv = &srv;
  idle_ = &idle;
  conn_ = &c;
  phase_ = phase::head;
  in_exchange_ = request_complete_ = head_request_ = false;
  peer_eof_ = stopping_ = in_process_ = timer_armed_ = false;
  read_paused_for_pending_ = body_paused_ = false;
  keep_alive_ = true;
}

void server_session::release() {
  timer_.cancel();
  timer_armed_ = false;
  close_file();
  uncork();
  pending_.clear();
  parser_.reset();
  exchange::reset();
  exchange_used_ = false;
  drop_if_large(pending_);
  drop_if_large(exchange::body(req));
  drop_if_large(exchange::storage(req));
  drop_if_large(exchange::path(req));
  loop& l = conn_->get_loop();
  conn_ = nullptr;
  if (pool.free.size() < pool_limit)
    pool.free.push_back(this);
  else
    l.defer([this] { delete this; });  // the caller may still be on our stack
}

bool server_session::maybe_go_idle() {
  if (in_exchange_ || !pending_.empty() || !parser_.idle() || !conn_->is_open() ||
      read_paused_for_pending_)
    return false;
  connection& c = *conn_;
  c.switch_role(*idle_);
  release();
  return true;
}

// A new exchange on this session: the previous one's state is cleared (a
// session fresh from the pool was cleared when it went back).
void server_session::begin_exchange() {
  if (exchange_used_) exchange::reset();
  exchange_used_ = true;
  in_exchange_ = true;
  id = ++serial_;
}

// --- reading ------------------------------------------------------------------------

void server_session::on_data(connection& c, std::string_view bytes) {
  (void)c;
  if (phase_ == phase::waiting || in_process_ || !pending_.empty()) {
    pending_.append(bytes);
    if (pending_.size() > max_pending && !read_paused_for_pending_) {
      read_paused_for_pending_ = true;
      conn_->pause_reading();
    }
    return;
  }
  process(bytes);
  if (conn_ && !in_exchange_) maybe_go_idle();  // no conn_: handed over (upgrade)
}

void server_session::process(std::string_view data) {
  in_process_ = true;
  while (conn_->is_open()) {
    if (phase_ == phase::waiting) {
      pending_.append(data);
      break;
    }
    if (phase_ == phase::head && !data.empty() && parser_.idle() && batching_ &&
        output_backed_up(*conn_)) {
      // Maybe only the batch: write it, then look again.
      end_batch();
      if (!conn_->is_open()) break;
    }
    if (phase_ == phase::head && !data.empty() && parser_.idle() && output_backed_up(*conn_)) {
      // The peer pipelines requests without reading the answers: hold the
      // rest (and stop reading) until on_writable, rather than queue answers
      // without bound or have send() refuse them.
      pending_.append(data);
      if (!read_paused_for_pending_) {
        read_paused_for_pending_ = true;
        conn_->pause_reading();
      }
      conn_->request_writable();
      break;
    }
    const step s = parser_.feed(data);
    data.remove_prefix(s.consumed);
    // More bytes after a request head or end in this read: pipelined
    // requests. Their answers are corked and leave in one write when this
    // read is done (one sendmsg for eight answers rather than eight sends).
    // A request alone in its read is answered by a direct send, as before.
    if (!batching_ && !data.empty() && (s.ev == event::head || s.ev == event::message_end)) {
      batching_ = true;
      conn_->cork();
    }
    bool go_on = true;
    switch (s.ev) {
      case event::need_more:
        if (phase_ == phase::head && !parser_.idle() && !timer_armed_)
          arm(srv_->opts.header_timeout);
        go_on = false;
        break;
      case event::head:
        go_on = on_head();
        if (go_on && plan_ == body_plan::upgrade) {
          in_process_ = false;
          end_batch();  // answers before the 101 go first
          upgrade(data);
          return;
        }
        break;
      case event::body:
        on_body(s.data);
        break;
      case event::message_end:
        on_message_end();
        break;
      case event::error:
        reject(parser_.error_status());
        go_on = false;
        break;
    }
    if (!go_on) break;
  }
  end_batch();
  in_process_ = false;
}

void server_session::end_batch() {
  if (!batching_) return;
  batching_ = false;
  if (conn_) conn_->uncork();
}

bool server_session::on_head() {
  const request_head& h = parser_.head();
  begin_exchange();
  request_complete_ = false;
  timer_.cancel();
  timer_armed_ = false;

  // Copy the head into the request's storage (one buffer, kept across
  // requests) in one piece: the parser's views all point into h.raw, so each
  // is the same offset into the copy.
  std::string& store = exchange::storage(req);
  store.assign(h.raw);
  const char* const from = h.raw.data();
  const char* const to = store.data();
  auto keep = [from, to](std::string_view v) {
    return std::string_view(to + (v.data() - from), v.size());
  };
  const std::string_view method_name = keep(h.method);
  const std::string_view target = keep(h.target);
  std::string_view host;
  auto& headers = exchange::headers(req);
  headers.resize(h.headers.size());
  http::header* out = headers.data();
  for (const header_field& f : h.headers) {
    out->name = keep(f.name);
    out->value = keep(f.value);
    if (f.id == http::header_id::host && host.empty()) host = out->value;
    ++out;
  }

  // Where the path is: origin-form "/p?q", absolute-form "http://h/p?q"
  // (whose authority replaces Host, RFC 9112 §3.2.2), or "*".
  std::string_view raw_path = target;
  if (h.form == target_form::absolute) {
    const std::size_t scheme_end = raw_path.find("://");
    raw_path.remove_prefix(scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
    const std::size_t slash = raw_path.find_first_of("/?");
    host = raw_path.substr(0, slash);
    raw_path = slash == std::string_view::npos ? std::string_view("/") : raw_path.substr(slash);
  }
  std::string_view query;
  if (const std::size_t q = raw_path.find('?'); q != std::string_view::npos) {
    query = raw_path.substr(q + 1);
    raw_path = raw_path.substr(0, q);
  }
  if (h.form == target_form::absolute && raw_path.empty()) raw_path = "/";
  exchange::set_head(req, h.method_id, method_name, target, query, host,
                     h.version_minor == 0 ? 10 : 11);
  keep_alive_ = h.keep_alive && !stopping_ && !peer_eof_;
  head_request_ = h.method_id == http::method::head;
  phase_ = phase::body;
  const bool has_body = h.chunked || h.content_length > 0;
  // Before any answer below: one given to a complete request keeps the
  // connection; one given before the body was read closes it.
  request_complete_ = !has_body;

  if (h.form == target_form::asterisk) {
    // OPTIONS * asks about the server as a whole.
    res.status(204).header("allow", "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
    res.send(std::string_view{});
    plan_ = body_plan::discard;
    return conn_->is_open();
  }
  if (h.form == target_form::authority) {
    // CONNECT: this is an origin server, not a proxy.
    plan_ = body_plan::discard;
    keep_alive_ = false;
    http::detail::send_error(*this, 501);
    return false;
  }
  if (const auto norm = http::normalize_path(raw_path, exchange::path(req)); !norm) {
    reject(norm.status());
    return false;
  }

  const http::detail::begin_result b = http::detail::begin(*this);
  plan_ = b.plan;
  if (!conn_->is_open()) return false;
  if (has_body) {
    if (plan_ == body_plan::discard) {
      // Already answered; the body is not worth reading: close after it.
      keep_alive_ = false;
      parser_.set_body_limit(srv_->largest_body);
    } else if (h.has_content_length && h.content_length > b.max_body) {
      if (!res.headers_sent()) {
        keep_alive_ = false;
        http::detail::send_error(*this, 413);
      } else {
        conn_->abort();
      }
      return false;
    } else {
      parser_.set_body_limit(b.max_body);
      if (h.expect_continue && !res.headers_sent()) conn_->send(continue_line);
    }
    arm(srv_->opts.body_timeout);
  }
  return conn_->is_open();
}

void server_session::on_body(std::string_view data) {
  if (timer_armed_) arm(srv_->opts.body_timeout);
  switch (plan_) {
    case body_plan::whole:
      exchange::body(req).append(data);
      break;
    case body_plan::stream:
      http::detail::body_piece(*this, data);
      break;
    case body_plan::discard:
    case body_plan::upgrade:  // has no body (http/ws_upgrade.cpp)
      break;
  }
}

void server_session::on_message_end() {
  // A bodiless request may have been answered (and finished) at its head.
  if (!in_exchange_) return;
  request_complete_ = true;
  timer_.cancel();
  timer_armed_ = false;
  if (res.ended()) {
    finish_exchange();
    return;
  }
  phase_ = phase::waiting;
  http::detail::body_end(*this, plan_);
  // finish_exchange() ran inside if the handler answered at once.
}

// A request that cannot be served: its status, Connection: close, and no
// handler sees any of it.
void server_session::reject(int status) {
  keep_alive_ = false;
  plan_ = body_plan::discard;
  if (!in_exchange_) begin_exchange();
  if (res.headers_sent()) {
    conn_->abort();
    return;
  }
  http::detail::send_error(*this, status);
  if (conn_->is_open()) conn_->close();
}

// The HTTP layer accepted an upgrade (a WebSocket): the 101 goes out, the
// new role takes the connection and the bytes that followed the request
// head, and this session goes back to the pool.
void server_session::upgrade(std::string_view rest) {
  connection& c = *conn_;
  thread_local std::string out;
  out.clear();
  std::string fields(res.fields());
  http::detail::append_ws_fields(*this, fields);
  append_head(out, head_params{.status = 101, .framing = body_framing::none}, srv_->fixed_fields,
              fields);
  exchange::mark_head_sent(res);
  exchange::mark_ended(res);
  if (srv_->log) srv_->log->write(req, 101, 0);
  c.send(std::string_view(out));
  if (!c.is_open()) return;  // the peer is gone: on_close ends this session as usual
  if (read_paused_for_pending_ || body_paused_) c.resume_reading();
  in_exchange_ = false;
  http::detail::hand_over(*this, rest);
  if (stopping_ && c.is_open()) c.current_role().on_shutdown(c);  // the stop began meanwhile
  release();
}

// --- the end of an exchange ------------------------------------------------------------

void server_session::response_ended() {
  if (!request_complete_) {
    // Answered before the whole request arrived: close once the response is out.
    keep_alive_ = false;
    if (srv_->log) srv_->log->write(req, res.status(), body_bytes_out);
    in_exchange_ = false;
    if (conn_->is_open()) conn_->close();
    return;
  }
  finish_exchange();
}

void server_session::finish_exchange() {
  if (srv_->log) srv_->log->write(req, res.status(), body_bytes_out);
  in_exchange_ = false;
  phase_ = phase::head;
  if (!keep_alive_ || peer_eof_ || stopping_) {
    if (conn_->is_open()) conn_->close();
    return;
  }
  // The exchange's memory is reset when the next head arrives (or when the
  // session goes idle): a handler may still be reading req after res.send().
  if (!in_process_) resume_pending();
}

// The response ended outside process() (deferred, streamed, a file): go on
// with pipelined requests that arrived meanwhile, or go idle.
void server_session::resume_pending() {
  if (!pending_.empty()) {
    std::string work = std::move(pending_);
    pending_.clear();
    process(work);
    if (!conn_) return;  // handed over (upgrade)
    if (pending_.empty()) {
      pending_ = std::move(work);  // keep the capacity
      pending_.clear();
    }
  }
  if (read_paused_for_pending_ && pending_.size() <= max_pending && conn_->is_open()) {
    if (output_backed_up(*conn_)) {
      conn_->request_writable();  // on_writable comes back here
    } else {
      read_paused_for_pending_ = false;
      if (!body_paused_) conn_->resume_reading();
    }
  }
  if (!in_exchange_) maybe_go_idle();
}

// --- writing --------------------------------------------------------------------------------

send_result server_session::send_out(std::string& out, std::string_view body) {
  if (body.empty()) return conn_->send(std::string_view(out));
  if (body.size() <= coalesce_limit) {
    out += body;
    return conn_->send(std::string_view(out));
  }
  const send_result r = conn_->send(std::string_view(out));
  if (!r) return r;
  return conn_->send(body);
}

send_result server_session::write_body(std::string_view data, bool last) {
  if (!conn_ || !conn_->is_open() || res.ended()) return {send_status::refused, 0, false};
  thread_local std::string out;
  out.clear();
  std::string_view body = data;
  if (!res.headers_sent()) {
    const int status = res.status();
    head_params p;
    p.status = status;
    if (status_has_no_body(status)) {
      p.framing = body_framing::none;
    } else if (res.has_length()) {
      p.framing = body_framing::length;
      p.length = res.length();
    } else if (last) {
      p.framing = body_framing::length;
      p.length = data.size();
    } else if (req.version() == 10) {
      p.framing = body_framing::until_close;
      keep_alive_ = false;
    } else {
      p.framing = body_framing::chunked;
    }
    if (!request_complete_ || stopping_ || peer_eof_) keep_alive_ = false;
    p.keep_alive = keep_alive_;
    p.peer_is_1_0 = req.version() == 10;
    framing_ = p.framing;
    length_left_ = p.length;
    append_head(out, p, srv_->fixed_fields, res.fields());
    exchange::mark_head_sent(res);
  }
  if (head_request_ || framing_ == body_framing::none) {
    body = {};
  } else if (framing_ == body_framing::chunked) {
    append_chunk(out, data);
    if (last && !res.trailer_fields().empty()) {
      out += "0\r\n";  // the last chunk, then the trailer section (RFC 9112 §7.1.2)
      out += res.trailer_fields();
      out += "\r\n";
    } else if (last) {
      out += last_chunk;
    }
    body = {};
  } else if (framing_ == body_framing::length) {
    if (data.size() > length_left_) {
      warn("response body longer than its Content-Length: connection aborted");
      conn_->abort();
      return {send_status::refused, 0, false};
    }
    length_left_ -= data.size();
    if (last && length_left_ > 0) {
      warn("response ended short of its Content-Length: connection aborted");
      if (!out.empty()) conn_->send(std::string_view(out));
      conn_->send(data);
      conn_->abort();
      return {send_status::refused, 0, false};
    }
  }
  body_bytes_out += head_request_ ? 0 : data.size();
  const send_result r = send_out(out, body);
  if (last) {
    exchange::mark_ended(res);
    if (framing_ == body_framing::until_close) keep_alive_ = false;
    response_ended();
  }
  return r;
}

void server_session::write_file(int fd, std::uint64_t offset, std::uint64_t len) {
  close_file();
  if (!res.has_length()) res.content_length(len);
  if (head_request_ || len == 0) {
    ::close(fd);
    write_body({}, true);
    return;
  }
  if (len <= coalesce_limit) {
    // A small file is read here and leaves with its head in one write: fewer
    // system calls than a head and a sendfile, and one segment.
    write_small_file(fd, offset, len);
    return;
  }
  // The head waits (TCP_CORK) for the file's first bytes. Sent on its own
  // (TCP_NODELAY), it left as a small segment ahead of the file and the
  // exchange that followed cost the client one window update per few
  // segments: 38 segments per 1 MiB response on loopback instead of 21, and
  // about 60 % more of the client's CPU (bench/RESULTS.md).
  corked_ = detail::set_cork(conn_->fd(), true);
  if (!write_body({}, false)) {
    ::close(fd);
    uncork();
    return;
  }
  file_fd_ = fd;
  file_off_ = offset;
  file_left_ = len;
  length_left_ = 0;  // the file's bytes are accounted here, not in length_left_
  body_bytes_out += len;
  pump_file();
}

void server_session::write_small_file(int fd, std::uint64_t offset, std::uint64_t len) {
  thread_local std::string buf;
  buf.resize(static_cast<std::size_t>(len));
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n =
        ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // the file ended early (truncated while being served) or failed
    }
  }
  ::close(fd);
  if (got < buf.size()) {
    // The head promising len bytes has not gone out yet, but the response
    // was promised whole: the same as a file that ends early under sendfile.
    warn("file ended early or could not be read: connection aborted");
    conn_->abort();
    return;
  }
  write_body(buf, true);
}

void server_session::pump_file() {
  if (file_fd_ < 0 || !conn_->is_open()) return;
  const std::uint64_t n = conn_->send_file(file_fd_, file_off_, file_left_);
  file_off_ += n;
  file_left_ -= n;
  if (file_left_ > 0) {
    if (conn_->is_open()) arm(srv_->opts.send_timeout);
    return;
  }
  close_file();
  uncork();  // the file's last partial segment goes now
  timer_.cancel();
  timer_armed_ = false;
  // Ends the exchange (write_file wrote no body through write_body).
  exchange::mark_ended(res);
  response_ended();
}

void server_session::uncork() {
  if (!corked_) return;
  corked_ = false;
  if (conn_ && conn_->fd() >= 0) detail::set_cork(conn_->fd(), false);
}

void server_session::close_file() {
  if (file_fd_ >= 0) ::close(file_fd_);
  file_fd_ = -1;
}

void server_session::on_writable(connection& c) {
  (void)c;
  if (file_fd_ >= 0) {
    pump_file();
    if (!in_exchange_ && conn_ && conn_->is_open() && !in_process_) resume_pending();
    return;
  }
  if (writable_cb) {
    auto cb = std::move(writable_cb);
    writable_cb = nullptr;
    cb(res);
    if (!in_exchange_ && conn_ && conn_->is_open()) resume_pending();
  } else if (!in_exchange_ && conn_ && conn_->is_open() && !in_process_) {
    resume_pending();  // answers drained: requests held back may go on
  }
}

void server_session::want_writable() {
  if (conn_ && conn_->is_open()) conn_->request_writable();
}

void server_session::pause_body(bool pause) {
  if (!conn_ || !conn_->is_open() || body_paused_ == pause) return;
  body_paused_ = pause;
  if (pause) {
    conn_->pause_reading();
    timer_.cancel();  // the stall is ours, not the peer's
    timer_armed_ = false;
  } else if (!read_paused_for_pending_) {
    conn_->resume_reading();
    if (phase_ == phase::body) arm(srv_->opts.body_timeout);
  }
}

void server_session::warn(std::string_view what) {
  if (srv_ && srv_->ctx) srv_->ctx->log().log(log_level::warn, "http: ", what);
}

// --- timers and endings -------------------------------------------------------------------

void server_session::arm(std::chrono::milliseconds t) {
  if (t.count() <= 0) return;
  timer_.arm(t);
  timer_armed_ = true;
}

void server_session::on_timeout() {
  timer_armed_ = false;
  if (!conn_ || !conn_->is_open()) return;
  if (file_fd_ >= 0) {
    // The peer stopped reading the file.
    conn_->close(close_reason(error::idle_timeout, "response not read in time"));
    return;
  }
  if (phase_ == phase::head || phase_ == phase::body) {
    // Slowloris, or a body that stalled: 408 if nothing was answered yet.
    keep_alive_ = false;
    if (!res.headers_sent()) {
      if (!in_exchange_) begin_exchange();
      http::detail::send_error(*this, 408);
    }
    if (conn_->is_open())
      conn_->close(close_reason(error::idle_timeout, phase_ == phase::head
                                                         ? "request head not received in time"
                                                         : "request body stalled"));
  }
}

void server_session::on_peer_eof(connection& c) {
  peer_eof_ = true;
  keep_alive_ = false;
  // TCP cannot tell a half-closed client from one that has gone. A response
  // already on its way is finished (if the peer is gone, the writes fail);
  // one the handler has not started yet is given up: the handler learns it
  // through on_abort, as with a reset.
  if (in_exchange_ && !res.ended() && (res.headers_sent() || file_fd_ >= 0)) return;
  c.close(close_reason(error::peer_closed));
}

void server_session::on_shutdown(connection& c) {
  stopping_ = true;
  keep_alive_ = false;
  if (in_exchange_ && !res.ended()) return;  // finish this response, then close
  c.close(close_reason(error::server_stopping));
}

void server_session::on_close(connection& c, const close_reason& why) {
  (void)c;
  (void)why;
  if (in_exchange_ && !res.ended() && abort_cb) {
    auto cb = std::move(abort_cb);
    abort_cb = nullptr;
    cb();
  }
  in_exchange_ = false;
  release();
}

}  // namespace lwspp::h1
