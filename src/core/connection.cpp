// A stream connection driven by its loop: reads into the loop's buffer,
// writes straight to the kernel when it can and queues the rest, closes
// gracefully (flush, FIN, wait for the peer's FIN) or abortively (RST).
#include "lwspp/connection.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/exception_guard.hpp"
#include "core/listener.hpp"
#include "core/post_queue.hpp"
#include "net/socket.hpp"
#include "tls/session.hpp"
#include "util/fault.hpp"

namespace lwspp {
namespace {

// Reads per readiness event before yielding to other connections: keeps one
// fast sender from starving the rest of the loop.
constexpr int max_reads_per_event = 4;
constexpr int max_iov = 64;
// While corked, sends up to this size are queued (copied) for one write at
// uncork(), and the queue goes out once it holds this much: a larger batch
// saves no further system calls.
constexpr std::size_t cork_max = 16 * 1024;

}  // namespace

void role::on_peer_eof(connection& c) {
  // Under TLS an EOF without the peer's close_notify is a truncation: the
  // session has already said so (end_of_input), and a role that does not
  // know better from its own framing must not report it as an orderly close.
  if (c.is_tls() && c.tls_session().state() == tls::session_state::failed) {
    c.close(c.tls_session().failure());
    return;
  }
  c.close(close_reason(error::peer_closed));
}

void role::on_shutdown(connection& c) {
  c.close();
}

// --- connection_handle -------------------------------------------------------

bool connection_handle::send(std::string bytes) const {
  if (expired() || !queue_) return false;
  return dispatch([b = std::move(bytes)](connection& c) mutable { c.send(std::move(b)); });
}

bool connection_handle::close() const {
  return dispatch([](connection& c) { c.close(); });
}

bool connection_handle::abort() const {
  return dispatch([](connection& c) { c.abort(); });
}

bool connection_handle::dispatch(unique_function<void(connection&)> fn) const {
  if (expired() || !queue_) return false;
  return queue_->push([a = anchor_, f = std::move(fn)]() mutable {
    connection* c = a->conn.load(std::memory_order_relaxed);
    if (!c || c->current_state() == connection::state::closed) return;
    try {
      f(*c);
    } catch (...) {
      c->end_by_exception();
    }
  });
}

connection* connection_handle::get() const noexcept {
  connection* c = anchor_ ? anchor_->conn.load(std::memory_order_relaxed) : nullptr;
  return c && c->current_state() != connection::state::closed ? c : nullptr;
}

// --- lifetime ------------------------------------------------------------------

connection_ref connection::create(loop& l, int fd, role& r, const connection_options& opts,
                                  bool shared_opts) {
  return connection_ref(new connection(private_tag{}, l, fd, r, opts, shared_opts));
}

connection::connection(private_tag, loop& l, int fd, role& r, const connection_options& opts,
                       bool shared_opts)
    : loop_member(l),
      fd_(fd),
      role_(&r),
      opts_(&opts),
      timer_(l, &connection::on_timer_thunk, this) {
  if (!shared_opts) {
    more().own_opts = std::make_unique<connection_options>(opts);
    opts_ = x_->own_opts.get();
  }
}

connection::extras& connection::more() {
  if (!x_) x_ = std::make_unique<extras>();
  return *x_;
}

connection_options& connection::own_options() {
  extras& x = more();
  if (!x.own_opts) {
    x.own_opts = std::make_unique<connection_options>(*opts_);
    opts_ = x.own_opts.get();
  }
  return *x.own_opts;
}

connection_handle connection::handle() {
  extras& x = more();
  if (!x.anchor) x.anchor = std::make_shared<detail::connection_anchor>(this);
  return {x.anchor, owner().queue()};
}

void connection::drop_role() noexcept {
  if (role_owned_) delete role_;
  role_owned_ = false;
}

void connection::own_role(std::unique_ptr<role> r) {
  drop_role();
  role_ = r.release();
  role_owned_ = true;
}

void connection::share_role(std::shared_ptr<role> r) {
  drop_role();
  role_ = r.get();
  more().shared_role = std::move(r);
}

void connection::borrow_role(role& r) {
  drop_role();
  role_ = &r;
}

void connection::set_peer(const address& peer) {
  if (peer.is_ip() && peer.size() <= sizeof peer_ip_) {
    std::memcpy(peer_ip_, peer.data(), peer.size());
    peer_ip_len_ = static_cast<std::uint8_t>(peer.size());
  } else if (peer.is_unix()) {
    more().peer_unix = std::make_unique<address>(peer);
  }
}

address connection::peer() const {
  if (peer_ip_len_) return address::from_sockaddr(peer_ip_, peer_ip_len_);
  if (x_ && x_->peer_unix) return *x_->peer_unix;
  address a;
  socklen_t len = address::capacity;
  if (fd_ >= 0 && is_socket_ && ::getpeername(fd_, static_cast<sockaddr*>(a.data()), &len) == 0)
    return address::from_sockaddr(a.data(), len);
  return {};
}

address connection::local() const {
  address a;
  socklen_t len = address::capacity;
  if (fd_ >= 0 && is_socket_ && ::getsockname(fd_, static_cast<sockaddr*>(a.data()), &len) == 0)
    return address::from_sockaddr(a.data(), len);
  return {};
}

connection::~connection() {
  if (fd_ >= 0) ::close(fd_);
  if (x_ && x_->anchor) x_->anchor->conn.store(nullptr, std::memory_order_release);
  drop_role();
}

void connection::detail_bad_state_type() {
  // A programming error, and no exception may cross the loop: say so and stop.
  std::fputs("lwspp: connection::state_as<T> called with a second type T\n", stderr);
  std::abort();
}

void connection::join_loop() {
  // Membership is changed only on the loop thread; a client connection is
  // created on the caller's thread and joins when the loop picks it up.
  if (!joined_) {
    join();
    joined_ = true;
  }
}

void connection::set_connecting() {
  join_loop();
  state_ = state::connecting;
}

void connection::start() {
  try {
    begin();
  } catch (...) {
    end_by_exception();
  }
}

void connection::begin() {
  join_loop();
  if (!loop_ref_) {
    ++refs_;  // the loop's reference, handed to on_close's deferred task by finish()
    loop_ref_ = true;
  }
  state_ = state::open;
  // Accepted and connected sockets are known to be sockets (their peer was
  // set); only adopted fds need asking.
  if (!peer_ip_len_ && !(x_ && x_->peer_unix)) {
    struct stat st {};
    is_socket_ = ::fstat(fd_, &st) == 0 && S_ISSOCK(st.st_mode);
  }
  interest_ = io_readable | (buffered() ? io_writable : 0u);
  if (!owner().watch(fd_, interest_, *this)) {
    finish(detail::errno_error(errno, "epoll_ctl"), false);
    return;
  }
  watched_ = true;
  touch();
  if (tls_handshaking_) {
    // The role opens once the handshake is done (connection_tls.cpp).
    timer_.arm(x_->tls_timeout);
    tls_push_output();  // a client's ClientHello
    return;
  }
  if (opts_->idle_timeout.count() > 0) timer_.arm(opts_->idle_timeout);
  role_->on_open(*this);
}

void connection::switch_role(role& r, std::unique_ptr<role> owned) {
  // The old owned role may be the caller: keep it alive until we return.
  if (role_owned_) owner().defer([o = std::unique_ptr<role>(role_)] {});
  role_owned_ = false;
  if (owned) {
    role_ = owned.release();
    role_owned_ = true;
  } else {
    role_ = &r;
  }
}

// --- events ----------------------------------------------------------------------

void connection::on_io(std::uint32_t events) {
  try {
    on_io_events(events);
  } catch (...) {
    end_by_exception();
  }
}

void connection::on_timer_thunk(void* self) {
  auto* c = static_cast<connection*>(self);
  try {
    c->on_timer();
  } catch (...) {
    c->end_by_exception();
  }
}

void connection::end_by_exception() noexcept {
  // The role may be halfway through a change: nothing more of it runs but
  // on_close, and the peer gets a reset, not a graceful end it could
  // mistake for a complete answer.
  close_reason why = detail::current_exception_reason();
  LWSPP_LOG(owner().log(), warn, "connection ", fd_, ": ", why.message(), "; reset");
  if (state_ == state::closed) return;  // already ending: on_close is queued
  try {
    finish(std::move(why), true);
  } catch (...) {
    // No memory even for on_close's task. Only a true exhaustion gets here
    // (an injected fault fails once); the fd is closed, the object stays.
    detail::log_current_exception(owner().log(), "closing a connection");
  }
}

void connection::on_io_events(std::uint32_t events) {
  if (state_ == state::closed) return;
  if (events & io_writable) {
    if (!flush()) return;
  }
  if (state_ == state::closed) return;
  if (events & (io_readable | io_hangup | io_error)) handle_readable();
}

void connection::handle_readable() {
  if (paused_ && state_ == state::open) return;
  std::span<char> buf = owner().read_buffer();
  std::span<char> plain;
  if (tls_) {
    plain = buf.last(tls_plaintext_room);
    buf = buf.first(buf.size() - tls_plaintext_room);
  }
  for (int i = 0; i < max_reads_per_event; ++i) {
    const ssize_t n =
        fault::inject(fault::site::read, ECONNRESET) ? -1 : ::read(fd_, buf.data(), buf.size());
    if (n > 0) {
      bytes_in_ += static_cast<std::uint64_t>(n);
      touch();
      // While closing we only wait for the peer's FIN: data is discarded.
      if (state_ == state::open) {
        const std::string_view bytes(buf.data(), static_cast<std::size_t>(n));
        if (!tls_)
          role_->on_data(*this, bytes);
        else if (!tls_input(bytes, plain))
          return;
      }
      if (state_ == state::closed || (paused_ && state_ == state::open)) return;
      if (static_cast<std::size_t>(n) < buf.size()) return;  // drained; epoll says when more comes
      continue;
    }
    if (n == 0) {
      peer_eof_ = true;
      if (state_ == state::closing) {
        // We had already closed; this FIN completes the close once flushed.
        if (!buffered()) finish(take_pending_reason(), false);
        return;
      }
      if (tls_ && state_ == state::open) {
        // Without close_notify the session calls it truncation; the role
        // still decides (HTTP framing knows whether anything was lost).
        x_->tls->end_of_input();
        if (tls_handshaking_) {
          tls_failed({});
          return;
        }
      }
      // The peer is done sending. Anything already queued to it still goes
      // out (nothing is lost), then the connection closes.
      role_->on_peer_eof(*this);
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    if (state_ == state::closing && write_shut_) {
      // Our close was flushed and our FIN sent: a reset while we wait for
      // the peer's FIN ends the linger early, as its FIN would. The reason
      // stays the one given to close() (a TLS alert's, say).
      finish(take_pending_reason(), false);
      return;
    }
    finish(detail::errno_error(errno, "read"), false);
    return;
  }
}

bool connection::write_queue(bool in_handler) {
  while (buffered() && !write_shut_) {
    io_slice iov[max_iov];
    const std::size_t count = wq_->gather(iov);
    ssize_t n;
    if (fault::inject(fault::site::write, EPIPE)) {
      n = -1;
    } else if (is_socket_) {
      msghdr msg{};
      msg.msg_iov = reinterpret_cast<iovec*>(iov);
      msg.msg_iovlen = count;
      n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    } else {
      n = ::writev(fd_, reinterpret_cast<const iovec*>(iov), static_cast<int>(count));
    }
    if (n > 0) {
      wq_->consume(static_cast<std::size_t>(n));
      bytes_out_ += static_cast<std::uint64_t>(n);
      touch_write();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    const close_reason why = detail::errno_error(n < 0 ? errno : EPIPE, "write");
    if (in_handler) {
      // Inside a role's call (send, uncork): close after it returns, as a
      // failed direct write does.
      fail_after_handler(why);
    } else {
      finish(why, true);
    }
    return false;
  }
  return true;
}

// A write failed inside a role's call: the connection is closing at once
// (nothing more is sent or read as data), and closes with `why` after the
// call returns. The reason is also the pending one, for a FIN or reset
// that ends the close first.
void connection::fail_after_handler(close_reason why) {
  more().pending_reason = std::make_unique<close_reason>(why);
  state_ = state::closing;
  owner().defer([self = connection_ref(this), why = std::move(why)] { self->finish(why, true); });
}

// The reason given to close() (or to a failure inside a handler).
close_reason connection::take_pending_reason() {
  if (x_ && x_->pending_reason) return std::move(*x_->pending_reason);
  return close_reason(error::closed_locally);
}

bool connection::flush() {
  if (!write_queue(false)) return false;
  // Drained: give the queue's memory back (an idle connection keeps none).
  if (wq_ && wq_->empty()) wq_.reset();
  if (!wq_ && state_ == state::closing && !write_shut_) {
    shut_write();
    if (state_ == state::closed) return false;
  }
  if (!wq_ && fin_wanted_ && !write_shut_ && state_ == state::open) send_fin();
  if (want_writable_ && state_ == state::open && buffered() <= opts_->write_high_water / 2) {
    want_writable_ = false;
    update_interest();
    role_->on_writable(*this);
    if (state_ == state::closed) return false;
  }
  update_interest();
  return true;
}

// --- writing ---------------------------------------------------------------------

bool connection::over_limit(std::size_t extra) {
  if (buffered() + extra <= opts_->write_limit) return false;
  if (opts_->on_overflow == overflow_policy::close) {
    finish(
        close_reason(error::write_buffer_full,
                     "write queue would exceed " + std::to_string(opts_->write_limit) + " bytes"),
        true);
  }
  return true;
}

send_result connection::queue_bytes(std::string_view bytes, std::string* owned,
                                    const shared_slice* shared) {
  if ((state_ != state::open && state_ != state::connecting) || fin_wanted_)
    return {send_status::refused, buffered(), false};
  if (tls_) return tls_send(bytes);
  if (over_limit(bytes.size())) return {send_status::refused, buffered(), true};
  return write_out(bytes, owned, shared);
}

send_result connection::write_out(std::string_view bytes, std::string* owned,
                                  const shared_slice* shared) {
  std::size_t written = 0;
  if (corked_ && state_ == state::open) {
    if (bytes.size() <= cork_max) return write_corked(bytes, owned, shared);
    // Too large to be worth a copy: what waits goes first, then these bytes
    // as any send.
    if (buffered() && !write_queue(true)) return {send_status::refused, 0, false};
  }
  if (!buffered() && state_ == state::open && !bytes.empty()) {
    // The common case: nothing queued, so write straight from the caller's bytes.
    for (;;) {
      const ssize_t n = fault::inject(fault::site::write, EPIPE) ? -1
                        : is_socket_ ? ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL)
                                     : ::write(fd_, bytes.data(), bytes.size());
      if (n >= 0) {
        written = static_cast<std::size_t>(n);
        break;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      // The peer is gone: close after the current handler returns.
      fail_after_handler(detail::errno_error(errno, "write"));
      return {send_status::refused, 0, false};
    }
    if (written) {
      bytes_out_ += written;
      touch_write();
    }
    if (written == bytes.size()) return {send_status::written, 0, false};
  }

  if (!wq_) wq_ = std::make_unique<buffer_chain>();
  if (owned && written == 0)
    wq_->append(std::move(*owned));
  else if (shared)
    wq_->append(shared_slice{shared->owner, bytes.substr(written)});
  else
    wq_->append(bytes.substr(written));
  send_result r{send_status::queued, wq_->size(), wq_->size() > opts_->write_high_water};
  if (r.backpressure) want_writable_ = true;
  update_interest();
  return r;
}

// A small send while corked: queued with the others, which go out together
// at uncork() or now, once a batch is full.
send_result connection::write_corked(std::string_view bytes, std::string* owned,
                                     const shared_slice* shared) {
  if (!wq_) wq_ = std::make_unique<buffer_chain>();
  if (owned)
    wq_->append(std::move(*owned));
  else if (shared)
    wq_->append(*shared);
  else
    wq_->append(bytes);
  if (wq_->size() >= cork_max && !write_queue(true)) return {send_status::refused, 0, false};
  send_result r{buffered() ? send_status::queued : send_status::written, buffered(),
                buffered() > opts_->write_high_water};
  if (r.backpressure) want_writable_ = true;
  return r;  // interest is updated at uncork()
}

void connection::uncork() {
  if (!corked_) return;
  corked_ = false;
  if (state_ == state::open && buffered() && !write_queue(true)) return;
  if (wq_ && wq_->empty()) wq_.reset();
  update_interest();
}

send_result connection::send(std::string_view bytes) {
  return queue_bytes(bytes, nullptr);
}

send_result connection::send(std::string&& bytes) {
  return queue_bytes(std::string_view(bytes), &bytes);
}

send_result connection::send(const shared_slice& bytes) {
  return queue_bytes(bytes.bytes, nullptr, &bytes);
}

std::uint64_t connection::send_file(int file_fd, std::uint64_t offset, std::uint64_t len) {
  // Corked answers to earlier requests go first (the file is sent uncopied).
  if (corked_ && state_ == state::open && buffered() && !write_queue(true)) return 0;
  if (wq_ && wq_->empty()) wq_.reset();
  if (state_ != state::open || buffered() || fin_wanted_) {
    if (state_ == state::open && !fin_wanted_) request_writable();
    return 0;
  }
  if (tls_) return send_file_copy(file_fd, offset, len);
  std::uint64_t sent = 0;
  while (sent < len) {
    // sendfile moves at most ~2 GiB per call; ask for 1 MiB pieces so one
    // connection cannot hold the loop for long.
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(len - sent, 1 << 20));
    off_t off = static_cast<off_t>(offset + sent);
    const ssize_t n =
        fault::inject(fault::site::write, EPIPE) ? -1 : ::sendfile(fd_, file_fd, &off, want);
    if (n > 0) {
      sent += static_cast<std::uint64_t>(n);
      bytes_out_ += static_cast<std::uint64_t>(n);
      touch_write();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      request_writable();
      break;
    }
    if (n == 0) {
      // The file is shorter than promised (truncated while being sent): the
      // response cannot be completed honestly.
      finish(close_reason(error::io_error, "file ended early"), true);
      break;
    }
    if (errno == EINVAL || errno == ENOSYS) {
      // Not a socket (an adopted pipe): copy through a buffer instead.
      sent += send_file_copy(file_fd, offset + sent, len - sent);
      break;
    }
    if (errno == EPIPE || errno == ECONNRESET) {
      finish(detail::errno_error(errno, "sendfile"), true);
    } else {
      finish(close_reason(error::io_error, std::string("sendfile: ") + std::strerror(errno)), true);
    }
    break;
  }
  return sent;
}

// The file through a buffer and send(): for TLS (which must encrypt what it
// sends) and for descriptors sendfile(2) cannot write to. One 16 KiB piece
// is one full TLS record.
std::uint64_t connection::send_file_copy(int file_fd, std::uint64_t offset, std::uint64_t len) {
  std::uint64_t sent = 0;
  char buf[16384];
  while (sent < len && state_ == state::open) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(len - sent, sizeof buf));
    const ssize_t r = ::pread(file_fd, buf, want, static_cast<off_t>(offset + sent));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      finish(close_reason(error::io_error, r == 0 ? "file ended early" : "file read failed"), true);
      break;
    }
    const send_result res = send(std::string_view(buf, static_cast<std::size_t>(r)));
    if (!res) break;
    sent += static_cast<std::uint64_t>(r);
    if (res.status == send_status::queued) {
      request_writable();
      break;
    }
  }
  return sent;
}

