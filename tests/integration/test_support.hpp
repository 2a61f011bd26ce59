// Helpers shared by the loopback integration tests: a context running on a
// thread, waiting with a bound, and plain blocking sockets as independent
// peers (the kernel's own socket API, not lwspp's client).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "lwspp/context.hpp"

namespace test {

using namespace std::chrono_literals;

// Runs ctx.run() on a thread; stops (now) and joins on destruction.
class runner {
 public:
  explicit runner(lwspp::context& ctx) : ctx_(ctx), t_([this] { ctx_.run(); }) {}
  ~runner() {
    ctx_.stop_now();
    if (t_.joinable()) t_.join();
  }
  void join() { t_.join(); }

 private:
  lwspp::context& ctx_;
  std::thread t_;
};

inline bool wait_until(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = 20000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A blocking TCP client socket to 127.0.0.1:port; -1 on failure.
inline int dial(std::uint16_t port, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads until EOF (or error); returns everything read.
inline std::string read_to_eof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

inline std::string read_exactly(int fd, std::size_t want) {
  std::string out;
  char buf[65536];
  while (out.size() < want) {
    const ssize_t n = ::read(fd, buf, std::min(sizeof buf, want - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Deterministic bytes: position i of stream s.
inline char pattern_byte(std::uint64_t s, std::uint64_t i) {
  return static_cast<char>((i * 31 + s * 7 + (i >> 8)) & 0xff);
}

inline std::string pattern(std::uint64_t s, std::uint64_t offset, std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    out[i] = pattern_byte(s, offset + i);
  return out;
}

}  // namespace test
