// The client connector's address racing (Happy Eyeballs, RFC 8305 §5) over
// real loopback sockets: refused, black-holed and listening peers on ::1 and
// 127.0.0.1. getaddrinfo cannot be made to answer with a chosen mix of
// families (here "localhost" is 127.0.0.1 only), so the tests hand the
// connector its address list (connector::start(addrs)) and drive the loop
// on the test thread: no second thread, no locks.
#include "core/connector.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <cstring>
#include <filesystem>
#include <optional>

#include "core/role_factory.hpp"
#include "lwspp/raw.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

lwspp::address ip(const char* text, std::uint16_t port) {
  auto a = lwspp::address::from_ip(text, port);
  EXPECT_TRUE(a) << text;
  return a ? *a : lwspp::address();
}

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

// A plain kernel socket on ::1 or 127.0.0.1, port chosen by the kernel.
struct peer_socket {
  int fd = -1;
  lwspp::address addr;

  explicit peer_socket(bool v6) {
    // Non-blocking: queued() must not wait for a connection.
    fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    addr = ip(v6 ? "::1" : "127.0.0.1", 0);
    if (fd < 0 || ::bind(fd, static_cast<const sockaddr*>(addr.data()),
                         static_cast<socklen_t>(addr.size())) != 0) {
      ADD_FAILURE() << "bind " << addr.to_string() << ": " << std::strerror(errno);
      return;
    }
    socklen_t len = lwspp::address::capacity;
    ::getsockname(fd, static_cast<sockaddr*>(addr.data()), &len);
    addr = lwspp::address::from_sockaddr(addr.data(), len);
  }
  ~peer_socket() {
    for (int f : fillers)
      ::close(f);
    if (fd >= 0) ::close(fd);
  }
  peer_socket(const peer_socket&) = delete;
  peer_socket& operator=(const peer_socket&) = delete;

  void listen(int backlog = 16) { ASSERT_EQ(::listen(fd, backlog), 0); }

  // A listener whose accept queue is full and never drained: the kernel drops
  // further SYNs, so a connect to it neither succeeds nor fails. Fills the
  // queue until a connect stays pending, and checks that one does.
  void black_hole() {
    ASSERT_EQ(::listen(fd, 0), 0);
    for (int i = 0; i < 8; ++i) {
      const int f = ::socket(addr.kind() == lwspp::address::family::ipv6 ? AF_INET6 : AF_INET,
                             SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      ::connect(f, static_cast<const sockaddr*>(addr.data()), static_cast<socklen_t>(addr.size()));
      fillers.push_back(f);
      pollfd p{.fd = f, .events = POLLOUT, .revents = 0};
      if (::poll(&p, 1, 100) == 0) return;  // still pending: SYNs are dropped now
    }
    FAIL() << "no connect to the full listener " << addr.to_string() << " stayed pending";
  }

  // Connections the kernel completed for this listener and nobody accepted.
  int queued() const {
    int n = 0;
    while (true) {
      const int c = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) return n;
      ::close(c);
      ++n;
    }
  }

  std::vector<int> fillers;
};

// Addresses no TCP connect can reach: connect() fails at once with
// ENETUNREACH (multicast and broadcast are not unicast routes).
lwspp::address unreachable_v6() {
  return ip("ff02::1", 9);
}
lwspp::address unreachable_v4() {
  return ip("255.255.255.255", 9);
}

// One connector run on a context's loop 0, driven by this thread.
class race {
 public:
  race() : ctx_({.level = lwspp::log_level::warn}), loop_(ctx_.get_loop()) {}

  void start(std::vector<lwspp::address> addrs, lwspp::connect_options opts) {
    loop_.run_once(0ms);  // the loop's clock and thread are this one's
    auto c = lwspp::detail::make_connection(loop_, -1, lwspp::raw::make_role(handlers()),
                                            opts.connection);
    handle_ = c->handle();
    auto job = std::make_shared<lwspp::detail::connector>(std::move(c), "dual-stack", opts);
    started_ = clk::now();
    job->start(std::move(addrs));
  }

