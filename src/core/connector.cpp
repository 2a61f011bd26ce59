#include "core/connector.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/post_queue.hpp"
#include "net/socket.hpp"

namespace lwspp::detail {

connector::connector(connection_ref c, std::string target, std::chrono::milliseconds timeout,
                     std::optional<close_reason> setup_error)
    : loop_member(c->get_loop()),
      conn_(std::move(c)),
      target_(std::move(target)),
      timeout_(timeout),
      deadline_(conn_->get_loop(), [this] { on_deadline(); }),
      setup_error_(std::move(setup_error)) {}

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

void connector::on_io(std::uint32_t) {
  if (finished_) return;
  if (abandoned()) return done();
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err != 0) {
    last_ = errno_error(err, addrs_[next_ - 1].to_string());
    drop_socket();
    try_next();
    return;
  }
  owner().unwatch(fd_);
  const address peer = addrs_[next_ - 1];
  if (peer.is_ip()) set_nodelay(fd_);
  conn_->attach_fd(fd_);
  conn_->set_peer(peer);
  fd_ = -1;  // the connection owns it now
  auto c = conn_;
  done();
  c->start();
}

void connector::on_deadline() {
  std::string detail = target_ + " after " + std::to_string(timeout_.count()) + " ms";
  if (last_.code) detail += " (last attempt: " + last_.message() + ")";
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
