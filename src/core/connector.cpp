#include "core/connector.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/post_queue.hpp"
#include "net/socket.hpp"

namespace lwspp::detail {
namespace {

// How much a failed attempt tells the user: when every attempt fails, the
// connection closes with the highest (the later one on a tie, which for
// attempts in turn is the last, as before overlapping attempts).
int telling(const error_info& e) {
  if (!e.code) return -1;
  // A host answered: it is up, and nothing listens on the port.
  if (e.is(error::connection_refused)) return 3;
  // No route: typical of the family the network does not carry (IPv6 on a
  // v4-only network); says less than what the other family answered.
  if (e.is(error::unreachable)) return 1;
  // This host has no such family at all (socket() refused IPv6).
  if (e.code == std::errc::address_family_not_supported) return 0;
  return 2;  // any other answer of the kernel: reset, EACCES, ETIMEDOUT, EMFILE...
}

bool mixed_families(const std::vector<address>& addrs) {
  bool v4 = false, v6 = false;
  for (const address& a : addrs) {
    v4 = v4 || a.kind() == address::family::ipv4;
    v6 = v6 || a.kind() == address::family::ipv6;
  }
  return v4 && v6;
}

}  // namespace

connector::connector(connection_ref c, std::string target, const connect_options& opts,
                     std::optional<close_reason> setup_error, std::unique_ptr<tunnel> tun)
    : loop_member(c->get_loop()),
      conn_(std::move(c)),
      target_(std::move(target)),
      timeout_(opts.connect_timeout),
      delay_(opts.attempt_delay),
      timer_(
          conn_->get_loop(), [](void* self) { static_cast<connector*>(self)->on_timer(); }, this),
      setup_error_(std::move(setup_error)),
      tunnel_(std::move(tun)) {
  for (attempt& a : attempts_)
    a.owner = this;
}

connector::~connector() {
  for (attempt& a : attempts_)
    drop(a);
  if (fd_ >= 0) ::close(fd_);
}

bool connector::abandoned() const noexcept {
  // The user closed the connection while we were still connecting.
  return conn_->current_state() != connection::state::connecting;
}

bool connector::begin() {
  self_ = shared_from_this();
  join();
  conn_->set_connecting();
  if (setup_error_) {
    give_up(std::move(*setup_error_));
    return false;
  }
  deadline_at_ = owner().now() + timeout_;
  arm_timer();
  return true;
}

void connector::start(std::vector<address> addrs) {
  if (begin()) on_resolved(std::move(addrs));
}

void connector::start(resolver& dns) {
  if (!begin()) return;
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
  // Addresses of one family are tried in turn, as before: overlapping them
  // would race a server's own addresses against each other. The overlap is
  // for a family that may be broken on this network.
  if (!mixed_families(addrs_)) delay_ = std::chrono::milliseconds(0);
  start_next();
}

std::size_t connector::in_flight() const noexcept {
  return static_cast<std::size_t>(std::count_if(attempts_.begin(), attempts_.end(),
                                                [](const attempt& a) { return a.fd >= 0; }));
}

// Starts a connect to the next address that gets one going (one whose
// connect fails at once is noted and skipped). Gives up when none is left
// and nothing is in flight.
void connector::start_next() {
  auto slot =
      std::find_if(attempts_.begin(), attempts_.end(), [](const attempt& a) { return a.fd < 0; });
  while (slot != attempts_.end() && next_ < addrs_.size()) {
    const std::size_t i = next_++;
    const address& a = addrs_[i];
    auto fd = open_socket(a, SOCK_STREAM);
    if (!fd) {
      note_failure(fd.error());
      continue;
    }
    if (::connect(*fd, static_cast<const sockaddr*>(a.data()), static_cast<socklen_t>(a.size())) ==
            0 ||
        errno == EINPROGRESS || errno == EAGAIN) {
      // Unix sockets may connect at once; TCP says EINPROGRESS. Either way the
      // socket turns writable when the outcome is known.
      slot->fd = *fd;
      slot->index = static_cast<std::uint32_t>(i);
      owner().watch(slot->fd, io_writable, *slot);
      next_at_ = owner().now() + delay_;
      arm_timer();
      return;
    }
    const int err = errno;
    ::close(*fd);
    note_failure(errno_error(err, a.to_string()));
  }
  if (in_flight()) return;  // all slots busy, or the last addresses pending
  if (!failure_.code) failure_ = error_info(error::connection_refused, target_);
  give_up(failure_);
}

void connector::on_attempt_io(attempt& a) {
  if (finished_ || a.fd < 0) return;
  if (abandoned()) return done();
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(a.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err != 0) {
    note_failure(errno_error(err, addrs_[a.index].to_string()));
    drop(a);
    start_next();  // a failure does not wait for the attempt delay
    return;
  }
  hand_over(a);
}

// The one place a connected socket leaves the attempts: the other attempts
// are closed before the tunnel runs or the connection starts.
void connector::hand_over(attempt& winner) {
  owner().unwatch(winner.fd);
  const int fd = std::exchange(winner.fd, -1);
  const address peer = addrs_[winner.index];
  if (peer.is_ip()) set_nodelay(fd);
  if (!tunnel_) return start_connection(fd, peer);
  for (attempt& a : attempts_)
    drop(a);
  fd_ = fd;
  peer_ = peer;
  start_tunnel();
}

void connector::start_connection(int fd, const address& peer) {
  conn_->attach_fd(fd);
  conn_->set_peer(peer);  // the proxy's address, through a tunnel
  auto c = conn_;
  done();
  c->start();
}

void connector::start_tunnel() {
  tunneling_ = true;
  if (tunnel_->start(tunnel_out_) == tunnel_status::failed) return give_up(tunnel_->failure());
  owner().watch(fd_, io_readable | io_writable, *this);
  want_write_ = true;
  flush_tunnel();  // then watches for what comes next
}

void connector::on_io(std::uint32_t events) {
  if (finished_ || fd_ < 0) return;
  if (abandoned()) return done();
  if ((events & io_writable) && !flush_tunnel()) return;
  if (tunnel_done_) {
    if (tunnel_out_.empty()) {
      owner().unwatch(fd_);
      start_connection(std::exchange(fd_, -1), peer_);
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
      return start_connection(std::exchange(fd_, -1), peer_);
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
  if (want_write_ && !tunnel_done_) {
    owner().modify(fd_, io_readable, *this);
    want_write_ = false;
  }
  return true;
}

// The deadline, and when the next address is due (attempts are pending and a
// slot is free for it; with every slot busy the next starts when one fails):
// one timer at whichever comes first.
void connector::arm_timer() {
  auto at = deadline_at_;
  const std::size_t busy = in_flight();
  if (delay_.count() > 0 && next_ < addrs_.size() && busy > 0 && busy < max_attempts)
    at = std::min(at, next_at_);
  if (!timer_.armed() || timer_.deadline() != at) timer_.arm_at(at);
}

void connector::on_timer() {
  if (abandoned()) return done();
  if (owner().now() < deadline_at_) {
    // The attempt delay passed with no winner: overlap the next (not once a
    // winner runs its tunnel: then only the deadline is left).
    if (!tunneling_) start_next();
    if (!finished_) arm_timer();
    return;
  }
  std::string detail = target_ + " after " + std::to_string(timeout_.count()) + " ms";
  if (tunneling_)
    detail += " (the proxy had not finished the tunnel handshake)";
  else if (failure_.code)
    detail += " (an attempt failed: " + failure_.message() + ")";
  give_up(close_reason(error::connect_timeout, std::move(detail)));
}

void connector::note_failure(error_info e) {
  if (telling(e) >= telling(failure_)) failure_ = std::move(e);
}

void connector::drop(attempt& a) noexcept {
  if (a.fd < 0) return;
  owner().unwatch(a.fd);
  ::close(a.fd);
  a.fd = -1;
}

void connector::give_up(close_reason why) {
  if (finished_) return;
  if (!abandoned()) conn_->fail(std::move(why));
  done();
}

void connector::done() {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  for (attempt& a : attempts_)
    drop(a);
  if (fd_ >= 0) {
    owner().unwatch(fd_);
    ::close(std::exchange(fd_, -1));
  }
  leave();
  // Release ourselves after this event: we may be deep in our own call stack.
  owner().defer([self = std::move(self_)] {});
}

}  // namespace lwspp::detail
