#include "core/connector.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/post_queue.hpp"
#include "net/socket.hpp"

namespace lwspp::detail {

connector::connector(connection_ref c, std::string target, std::chrono::milliseconds timeout,
                     std::optional<close_reason> setup_error, std::unique_ptr<tunnel> tun)
    : loop_member(c->get_loop()),
      conn_(std::move(c)),
      target_(std::move(target)),
      timeout_(timeout),
      deadline_(conn_->get_loop(), [this] { on_deadline(); }),
      setup_error_(std::move(setup_error)),
      tunnel_(std::move(tun)) {}

connector::~connector() {
  drop_socket();
}

bool connector::abandoned() const noexcept {
  // The user closed the connection while we were still connecting.
  return conn_->current_state() != connection::state::connecting;
}

void connector::start(resolver& dns) {
  self_ = shared_from_this();
  join();
  conn_->set_connecting();
  if (setup_error_) return give_up(std::move(*setup_error_));
  deadline_.arm(timeout_);
  if (target_.starts_with("unix:")) {
    auto a = address::parse(target_);
    if (!a) return give_up(a.error());
    on_resolved(std::vector<address>{*a});
    return;
  }
  auto hp = split_host_port(target_);
  if (!hp) return give_up(hp.error());
  if (auto ip = address::from_ip(hp->host, hp->port)) {
    on_resolved(std::vector<address>{*ip});
    return;
  }
  // The resolver calls back on its own thread: hop to the loop, and only if
  // this connector is still alive by then.
  std::weak_ptr<connector> weak = self_;
  auto queue = owner().queue();
  dns.resolve(hp->host, hp->port, [weak, queue](result<std::vector<address>> r) mutable {
    queue->push([weak, r = std::make_shared<result<std::vector<address>>>(std::move(r))]() {
      if (auto self = weak.lock()) self->on_resolved(std::move(*r));
    });
  });
}

void connector::on_resolved(result<std::vector<address>> addrs) {
  if (finished_) return;
  if (abandoned()) return done();
  if (!addrs) return give_up(addrs.error());
  addrs_ = std::move(*addrs);
  try_next();
}

void connector::try_next() {
  while (next_ < addrs_.size()) {
    const address& a = addrs_[next_++];
    auto fd = open_socket(a, SOCK_STREAM);
    if (!fd) {
      last_ = fd.error();
      continue;
    }
    fd_ = *fd;
    if (::connect(fd_, static_cast<const sockaddr*>(a.data()), static_cast<socklen_t>(a.size())) ==
            0 ||
        errno == EINPROGRESS || errno == EAGAIN) {
      // Unix sockets may connect at once; TCP says EINPROGRESS. Either way the
      // socket turns writable when the outcome is known.
      owner().watch(fd_, io_writable, *this);
      return;
    }
    last_ = errno_error(errno, a.to_string());
    drop_socket();
  }
  if (!last_.code) last_ = error_info(error::connection_refused, target_);
  give_up(last_);
}

void connector::on_io(std::uint32_t events) {
  if (finished_) return;
  if (abandoned()) return done();
  if (tunneling_) return tunnel_io(events);
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err != 0) {
    last_ = errno_error(err, addrs_[next_ - 1].to_string());
    drop_socket();
    try_next();
    return;
  }
  connected();
}

void connector::connected() {
  if (addrs_[next_ - 1].is_ip()) set_nodelay(fd_);
  if (tunnel_) return start_tunnel();
  owner().unwatch(fd_);
  hand_over();
}

void connector::hand_over() {
  conn_->attach_fd(fd_);
  conn_->set_peer(addrs_[next_ - 1]);  // the proxy's address, through a tunnel
  fd_ = -1;                            // the connection owns it now
  auto c = conn_;
  done();
  c->start();
}

void connector::start_tunnel() {
  tunneling_ = true;
  if (tunnel_->start(tunnel_out_) == tunnel_status::failed) return give_up(tunnel_->failure());
  want_write_ = true;  // the connect's watch asked for io_writable
  flush_tunnel();      // then watches for what comes next
}

void connector::tunnel_io(std::uint32_t events) {
  if ((events & io_writable) && !flush_tunnel()) return;
  if (tunnel_done_) {
    if (tunnel_out_.empty()) {
      owner().unwatch(fd_);
      hand_over();
    }
    return;
  }
  if (events & (io_readable | io_error | io_hangup)) read_tunnel();
}

// Peeks at the proxy's bytes and takes off the socket only what the tunnel
// consumed: what follows the handshake is the destination's, and stays in
// the socket for the connection to read.
void connector::read_tunnel() {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_PEEK);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      return give_up(errno_error(errno, "proxy " + target_));
    }
    if (n == 0) return give_up(tunnel_->on_eof());
    const auto got = static_cast<std::size_t>(n);
    const tunnel_step step = tunnel_->on_data(std::string_view(buf, got), tunnel_out_);
    if (step.status == tunnel_status::failed) return give_up(tunnel_->failure());
    const std::size_t used = std::min(step.consumed, got);
    if (step.status == tunnel_status::need_more && used < got)
      return give_up(close_reason(error::protocol_error, "tunnel stalled on its input"));
    // The bytes are in the socket (we just saw them): this takes them at once.
    if (used > 0 && ::recv(fd_, buf, used, 0) != static_cast<ssize_t>(used))
      return give_up(errno_error(errno, "proxy " + target_));
    if (!flush_tunnel()) return;
    if (step.status == tunnel_status::done) {
      tunnel_done_ = true;
      if (!tunnel_out_.empty()) return;  // hand over once it is written
      owner().unwatch(fd_);
      return hand_over();
    }
  }
}

bool connector::flush_tunnel() {
  while (!tunnel_out_.empty()) {
    const ssize_t n = ::send(fd_, tunnel_out_.data(), tunnel_out_.size(), MSG_NOSIGNAL);
    if (n > 0) {
      tunnel_out_.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!want_write_) owner().modify(fd_, io_readable | io_writable, *this);
      want_write_ = true;
      return true;
    }
    give_up(errno_error(n < 0 ? errno : EPIPE, "proxy " + target_));
    return false;
  }
  if (want_write_ && tunneling_ && !tunnel_done_) {
    owner().modify(fd_, io_readable, *this);
    want_write_ = false;
  }
  return true;
}

void connector::on_deadline() {
  std::string detail = target_ + " after " + std::to_string(timeout_.count()) + " ms";
  if (tunneling_) {
    detail += " (the proxy had not finished the tunnel handshake)";
  } else if (last_.code) {
    detail += " (last attempt: " + last_.message() + ")";
  }
  give_up(close_reason(error::connect_timeout, std::move(detail)));
}

void connector::drop_socket() noexcept {
  if (fd_ < 0) return;
  owner().unwatch(fd_);
  ::close(fd_);
  fd_ = -1;
}

void connector::give_up(close_reason why) {
  if (finished_) return;
  if (!abandoned()) conn_->fail(std::move(why));
  done();
}

void connector::done() {
  if (finished_) return;
  finished_ = true;
  deadline_.cancel();
  drop_socket();
  leave();
  // Release ourselves after this event: we may be deep in our own call stack.
  owner().defer([self = std::move(self_)] {});
}

}  // namespace lwspp::detail