void connection::request_writable() {
  want_writable_ = true;
  update_interest();
}

void connection::update_interest() {
  if (!watched_ || state_ == state::closed) return;
  std::uint32_t want = 0;
  if (!paused_ || state_ == state::closing) want |= io_readable;
  // Corked bytes are written at uncork(), not when the socket is writable.
  if ((buffered() && !corked_) || want_writable_) want |= io_writable;
  if (peer_eof_) want &= ~static_cast<std::uint32_t>(io_readable);  // EOF stays readable forever
  if (want != interest_) {
    interest_ = want;
    owner().modify(fd_, want, *this);
  }
}

// --- reading control -------------------------------------------------------------

void connection::pause_reading() {
  paused_ = true;
  update_interest();
}

void connection::resume_reading() {
  paused_ = false;
  update_interest();
  // Under TLS, input may wait where epoll cannot see it: ciphertext kept at
  // the pause, or plaintext inside the session. Feed it after this handler.
  if (tls_ && state_ == state::open && !tls_handshaking_)
    owner().defer([self = connection_ref(this)] { self->tls_resume_input(); });
}

// --- timers ----------------------------------------------------------------------

std::uint32_t connection::now_ms() const noexcept {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return static_cast<std::uint32_t>(
      duration_cast<milliseconds>(owner().now().time_since_epoch()).count());
}

