// An HTTP/2 server stream. See stream.hpp.
#include "h2/stream.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "h1/response_head.hpp"
#include "h2/frame_writer.hpp"
#include "h2/response_head.hpp"
#include "h2/server_session.hpp"
#include "h2/ws_tunnel.hpp"
#include "lwspp/context.hpp"

namespace lwspp::h2 {

stream::stream(server_session& s, std::uint32_t id, std::uint32_t send_initial,
               std::uint32_t recv_initial)
    : session(s), stream_id(id), recv_win(recv_initial) {
  send_win.size = send_initial;
  srv = &s.server();
}

stream::~stream() {
  retire();
}

void stream::retire() noexcept {
  // What the handler left (callbacks, its request state) goes now, not
  // when the object next serves.
  reset();
  close_file();
  if (ws_tunnel* t = tunnel) {
    tunnel = nullptr;
    t->stream_gone();
  }
  // A spare keeps its buffers' capacity for the next stream, unless one
  // grew large (a big body): that memory goes back now.
  constexpr std::size_t keep = 16 * 1024;
  if (out_.capacity() > keep) std::string().swap(out_);
  if (held_.capacity() > keep) std::string().swap(held_);
  if (exchange::body(req).capacity() > keep) std::string().swap(exchange::body(req));
  if (exchange::storage(req).capacity() > keep) std::string().swap(exchange::storage(req));
}

void stream::reopen(std::uint32_t id, std::uint32_t send_initial, std::uint32_t recv_initial) {
  stream_id = id;  // the exchange was reset by retire()
  send_win = send_window{};
  send_win.size = send_initial;
  recv_win = recv_window(recv_initial);
  plan = http::detail::body_plan::discard;
  max_body = body_received = 0;
  frame_left = 0;
  content_length = -1;
  remote_closed = local_closed = closed = reset_by_peer = false;
  tunnel = nullptr;
  progress = {};
  prio = {};
  queued = wants_writable = head_request = dispatched = false;
  out_.clear();
  out_off_ = 0;
  held_.clear();
  length_left_ = file_off_ = file_left_ = 0;
  file_fd_ = -1;
  end_pending_ = body_paused_ = no_body_ = false;
}

connection& stream::conn() noexcept {
  return session.conn();
}

void stream::close_file() {
  if (file_fd_ >= 0) ::close(file_fd_);
  file_fd_ = -1;
  file_left_ = 0;
}

void stream::warn(std::string_view what) {
  if (srv && srv->ctx) srv->ctx->log().log(log_level::warn, "http2: ", what);
}

// HEADERS for the response, from the status and fields the handler set.
void stream::send_head(bool end_stream) {
  const int status = res.status();
  no_body_ = head_request || h1::status_has_no_body(status) || status == 304;
  response_head h{.status = status,
                  .fixed_fields = srv->fixed_fields,
                  .fields = res.fields(),
                  .has_length = res.has_length() && status != 204 && status != 304,
                  .length = res.length()};
  thread_local std::string block;
  block.clear();
  session.encoder().response(h, block);
  const bool trailers_now = end_stream && has_trailers();
  append_headers(
      session.out(), stream_id, block,
      {.end_stream = end_stream && !trailers_now, .max_frame_size = session.peer_max_frame()});
  if (trailers_now) append_trailers(session.out());
  exchange::mark_head_sent(res);
  length_left_ = res.has_length() ? res.length() : 0;
  if (end_stream) local_closed = true;
}

void stream::append_trailers(std::string& out) {
  thread_local std::string block;
  block.clear();
  session.encoder().trailers(res.trailer_fields(), block);
  append_headers(out, stream_id, block,
                 {.end_stream = true, .max_frame_size = session.peer_max_frame()});
}

send_result stream::write_body(std::string_view data, bool last) {
  if (closed || res.ended() || !conn().is_open()) return {send_status::refused, 0, false};
  server_session::batch b(session);
  if (!res.headers_sent()) {
    if (last && !res.has_length()) res.content_length(data.size());
    const bool bodyless =
        head_request || h1::status_has_no_body(res.status()) || res.status() == 304;
    send_head(last && (data.empty() || bodyless));
  }
  if (no_body_) {
    data = {};
  } else if (res.has_length()) {
    if (data.size() > length_left_ || (last && data.size() < length_left_)) {
      warn(data.size() > length_left_ ? "response body longer than its Content-Length: stream reset"
                                      : "response ended short of its Content-Length: stream reset");
      exchange::mark_ended(res);
      session.reset(*this, error::internal_error);
      return {send_status::refused, 0, false};
    }
    length_left_ -= data.size();
  }
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  out_.append(data);
  body_bytes_out += data.size();
  if (last) {
    exchange::mark_ended(res);
    if (local_closed) {
      session.local_end(*this);  // HEADERS carried END_STREAM
      return {send_status::written, 0, false};
    }
    end_pending_ = true;
  }
  if (pending() > 0 || end_pending_) session.schedule(*this);
  const std::size_t buffered = pending();
  const bool full = buffered > session.stream_high_water() || session.backed_up();
  return {buffered ? send_status::queued : send_status::written, buffered, full};
}

void stream::write_file(int fd, std::uint64_t offset, std::uint64_t len) {
  server_session::batch b(session);
  close_file();
  if (!res.has_length()) res.content_length(len);
  if (head_request || len == 0 || closed) {
    ::close(fd);
    write_body({}, true);
    return;
  }
  if (!write_body({}, false)) {
    ::close(fd);
    return;
  }
  file_fd_ = fd;
  file_off_ = offset;
  file_left_ = len;
  length_left_ = 0;  // the file's bytes are accounted here
  body_bytes_out += len;
  exchange::mark_ended(res);
  end_pending_ = true;
  session.schedule(*this);
}

std::uint32_t stream::frame_data(std::string& out, std::uint32_t max) {
  const std::size_t in_buffer = out_.size() - out_off_;
  std::uint32_t n = 0;
  if (in_buffer > 0) {
    n = static_cast<std::uint32_t>(std::min<std::size_t>(in_buffer, max));
    const bool end = end_pending_ && n == in_buffer && file_left_ == 0;
    append_data(out, stream_id, std::string_view(out_).substr(out_off_, n), end && !has_trailers());
    if (end && has_trailers()) append_trailers(out);
    out_off_ += n;
    if (end) end_pending_ = false;
  } else if (file_left_ > 0) {
    n = static_cast<std::uint32_t>(std::min<std::uint64_t>(file_left_, max));
    char head[max_data_prefix];
    const std::size_t at = out.size();
    out.resize(at + frame_header_size + n);
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(file_fd_, out.data() + at + frame_header_size + got, n - got,
                                static_cast<off_t>(file_off_ + got));
      if (r > 0) {
        got += static_cast<std::size_t>(r);
      } else if (r < 0 && errno == EINTR) {
        continue;
      } else {
        break;
      }
    }
    if (got < n) {
      out.resize(at);
      warn("file ended early or could not be read: stream reset");
      session.reset(*this, error::internal_error);
      return 0;
    }
    file_off_ += n;
    file_left_ -= n;
    const bool end = end_pending_ && file_left_ == 0;
    write_data_prefix(head, stream_id, n, end && !has_trailers());
    std::copy(head, head + frame_header_size, out.data() + at);
    if (end && has_trailers()) append_trailers(out);
    if (file_left_ == 0) close_file();
    if (end) end_pending_ = false;
  } else if (end_pending_) {
    if (has_trailers())
      append_trailers(out);  // no body bytes were left: no empty DATA first
    else
      append_data(out, stream_id, {}, true);
    end_pending_ = false;
  }
  if (in_buffer > 0 && out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  if (!end_pending_ && pending() == 0 && res.ended() && !local_closed) {
    local_closed = true;
    session.local_end(*this);
  }
  return n;
}

void stream::on_request_data(std::string_view data) {
  if (body_paused_) {
    held_.append(data);
    return;
  }
  const auto n = static_cast<std::uint32_t>(data.size());
  switch (plan) {
    case http::detail::body_plan::whole:
      exchange::body(req).append(data);
      break;
    case http::detail::body_plan::stream:
      http::detail::body_piece(*this, data);
      break;
    case http::detail::body_plan::upgrade:
      if (tunnel) tunnel->from_client(data);
      break;
    case http::detail::body_plan::discard:
      break;
  }
  if (!closed) session.consumed(*this, n);
}

void stream::on_request_end() {
  remote_closed = true;
  // Paused: body_end comes when the handler resumes. Answered already: the
  // response closes the stream when it has gone out.
  if (body_paused_ || closed || res.ended()) return;
  request_done();
}

void stream::request_done() {
  if (tunnel)
    tunnel->client_ended();
  else
    http::detail::body_end(*this, plan);
}

void stream::want_writable() {
  server_session::batch b(session);
  wants_writable = true;
  session.schedule(*this);
}

void stream::pause_body(bool pause) {
  if (body_paused_ == pause || closed) return;
  server_session::batch b(session);
  body_paused_ = pause;
  if (pause) return;
  // Resumed: what arrived meanwhile goes to the handler, and its credit back.
  std::string held = std::move(held_);
  held_.clear();
  if (!held.empty()) on_request_data(held);
  if (remote_closed && !body_paused_ && !closed && !res.ended()) request_done();
}

void stream::abort_exchange() {
  close_file();
  if (ws_tunnel* t = tunnel) {
    tunnel = nullptr;
    t->stream_gone();
  }
  if (dispatched && !res.ended() && abort_cb) {
    auto cb = std::move(abort_cb);
    abort_cb = nullptr;
    cb();
  }
}

}  // namespace lwspp::h2
