// The TLS transport of a connection: ciphertext read from the socket goes
// through the tls::session and the plaintext to the role; what the role
// sends is encrypted and written (or queued) as ciphertext. The session is
// sans-I/O (src/tls/session.hpp); this file moves its bytes.
//
// The role sees TLS only as a later on_open: it runs once the handshake is
// done. Bytes sent before then (a client's first request) wait as plaintext
// and go out, in order, right after the handshake.
#include <algorithm>
#include <cstring>
#include <string>

#include "core/listener.hpp"
#include "lwspp/connection.hpp"
#include "tls/session.hpp"

namespace lwspp {

connection::extras::~extras() = default;

void connection::set_tls(std::unique_ptr<tls::session> s,
                         std::chrono::milliseconds handshake_timeout,
                         tls_plaintext_http plaintext) {
  extras& x = more();
  x.tls = std::move(s);
  x.tls_timeout = handshake_timeout;
  x.tls_plaintext = plaintext;
  tls_ = true;
  tls_handshaking_ = true;
}

void connection::borrow_options(const connection_options& opts) noexcept {
  opts_ = &opts;
  if (x_) x_->own_opts.reset();
}

std::string_view connection::tls_alpn() const noexcept {
  return tls_ && !tls_handshaking_ ? x_->tls->alpn() : std::string_view();
}

std::string_view connection::tls_server_name() const noexcept {
  return tls_ && !tls_handshaking_ ? x_->tls->server_name() : std::string_view();
}

std::string_view connection::tls_version() const noexcept {
  return tls_ && !tls_handshaking_ ? x_->tls->version() : std::string_view();
}

std::string_view connection::tls_cipher() const noexcept {
  return tls_ && !tls_handshaking_ ? x_->tls->cipher() : std::string_view();
}

bool connection::tls_resumed() const noexcept {
  return tls_ && !tls_handshaking_ && x_->tls->resumed();
}

tls_peer_identity connection::tls_peer() const {
  return tls_ && !tls_handshaking_ ? x_->tls->peer_identity() : tls_peer_identity{};
}

// Feeds ciphertext until it is used up. Returns false when reading must stop
// for now: the connection closed or failed, the peer sent close_notify, or
// the role paused reading (the rest of the input is kept for resume).
bool connection::tls_input(std::string_view in, std::span<char> plain) {
  tls::session& s = *x_->tls;
  const std::string_view first = in;
  for (;;) {
    const tls::event ev = s.feed(in, plain);
    in.remove_prefix(ev.consumed);
    switch (ev.kind) {
      case tls::event_kind::need_more:
        tls_push_output();
        return state_ != state::closed;
      case tls::event_kind::handshake_done:
        tls_push_output();
        tls_handshake_done();
        if (state_ != state::open) return state_ != state::closed;
        break;
      case tls::event_kind::data:
        if (state_ == state::open) role_->on_data(*this, {plain.data(), ev.size});
        if (state_ == state::closed) return false;
        if (paused_ && state_ == state::open) {
          // Undelivered ciphertext waits here; plaintext the session holds
          // stays in it. resume_reading() feeds both.
          x_->tls_in.assign(in);
          tls_push_output();
          return false;
        }
        break;
      case tls::event_kind::closed:
        // close_notify: the peer sends nothing more, as with a FIN.
        tls_push_output();
        if (state_ == state::open) role_->on_peer_eof(*this);
        return false;
      case tls::event_kind::failed:
        tls_failed(first);
        return false;
    }
  }
}

void connection::tls_resume_input() {
  if (!tls_ || paused_ || state_ != state::open || tls_handshaking_) return;
  const std::string pending = std::move(x_->tls_in);
  x_->tls_in.clear();
  // Between reads the loop's buffer is free: its tail takes the plaintext.
  std::span<char> plain = owner().read_buffer().last(tls_plaintext_room);
  tls_input(pending, plain);
}

void connection::tls_handshake_done() {
  tls_handshaking_ = false;
  timer_.cancel();
  if (origin_) origin_->tls_ready(*this);  // counts; may switch to the SNI-chosen vhost
  if (state_ != state::open) return;
  touch();
  if (role_timer_)
    timer_.arm(std::chrono::milliseconds(role_timer_ms_));
  else if (opts_->idle_timeout.count() > 0)
    timer_.arm(opts_->idle_timeout);
  if (!x_->tls_early.empty()) {
    const std::string early = std::move(x_->tls_early);
    x_->tls_early.clear();
    tls_send(early);
    if (state_ != state::open) return;
  }
  role_->on_open(*this);
}

send_result connection::tls_send(std::string_view plaintext) {
  if (tls_handshaking_ || state_ == state::connecting) {
    std::string& early = x_->tls_early;
    if (over_limit(early.size() + plaintext.size()))
      return {send_status::refused, buffered() + early.size(), true};
    early.append(plaintext);
    return {send_status::queued, buffered() + early.size(),
            buffered() + early.size() > opts_->write_high_water};
  }
  if (over_limit(plaintext.size())) return {send_status::refused, buffered(), true};
  tls::session& s = *x_->tls;
  if (!plaintext.empty() && s.write(plaintext) == 0) {
    tls_failed({});
    return {send_status::refused, buffered(), false};
  }
  const std::string_view out = s.output();
  send_result r = write_out(out, nullptr);
  s.consume_output(out.size());
  return r;
}

void connection::tls_push_output() {
  tls::session& s = *x_->tls;
  const std::string_view out = s.output();
  if (out.empty()) return;
  if (write_shut_) {
    // After our FIN (shutdown_write) nothing can reach the peer; a write
    // would fail with EPIPE and close a connection that can still read.
    s.consume_output(out.size());
    return;
  }
  write_out(out, nullptr);
  s.consume_output(out.size());
}

void connection::tls_send_close_notify() {
  tls::session& s = *x_->tls;
  if (tls_handshaking_ || s.state() != tls::session_state::open || s.close_sent()) return;
  s.close();
  tls_push_output();
}

void connection::tls_failed(std::string_view first_bytes) {
  tls::session& s = *x_->tls;
  const close_reason why = s.failure();
  const bool during_handshake = tls_handshaking_;
  if (during_handshake && origin_) origin_->tls_failed(*this, why);
  if (why.code == tls_error::not_tls) {
    tls_plaintext_reply(first_bytes);
  } else {
    tls_push_output();  // the alert, if the session made one
  }
  // The role has not seen this connection open: it only gets on_close.
  close(why);
}

namespace {

// The value of header `name` in an HTTP/1 head, or "" (a best effort for a
// courtesy reply: nothing here is trusted beyond printable ASCII).
std::string_view header_value(std::string_view head, std::string_view name) {
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const std::size_t start = pos + 2;
    const std::size_t end = head.find("\r\n", start);
    const std::string_view line =
        head.substr(start, end == std::string_view::npos ? head.size() - start : end - start);
    if (line.size() > name.size() && line[name.size()] == ':') {
      bool same = true;
      for (std::size_t i = 0; i < name.size() && same; ++i)
        same = (line[i] | 0x20) == (name[i] | 0x20);
      if (same) {
        std::string_view v = line.substr(name.size() + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
          v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
          v.remove_suffix(1);
        return v;
      }
    }
    pos = end;
  }
  return {};
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

// Plaintext HTTP on a TLS port: say so in a way the person at the browser
// understands (or redirect), instead of a TLS alert they would never see.
void connection::tls_plaintext_reply(std::string_view request) {
  if (x_->tls_plaintext == tls_plaintext_http::close) return;
  std::string reply;
  if (x_->tls_plaintext == tls_plaintext_http::redirect_https) {
    const std::size_t sp1 = request.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : request.find(' ', sp1 + 1);
    std::string_view target;
    if (sp2 != std::string_view::npos) target = request.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view host = header_value(request, "host");
    if (!host.empty() && printable(host) && host.find('/') == std::string_view::npos &&
        !target.empty() && target.front() == '/' && printable(target)) {
      reply = "HTTP/1.1 301 Moved Permanently\r\nLocation: https://";
      reply.append(host).append(target);
      reply += "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
  }
  if (reply.empty()) {
    constexpr std::string_view body = "This port speaks HTTPS: use an https:// URL.\n";
    reply = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    reply.append(body);
  }
  write_out(reply, nullptr);
}

}  // namespace lwspp