void connection::touch() noexcept {
  last_activity_ = now_ms();
}

void connection::set_role_timer(std::chrono::milliseconds after, bool since_last_read) {
  if (state_ != state::open) return;
  if (after.count() <= 0) {
    role_timer_ = role_timer_reads_ = false;
    timer_.cancel();
    // Back to the idle timeout, counted from now.
    if (!idle_off_ && opts_->idle_timeout.count() > 0 && !tls_handshaking_) {
      touch();
      timer_.arm(opts_->idle_timeout);
    }
    return;
  }
  role_timer_ = true;
  role_timer_reads_ = since_last_read;
  role_timer_ms_ = static_cast<std::uint32_t>(std::min<std::int64_t>(after.count(), 1LL << 31));
  if (!since_last_read) last_activity_ = now_ms();
  // During a TLS handshake the timer is the handshake's; its end arms this one.
  if (tls_handshaking_) return;
  const auto left = static_cast<std::int32_t>(last_activity_ + role_timer_ms_ - now_ms());
  timer_.arm(std::chrono::milliseconds(std::max<std::int32_t>(left, 0)));
}

void connection::set_idle_timeout(std::chrono::milliseconds t) {
  if (t.count() <= 0 && !(x_ && x_->own_opts)) {
    // Off, on shared options (a vhost's): a flag rather than a copy of the
    // options for this one connection. An upgraded WebSocket turns HTTP's
    // keep-alive timeout off this way.
    idle_off_ = true;
  } else {
    idle_off_ = false;
    own_options().idle_timeout = t;
  }
  if (state_ != state::open) return;
  if (t.count() > 0) {
    touch();
    timer_.arm(t);
  } else {
    timer_.cancel();
  }
}

