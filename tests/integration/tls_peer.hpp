// A small blocking harness for the TLS interop tests: drives a tls::session
// over a TCP socket (poll with a deadline, no loop), and runs the openssl
// command-line tool as the real peer with its output captured.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tls/session.hpp"

extern char** environ;

namespace tls_peer {

using clock = std::chrono::steady_clock;

// A child process with its stdin and its stdout+stderr on pipes.
struct child {
  pid_t pid = -1;
  int in = -1;   // the child's stdin
  int out = -1;  // the child's stdout and stderr

  static child spawn(const std::vector<std::string>& args) {
    int to[2], from[2];
    child c;
    if (::pipe2(to, O_CLOEXEC) != 0 || ::pipe2(from, O_CLOEXEC) != 0) return c;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from[1], 1);
    posix_spawn_file_actions_adddup2(&fa, from[1], 2);
    std::vector<char*> argv;
    for (const std::string& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawnp(&c.pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) c.pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(to[0]);
    ::close(from[1]);
    c.in = to[1];
    c.out = from[0];
    return c;
  }

  void send(const std::string& s) const {
    [[maybe_unused]] auto n = ::write(in, s.data(), s.size());
  }
  void close_stdin() {
    if (in >= 0) ::close(in);
    in = -1;
  }
  // Reads output until `marker` appears (true) or EOF / the deadline (false).
  bool read_until(std::string& text, const std::string& marker,
                  std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
    const auto end = clock::now() + limit;
    while (text.find(marker) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock::now());
      pollfd p{out, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[4096];
      const ssize_t n = ::read(out, buf, sizeof buf);
      if (n <= 0) return false;
      text.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  // Closes stdin, reads the rest of the output and waits (killing it after
  // the deadline); returns everything it printed.
  std::string finish(std::string text = {}) {
    close_stdin();
    if (out >= 0) read_until(text, std::string(1, '\0'));  // to EOF or deadline
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
    if (out >= 0) ::close(out);
    out = -1;
    return text;
  }
  child() = default;
  // Move-only: a copy's destruction would kill the process and close the pipes.
  child(child&& o) noexcept : pid(o.pid), in(o.in), out(o.out) { o.pid = o.in = o.out = -1; }
  child(const child&) = delete;
  child& operator=(const child&) = delete;
  ~child() { finish(); }
};

inline int listen_any(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(fd, 4) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  port = ntohs(a.sin_port);
  return fd;
}

inline int accept_within(int lfd, std::chrono::milliseconds limit) {
  pollfd p{lfd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(limit.count())) != 1) return -1;
  return ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
}

inline int dial(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

// What a session saw on its socket.
struct outcome {
  bool handshake_done = false;
  bool closed = false;  // close_notify received
  bool eof = false;     // the socket ended
  bool failed = false;
  std::string data;
};

// Sends what the session has to send.
inline bool flush(lwspp::tls::session& s, int fd) {
  while (!s.output().empty()) {
    const ssize_t n = ::send(fd, s.output().data(), s.output().size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    s.consume_output(static_cast<std::size_t>(n));
  }
  return true;
}

// Runs the session on `fd` until `done(outcome)` is true, the session ends
// or fails, or the deadline passes. `on_data` may write to the session.
template <class Done>
outcome run(lwspp::tls::session& s, int fd, Done done,
            std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  using lwspp::tls::event_kind;
  outcome o;
  const auto end = clock::now() + limit;
  char buf[16384], plain[16384];
  while (!done(o)) {
    if (!flush(s, fd)) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      o.eof = true;
      s.end_of_input();
      break;
    }
    std::string_view in(buf, static_cast<std::size_t>(n));
    for (bool more = true; more;) {
      const auto ev = s.feed(in, plain);
      in.remove_prefix(ev.consumed);
      switch (ev.kind) {
        case event_kind::handshake_done:
          o.handshake_done = true;
          break;
        case event_kind::data:
          o.data.append(plain, ev.size);
          break;
        case event_kind::closed:
          o.closed = true;
          more = false;
          break;
        case event_kind::failed:
          o.failed = true;
          more = false;
          break;
        case event_kind::need_more:
          more = false;
          break;
      }
    }
    if (o.failed || o.closed) break;
  }
  flush(s, fd);  // an alert or close_notify
  return o;
}

}  // namespace tls_peer
