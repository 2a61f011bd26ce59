// Slowloris against the HTTP/1.1 server: a thousand connections dribble a
// request head that never ends (a few bytes every 500 ms) while a normal
// client keeps asking for GET /hello every 50 ms. The normal client must be
// served promptly throughout; every slow connection must be cut off by the
// server once header_timeout has passed since its first byte (a 408 before
// the close is fine), and the server's connection count must fall back.
//
// Not labelled 'threads': a thousand sockets under TSan take too long, and
// the test skips itself when built with TSan anyway.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "lwspp/http_server.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr int slow_connections = 1000;
constexpr auto header_timeout = 2s;
constexpr auto dribble_every = 500ms;
constexpr auto normal_every = 50ms;
constexpr auto normal_bound = 1s;  // each normal request must be answered within this

// The head the slow clients send, four bytes at a time; past its end they
// keep adding bytes to the last header's value, so the head never ends.
constexpr std::string_view slow_head = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ";

bool raise_fd_limit(rlim_t want) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
  rl.rlim_cur = rl.rlim_max;  // soft up to the hard limit
  ::setrlimit(RLIMIT_NOFILE, &rl);
  ::getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur >= want;
}

long long ms(clock_type::duration d) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

struct slow_conn {
  int fd = -1;
  bool connected = false;
  bool closed = false;  // by the server (EOF or reset)
  std::size_t sent = 0;
  clock_type::time_point first_byte{};
  clock_type::time_point closed_at{};
  std::string got;
};

// A non-blocking connect to 127.0.0.1:port; -1 on failure.
int start_connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// The next four bytes of a slow connection.
void send_piece(slow_conn& c) {
  char piece[4];
  for (std::size_t i = 0; i < sizeof piece; ++i) {
    const std::size_t at = c.sent + i;
    piece[i] = at < slow_head.size() ? slow_head[at] : 'a';
  }
  const ssize_t n = ::send(c.fd, piece, sizeof piece, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n <= 0) return;
  if (c.sent == 0) c.first_byte = clock_type::now();
  c.sent += static_cast<std::size_t>(n);
}

// The slow clients: connect all, then every dribble_every send each open one
// its next four bytes; read whatever comes back and note when the server
// closes. Returns when all are closed or at `deadline`.
void run_slow_clients(std::vector<slow_conn>& conns, std::uint16_t port,
                      clock_type::time_point deadline) {
  for (slow_conn& c : conns)
    c.fd = start_connect(port);
  std::vector<pollfd> pfds(conns.size());
  auto next_tick = clock_type::now();
  std::size_t open = 0;
  for (const slow_conn& c : conns)
    open += c.fd >= 0;
  while (open > 0 && clock_type::now() < deadline) {
    const auto now = clock_type::now();
    if (now >= next_tick) {
      next_tick = now + dribble_every;
      for (slow_conn& c : conns)
        if (c.fd >= 0 && !c.closed && c.connected) send_piece(c);
    }
    for (std::size_t i = 0; i < conns.size(); ++i) {
      const slow_conn& c = conns[i];
      pfds[i] = {c.fd < 0 || c.closed ? -1 : c.fd,
                 static_cast<short>(c.connected ? POLLIN : POLLOUT), 0};
    }
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - clock_type::now());
    ::poll(pfds.data(), pfds.size(), static_cast<int>(std::max<long long>(1, wait.count())));
    for (std::size_t i = 0; i < conns.size(); ++i) {
      slow_conn& c = conns[i];
      if (pfds[i].fd < 0 || pfds[i].revents == 0) continue;
      if (!c.connected) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          ::close(c.fd);
          c.fd = -1;
          --open;
          continue;
        }
        c.connected = true;
        send_piece(c);  // the first bytes at once, then on every tick
        continue;
      }
      char buf[4096];
      for (;;) {
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
          c.got.append(buf, static_cast<std::size_t>(n));
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        c.closed = true;
        c.closed_at = clock_type::now();
        ::close(c.fd);
        c.fd = -1;
        --open;
        break;
      }
    }
  }
}