void connection::on_timer() {
  if (state_ == state::closing) {
    if (!write_shut_) {
      // close_timeout passed with bytes still queued: the peer stopped reading.
      finish(close_reason(error::flush_timeout,
                          std::to_string(buffered()) + " bytes unsent after " +
                              std::to_string(opts_->close_timeout.count()) + " ms"),
             true);
    } else {
      // Linger over: the peer never sent its FIN. Everything was delivered.
      finish(take_pending_reason(), false);
    }
    return;
  }
  if (state_ == state::open && tls_handshaking_) {
    const close_reason why(
        tls_error::handshake_timeout,
        "no TLS handshake within " + std::to_string(x_->tls_timeout.count()) + " ms");
    if (origin_) origin_->tls_failed(*this, why);
    close(why);
    return;
  }
  if (state_ != state::open) return;
  // Activity only stamps a time; the timer checks it here, so a busy
  // connection costs no timer work per read or write.
  if (role_timer_) {
    const auto left = static_cast<std::int32_t>(last_activity_ + role_timer_ms_ - now_ms());
    if (left > 0) {
      timer_.arm(std::chrono::milliseconds(left));
      return;
    }
    role_timer_ = role_timer_reads_ = false;
    connection_ref keep(this);
    role_->on_role_timer(*this);
    // Not re-armed by the role: the idle timeout applies again, from now.
    if (state_ == state::open && !role_timer_ && !idle_off_ && opts_->idle_timeout.count() > 0) {
      touch();
      timer_.arm(opts_->idle_timeout);
    }
    return;
  }
  if (idle_off_ || opts_->idle_timeout.count() <= 0) return;
  const auto idle_ms = static_cast<std::uint32_t>(opts_->idle_timeout.count());
  const auto left = static_cast<std::int32_t>(last_activity_ + idle_ms - now_ms());
  if (left > 0) {
    timer_.arm(std::chrono::milliseconds(left));
    return;
  }
  close(close_reason(error::idle_timeout,
                     "no traffic for " + std::to_string(opts_->idle_timeout.count()) + " ms"));
}