  // Runs the loop until the connection opened or closed (or limit passed).
  bool run(std::chrono::milliseconds limit = 20s) {
    const auto end = clk::now() + limit;
    while (!opened_at && !reason && clk::now() < end)
      loop_.run_once(10ms);
    return opened_at || reason;
  }
  void run_for(std::chrono::milliseconds d) {
    const auto end = clk::now() + d;
    while (clk::now() < end)
      loop_.run_once(10ms);
  }
  // Runs until the end, which should be the connect timeout.
  testing::AssertionResult times_out() {
    if (!run()) return testing::AssertionFailure() << "neither opened nor closed";
    if (!reason) return testing::AssertionFailure() << "opened to " << peer;
    if (!reason->is(lwspp::error::connect_timeout))
      return testing::AssertionFailure() << reason->message();
    return testing::AssertionSuccess();
  }
  clk::duration took() const { return (opened_at ? *opened_at : *closed_at) - started_; }
  lwspp::connection_handle& handle() { return handle_; }

  std::optional<clk::time_point> opened_at, closed_at;
  std::optional<lwspp::close_reason> reason;
  std::string peer;
  std::size_t fds_at_open = 0;

 private:
  lwspp::raw::handlers handlers() {
    return {.on_open =
                [this](lwspp::connection& c) {
                  opened_at = clk::now();
                  peer = c.peer().to_string();
                  fds_at_open = open_fds();
                },
            .on_data = {},
            .on_writable = {},
            .on_close =
                [this](lwspp::connection&, const lwspp::close_reason& why) {
                  closed_at = clk::now();
                  reason = why;
                }};
  }

  lwspp::context ctx_;
  lwspp::loop& loop_;
  lwspp::connection_handle handle_;
  clk::time_point started_;
};

TEST(connector, refused_ipv6_falls_back_to_ipv4_without_waiting_the_delay) {
  peer_socket closed6(true);  // bound, not listening: refuses
  peer_socket good4(false);
  good4.listen();
  race r;
  r.start({closed6.addr, good4.addr}, {.connect_timeout = 20s, .attempt_delay = 5s});
  ASSERT_TRUE(r.run());
  ASSERT_TRUE(r.opened_at) << r.reason->message();
  EXPECT_EQ(r.peer, good4.addr.to_string());
  RecordProperty("took_ms", static_cast<int>((r.took() / 1ms)));
  EXPECT_LT(r.took(), 2500ms);  // far below the 5 s delay: the refusal started it
}

TEST(connector, black_holed_ipv6_is_overtaken_after_the_attempt_delay) {
  peer_socket hole6(true);
  hole6.black_hole();
  peer_socket good4(false);
  good4.listen();
  race r;
  const std::size_t fds_before = open_fds();
  r.start({hole6.addr, good4.addr}, {.connect_timeout = 20s});  // default delay 250 ms
  ASSERT_TRUE(r.run());
  ASSERT_TRUE(r.opened_at) << r.reason->message();
  EXPECT_EQ(r.peer, good4.addr.to_string());
  RecordProperty("took_ms", static_cast<int>((r.took() / 1ms)));
  EXPECT_GE(r.took(), 200ms);  // IPv4 was dialled only once the delay passed
  EXPECT_LT(r.took(), 5s);     // and well inside the connect timeout
  // At on_open only the winner's socket is open: the pending IPv6 one is closed.
  EXPECT_EQ(r.fds_at_open, fds_before + 1);
  r.handle().abort();  // a graceful close would wait for the (never accepting) peer
  r.run_for(50ms);
  EXPECT_EQ(open_fds(), fds_before);
}

TEST(connector, first_attempt_to_connect_wins_when_several_are_pending) {
  // IPv6 black-holed twice, then IPv4 black-holed, then a good IPv6: the
  // fourth address is dialled after three delays, while three attempts are
  // still pending, and wins; all three are closed.
  peer_socket hole6(true), hole4(false), good6(true);
  hole6.black_hole();
  hole4.black_hole();
  good6.listen();
  race r;
  const std::size_t fds_before = open_fds();
  r.start({hole6.addr, hole4.addr, hole6.addr, good6.addr},
          {.connect_timeout = 20s, .attempt_delay = 100ms});
  ASSERT_TRUE(r.run());
  ASSERT_TRUE(r.opened_at) << r.reason->message();
  EXPECT_EQ(r.peer, good6.addr.to_string());
  EXPECT_GE(r.took(), 250ms);
  EXPECT_EQ(r.fds_at_open, fds_before + 1);
}

