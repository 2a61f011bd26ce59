#include "core/listener.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/role_factory.hpp"
#include "core/tls_port.hpp"
#include "net/socket.hpp"
#include "util/fault.hpp"

namespace lwspp::detail {
namespace {

// Connections accepted per readiness event: bounds the time one busy
// listener can hold the loop.
constexpr int max_accepts_per_event = 64;
// After EMFILE, accept is paused this long instead of spinning on a
// readable listener that cannot be served.
constexpr auto emfile_pause = std::chrono::milliseconds(100);

}  // namespace

listener::listener(loop& l, vhost& vh, int fd)
    : loop_member(l), vh_(vh), fd_(fd), resume_(l, [this] { on_resume_timer(); }) {
  owns_unix_path_ = vh.bound_address().kind() == address::family::unix_path;
}

listener::~listener() {
  close_socket();
  if (owns_unix_path_) ::unlink(vh_.bound_address().unix_path().c_str());
}

void listener::start() {
  join();
  owner().watch(fd_, io_readable, *this);
}

void listener::close_socket() noexcept {
  if (fd_ < 0) return;
  resume_.cancel();
  owner().unwatch(fd_);
  ::close(fd_);
  fd_ = -1;
  leave();
}

void listener::on_resume_timer() {
  if (fd_ >= 0) owner().modify(fd_, io_readable, *this);
}

void listener::on_io(std::uint32_t) {
  for (int i = 0; i < max_accepts_per_event && fd_ >= 0; ++i) {
    // accept4 fills in the peer: no getpeername() per connection.
    address peer;
    socklen_t len = address::capacity;
    const int c = fault::inject(fault::site::accept, EMFILE)
                      ? -1
                      : ::accept4(fd_, static_cast<sockaddr*>(peer.data()), &len,
                                  SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0) {
      accept_one(c, address::from_sockaddr(peer.data(), len));
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      LWSPP_LOG(owner().log(), warn, "vhost ", vh_.name(),
                ": accept paused: ", std::strerror(errno));
      owner().modify(fd_, io_none, *this);
      resume_.arm(emfile_pause);
    }
    return;  // EAGAIN: the backlog is empty
  }
}

void listener::accept_one(int fd, const address& peer) {
  const vhost_options& o = vh_.options();
  // The per-IP table is kept only when there is a per-IP cap.
  const bool per_ip = o.max_connections_per_ip != 0 && peer.is_ip();
  std::string ip;
  if (per_ip) ip = peer.ip();
  const bool over_total = o.max_connections && open_ >= o.max_connections;
  bool over_ip = false;
  if (per_ip) {
    auto it = per_ip_.find(ip);
    over_ip = it != per_ip_.end() && it->second >= o.max_connections_per_ip;
  }
  if (over_total || over_ip) {
    // Refused without a role callback: the client sees a reset at once rather
    // than a connection that hangs in the backlog.
    vh_.refused_.fetch_add(1, std::memory_order_relaxed);
    LWSPP_LOG(owner().log(), info, "vhost ", vh_.name(), ": refused ", peer.to_string(),
              over_total ? ": connection limit" : ": per-IP limit");
    linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::close(fd);
    return;
  }
  // The vhost's options outlive its connections: shared, not copied. Every
  // step that allocates comes before the counts, so that running out of
  // memory (the loop logs it) leaves them true; from start() on, the
  // connection ends itself (core/exception_guard.hpp) and is counted out.
  auto c = make_connection(owner(), fd, vh_.roles_, o.connection, true);  // closes fd if it throws
  if (peer.is_ip()) set_nodelay(fd);
  c->set_peer(peer);
  c->set_origin(this);
  if (vh_.port_) {
    c->set_tls(vh_.port_->new_session(), o.tls_handshake_timeout, o.plaintext_http);
  }
  std::size_t* from_ip = per_ip ? &per_ip_[ip] : nullptr;
  ++open_;
  if (from_ip) ++*from_ip;
  vh_.open_.fetch_add(1, std::memory_order_relaxed);
  vh_.accepted_.fetch_add(1, std::memory_order_relaxed);
  c->start();
}

void listener::tls_ready(connection& c) {
  // The connection came in on the port's default vhost; SNI may have chosen
  // another one of the port. It takes that vhost's options and role.
  vhost& chosen = vh_.port_->chosen(c.tls_session());
  chosen.tls_handshakes_.fetch_add(1, std::memory_order_relaxed);
  if (&chosen == &vh_) return;
  c.borrow_options(chosen.opts_.connection);
  if (chosen.roles_.shared) {
    c.borrow_role(*chosen.roles_.shared);
  } else if (chosen.roles_.make) {
    if (auto r = chosen.roles_.make(c)) c.own_role(std::move(r));
  }
}

void listener::tls_failed(connection& c, const close_reason& why) {
  vh_.tls_failures_.fetch_add(1, std::memory_order_relaxed);
  LWSPP_LOG(owner().log(), info, "vhost ", vh_.name(), ": TLS handshake with ",
            c.peer().to_string(), " failed: ", why.message());
}

void listener::connection_closed(connection& c) {
  --open_;
  vh_.open_.fetch_sub(1, std::memory_order_relaxed);
  if (vh_.options().max_connections_per_ip == 0) return;
  const address peer = c.peer();
  if (!peer.is_ip()) return;
  auto it = per_ip_.find(peer.ip());
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

}  // namespace lwspp::detail