// --- closing ---------------------------------------------------------------------

void connection::close() {
  close(close_reason(error::closed_locally));
}

void connection::abort() {
  finish(close_reason(error::aborted), true);
}

void connection::close(close_reason why) {
  if (state_ == state::closed || state_ == state::closing) return;
  if (corked_) {
    // Corked answers go now, ahead of close_notify and FIN.
    corked_ = false;
    if (state_ == state::open && buffered() && !write_queue(true)) return;
  }
  if (state_ == state::connecting || !watched_) {
    finish(std::move(why), false);
    return;
  }
  // close_notify first, while still open: write_out() writes straight to the
  // socket only then; once closing it would queue the alert and wait a loop
  // turn (and two epoll_ctl calls) for writability to send it.
  if (tls_) tls_send_close_notify();
  if (state_ == state::closed) return;
  state_ = state::closing;
  more().pending_reason = std::make_unique<close_reason>(std::move(why));
  want_writable_ = false;
  timer_.arm(opts_->close_timeout);  // the flush phase; shut_write() re-arms for the linger
  if (!buffered()) {
    shut_write();
    if (state_ == state::closed) return;
  }
  update_interest();
}

void connection::shut_write() {
  write_shut_ = true;
  // Not a socket (pipe, file), or the peer already sent its FIN: nothing to wait for.
  if (!is_socket_ || peer_eof_) {
    finish(take_pending_reason(), false);
    return;
  }
  send_fin();
  timer_.arm(opts_->close_linger);
}