// One GET /hello on a new connection; returns how long it took, or a
// negative duration when it failed or took longer than `limit`.
clock_type::duration one_normal_request(std::uint16_t port, clock_type::duration limit) {
  const auto start = clock_type::now();
  const int fd = test::dial(port);
  if (fd < 0) return -1ms;
  std::string in;
  bool ok = test::write_all(fd, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  while (ok && in.find("Hello, world!") == std::string::npos) {
    const auto left = limit - (clock_type::now() - start);
    if (left <= 0ms) {
      ok = false;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(ms(left)) + 1) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto took = clock_type::now() - start;
  if (!ok || in.rfind("HTTP/1.1 200 ", 0) != 0 || in.find("Hello, world!") == std::string::npos ||
      took > limit)
    return -took - 1ms;
  return took;
}

TEST(http_slowloris, thousand_slow_heads_are_cut_off_while_normal_clients_are_served) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "too slow under TSan";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  GTEST_SKIP() << "too slow under TSan";
#endif
#endif
  if (!raise_fd_limit(2 * slow_connections + 256))
    GTEST_SKIP() << "cannot raise RLIMIT_NOFILE to " << 2 * slow_connections + 256;

  lwspp::context ctx({.level = lwspp::log_level::error});
  lwspp::http::server_options so;
  so.header_timeout = header_timeout;
  lwspp::http::server app(so);
  app.get("/hello",
          [](lwspp::http::request&, lwspp::http::response& res) { res.send("Hello, world!"); });
  auto vh = app.listen(
      ctx, {.listen = "127.0.0.1:0", .backlog = 4096, .max_connections = 4 * slow_connections});
  ASSERT_TRUE(vh) << vh.error().message();
  const std::uint16_t port = (*vh)->bound_address().port();
  test::runner run(ctx);

  std::vector<slow_conn> conns(slow_connections);
  std::atomic<bool> slow_done{false};
  const auto t0 = clock_type::now();
  std::thread slow([&] {
    run_slow_clients(conns, port, t0 + header_timeout + 15s);
    slow_done = true;
  });

  // The normal client, until the slow ones are all gone.
  std::size_t normal_total = 0, normal_failed = 0, peak_open = 0;
  clock_type::duration worst{};
  while (!slow_done) {
    const auto started = clock_type::now();
    const clock_type::duration took = one_normal_request(port, normal_bound);
    ++normal_total;
    if (took < 0ms) {
      ++normal_failed;
      worst = std::max(worst, -took);
      ADD_FAILURE() << "GET /hello at +" << ms(started - t0) << " ms failed or took " << ms(-took)
                    << " ms";
    } else {
      worst = std::max(worst, took);
    }
    peak_open = std::max(peak_open, (*vh)->connection_count());
    std::this_thread::sleep_until(started + normal_every);
  }
  slow.join();

  std::size_t connected = 0, closed = 0, premature = 0, late = 0, answered_408 = 0, other = 0;
  clock_type::duration first_cut = 1h, last_cut{};
  for (slow_conn& c : conns) {
    connected += c.connected;
    if (!c.closed) {
      if (c.fd >= 0) ::close(c.fd);
      continue;
    }
    ++closed;
    const auto lived = c.closed_at - c.first_byte;
    first_cut = std::min(first_cut, lived);
    last_cut = std::max(last_cut, lived);
    if (lived < header_timeout - 100ms) ++premature;
    if (lived > header_timeout + 3s) ++late;
    if (c.got.empty()) continue;
    if (c.got.rfind("HTTP/1.1 408 ", 0) == 0)
      ++answered_408;
    else
      ++other;
  }
  std::printf(
      "[ slowloris] %zu/%d connected, %zu cut off by the server %lld..%lld ms after their first "
      "byte (%zu with a 408); peak %zu connections; %zu normal requests, %zu failed, slowest "
      "%lld ms\n",
      connected, slow_connections, closed, ms(first_cut), ms(last_cut), answered_408, peak_open,
      normal_total, normal_failed, ms(worst));

  EXPECT_EQ(connected, static_cast<std::size_t>(slow_connections));
  EXPECT_EQ(closed, connected) << "slow connections the server never closed";
  EXPECT_EQ(premature, 0u) << "closed before header_timeout";
  EXPECT_EQ(late, 0u) << "closed more than 3 s after header_timeout";
  EXPECT_EQ(other, 0u) << "slow connections got something other than a 408";
  EXPECT_GE(peak_open, static_cast<std::size_t>(slow_connections))
      << "the slow connections were never all open at once";
  EXPECT_GE(normal_total, 20u);
  EXPECT_EQ(normal_failed, 0u);
  EXPECT_LT(worst, normal_bound);
  // Everything closed on both sides: the count falls back.
  EXPECT_TRUE(test::wait_until([&] { return (*vh)->connection_count() == 0; }, 10s))
      << (*vh)->connection_count() << " connections still open";
}

}  // namespace