TEST(connector, pending_attempts_are_capped) {
  // max_attempts (4) black-holed attempts hold every slot: the fifth address,
  // a good one, is never dialled, and the connect times out.
  static_assert(lwspp::detail::connector::max_attempts == 4);
  peer_socket hole6(true), hole4(false), good6(true);
  hole6.black_hole();
  hole4.black_hole();
  good6.listen();
  race r;
  r.start({hole6.addr, hole4.addr, hole6.addr, hole4.addr, good6.addr},
          {.connect_timeout = 1500ms, .attempt_delay = 50ms});
  ASSERT_TRUE(r.times_out());
  EXPECT_EQ(good6.queued(), 0);
}

// A black-holed first address (IPv6 or IPv4) and a listening IPv4 second:
// with opts, the second is never dialled and the connect times out.
void expect_one_at_a_time(bool first_v6, lwspp::connect_options opts) {
  peer_socket hole(first_v6);
  hole.black_hole();
  peer_socket good4(false);
  good4.listen();
  race r;
  r.start({hole.addr, good4.addr}, opts);
  ASSERT_TRUE(r.times_out());
  EXPECT_GE(r.took(), opts.connect_timeout - 50ms);
  EXPECT_EQ(good4.queued(), 0);  // never dialled
}

TEST(connector, zero_attempt_delay_tries_one_address_at_a_time) {
  expect_one_at_a_time(true, {.connect_timeout = 600ms, .attempt_delay = 0ms});
}

TEST(connector, addresses_of_one_family_are_tried_in_turn) {
  expect_one_at_a_time(false, {.connect_timeout = 800ms, .attempt_delay = 50ms});
}

TEST(connector, connect_timeout_covers_every_attempt) {
  peer_socket hole6(true), hole4(false);
  hole6.black_hole();
  hole4.black_hole();
  race r;
  const std::size_t fds_before = open_fds();
  r.start({hole6.addr, hole4.addr}, {.connect_timeout = 700ms, .attempt_delay = 100ms});
  ASSERT_TRUE(r.times_out());
  EXPECT_NE(r.reason->detail.find("dual-stack after 700 ms"), std::string::npos)
      << r.reason->detail;
  EXPECT_GE(r.took(), 650ms);
  EXPECT_LT(r.took(), 5s);
  EXPECT_EQ(open_fds(), fds_before);  // both pending sockets closed
}

// When every attempt fails, refused (a host answered) beats unreachable
// (no route), whatever the order.
TEST(connector, all_failed_reports_the_most_telling_reason) {
  peer_socket closed6(true), closed4(false);
  struct {
    std::vector<lwspp::address> addrs;
    lwspp::error want;
    std::string detail;
  } const cases[] = {
      {{unreachable_v6(), closed4.addr},
       lwspp::error::connection_refused,
       closed4.addr.to_string()},
      {{closed6.addr, unreachable_v4()},
       lwspp::error::connection_refused,
       closed6.addr.to_string()},
      {{unreachable_v6(), unreachable_v4()}, lwspp::error::unreachable, "255.255.255.255:9"},
      {{closed6.addr, closed4.addr}, lwspp::error::connection_refused, closed4.addr.to_string()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.addrs[0].to_string() + " " + c.addrs[1].to_string());
    race r;
    const std::size_t fds_before = open_fds();
    r.start(c.addrs, {.connect_timeout = 20s, .attempt_delay = 5s});
    ASSERT_TRUE(r.run());
    ASSERT_TRUE(r.reason);
    EXPECT_TRUE(r.reason->is(c.want)) << r.reason->message();
    EXPECT_EQ(r.reason->detail, c.detail);
    EXPECT_LT(r.took(), 2500ms);  // failures start the next at once
    EXPECT_EQ(open_fds(), fds_before);
  }
}

TEST(connector, closing_while_attempts_pend_closes_their_sockets) {
  peer_socket hole6(true), hole4(false);
  hole6.black_hole();
  hole4.black_hole();
  race r;
  const std::size_t fds_before = open_fds();
  r.start({hole6.addr, hole4.addr, hole6.addr}, {.connect_timeout = 20s, .attempt_delay = 100ms});
  r.run_for(150ms);
  r.handle().close();
  ASSERT_TRUE(r.run(5s));
  ASSERT_TRUE(r.reason);
  r.run_for(300ms);  // the next attempt-delay tick notices the close
  EXPECT_EQ(open_fds(), fds_before);
}

}  // namespace