void connection::send_fin() noexcept {
  write_shut_ = true;
  ::shutdown(fd_, SHUT_WR);  // fails only if the peer is gone, which a read reports
}

bool connection::shutdown_write() {
  if (state_ != state::open || tls_handshaking_ || !is_socket_) return false;
  if (fin_wanted_) return true;
  if (corked_) {
    // Corked answers go first, as at close().
    corked_ = false;
    if (buffered() && !write_queue(true)) return false;  // failed: closing after this handler
  }
  if (tls_) tls_send_close_notify();  // queued behind what waits, ahead of the FIN
  if (state_ != state::open) return false;
  fin_wanted_ = true;
  // A pending on_writable still comes once the queue drains (the FIN then
  // has gone too).
  if (!buffered()) send_fin();
  update_interest();
  return true;
}

void connection::fail(close_reason why) {
  finish(std::move(why), false);
}

void connection::finish(close_reason why, bool reset) {
  if (state_ == state::closed) return;
  // on_close's task is queued first: it is the one step that allocates, so
  // if memory runs out nothing has changed yet and the caller's catch can
  // end the connection again. The loop's reference is handed to the task
  // only once it is queued.
  owner().defer([self = connection_ref(this), why = std::move(why)]() mutable {
    try {
      self->role_->on_close(*self, why);
    } catch (...) {
      detail::log_current_exception(self->owner().log(), "a connection's on_close");
    }
    if (self->origin_) self->origin_->connection_closed(*self);
  });
  if (loop_ref_) {
    loop_ref_ = false;
    --refs_;  // the task's reference keeps the connection alive
  }
  state_ = state::closed;
  timer_.cancel();
  if (fd_ >= 0) {
    if (watched_) owner().unwatch(fd_);
    watched_ = false;
    if (reset && is_socket_) {
      // SO_LINGER with a zero timeout makes close() send RST and drop the queue.
      linger lg{1, 0};
      ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    ::close(fd_);
    fd_ = -1;
  }
  wq_.reset();
  if (joined_) leave();
  // on_close runs after the current handler returns, and the last reference
  // is dropped after it: memory stays valid for every event of this batch.
}

void connection::on_loop_shutdown() {
  if (state_ == state::connecting)
    finish(close_reason(error::server_stopping), false);
  else if (state_ == state::open)
    role_->on_shutdown(*this);
}

void connection::on_loop_force_close() {
  finish(close_reason(error::server_stopping,
                      "closed at shutdown with " + std::to_string(buffered()) + " bytes unsent"),
         true);
}

}  // namespace lwspp
