// UDP (and Unix datagram) sockets on a loop.
#include "lwspp/udp.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "net/socket.hpp"

namespace lwspp {

result<std::unique_ptr<udp_socket>> udp_socket::bind(loop& l, std::string_view where, handlers h) {
  auto a = address::parse(where);
  if (!a) return a.error();
  auto fd = detail::open_socket(*a, SOCK_DGRAM);
  if (!fd) return fd.error();
  if (a->kind() == address::family::unix_path) detail::unlink_stale_socket(a->unix_path());
  if (::bind(*fd, static_cast<const sockaddr*>(a->data()), static_cast<socklen_t>(a->size())) < 0) {
    const int err = errno;
    ::close(*fd);
    return detail::errno_error(err, "bind " + a->to_string());
  }
  auto s = std::make_unique<udp_socket>(private_tag{}, l, *fd, std::move(h));
  s->local_ = a->is_ip() ? detail::local_address(*fd) : *a;
  s->join();
  if (!l.watch(*fd, io_readable, *s)) return detail::errno_error(errno, "epoll_ctl");
  return s;
}

udp_socket::udp_socket(private_tag, loop& l, int fd, handlers h)
    : loop_member(l), fd_(fd), h_(std::move(h)) {}

udp_socket::~udp_socket() {
  close();
}

void udp_socket::close() noexcept {
  if (fd_ < 0) return;
  owner().unwatch(fd_);
  ::close(fd_);
  fd_ = -1;
  // A Unix datagram socket leaves its file behind; it was ours.
  if (local_.kind() == address::family::unix_path) ::unlink(local_.unix_path().c_str());
  leave();
}

result<void> udp_socket::send_to(const address& to, std::string_view datagram) {
  if (fd_ < 0) return error_info(error::io_error, "udp socket closed");
  const ssize_t n =
      ::sendto(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL,
               static_cast<const sockaddr*>(to.data()), static_cast<socklen_t>(to.size()));
  if (n < 0) return detail::errno_error(errno, "sendto " + to.to_string());
  return {};
}

void udp_socket::on_io(std::uint32_t) {
  std::span<char> buf = owner().read_buffer();
  // Bounded per event so a flood on one socket cannot hold the loop.
  for (int i = 0; i < 64 && fd_ >= 0; ++i) {
    address from;
    socklen_t len = address::capacity;
    // MSG_TRUNC: n is the datagram's real length, so a cut one is reported.
    const ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), MSG_TRUNC,
                                 static_cast<sockaddr*>(from.data()), &len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK && h_.on_error)
        h_.on_error(*this, detail::errno_error(errno, "recvfrom"));
      return;
    }
    ++received_;
    if (static_cast<std::size_t>(n) > buf.size()) {
      if (h_.on_error)
        h_.on_error(*this, error_info(error::invalid_argument,
                                      "datagram of " + std::to_string(n) + " bytes from " +
                                          address::from_sockaddr(from.data(), len).to_string() +
                                          " dropped: larger than the " +
                                          std::to_string(buf.size()) + "-byte receive buffer"));
      continue;
    }
    if (h_.on_datagram)
      h_.on_datagram(*this, {buf.data(), static_cast<std::size_t>(n)},
                     address::from_sockaddr(from.data(), len));
  }
}

}  // namespace lwspp
