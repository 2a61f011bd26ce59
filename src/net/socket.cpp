#include "net/socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lwspp::detail {

error_info errno_error(int err, std::string what) {
  if (err == ECONNREFUSED) return {error::connection_refused, std::move(what)};
  if (err == ENETUNREACH || err == EHOSTUNREACH) return {error::unreachable, std::move(what)};
  if (err == ECONNRESET || err == EPIPE)
    return {error::peer_reset, std::move(what) + ": " + std::strerror(err)};
  return {std::error_code(err, std::system_category()), std::move(what)};
}

namespace {
int family_of(const address& a) {
  switch (a.kind()) {
    case address::family::ipv4:
      return AF_INET;
    case address::family::ipv6:
      return AF_INET6;
    default:
      return AF_UNIX;
  }
}
}  // namespace

result<int> open_socket(const address& a, int type) {
  const int fd = ::socket(family_of(a), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error(errno, "socket for " + a.to_string());
  return fd;
}

result<int> listen_socket(const address& a, int backlog, bool reuse_port, bool unlink_stale) {
  auto fd = open_socket(a, SOCK_STREAM);
  if (!fd) return fd.error();
  const int s = *fd;
  const int one = 1;
  if (a.is_ip()) {
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuse_port && ::setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
      const int err = errno;
      ::close(s);
      return errno_error(err, "SO_REUSEPORT on " + a.to_string());
    }
    // A [::] listener takes IPv6 only; "0.0.0.0" is how to ask for IPv4.
    if (a.kind() == address::family::ipv6)
      ::setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  } else if (a.kind() == address::family::unix_path && unlink_stale) {
    unlink_stale_socket(a.unix_path());
  }
  if (::bind(s, static_cast<const sockaddr*>(a.data()), static_cast<socklen_t>(a.size())) < 0) {
    const int err = errno;
    ::close(s);
    return errno_error(err, "bind " + a.to_string());
  }
  if (::listen(s, backlog) < 0) {
    const int err = errno;
    ::close(s);
    return errno_error(err, "listen " + a.to_string());
  }
  return s;
}

address local_address(int fd) {
  address a;
  socklen_t len = address::capacity;
  if (::getsockname(fd, static_cast<sockaddr*>(a.data()), &len) < 0) return {};
  return address::from_sockaddr(a.data(), len);
}

void set_nodelay(int fd) noexcept {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool set_cork(int fd, bool on) noexcept {
  const int v = on ? 1 : 0;
  return ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof v) == 0;
}

void close_fd(int fd) noexcept {
  ::close(fd);
}

void unlink_stale_socket(const std::string& path) noexcept {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
}

bool set_nonblocking(int fd) noexcept {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

}  // namespace lwspp::detail
