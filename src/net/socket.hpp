// Thin wrappers over the socket calls the net layer repeats: create a
// non-blocking socket for an address, bind-and-listen, set options.
#pragma once

#include <string>

#include "lwspp/address.hpp"
#include "lwspp/result.hpp"

namespace lwspp::detail {

// errno as an error_info, with what was being done ("bind 127.0.0.1:80").
error_info errno_error(int err, std::string what);

// A non-blocking, close-on-exec socket of the address's family.
result<int> open_socket(const address& a, int type);
// Socket, SO_REUSEADDR (+ SO_REUSEPORT when reuse_port), bind, listen.
result<int> listen_socket(const address& a, int backlog, bool reuse_port, bool unlink_stale);
// The address a socket is bound to (getsockname).
address local_address(int fd);
void set_nodelay(int fd) noexcept;
// TCP_CORK on or off: while on, only full segments leave (turning it off
// sends the rest). False if the socket has no such option (not TCP).
bool set_cork(int fd, bool on) noexcept;
void close_fd(int fd) noexcept;
// Removes path if it is a socket file (never a regular file someone put there).
void unlink_stale_socket(const std::string& path) noexcept;
bool set_nonblocking(int fd) noexcept;

}  // namespace lwspp::detail
